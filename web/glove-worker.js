// glove-worker.js — the GloVe run of the GloVe section, in a Web Worker so the page stays
// responsive. Reads the book, counts the co-occurrence matrix (embedkit's Cooccurrence), then
// trains embedkit's GloVe on it a chunk at a time. Module workers do not see the page's import
// map, so embedkit is imported by its path in this repository.
// Messages in:  { type: 'setup', words } (words: the rows to report of the matrix) | { type: 'start' } | { type: 'pause' }
// Messages out: { type: 'ready', words, counts, options, stats, nonzeros, block, blockIds, weight }
//               { type: 'progress', progress }   { type: 'vectors', weight, progress }
//               { type: 'state', running }         { type: 'error', message }

import { init, Vocab, Cooccurrence, GloVe } from '/src/js/index.js';
import { BOOK, MIN_COUNT, GLOVE } from './w2v-settings.js';

const CHUNK = 40000;             // entries per step(): a few tens of ms
const SNAPSHOT_MS = 300;

let glove = null, running = false, lastSnap = 0;

function snapshot() {
  const weight = glove.weight;            // a fresh copy (W + W~)
  postMessage({ type: 'vectors', weight, progress: glove.progress }, [weight.buffer]);
}

async function setup(blockWords) {
  await init();
  const res = await fetch(BOOK);
  if (!res.ok) throw new Error(`could not read the book (${BOOK}): HTTP ${res.status}`);
  const text = await res.text();
  const vocab = Vocab.fromText(text, { minCount: MIN_COUNT });
  const co = new Cooccurrence({ corpus: vocab.encode(text), vocab, window: GLOVE.window });
  const blockIds = blockWords.map((w) => vocab.id(w)).filter((id) => id >= 0);
  const block = new Float32Array(blockIds.length ** 2);
  blockIds.forEach((a, i) => blockIds.forEach((b, j) => { block[i * blockIds.length + j] = co.get(a, b); }));
  glove = new GloVe({ cooccurrence: co, dim: GLOVE.dim, epochs: GLOVE.epochs, seed: GLOVE.seed });
  const weight = glove.weight;
  postMessage({ type: 'ready', words: vocab.words.slice(), counts: Array.from(vocab.counts), options: { ...GLOVE },
    stats: { ...co.stats }, nonzeros: co.nonzeros, block, blockIds, weight, totalEntries: glove.numEntries }, [weight.buffer]);
  co.dispose();
}

async function loop() {
  postMessage({ type: 'state', running: true });
  while (running && !glove.done) {
    const progress = glove.step(CHUNK);
    postMessage({ type: 'progress', progress });
    const now = performance.now();
    if (now - lastSnap > SNAPSHOT_MS || progress.done) {
      lastSnap = now;
      snapshot();
    }
    await new Promise((r) => setTimeout(r, 0));   // let 'pause' in
  }
  running = false;
  postMessage({ type: 'state', running: false });
}

onmessage = async ({ data }) => {
  try {
    if (data.type === 'setup') await setup(data.words ?? []);
    else if (data.type === 'start' && glove && !running) { running = true; loop(); }
    else if (data.type === 'pause') running = false;
  } catch (err) {
    postMessage({ type: 'error', message: err.message });
  }
};
