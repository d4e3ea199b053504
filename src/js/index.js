// embedkit — public ES-module entry: re-exports only.
export { init, features, terminate } from './load.js';
export { setLogLevel, getLogLevel } from './log.js';
export { ResidentArray, MAX_BLOCK_BYTES } from './memory.js';
export { Embedding } from './embedding.js';
export { sinusoidal } from './sinusoidal.js';
export { InputEmbedding } from './input-embedding.js';
export { Rope } from './rope.js';
export { rotaryEmbedding } from './rotary-embedding.js';
export { ropePermutation, permuteRopeWeight, permuteRopeFeatures, ropePrecisionReport } from './rope.js';
export { Vocab, VocabCounter, tokenize } from './vocab.js';
export { Word2Vec, huffmanTree } from './word2vec.js';
export { Cooccurrence, GloVe } from './glove.js';
export { Neighbors } from './neighbors.js';
export { saveVectors, loadVectors, toWord2VecText, fromWord2VecText, toWord2VecBinary, fromWord2VecBinary } from './vecfile.js';
export { evaluateWordPairs, evaluateAnalogies } from './evaluate.js';
export { SGD, Adam } from './optim.js';
export { openSafetensors, saveSafetensors, SafetensorsFile } from './safetensors.js';
export { openGGUF, GGUFFile } from './gguf.js';
