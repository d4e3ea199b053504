/**
 * @fileoverview Section 8, "How fast is it on your machine?": a button that times embedkit's
 * WebAssembly kernels against the plain JavaScript loops a reader would otherwise write, on the
 * reader's own device, and checks that both give the same numbers. Teaches: an embedding layer
 * is memory traffic (copying rows, adding rows), and what SIMD kernels with no per-element
 * overhead buy over straightforward loops.
 */

import { Embedding, Rope, sinusoidal, features } from 'embedkit';
import { h, prose, fmt, int } from '../ui.js';

const VOCAB = 50257;
const DIM = 128;
const N_IDS = 4096;
const RUNS = 7;

/** A seeded N(0, 1) Float32Array of n * dim values (embedkit's generator), owned by the caller. */
function randomRows(n, dim, seed) {
  const e = new Embedding(n, dim, { seed });
  try { return e.weight.slice(); } finally { e.dispose(); }
}

/** Deterministic ids with a Zipf-like skew (common tokens repeat, as in real text). */
function makeIds(n, vocab, seed = 12345) {
  let s = seed >>> 0;
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = (s + 0.5) / 2 ** 32;
    ids[i] = Math.min(vocab - 1, Math.floor(vocab ** u) - 1);
  }
  return ids;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/**
 * Median time of one call of fn in ms. Browsers coarsen performance.now() (to 0.1 ms or more),
 * so each sample repeats fn until it lasts a few milliseconds and is divided by the repeats.
 */
async function median(fn) {
  let reps = 1;
  for (;;) {                              // warm-up and calibration
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    if (performance.now() - t0 >= 4 || reps >= 1024) break;
    reps *= 2;
  }
  const times = [];
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    times.push((performance.now() - t0) / reps);
    await tick();                         // keep the page responsive between runs
  }
  times.sort((a, b) => a - b);
  return times[RUNS >> 1];
}

function maxDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The workloads: each has an embedkit version and a plain-JS version of the same job. */
function workloads() {
  const list = [];
  const ids = makeIds(N_IDS, VOCAB);
  list.push({
    name: `lookup: ${int(N_IDS)} ids from a ${int(VOCAB)} × ${DIM} table`,
    setup() {
      const emb = new Embedding(VOCAB, DIM, { seed: 3 });
      const W = emb.weight.slice();
      const outE = new Float32Array(N_IDS * DIM), outJ = new Float32Array(N_IDS * DIM);
      return {
        ek: () => emb.forward(ids, outE),
        js: () => {
          for (let i = 0; i < N_IDS; i++) {
            const src = ids[i] * DIM, dst = i * DIM;
            for (let c = 0; c < DIM; c++) outJ[dst + c] = W[src + c];
          }
        },
        check: () => maxDiff(outE, outJ),
        done: () => emb.dispose(),
      };
    },
  });
  list.push({
    name: `backward: ${int(N_IDS)} gradient rows added into that table (repeats included), then cleared`,
    setup() {
      const emb = new Embedding(VOCAB, DIM, { seed: 3 });
      const G = new Float32Array(VOCAB * DIM);
      const gout = randomRows(N_IDS, DIM, 4);
      return {
        ek: () => { emb.zeroGrad(); emb.backward(ids, gout); },
        js: () => {
          // clear only the rows the last call touched, as embedkit's zeroGrad does
          for (let i = 0; i < N_IDS; i++) G.fill(0, ids[i] * DIM, ids[i] * DIM + DIM);
          for (let i = 0; i < N_IDS; i++) {
            const dst = ids[i] * DIM, src = i * DIM;
            for (let c = 0; c < DIM; c++) G[dst + c] += gout[src + c];
          }
        },
        check: () => maxDiff(emb.grad, G),
        note: 'embedkit adds repeats of a row in float64 and rounds once; the JS loop rounds after every addition, hence the small gap',
        done: () => emb.dispose(),
      };
    },
  });
  {
    const P = 2048, D = 256;
    list.push({
      name: `sinusoidal table: ${int(P)} positions × ${D}`,
      setup() {
        const outE = new Float32Array(P * D), outJ = new Float32Array(P * D);
        return {
          ek: () => sinusoidal(P, D, { out: outE }),
          js: () => {
            for (let p = 0; p < P; p++) {
              for (let i = 0; i < D / 2; i++) {
                const a = p / 10000 ** ((2 * i) / D);
                outJ[p * D + 2 * i] = Math.sin(a);
                outJ[p * D + 2 * i + 1] = Math.cos(a);
              }
            }
          },
          check: () => maxDiff(outE, outJ),
          done: () => {},
        };
      },
    });
  }
  {
    const S = 512, H = 8, HD = 64;
    list.push({
      name: `RoPE forward (half-split): [1, ${S}, ${H}, ${HD}]`,
      setup() {
        const rope = new Rope({ headDim: HD, maxPositions: S });
        const x = randomRows(S * H, HD, 5);
        const outE = new Float32Array(x.length), outJ = new Float32Array(x.length);
        const cos = rope.cos, sin = rope.sin, half = HD / 2;
        return {
          ek: () => rope.forward(x, [1, S, H, HD], { out: outE }),
          js: () => {
            for (let s = 0; s < S; s++) {
              for (let hh = 0; hh < H; hh++) {
                const base = (s * H + hh) * HD;
                for (let i = 0; i < half; i++) {
                  const c = cos[s * half + i], n = sin[s * half + i];
                  const a = x[base + i], b = x[base + i + half];
                  outJ[base + i] = a * c - b * n;
                  outJ[base + i + half] = b * c + a * n;
                }
              }
            }
          },
          check: () => maxDiff(outE, outJ),
          done: () => rope.dispose(),
        };
      },
    });
  }
  return list;
}

export function mount(root) {
  const btn = h('button', { type: 'button', id: 'speed-run', text: 'Run the benchmark' });
  const out = h('div', { id: 'speed-results', 'aria-live': 'polite' });
  root.append(
    prose('A lookup copies rows; a backward pass adds rows; a RoPE rotation mixes pairs of numbers. These ' +
      'jobs are simple enough that the cost is mostly moving bytes, which is where WebAssembly with SIMD ' +
      '(16 bytes per instruction) earns its keep; the sinusoidal table is the exception, where the work is ' +
      'the sines and cosines themselves. The button runs each job with embedkit and with the plain JavaScript loop you would write ' +
      `by hand, ${RUNS} times each after a warm-up, on this device, and shows the median. It also checks ` +
      'that both produce the same numbers.'),
    h('div', { class: 'controls' }, btn, h('span', { class: 'note', text: `embedkit build: ${features.simd ? 'SIMD' : 'no SIMD'}` })),
    out,
  );

  btn.addEventListener('click', async () => {
    btn.disabled = true;
    out.replaceChildren(h('p', { class: 'note', text: 'Running…' }));
    const rows = [];
    try {
      for (const wl of workloads()) {
        const run = wl.setup();
        const tEk = await median(run.ek);
        const tJs = await median(run.js);
        const diff = run.check();
        run.done();
        rows.push({ name: wl.name, tEk, tJs, diff, note: run.note });
        render(rows, false);
        await tick();
      }
      render(rows, true);
    } catch (err) {
      console.error(err);
      out.append(h('p', { class: 'error', text: `Benchmark failed: ${err.message}` }));
    } finally {
      btn.disabled = false;
    }
  });

  function render(rows, finished) {
    const items = rows.map((r) => {
      const max = Math.max(r.tEk, r.tJs);
      return h('div', { class: 'figure', 'data-workload': r.name },
        h('p', {}, h('strong', { text: r.name })),
        h('div', { class: 'bars' },
          h('span', { text: 'embedkit' }), h('div', { class: 'bar', style: `width:${(100 * r.tEk) / max}%` }), h('output', { text: `${fmt(r.tEk, 3)} ms` }),
          h('span', { text: 'plain JS' }), h('div', { class: 'bar js', style: `width:${(100 * r.tJs) / max}%` }), h('output', { text: `${fmt(r.tJs, 3)} ms` })),
        h('p', { class: 'note', text: `${fmt(r.tJs / r.tEk, 2)}× ${r.tJs >= r.tEk ? 'faster' : 'slower'} than plain JS; ` +
          `largest difference between the two results: ${fmt(r.diff, 2)}${r.note && r.diff > 0 ? ` (${r.note})` : ''}` }));
    });
    if (!finished) items.push(h('p', { class: 'note', text: 'Running…' }));
    out.replaceChildren(...items);
  }
}
