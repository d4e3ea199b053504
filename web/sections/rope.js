/**
 * @fileoverview Section 7, "Rotary positions (RoPE)": vectors rotated by an angle proportional to
 * their position, so that the angle between two words depends only on their distance. Waits for
 * the RoPE kernels.
 */

import { prose, placeholder } from '../ui.js';

export function mount(root) {
  root.append(prose('Modern models skip the addition altogether and turn each vector instead, by an ' +
    'angle that grows with its position.'));
  placeholder(root, 'RoPE kernels', 'Two sentences about a lion, arrows that rotate with position, ' +
    'and the dot product that stays put when the sentence shifts.');
}
