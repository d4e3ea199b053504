// prebuilt.js — the word2vec vectors trained at build time (web/build-lib.js), fetched once and
// shared by the sections that show them (the explorer and the GloVe comparison).

import { loadVectors, Neighbors } from 'embedkit';
import { PREBUILT } from './w2v-settings.js';

let pending = null;

/** { words, counts, weight, dim, nb, source: 'prebuilt' }; rejects when the file is missing. */
export function prebuiltVectors() {
  pending ??= (async () => {
    const res = await fetch(PREBUILT);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const saved = loadVectors(new Uint8Array(await res.arrayBuffer()));
    return { words: saved.words, counts: saved.counts, weight: saved.weight, dim: saved.dim,
      nb: new Neighbors(saved.weight, { dim: saved.dim, words: saved.words }), source: 'prebuilt' };
  })();
  return pending;
}
