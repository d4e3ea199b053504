// input-embedding.js — InputEmbedding: the input layer of a GPT model, token embedding plus
// position embedding (src/c/input_embedding.c; the token half of backward is the Embedding's
// scatter-add, src/c/scatter_add.c).
//
//   new InputEmbedding({ vocabSize, maxPositions, dim, position = 'learned', seed = 0, ... })
//   forward(ids, [batch, seq], { offset = 0, out })   out[b, s] = tok[ids[b, s]] + pos[offset + s]
//   backward(ids, [batch, seq], gradOutput, { offset = 0 })
//     token.grad[ids[b, s]] += g[b, s];  position.grad[offset + s] += sum_b g[b, s]  ('learned')
//
// position: 'learned'    a second Embedding over positions (GPT-1/2/3, BERT, OPT);
//           'sinusoidal' a fixed table from sinusoidal() (the original Transformer), no gradient;
//           'none'       token embedding only, for models that add positions elsewhere (RoPE:
//                        Llama, GPT-NeoX, Mistral, ...; ALiBi).
// `offset` continues a sequence: during generation with a KV cache the next token of a
// sequence that already has `offset` tokens sits at position `offset`.

import { Embedding } from './embedding.js';
import { alloc, blockTooLarge, deliverF32, free, heap, MAX_BLOCK_BYTES, residentPtr, scratch, scratchSize, wasm } from './memory.js';
import { checkEvenDim, frequencyWriter, layoutCode } from './sinusoidal.js';
import { checkFloat32, checkOptions, checkOut, checkPosInt, checkShape, idsLength, idsResident, stageIds } from './validate.js';

const MODES = ['learned', 'sinusoidal', 'none'];

/** Keys of the constructor's options and of forward/backward's (an unknown key is a TypeError). */
export const INPUT_EMBEDDING_OPTIONS = ['vocabSize', 'maxPositions', 'dim', 'position', 'seed', 'std', 'positionStd',
  'tokenWeight', 'positionWeight', 'paddingIdx', 'scaleGradByFreq', 'base', 'layout', 'frequencies', 'minTimescale', 'maxTimescale',
  'requiresGrad'];
const FORWARD_OPTIONS = ['offset', 'out'];
const BACKWARD_OPTIONS = ['offset'];

function positionSeed(seed) {
  if (typeof seed === 'bigint') return (seed + 1n) % 2n ** 64n;
  if (Number.isSafeInteger(seed) && seed >= 0) return BigInt(seed) + 1n;
  return seed;  // invalid: the token Embedding has already thrown for it
}

export class InputEmbedding {
  #token = null; #position = null; #table = 0;
  #mode; #maxPos; #dim; #vocab;
  #disposed = false;

  /**
   * @param {object} options vocabSize, maxPositions, dim, position ('learned' | 'sinusoidal' |
   *   'none'), seed (default 0; the position table uses seed + 1), std (token init, default 1),
   *   positionStd (default std), tokenWeight / positionWeight (Float32Array tables copied in, e.g.
   *   GPT-2's wte / wpe), paddingIdx, scaleGradByFreq (token table), requiresGrad (default true;
   *   false: inference-only tables without gradients); for 'sinusoidal':
   *   base, layout, frequencies, minTimescale, maxTimescale as sinusoidal().
   */
  constructor(options) {
    wasm();
    checkOptions(options, INPUT_EMBEDDING_OPTIONS, 'InputEmbedding options { vocabSize, maxPositions, dim, ... }', { optional: false });
    const { vocabSize, maxPositions, dim, position = 'learned', seed = 0, std = 1, positionStd = std,
      paddingIdx = null, scaleGradByFreq = false, tokenWeight, positionWeight, requiresGrad = true } = options;
    if (typeof requiresGrad !== 'boolean') throw new TypeError(`embedkit: requiresGrad must be a boolean, got ${typeof requiresGrad}`);
    checkPosInt(vocabSize, 'vocabSize');
    checkPosInt(maxPositions, 'maxPositions');
    checkPosInt(dim, 'dim');
    if (tokenWeight !== undefined) checkFloat32(tokenWeight, vocabSize * dim, 'tokenWeight');
    if (positionWeight !== undefined) {
      if (position !== 'learned') throw new TypeError(`embedkit: positionWeight is only for position: 'learned', got position: '${position}'`);
      checkFloat32(positionWeight, maxPositions * dim, 'positionWeight');
    }
    if (typeof position !== 'string') throw new TypeError(`embedkit: position must be one of ${MODES.join(', ')}, got ${typeof position}`);
    if (!MODES.includes(position)) throw new RangeError(`embedkit: position must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got '${position}'`);
    let writeFreqs = null, layout = 0;
    if (position === 'sinusoidal') {
      checkEvenDim(dim);
      layout = layoutCode(options.layout ?? 'interleaved');
      writeFreqs = frequencyWriter(dim, options);
    }
    // Both tables are checked against the block limit before the first one is allocated.
    if (vocabSize * dim * 4 > MAX_BLOCK_BYTES) throw blockTooLarge(`a ${vocabSize} x ${dim} token table`, vocabSize * dim * 4);
    if (position !== 'none' && maxPositions * dim * 4 > MAX_BLOCK_BYTES) {
      throw blockTooLarge(`a ${maxPositions} x ${dim} position table`, maxPositions * dim * 4);
    }
    // A weight that is a view into wasm memory (another table's .weight) is detached when the
    // token table's allocation grows memory: remember where it is and view it again when used.
    const at = (w) => (w instanceof Float32Array && w.buffer === heap().buffer ? [w.byteOffset, w.length] : null);
    const tokAt = at(tokenWeight), posAt = at(positionWeight);
    const weightOf = (w, where) => (w === undefined ? {} : { weight: where ? new Float32Array(heap().buffer, ...where) : w });
    this.#token = new Embedding(vocabSize, dim, { seed, std, paddingIdx, scaleGradByFreq, requiresGrad, ...weightOf(tokenWeight, tokAt) });
    try {
      if (position === 'learned') {
        this.#position = new Embedding(maxPositions, dim, { seed: positionSeed(seed), std: positionStd, requiresGrad, ...weightOf(positionWeight, posAt) });
      } else if (position === 'sinusoidal') {
        this.#table = alloc(maxPositions * dim * 4, `a ${maxPositions} x ${dim} sinusoidal position table`);
        const s = scratch(scratchSize(dim / 2 * 8));
        const f = s.take(dim / 2 * 8);
        writeFreqs(f);
        wasm().ek_sinusoidal_f32(this.#table, f, maxPositions, dim, 0, layout);
      }
    } catch (e) {
      this.#token.dispose();
      this.#position?.dispose();
      free(this.#table);
      throw e;
    }
    this.#mode = position;
    this.#maxPos = maxPositions;
    this.#dim = dim;
    this.#vocab = vocabSize;
  }

  #live() {
    if (this.#disposed) throw new Error('embedkit: this InputEmbedding is disposed');
    return wasm();
  }

  /** #live(), and both tables still there (a user may dispose inp.token or inp.position). */
  #ready() {
    const ex = this.#live();
    for (const [part, e] of [['token', this.#token], ['position', this.#position]]) {
      if (e?.disposed) throw new Error(`embedkit: this InputEmbedding's ${part} Embedding was disposed (dispose the InputEmbedding, not its parts)`);
    }
    return ex;
  }

  /** The token Embedding (vocabSize x dim). */
  get token() { this.#live(); return this.#token; }
  /** The learned position Embedding (maxPositions x dim), or null for 'sinusoidal' / 'none'. */
  get position() { this.#live(); return this.#position; }
  /** 'learned' | 'sinusoidal' | 'none' */
  get positionMode() { return this.#mode; }
  get vocabSize() { return this.#vocab; }
  get maxPositions() { return this.#maxPos; }
  get dim() { return this.#dim; }
  get disposed() { return this.#disposed; }

  /** View of the position table that forward adds (learned weights or the sinusoidal table), or null. */
  get positionTable() {
    this.#ready();
    if (this.#mode === 'learned') return this.#position.weight;
    if (this.#mode === 'sinusoidal') return new Float32Array(heap().buffer, this.#table, this.#maxPos * this.#dim);
    return null;
  }

  #posPtr() {
    if (this.#mode === 'learned') return this.#position._ptrs.weight;
    return this.#table;  // 0 for 'none'
  }

  #checkCall(ids, shape, options, what) {
    checkOptions(options, what === 'forward' ? FORWARD_OPTIONS : BACKWARD_OPTIONS, `${what} options`);
    const size = checkShape(shape, 2);
    const n = idsLength(ids);
    if (n !== size) throw new RangeError(`embedkit: ids has length ${n}, expected batch * seq = ${shape[0]} * ${shape[1]} = ${size}`);
    const { offset = 0 } = options;
    checkPosInt(offset, 'offset', { min: 0 });
    if (offset + shape[1] > this.#maxPos) {
      throw new RangeError(`embedkit: offset + seq = ${offset} + ${shape[1]} = ${offset + shape[1]} exceeds maxPositions ${this.#maxPos}`);
    }
    return { n, batch: shape[0], seq: shape[1], offset };
  }

  /**
   * out[b, s, :] = token.weight[ids[b, s], :] + positionTable[offset + s, :] (no position term
   * for 'none'), in one pass.
   * @returns {Float32Array} `out` if given, else a new array the caller owns
   */
  forward(ids, shape, options = {}) {
    const ex = this.#ready();
    const { n, batch, seq, offset } = this.#checkCall(ids, shape, options, 'forward');
    const d = this.#dim, len = n * d;
    const { out } = options;
    const hasOut = checkOut(out, len);
    const outPtr = hasOut ? residentPtr(out) : 0;
    if (outPtr) this.#checkNoAlias(outPtr, len * 4);
    const idsRes = idsResident(ids);
    const s = scratch(scratchSize(idsRes ? 0 : n * 4, outPtr ? 0 : len * 4));
    const idsPtr = stageIds(ids, this.#vocab, idsRes || s.take(n * 4), 'ids', idsRes);
    const dst = outPtr || s.take(len * 4);
    const pos = this.#posPtr();
    ex.ek_input_embed_f32(dst, this.#token._ptrs.weight, idsPtr, pos ? pos + offset * d * 4 : 0, batch, seq, d);
    return deliverF32(dst, len, hasOut ? out : null, outPtr);
  }

  /**
   * Accumulate gradients: token.grad[ids[b, s]] += gradOutput[b, s] (as Embedding.backward,
   * honouring paddingIdx and scaleGradByFreq) and, for 'learned', position.grad[offset + s] +=
   * sum over b of gradOutput[b, s]. Both sum in float64 and round to float32 once per row.
   */
  backward(ids, shape, gradOutput, options = {}) {
    const ex = this.#ready();
    this.#token._checkTrainable('backward');
    const { n, batch, seq, offset } = this.#checkCall(ids, shape, options, 'backward');
    const d = this.#dim, len = n * d;
    checkFloat32(gradOutput, len, 'gradOutput');
    const gRes = residentPtr(gradOutput);
    const idsRes = idsResident(ids);
    const s = scratch(scratchSize(idsRes ? 0 : n * 4, gRes ? 0 : len * 4, n * 4, d * 8));
    const idsPtr = stageIds(ids, this.#vocab, idsRes || s.take(n * 4), 'ids', idsRes);
    let gPtr = gRes;
    if (!gPtr) {
      gPtr = s.take(len * 4);
      heap().f32.set(gradOutput, gPtr >>> 2);
    }
    const tok = this.#token, tp = tok._ptrs;
    tok._setTouchedCount(ex.ek_scatter_add_rows_f32(tp.grad, tp.mark, tp.touched, tp.nTouched, gPtr, idsPtr, n, d,
      tok.paddingIdx ?? -1, tok.scaleGradByFreq ? 1 : 0, tp.head, s.take(n * 4), s.take(d * 8)));
    if (this.#mode === 'learned') {
      const pe = this.#position, pp = pe._ptrs;
      pe._setTouchedCount(ex.ek_position_grad_f32(pp.grad, pp.mark, pp.touched, pp.nTouched, gPtr, batch, seq, d, offset));
    }
  }

  /** Zero the touched gradient rows of the token (and learned position) tables. */
  zeroGrad() {
    this.#ready();
    this.#token._checkTrainable('zeroGrad');
    this.#token.zeroGrad();
    this.#position?.zeroGrad();
  }

  #checkNoAlias(ptr, bytes) {
    const spans = [];
    const tp = this.#token._ptrs, tb = this.#vocab * this.#dim * 4, pb = this.#maxPos * this.#dim * 4;
    spans.push([tp.weight, tb, 'token weight'], [tp.grad, tb, 'token grad']);
    if (this.#mode === 'learned') {
      const pp = this.#position._ptrs;
      spans.push([pp.weight, pb, 'position weight'], [pp.grad, pb, 'position grad']);
    }
    if (this.#table) spans.push([this.#table, pb, 'sinusoidal table']);
    for (const [p, b, what] of spans) {
      if (p && ptr < p + b && p < ptr + bytes) throw new RangeError(`embedkit: out overlaps this InputEmbedding's ${what}`);
    }
  }

  dispose() {
    if (this.#disposed) return;
    this.#token.dispose();
    this.#position?.dispose();
    free(this.#table);
    this.#table = 0;
    this.#disposed = true;
  }

  [Symbol.dispose]() { this.dispose(); }
}
