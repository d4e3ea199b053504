// optim.js — SGD and Adam for Embedding tables (src/c/optim.c). The optimizer owns its state
// (momentum buffer, Adam moments, per-row step counts) in wasm memory; dispose() frees it.
//
// lazy (default true): step() updates only the rows that received gradient since the last
// zeroGrad() (Embedding#touched); the other rows, and their optimizer state, are left exactly
// as they are — no weight decay, no momentum, no moment decay for them. This is the semantics
// of PyTorch's SparseAdam and TensorFlow's LazyAdam, and costs O(touched rows * dim).
// lazy: false is PyTorch's dense SGD / Adam on the full gradient table (rows without gradient
// have gradient 0 and still decay), O(all rows * dim).
// Where Adam adds eps (epsMode) follows the same split by default: lazy Adam is SparseAdam's
// formula, eps added to sqrt(v) before the bias correction ('sparseAdam'); dense Adam is
// torch.optim.Adam's, eps added after it ('adam'). Either can be chosen with either lazy.
// Adam's bias correction counts steps: by default one count per step() call, shared by every
// row (PyTorch SparseAdam); with rowSteps: true each row counts its own updates instead, so a
// rare row's first update is corrected as a first update.

import { alloc, free, heap, wasm } from './memory.js';
import { checkNumber, checkOptions } from './validate.js';
import { Embedding } from './embedding.js';
import { InputEmbedding } from './input-embedding.js';

/** Keys of the SGD / Adam options (an unknown key is a TypeError). */
export const SGD_OPTIONS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'lazy'];
export const ADAM_OPTIONS = ['lr', 'betas', 'eps', 'weightDecay', 'decoupledWeightDecay', 'lazy', 'rowSteps', 'epsMode'];

/** An InputEmbedding stands for its learned tables (token, and position when learned). */
function expand(p) {
  if (p instanceof InputEmbedding) return [p.token, p.position].filter((e) => e !== null);
  return [p];
}

function paramsOf(params) {
  const list = (Array.isArray(params) ? params : [params]).flatMap(expand);
  if (list.length === 0 || !list.every((p) => p instanceof Embedding)) {
    throw new TypeError('embedkit: an optimizer takes an Embedding, an InputEmbedding or a non-empty array of them');
  }
  if (new Set(list).size !== list.length) throw new RangeError('embedkit: the same Embedding is listed twice');
  for (const p of list) if (p.disposed) throw new Error('embedkit: an Embedding given to the optimizer is disposed');
  list.forEach((p, i) => {
    if (!p.requiresGrad) {
      throw new TypeError(`embedkit: an optimizer updates trainable tables; param ${i} is a ${p.dtype} Embedding with requiresGrad: false`);
    }
  });
  return list.slice();
}

function checkBool(v, name) {
  if (typeof v !== 'boolean') throw new TypeError(`embedkit: ${name} must be a boolean, got ${typeof v}`);
}

/** Zeroed state tables (one [rows, dim] f32 per name) and row step counts, per param. */
function allocState(params, names) {
  const states = [];
  const owned = [];
  try {
    for (const p of params) {
      const n = p.numEmbeddings, d = p.dim;
      const s = { param: p };
      for (const name of names) owned.push(s[name] = alloc(n * d * 4, `optimizer state ${name} (${n} x ${d})`));
      owned.push(s.steps = alloc(n * 4, 'optimizer row step counts'));
      states.push(s);
    }
  } catch (e) {
    for (const x of owned) free(x);
    throw e;
  }
  const h = heap();
  for (const s of states) {
    const n = s.param.numEmbeddings, d = s.param.dim;
    for (const name of names) h.u8.fill(0, s[name], s[name] + n * d * 4);
    h.u8.fill(0, s.steps, s.steps + n * 4);
  }
  return states;
}

class Optimizer {
  #states; #names; #lazy; #disposed = false; #stepCount = 0;
  constructor(params, perElement, lazy) {
    wasm();
    checkBool(lazy, 'lazy');
    this.#lazy = lazy;
    this.#names = perElement;
    this.#states = allocState(paramsOf(params), perElement);
  }

  get params() { return this.#states.map((s) => s.param); }
  /** true: only rows with gradient are updated (see the file header). */
  get lazy() { return this.#lazy; }
  get stepCount() { return this.#stepCount; }
  get disposed() { return this.#disposed; }

  _live() {
    if (this.#disposed) throw new Error('embedkit: this optimizer is disposed');
    for (const s of this.#states) if (s.param.disposed) throw new Error('embedkit: an Embedding of this optimizer was disposed');
    return wasm();
  }

  /** @internal counts the step, then calls fn(state, ptrs, rowsPtr, nList) per param. */
  _each(fn) {
    this._live();
    this.#stepCount++;
    for (const s of this.#states) {
      const ptrs = s.param._ptrs;
      fn(s, ptrs, this.#lazy ? ptrs.touched : 0, this.#lazy ? ptrs.nTouched : 0);
    }
  }

  /** Optimizer state of one param as fresh views (for inspection and tests). */
  state(i = 0) {
    this._live();
    const s = this.#states[i];
    if (!s) throw new RangeError(`embedkit: state index ${i} is out of range [0, ${this.#states.length})`);
    const n = s.param.numEmbeddings, d = s.param.dim;
    const h = heap();
    const out = { rowSteps: new Int32Array(h.buffer, s.steps, n) };
    for (const name of this.#names) out[name] = new Float32Array(h.buffer, s[name], n * d);
    return out;
  }

  /** Zero the gradients of every param (touched rows only). */
  zeroGrad() {
    this._live();
    for (const s of this.#states) s.param.zeroGrad();
  }

  dispose() {
    if (this.#disposed) return;
    for (const s of this.#states) {
      for (const name of this.#names) free(s[name]);
      free(s.steps);
    }
    this.#disposed = true;
  }

  [Symbol.dispose]() { this.dispose(); }
}

export class SGD extends Optimizer {
  /**
   * @param {Embedding|InputEmbedding|Array<Embedding|InputEmbedding>} params
   * @param {{ lr?: number, momentum?: number, dampening?: number, weightDecay?: number,
   *           nesterov?: boolean, lazy?: boolean }} [options] PyTorch's defaults: lr 1e-3,
   *   momentum 0, dampening 0, weightDecay 0, nesterov false; lazy true (see the file header).
   */
  constructor(params, options = {}) {
    checkOptions(options, SGD_OPTIONS, 'SGD options');
    const { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, lazy = true } = options;
    checkNumber(lr, 'lr', { min: 0 });
    checkNumber(momentum, 'momentum', { min: 0 });
    checkNumber(dampening, 'dampening');
    checkNumber(weightDecay, 'weightDecay', { min: 0 });
    checkBool(nesterov, 'nesterov');
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new RangeError('embedkit: nesterov needs momentum > 0 and dampening = 0 (as PyTorch)');
    }
    super(params, momentum > 0 ? ['momentumBuffer'] : [], lazy);
    this.options = Object.freeze({ lr, momentum, dampening, weightDecay, nesterov, lazy });
  }

  /** One update of every param from its current gradient. */
  step() {
    const ex = this._live();
    const o = this.options;
    this._each((s, p, rows, nList) => {
      ex.ek_sgd_rows_f32(p.weight, s.momentumBuffer ?? 0, s.steps, p.grad, rows, nList, s.param.numEmbeddings,
        s.param.dim, o.lr, o.momentum, o.dampening, o.weightDecay, o.nesterov ? 1 : 0);
    });
  }
}

/** epsMode -> the eps_mode argument of ek_adam_rows_f32 (src/c/optim.h). */
const EPS_MODES = Object.freeze({ __proto__: null, adam: 0, sparseAdam: 1 });

export class Adam extends Optimizer {
  /**
   * @param {Embedding|InputEmbedding|Array<Embedding|InputEmbedding>} params
   * @param {{ lr?: number, betas?: [number, number], eps?: number, weightDecay?: number,
   *           decoupledWeightDecay?: boolean, lazy?: boolean, rowSteps?: boolean,
   *           epsMode?: 'sparseAdam' | 'adam' }} [options]
   *   PyTorch's defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0;
   *   decoupledWeightDecay true is AdamW; lazy true (SparseAdam semantics); rowSteps false;
   *   epsMode 'sparseAdam' when lazy (torch.optim.SparseAdam), else 'adam' (torch.optim.Adam).
   */
  constructor(params, options = {}) {
    checkOptions(options, ADAM_OPTIONS, 'Adam options');
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, decoupledWeightDecay = false, lazy = true, rowSteps = false } = options;
    const { epsMode = lazy === false ? 'adam' : 'sparseAdam' } = options;
    checkNumber(lr, 'lr', { min: 0 });
    if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError('embedkit: betas must be an array [beta1, beta2]');
    betas.forEach((b, i) => {
      checkNumber(b, `betas[${i}]`, { min: 0 });
      if (b >= 1) throw new RangeError(`embedkit: betas[${i}] must be in [0, 1), got ${b}`);
    });
    checkNumber(eps, 'eps', { min: 0 });
    checkNumber(weightDecay, 'weightDecay', { min: 0 });
    checkBool(decoupledWeightDecay, 'decoupledWeightDecay');
    checkBool(rowSteps, 'rowSteps');
    if (typeof epsMode !== 'string') throw new TypeError(`embedkit: epsMode must be a string, got ${typeof epsMode}`);
    if (!(epsMode in EPS_MODES)) throw new RangeError(`embedkit: epsMode must be 'sparseAdam' or 'adam', got '${epsMode}'`);
    super(params, ['expAvg', 'expAvgSq'], lazy);
    this.options = Object.freeze({ lr, betas: Object.freeze([...betas]), eps, weightDecay, decoupledWeightDecay, lazy, rowSteps, epsMode });
  }

  step() {
    const ex = this._live();
    const o = this.options;
    const t = this.stepCount + 1;
    if (!o.rowSteps && t > 2 ** 31 - 1) throw new RangeError('embedkit: Adam step count overflow');
    this._each((s, p, rows, nList) => {
      ex.ek_adam_rows_f32(p.weight, s.expAvg, s.expAvgSq, s.steps, p.grad, rows, nList, s.param.numEmbeddings,
        s.param.dim, o.lr, o.betas[0], o.betas[1], o.eps, o.weightDecay, o.decoupledWeightDecay ? 1 : 0,
        EPS_MODES[o.epsMode], o.rowSteps ? 0 : t);
    });
  }
}
