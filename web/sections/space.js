/**
 * @fileoverview Section 2, "The space the vectors live in": the N-dimensional view of an
 * embedding. Word vectors from embedkit's word2vec trainer, projected to 2-D with PCA, a search
 * box, and the nearest neighbours of a word by cosine similarity. Waits for the training kernels.
 */

import { h, prose, placeholder } from '../ui.js';

export function mount(root) {
  root.append(prose('The lookup-table picture has a second reading: each row is a point in a ' +
    '<em>D</em>-dimensional space, and a good table puts words that are used alike close together.'));
  placeholder(root, 'training kernels', 'This part will show vectors learned from a book, flattened to 2-D, ' +
    'with a search box for nearest neighbours. Until embedkit’s trainer is in, the only vectors on this page are random ones.');
}
