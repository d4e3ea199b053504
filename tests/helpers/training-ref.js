// training-ref.js — independent plain-JS references for the training helper's tests and bench:
// a word2vec trainer written from the method (word2vec.h documents it), a cosine brute force,
// and float64 SGD / Adam update rules (PyTorch's formulas). Nothing here calls embedkit.

// ---- the tool's 64-bit LCG r = r * 25214903917 + 11, on two uint32 halves -----------------------
const A_LO = 0xdeece66d, A_HI = 5;

export class Lcg {
  constructor(lo, hi) { this.lo = lo >>> 0; this.hi = hi >>> 0; }
  next() {
    const lo = this.lo, hi = this.hi;
    const l0 = lo & 0xffff, l1 = lo >>> 16, a0 = A_LO & 0xffff, a1 = A_LO >>> 16;
    const p00 = l0 * a0, p01 = l0 * a1, p10 = l1 * a0, p11 = l1 * a1;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    let nlo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
    let nhi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(lo, A_HI) + Math.imul(hi, A_LO)) >>> 0;
    nlo += 11;
    if (nlo > 0xffffffff) { nlo -= 0x100000000; nhi = (nhi + 1) >>> 0; }
    this.lo = nlo;
    this.hi = nhi;
  }
  /** r % m for m < 2^21 */
  mod(m) { return ((this.hi % m) * (0x100000000 % m) + (this.lo % m)) % m; }
  /** (r >> 16) & mask, mask < 2^32 */
  shr16(mask) { return (((this.lo >>> 16) | (this.hi << 16)) & mask) >>> 0; }
}

/**
 * The word2vec tool's Huffman tree, computed here with a binary heap instead of the tool's two
 * queues: the tool takes, at each merge, the smaller of (rarest leaf not yet merged, oldest inner
 * node not yet merged), the inner node on a tie, leaves in order of decreasing sorted position;
 * that is a heap ordered by (count, inner before leaf, inner: creation order, leaf: -position).
 * Returns, per word id, the path root first: { codes: number[][], points: number[][] } with inner
 * node k = the k-th merge (root = n - 2).
 */
export function huffmanRef(counts) {
  const n = counts.length;
  const pos = Array.from({ length: n }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  // heap items: { c, leaf, key, node } ; node < n: sorted position of a leaf, >= n: inner
  const less = (x, y) => x.c !== y.c ? x.c < y.c : x.leaf !== y.leaf ? !x.leaf : x.key < y.key;
  const heap = [];
  const push = (it) => {
    heap.push(it);
    for (let i = heap.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!less(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0], last = heap.pop();
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l], heap[m])) m = l;
        if (r < heap.length && less(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  for (let a = 0; a < n; a++) push({ c: counts[pos[a]], leaf: true, key: -a, node: a });
  const parent = new Map(), bit = new Map();
  for (let k = 0; k < n - 1; k++) {
    const x = pop(), y = pop();
    parent.set(x.node, n + k); parent.set(y.node, n + k);
    bit.set(x.node, 0); bit.set(y.node, 1);
    push({ c: x.c + y.c, leaf: false, key: k, node: n + k });
  }
  const codes = [], points = [];
  for (let a = 0; a < n; a++) {
    const code = [], point = [];
    if (n > 1) for (let b = a; b !== 2 * n - 2; b = parent.get(b)) { code.unshift(bit.get(b)); point.unshift(parent.get(b) - n); }
    codes[pos[a]] = code;
    points[pos[a]] = point;
  }
  return { codes, points };
}

/**
 * word2vec with negative sampling and/or hierarchical softmax, as documented in
 * src/c/word2vec.h, in plain JS.
 * `Float` picks the table type: Float64Array for the float64 reference of the tests,
 * Float32Array for the plain-JS speed baseline of the bench (same loop, same generator).
 */
export class Word2VecRef {
  constructor({ corpus, counts, mode = 'skipgram', dim = 100, window = 5, negative = 5, sample = 1e-3,
    alpha, minAlphaRatio = 1e-4, epochs = 5, tableBits = 20, seed = 1, Float = Float64Array,
    hs = false, nsExponent = 0.75, cbowMean = true, shrinkWindows = true, weight, outputWeight, hsOutputWeight }) {
    const V = counts.length;
    this.V = V; this.dim = dim; this.window = window; this.negative = negative; this.cbow = mode === 'cbow';
    this.hs = hs; this.cbowMean = cbowMean; this.shrink = shrinkWindows;
    this.corpus = Int32Array.from(corpus);
    let tokens = 0;
    for (const w of this.corpus) if (w >= 0) tokens++;
    this.epochs = epochs;
    this.total = tokens * epochs;
    const f = Math.fround;
    this.alpha0 = f(alpha ?? (this.cbow ? 0.05 : 0.025));
    this.minAlpha = f(this.alpha0 * f(minAlphaRatio));
    this.alpha = this.alpha0;
    this.syn0 = new Float(V * dim);
    this.syn1 = new Float(V * dim);
    const seedLo = seed % 2 ** 32, seedHi = Math.floor(seed / 2 ** 32);
    const init = new Lcg((seedLo ^ 0xdeece66d) >>> 0, (seedHi ^ 5) >>> 0);
    for (let i = 0; i < V * dim; i++) {
      init.next();
      const u = ((init.hi >>> 8) & 0xffffff) / 16777216;
      this.syn0[i] = f(f(u - 0.5) / dim);
    }
    if (weight) for (let i = 0; i < weight.length; i++) this.syn0[i] = weight[i];
    if (outputWeight) for (let i = 0; i < outputWeight.length; i++) this.syn1[i] = outputWeight[i];
    this.syn1hs = new Float(Math.max(V - 1, 1) * dim);
    if (hsOutputWeight) for (let i = 0; i < hsOutputWeight.length; i++) this.syn1hs[i] = hsOutputWeight[i];
    if (hs) this.tree = huffmanRef(counts);
    this.rng = new Lcg(seedLo, seedHi);
    const pw = (c) => (c > 0 ? Math.pow(c, nsExponent) : 0);
    let totalPow = 0, total = 0;
    for (let i = 0; i < V; i++) { totalPow += pw(counts[i]); total += counts[i]; }
    const size = 2 ** tableBits;
    this.mask = size - 1;
    this.table = new Int32Array(size);
    let w = 0;
    let d1 = pw(counts[0]) / totalPow;
    for (let a = 0; a < size; a++) {
      this.table[a] = w;
      if (a / size > d1 && w < V - 1) { w++; d1 += pw(counts[w]) / totalPow; }
    }
    this.keep = null;
    if (sample > 0) {
      const t = sample * total;
      this.keep = new Float64Array(V);
      for (let i = 0; i < V; i++) this.keep[i] = counts[i] > 0 ? f((Math.sqrt(counts[i] / t) + 1) * t / counts[i]) : Infinity;
    }
    this.sen = new Int32Array(1000);
    this.senLen = 0; this.senPos = 0; this.pos = 0; this.epoch = 0; this.wordsDone = 0;
    this.neu1 = new Float(dim);
    this.neu1e = new Float(dim);
    this.lossSum = 0; this.pairs = 0;
  }

  #loadSentence() {
    let len = 0;
    const c = this.corpus;
    while (this.pos < c.length) {
      const w = c[this.pos++];
      if (w < 0) { if (len > 0) break; continue; }
      this.wordsDone++;
      if (this.keep) {
        this.rng.next();
        if (this.keep[w] < (this.rng.lo & 0xffff) / 65536) continue;
      }
      this.sen[len++] = w;
      if (len >= 1000) break;
    }
    if (this.pos >= c.length) { this.pos = 0; this.epoch++; }
    this.senLen = len;
    this.senPos = 0;
    const f = Math.fround;
    let a = f(this.alpha0 * f(1 - f(this.wordsDone / (this.total + 1))));
    if (a < this.minAlpha) a = this.minAlpha;
    this.alpha = a;
  }

  // sigmoid from the tool's table at f (|f| < 6), and the two losses there
  static #table(f) {
    const i = Math.min(999, Math.floor((f + 6) * (1000 / 12)));
    const x = (2 * i / 1000 - 1) * 6;
    return { s: Math.exp(x) / (Math.exp(x) + 1), lpos: Math.log1p(Math.exp(-x)), lneg: Math.log1p(Math.exp(x)) };
  }

  // h: offset of the hidden vector in `H` (syn0 for skip-gram, neu1 for CBOW)
  #pair(H, h, word) {
    const dim = this.dim, syn1 = this.syn1, e = this.neu1e, alpha = this.alpha;
    if (this.hs) {
      const code = this.tree.codes[word], point = this.tree.points[word], s1 = this.syn1hs;
      for (let d = 0; d < code.length; d++) {
        const o = point[d] * dim, label = 1 - code[d];
        let f = 0;
        for (let j = 0; j < dim; j++) f += H[h + j] * s1[o + j];
        this.pairs++;
        if (f <= -6) { if (label) this.lossSum -= f; continue; }
        if (f >= 6) { if (!label) this.lossSum += f; continue; }
        const t = Word2VecRef.#table(f);
        this.lossSum += label ? t.lpos : t.lneg;
        const g = (label - t.s) * alpha;
        for (let j = 0; j < dim; j++) {
          const oj = s1[o + j];
          e[j] += g * oj;
          s1[o + j] = oj + g * H[h + j];
        }
      }
    }
    if (this.negative === 0) return;
    for (let d = 0; d <= this.negative; d++) {
      let target, label;
      if (d === 0) { target = word; label = 1; } else {
        this.rng.next();
        target = this.table[this.rng.shr16(this.mask)];
        if (target === word) continue;
        label = 0;
      }
      const o = target * dim;
      let f = 0;
      for (let j = 0; j < dim; j++) f += H[h + j] * syn1[o + j];
      let g;
      if (f > 6) { g = (label - 1) * alpha; if (!label) this.lossSum += f; }
      else if (f < -6) { g = label * alpha; if (label) this.lossSum -= f; }
      else {
        const t = Word2VecRef.#table(f);
        this.lossSum += label ? t.lpos : t.lneg;
        g = (label - t.s) * alpha;
      }
      this.pairs++;
      if (g !== 0) {
        for (let j = 0; j < dim; j++) {
          const oj = syn1[o + j];
          e[j] += g * oj;
          syn1[o + j] = oj + g * H[h + j];
        }
      }
    }
  }

  /** Same contract as Word2Vec#step: returns words read by this call. */
  step(nWords) {
    const start = this.wordsDone, stop = start + nWords;
    const dim = this.dim, W = this.window, syn0 = this.syn0, sen = this.sen, e = this.neu1e, neu1 = this.neu1;
    for (;;) {
      if (this.senPos >= this.senLen) {
        if (this.wordsDone >= stop || this.wordsDone >= this.total) break;
        this.#loadSentence();
        continue;
      }
      const pos = this.senPos++;
      const len = this.senLen;
      const word = sen[pos];
      let b = 0;
      if (this.shrink) { this.rng.next(); b = this.rng.mod(W); }
      const lo = Math.max(0, pos - W + b), hi = Math.min(len - 1, pos + W - b);
      if (this.cbow) {
        neu1.fill(0);
        let cw = 0;
        for (let c = lo; c <= hi; c++) {
          if (c === pos) continue;
          const r = sen[c] * dim;
          for (let j = 0; j < dim; j++) neu1[j] += syn0[r + j];
          cw++;
        }
        if (cw === 0) continue;
        if (this.cbowMean) for (let j = 0; j < dim; j++) neu1[j] /= cw;
        e.fill(0);
        this.#pair(neu1, 0, word);
        if (!this.cbowMean) for (let j = 0; j < dim; j++) e[j] *= 1 / cw;
        for (let c = lo; c <= hi; c++) {
          if (c === pos) continue;
          const r = sen[c] * dim;
          for (let j = 0; j < dim; j++) syn0[r + j] += e[j];
        }
      } else {
        for (let c = lo; c <= hi; c++) {
          if (c === pos) continue;
          const r = sen[c] * dim;
          e.fill(0);
          this.#pair(syn0, r, word);
          for (let j = 0; j < dim; j++) syn0[r + j] += e[j];
        }
      }
    }
    return this.wordsDone - start;
  }
}

// ---- cosine brute force in float64 ------------------------------------------------------------

/** Top k rows by cosine to query (Float64Array or array), excluding ids; ties by lower id. */
export function cosineTopKRef(table, dim, query, k, exclude = []) {
  const n = table.length / dim;
  let qn = 0;
  for (let j = 0; j < dim; j++) qn += query[j] * query[j];
  qn = Math.sqrt(qn);
  const ex = new Set(exclude);
  const all = [];
  for (let i = 0; i < n; i++) {
    if (ex.has(i)) continue;
    let dot = 0, rn = 0;
    for (let j = 0; j < dim; j++) { dot += query[j] * table[i * dim + j]; rn += table[i * dim + j] ** 2; }
    all.push({ id: i, score: rn > 0 ? dot / (qn * Math.sqrt(rn)) : 0 });
  }
  all.sort((a, b) => b.score - a.score || a.id - b.id);
  return all.slice(0, k);
}

export function unitRow(table, dim, i) {
  const r = Array.from(table.subarray(i * dim, (i + 1) * dim));
  const n = Math.sqrt(r.reduce((s, x) => s + x * x, 0));
  return r.map((x) => (n > 0 ? x / n : 0));
}

// ---- optimizers in float64, from PyTorch's update rules (torch.optim.SGD / Adam / AdamW) -------

/** State over a float64 table W [n, dim]; step(G, rows) updates `rows` (all when null). */
export class SgdRef {
  constructor(W, n, dim, { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = {}) {
    Object.assign(this, { W, n, dim, lr, momentum, dampening, weightDecay, nesterov });
    this.buf = new Float64Array(n * dim);
    this.seen = new Uint8Array(n);
  }
  step(G, rows) {
    const { dim, lr, momentum: mu, dampening, weightDecay: wd, nesterov } = this;
    for (const r of rows ?? Array.from({ length: this.n }, (_, i) => i)) {
      const first = !this.seen[r];
      this.seen[r] = 1;
      for (let j = r * dim; j < (r + 1) * dim; j++) {
        let d = G[j] + wd * this.W[j];
        if (mu !== 0) {
          this.buf[j] = first ? d : mu * this.buf[j] + (1 - dampening) * d;
          d = nesterov ? d + mu * this.buf[j] : this.buf[j];
        }
        this.W[j] -= lr * d;
      }
    }
  }
}

/** epsMode 'adam': torch.optim.Adam, eps added after the bias correction; 'sparseAdam':
 *  torch.optim.SparseAdam, eps added to sqrt(v) before it. */
export class AdamRef {
  constructor(W, n, dim, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, decoupledWeightDecay = false, rowSteps = false, epsMode = 'adam' } = {}) {
    Object.assign(this, { W, n, dim, lr, b1: betas[0], b2: betas[1], eps, wd: weightDecay, decoupled: decoupledWeightDecay, rowSteps, epsMode });
    this.m = new Float64Array(n * dim);
    this.v = new Float64Array(n * dim);
    this.steps = new Int32Array(n);
    this.t = 0;
  }
  step(G, rows) {
    this.t++;
    const { dim, lr, b1, b2, eps, wd } = this;
    for (const r of rows ?? Array.from({ length: this.n }, (_, i) => i)) {
      this.steps[r]++;
      const t = this.rowSteps ? this.steps[r] : this.t;
      const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
      for (let j = r * dim; j < (r + 1) * dim; j++) {
        let g = G[j];
        if (this.decoupled) this.W[j] *= 1 - lr * wd; else g += wd * this.W[j];
        this.m[j] = b1 * this.m[j] + (1 - b1) * g;
        this.v[j] = b2 * this.v[j] + (1 - b2) * g * g;
        if (this.epsMode === 'sparseAdam') this.W[j] -= (lr * Math.sqrt(bc2) / bc1) * this.m[j] / (Math.sqrt(this.v[j]) + eps);
        else this.W[j] -= (lr / bc1) * this.m[j] / (Math.sqrt(this.v[j]) / Math.sqrt(bc2) + eps);
      }
    }
  }
}
