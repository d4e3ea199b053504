// positions.js — bench workloads for positions (npm run bench -- W3 W5):
//   W3   sinusoidal 8192 x 768 (exact table) vs a plain-JS Math.sin/Math.cos loop and native C
//        (gcc -O2, compiled at bench time from lib/sincos-native.c): float32 angle + sinf/cosf
//        (the common recipe, ~5e-4 off at position 8191) and float64 sin/cos (exact)
//   W5a  InputEmbedding forward at GPT-2 size: tokens 50257 x 768 + learned positions 1024 x 768,
//        ids 8 x 1024 (uniform): out[b, s] = tok[ids] + pos[s]
//   W5b  InputEmbedding backward at GPT-2 size: zeroGrad + token scatter-add (Zipf(1.1) ids) +
//        position batch sum of an 8 x 1024 x 768 gradient
// Ratios: "x copy" is time / an in-process copy of the result's bytes (harness.js).
import { execFileSync } from 'node:child_process';

import { compare, randomFloats, textIds, uniformIds, zipfIds } from './harness.js';
import { buildNative } from './lib/native.js';

// ---- W3: sinusoidal ---------------------------------------------------------------------------

function jsSinusoidal(out, n, dim, layout = 'interleaved') {
  const h = dim / 2;
  const w = new Float64Array(h);
  for (let i = 0; i < h; i++) w[i] = 1 / 10000 ** ((2 * i) / dim);
  for (let p = 0; p < n; p++) {
    const o = p * dim;
    for (let i = 0; i < h; i++) {
      const a = p * w[i];
      if (layout === 'interleaved') {
        out[o + 2 * i] = Math.sin(a);
        out[o + 2 * i + 1] = Math.cos(a);
      } else {
        out[o + i] = Math.sin(a);
        out[o + h + i] = Math.cos(a);
      }
    }
  }
  return out;
}

function nativeRow(name, mode, n, dim) {
  const b = buildNative('sincos-native.c', ['-O2']);
  if (b.missing) return { name, kind: 'peer', mode: 'native', na: b.missing };
  let err = NaN;
  return {
    name, kind: 'peer', mode: 'native, gcc -O2',
    run() {
      // Timed inside the binary (median of 3 tables), so process start-up is not counted.
      const [ms, e] = execFileSync(b.exe, [String(n), String(dim), '3', String(mode)], { encoding: 'utf8' }).trim().split(' ').map(Number);
      err = e;
      return ms;
    },
    check: () => ({ ok: true, note: `max |diff| ${err.toExponential(1)} vs float64${mode === 0 ? ' (float32 angles)' : ''}` }),
  };
}

function sinusoidalWorkload() {
  const n = 8192, dim = 768;
  return {
    id: 'W3',
    threadTargets: [{ row: 'embedkit (resident)', max: 0.6 }],
    title: `sinusoidal ${n} x ${dim}, interleaved (concat row: the [sin | cos] layout), exact to 2e-7`,
    bytes: n * dim * 4,
    async setup({ ek }) {
      const reference = jsSinusoidal(new Float32Array(n * dim), n, dim);
      const refConcat = jsSinusoidal(new Float32Array(n * dim), n, dim, 'concat');
      const outR = new ek.ResidentArray(Float32Array, n * dim);
      const outC = new ek.ResidentArray(Float32Array, n * dim);
      const outJ = new Float32Array(n * dim);
      let e2e = null, js = null;
      const tolerance = { atol: 2e-7 };
      return {
        reference,
        rows: [
          { name: 'embedkit', kind: 'embedkit', mode: 'resident', run() { ek.sinusoidal(n, dim, { out: outR }); }, output: () => outR.view, tolerance },
          { name: 'embedkit', kind: 'embedkit', mode: 'out: Float32Array', run() { ek.sinusoidal(n, dim, { out: outJ }); }, output: () => outJ, tolerance },
          { name: 'embedkit', kind: 'embedkit', mode: 'e2e', run() { e2e = ek.sinusoidal(n, dim); }, output: () => e2e, tolerance },
          {
            name: 'embedkit concat', kind: 'embedkit', mode: 'resident',
            run() { ek.sinusoidal(n, dim, { out: outC, layout: 'concat' }); },
            check: () => compare(outC.view, refConcat, tolerance),
          },
          { name: 'plain JS Math.sin/cos', kind: 'peer', mode: 'e2e, float64', run() { js = jsSinusoidal(new Float32Array(n * dim), n, dim); }, output: () => js, tolerance },
          nativeRow('native C sinf/cosf', 0, n, dim),
          nativeRow('native C sin/cos (double)', 1, n, dim),
        ],
        targets: [
          { row: 'embedkit (resident)', vs: 'native C sinf/cosf (native, gcc -O2)', max: 0.333 },
          // issue 5: >= 50x faster than the plain-JS loop
          { row: 'embedkit (resident)', vs: 'plain JS Math.sin/cos (e2e, float64)', max: 0.02 },
        ],
        teardown() { outR.dispose(); outC.dispose(); },
      };
    },
  };
}

// ---- W5: InputEmbedding at GPT-2 size ---------------------------------------------------------

const GPT2 = { vocab: 50257, maxPos: 1024, dim: 768, batch: 8, seq: 1024 };

function jsInputForward(out, tok, pos, ids, batch, seq, dim) {
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const i = b * seq + s, t = ids[i] * dim, p = s * dim, o = i * dim;
      for (let j = 0; j < dim; j++) out[o + j] = tok[t + j] + pos[p + j];
    }
  }
  return out;
}

function inputForwardWorkload() {
  const { vocab, maxPos, dim, batch, seq } = GPT2;
  const n = batch * seq;
  return {
    id: 'W5a',
    threadTargets: [{ row: 'embedkit (resident)', max: 0.6 }],
    title: `InputEmbedding forward (learned positions), GPT-2 size: ${vocab} x ${dim} + ${maxPos} x ${dim}, ids ${batch} x ${seq}`,
    bytes: n * dim * 4,
    async setup({ ek }) {
      const inp = new ek.InputEmbedding({ vocabSize: vocab, maxPositions: maxPos, dim, seed: 1, std: 0.02 });
      const tok = inp.token.weight.slice(), pos = inp.position.weight.slice();
      const ids = uniformIds(n, vocab, 31);
      const reference = jsInputForward(new Float32Array(n * dim), tok, pos, ids, batch, seq, dim);
      const idsR = new ek.ResidentArray(Int32Array, n);
      idsR.view.set(ids);
      const outR = new ek.ResidentArray(Float32Array, n * dim);
      const tmpR = new ek.ResidentArray(Float32Array, n * dim);
      // Real text (GPT-2 tokens of Moby-Dick): repeated tokens, whose rows are mostly in cache.
      const textR = new ek.ResidentArray(Int32Array, n);
      textR.view.set(textIds(n));
      const textRef = jsInputForward(new Float32Array(n * dim), tok, pos, textR.view, batch, seq, dim);
      let e2e = null, js = null;
      return {
        reference,
        rows: [
          { name: 'embedkit', kind: 'embedkit', mode: 'resident', run() { inp.forward(idsR, [batch, seq], { out: outR }); }, output: () => outR.view },
          {
            name: 'embedkit', kind: 'embedkit', mode: 'resident, GPT-2 tokens of text',
            run() { inp.forward(textR, [batch, seq], { out: tmpR }); }, check: () => compare(tmpR.view, textRef),
          },
          { name: 'embedkit', kind: 'embedkit', mode: 'e2e', run() { e2e = inp.forward(ids, [batch, seq]); }, output: () => e2e },
          {
            // The floor for the fused kernel: the token lookup alone (row copies), no position add.
            name: 'embedkit lookup only', kind: 'embedkit', mode: 'resident, no positions',
            run() { inp.token.forward(idsR, tmpR); },
            check: () => ({ ok: true, note: 'not the same result (no position rows)' }),
          },
          {
            // What the fused kernel saves: a lookup, then the position rows added in a second pass.
            name: 'embedkit lookup + JS add', kind: 'embedkit', mode: 'resident, unfused',
            run() {
              inp.token.forward(idsR, tmpR);
              const o = tmpR.view;
              for (let b = 0; b < batch; b++) for (let k = 0; k < seq * dim; k++) o[b * seq * dim + k] += pos[k];
            },
            output: () => tmpR.view,
          },
          { name: 'plain JS loop', kind: 'peer', mode: 'e2e', run() { js = jsInputForward(new Float32Array(n * dim), tok, pos, ids, batch, seq, dim); }, output: () => js },
        ],
        targets: [{ row: 'embedkit (resident)', vs: 'embedkit lookup only (resident, no positions)', max: 1.6 }],
        teardown() { inp.dispose(); idsR.dispose(); outR.dispose(); tmpR.dispose(); textR.dispose(); },
      };
    },
  };
}

/**
 * Plain-JS peer (Float32Array) or float64 reference (Float64Array): token scatter-add with
 * touched-row reset + position batch sum.
 */
function jsInputGrad(vocab, maxPos, dim, Type = Float32Array) {
  const tg = new Type(vocab * dim), pg = new Type(maxPos * dim);
  const mark = new Uint8Array(vocab), touched = new Int32Array(vocab);
  let nt = 0;
  return {
    tg, pg,
    zero() {
      for (let k = 0; k < nt; k++) { tg.fill(0, touched[k] * dim, touched[k] * dim + dim); mark[touched[k]] = 0; }
      nt = 0;
      pg.fill(0);
    },
    backward(ids, g, batch, seq) {
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i], s = i % seq, t = id * dim, p = s * dim, o = i * dim;
        if (!mark[id]) { mark[id] = 1; touched[nt++] = id; }
        for (let j = 0; j < dim; j++) { tg[t + j] += g[o + j]; pg[p + j] += g[o + j]; }
      }
    },
  };
}

function inputBackwardWorkload() {
  const { vocab, maxPos, dim, batch, seq } = GPT2;
  const n = batch * seq;
  return {
    id: 'W5b',
    threadTargets: [{ row: 'embedkit (resident)', max: 0.7 }],
    title: `InputEmbedding backward (learned positions), GPT-2 size: zeroGrad + token scatter-add (Zipf(1.1) ids) + position sum, gradient ${batch} x ${seq} x ${dim}`,
    bytes: n * dim * 4,
    async setup({ ek }) {
      const ids = zipfIds(n, vocab, 1.1, 41);
      const g = randomFloats(n * dim, 42);
      const ref = jsInputGrad(vocab, maxPos, dim, Float64Array);
      ref.backward(ids, g, batch, seq);
      // checked output: token grad rows then the position grad, concatenated
      const both = (tg, pg) => { const r = new Float32Array(tg.length + pg.length); r.set(tg); r.set(pg, tg.length); return r; };
      const reference = both(ref.tg, ref.pg);
      const inp = new ek.InputEmbedding({ vocabSize: vocab, maxPositions: maxPos, dim, seed: 1 });
      const idsR = new ek.ResidentArray(Int32Array, n);
      idsR.view.set(ids);
      const gR = new ek.ResidentArray(Float32Array, n * dim);
      gR.view.set(g);
      const js = jsInputGrad(vocab, maxPos, dim);
      // reference: float64 sums. embedkit sums in float64 and rounds once per row (tight); the
      // JS loop keeps float32 running sums, hundreds of roundings on hot rows (looser).
      const tolerance = { atol: 1e-6, rtol: 1e-6 };
      const jsTolerance = { atol: 2e-4, rtol: 1e-4 };
      return {
        reference,
        rows: [
          { name: 'embedkit', kind: 'embedkit', mode: 'resident', run() { inp.zeroGrad(); inp.backward(idsR, [batch, seq], gR); }, output: () => both(inp.token.grad, inp.position.grad), tolerance },
          { name: 'embedkit', kind: 'embedkit', mode: 'e2e', run() { inp.zeroGrad(); inp.backward(ids, [batch, seq], g); }, output: () => both(inp.token.grad, inp.position.grad), tolerance },
          { name: 'plain JS loop', kind: 'peer', mode: 'touched-row reset', run() { js.zero(); js.backward(ids, g, batch, seq); }, output: () => both(js.tg, js.pg), tolerance: jsTolerance },
          {
            name: 'embedkit token backward only', kind: 'embedkit', mode: 'resident, no positions',
            run() { inp.token.zeroGrad(); inp.token.backward(idsR, gR); },
            check: () => ({ ok: true, note: 'token half only' }),
          },
        ],
        targets: [{ row: 'embedkit (resident)', vs: 'embedkit token backward only (resident, no positions)', max: 1.4 }],
        teardown() { inp.dispose(); idsR.dispose(); gR.dispose(); },
      };
    },
  };
}

export const workloads = [sinusoidalWorkload(), inputForwardWorkload(), inputBackwardWorkload()];
