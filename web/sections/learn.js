/**
 * @fileoverview Section 3, "Learning the vectors from a book": word2vec (skip-gram / CBOW with
 * negative sampling) trained live in a Web Worker on Moby-Dick. Waits for the training kernels.
 */

import { h, prose, placeholder } from '../ui.js';

export function mount(root) {
  root.append(prose('How does a row come to mean something? Word2vec’s bet: a word is known by the ' +
    'company it keeps. Slide a small window over real text and ask each word to predict its neighbours.'));
  placeholder(root, 'training kernels', 'Here you will start and pause a word2vec run on Moby-Dick in ' +
    'your browser, watch the loss fall, and see neighbours of chosen words change as it learns.');
}
