// word2vec.js — bench workload for the word2vec trainer: words/sec of embedkit (SIMD and
// scalar kernels) against a plain-JS implementation of the same method and inner loop
// (tests/helpers/training-ref.js with Float32Array tables), on Moby Dick.
//   W2V   skip-gram, dim 100, window 5, negative 5, sample 1e-3: the first 50k words per call
//   W2Vc  CBOW, same settings
// Every call starts from the same fresh trainer (built untimed in before()), so every call does
// the same work. Also runs standalone: `node tests/bench/word2vec.js [--words N]` prints
// words/sec per row and the ratios, without the harness.
import { fileURLToPath } from 'node:url';
import { Word2VecRef } from '../helpers/training-ref.js';
import { mobyDickText } from '../helpers/training-corpus.js';

const WORDS = 50000;

function corpusOf(ek) {
  const text = mobyDickText();
  const vocab = ek.Vocab.fromText(text, { minCount: 5 });
  return { vocab, corpus: vocab.encode(text) };
}

function rowsFor(ek, mode, words) {
  const { vocab, corpus } = corpusOf(ek);
  const opts = { corpus, counts: vocab.counts, mode, dim: 100, window: 5, negative: 5, sample: 1e-3, epochs: 5, seed: 1 };
  const wasmRow = (name, scalar) => {
    let w = null;
    return {
      name, kind: 'embedkit', mode: scalar ? 'scalar kernels' : 'SIMD',
      before() { w?.dispose(); w = new ek.Word2Vec({ ...opts, scalar }); },
      run() { w.step(words); },
      output() { return w.weight.slice(); },
      tolerance: { atol: 2e-3, rtol: 0 },
      dispose() { w?.dispose(); w = null; },
    };
  };
  let ref = null;
  const jsRow = {
    name: 'plain JS, same loop', kind: 'peer', mode: 'Float32Array',
    before() { ref = new Word2VecRef({ ...opts, Float: Float32Array }); },
    run() { ref.step(words); },
    output() { return ref.syn0; },
    tolerance: { atol: 2e-3, rtol: 0 },
  };
  return { rows: [wasmRow('embedkit', false), wasmRow('embedkit', true), jsRow], vocab, opts };
}

function workload(id, mode) {
  return {
    id,
    title: `word2vec ${mode} on Moby Dick, dim 100, window 5, negative 5: ${WORDS / 1000}k words per call`,
    bytes: 4155 * 100 * 4,
    async setup({ ek }) {
      const { rows, opts } = rowsFor(ek, mode, WORDS);
      const ref = new Word2VecRef({ ...opts, Float: Float64Array });
      ref.step(WORDS);
      return {
        reference: Float32Array.from(ref.syn0),
        rows,
        targets: [{ row: 'embedkit (SIMD)', vs: 'plain JS, same loop (Float32Array)', max: 0.5 }],
      };
    },
  };
}

export const workloads = [workload('W2V', 'skipgram'), workload('W2Vc', 'cbow')];

// ---- standalone ----------------------------------------------------------------------------------
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ek = await import('../../src/js/index.js');
  await ek.init();
  const i = process.argv.indexOf('--words');
  const words = i > 0 ? Number(process.argv[i + 1]) : 200000;
  for (const mode of ['skipgram', 'cbow']) {
    const { rows } = rowsFor(ek, mode, words);
    const rate = {};
    for (const row of rows) {
      let best = Infinity;
      for (let rep = 0; rep < 3; rep++) {
        row.before();
        const t0 = performance.now();
        row.run();
        best = Math.min(best, performance.now() - t0);
      }
      row.dispose?.();
      rate[`${row.name} (${row.mode})`] = words / (best / 1000);
    }
    const js = rate['plain JS, same loop (Float32Array)'];
    console.log(`word2vec ${mode}, ${words} words, dim 100, window 5, negative 5, sample 1e-3 (best of 3):`);
    for (const [k, v] of Object.entries(rate)) console.log(`  ${k.padEnd(38)} ${(v / 1000).toFixed(0).padStart(6)}k words/s   ${(v / js).toFixed(2)}x plain JS`);
  }
}
