// embedkit — public ES-module entry: re-exports only.
export { init, features } from './load.js';
export { ResidentArray } from './memory.js';
export { Embedding } from './embedding.js';
export { Vocab, tokenize } from './vocab.js';
export { Word2Vec } from './word2vec.js';
export { Neighbors } from './neighbors.js';
export { saveVectors, loadVectors, toWord2VecText } from './vecfile.js';
