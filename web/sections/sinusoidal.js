/**
 * @fileoverview Section 6, "Positions without learning": the sinusoidal table as a heatmap with
 * dim and base sliders, and the position-to-position dot products. Waits for the position kernels.
 */

import { prose, placeholder } from '../ui.js';

export function mount(root) {
  root.append(prose('Instead of learning a vector per position, the original transformer wrote ' +
    'them down with a formula: sines and cosines at many different speeds.'));
  placeholder(root, 'position kernels', 'A heatmap of the table with sliders for its width and base, ' +
    'and a matrix of dot products between positions.');
}
