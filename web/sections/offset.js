/**
 * @fileoverview Section 5, "Position as an offset": token vector + position vector drawn as
 * 2-D arrows, learned versus sinusoidal positions (InputEmbedding). Waits for the position kernels.
 */

import { prose, placeholder } from '../ui.js';

export function mount(root) {
  root.append(prose('A token table knows what a word is, not where it stands. A second table, ' +
    'indexed by position, gives each slot of the sequence its own vector, and the two are added.'));
  placeholder(root, 'position kernels', 'Arrows for token + position in two dimensions, learned and sinusoidal.');
}
