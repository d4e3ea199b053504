// w2v-client.js — the page side of the word2vec worker (web/w2v-worker.js), shared by section 2
// (the space) and section 3 (learning). It is the one piece of state two sections share: one
// training run, so the map in section 2 shows the vectors section 3 is training. Sections
// subscribe with on(type, fn); the latest vectors and progress are kept for late subscribers,
// with one embedkit Neighbors index over them (run.neighbours) that both sections query.

import { Neighbors } from 'embedkit';

const listeners = new Map();
let worker = null;
let ready = null;
let current = 0;          // number of the latest setup; messages of older runs are dropped
export const run = { words: null, counts: null, weight: null, neighbours: null, progress: null, running: false, options: null };

function emit(type, msg) {
  for (const fn of listeners.get(type) ?? []) fn(msg);
}

/** Subscribe to 'ready' | 'progress' | 'vectors' | 'state' | 'inside' | 'error'. */
export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
}

/** Default training settings (shared with the build step that trains the prebuilt vectors). */
export { SETTINGS } from './w2v-settings.js';

/** Start the worker and build the trainer (once per settings); resolves when it is ready. */
export function setup(trainer = SETTINGS) {
  if (!worker) {
    worker = new Worker(new URL('./w2v-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      if (data.run !== current) return;
      if (data.type === 'ready') {
        run.neighbours?.dispose();
        Object.assign(run, { words: data.words, counts: data.counts, weight: data.weight, options: data.options,
          corpusWords: data.corpusWords, totalWords: data.totalWords, progress: null,
          neighbours: new Neighbors(data.weight, { dim: data.options.dim, words: data.words }) });
      } else if (data.type === 'progress') {
        run.progress = data.progress;
      } else if (data.type === 'vectors') {
        run.weight = data.weight;
        run.neighbours.update(data.weight);
      } else if (data.type === 'state') {
        run.running = data.running;
      }
      emit(data.type, data);
    };
    worker.onerror = (e) => emit('error', { message: e.message });
  }
  ready = new Promise((resolve, reject) => {
    const ok = () => { listeners.get('ready').delete(ok); listeners.get('error').delete(bad); resolve(run); };
    const bad = (m) => { listeners.get('ready').delete(ok); listeners.get('error').delete(bad); reject(new Error(m.message)); };
    on('ready', ok);
    on('error', bad);
  });
  run.running = false;
  // ?threads=1 in the page's URL trains on one thread: bit-reproducible (the browser test's
  // network-view check compares the page's tables with Node's); default: all of the pool's.
  const threads = Number(new URLSearchParams(globalThis.location?.search ?? '').get('threads'));
  worker.postMessage({ type: 'setup', run: ++current, options: { trainer: { ...trainer, ...(threads > 0 ? { threads } : {}) } } });
  return ready;
}

/** The current setup promise (null before setup()). */
export function whenReady() { return ready; }
export function start() { worker?.postMessage({ type: 'start' }); }
export function pause() { worker?.postMessage({ type: 'pause' }); }
/** Ask for the trainer's next sentence and both of its tables (answered with an 'inside' event; only while paused). */
export function inside() { worker?.postMessage({ type: 'inside' }); }
