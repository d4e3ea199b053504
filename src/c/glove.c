// glove.c — co-occurrence counting and the GloVe trainer (see glove.h for the method, the
// storage and what matches Stanford's tool).
//
// Where the time goes: counting is one dense add or one hash probe per (token, context) pair;
// SIMD only helps the scan of the dense block for nonzeros (mostly zeros: two f64 lanes at a
// time, a whole vector of zeros skipped in one test). Training is, per entry, one dot product
// and one pass over both rows with two square roots and two divisions per element, which SIMD
// does four lanes at a time (f32x4.sqrt and .div are correctly rounded, as sqrtf and / are, so
// the scalar twin gives the same bits).
#include <math.h>
#include <string.h>

#include "embedkit.h"
#include "vec_f32.h"

#define EMPTY 0xFFFFFFFFu

// ---- counting --------------------------------------------------------------------------------

EK_EXPORT int32_t ek_cooc_sizeof(void) { return (int32_t)sizeof(ek_cooc); }

static uint32_t hash_limit(uint32_t cap, int32_t window) {
  const int64_t lim = (int64_t)((double)cap * 0.7) - 2 * (int64_t)window;
  return lim > 0 ? (uint32_t)lim : 0;
}

// Slot of (i, j) in a table of cap slots: the high 32 bits of a multiplicative hash, scaled to
// [0, cap) by a multiply-shift (any cap, so the table can grow to exactly what the budget allows).
static inline uint32_t slot_of(uint32_t i, uint32_t j, uint32_t cap) {
  const uint64_t key = ((uint64_t)i << 32) | j;
  return (uint32_t)((((key * 0x9E3779B97F4A7C15ULL) >> 32) * (uint64_t)cap) >> 32);
}

static inline void hash_add(ek_cooc* st, uint32_t i, uint32_t j, double w) {
  const uint32_t cap = st->hash_cap;
  uint32_t h = slot_of(i, j, cap);
  ek_cooc_slot* t = st->hash;
  for (;;) {
    ek_cooc_slot* s = t + h;
    if (s->i == i && s->j == j) {
      s->x += w;
      return;
    }
    if (s->i == EMPTY) {
      s->i = i;
      s->j = j;
      s->x = w;
      st->hash_used++;
      return;
    }
    if (++h == cap) h = 0;
  }
}

EK_EXPORT int32_t ek_cooc_init(ek_cooc* st, double* dense, const uint32_t* off, int32_t n_vocab,
                               int32_t window, int32_t symmetric, int32_t weighting,
                               ek_cooc_slot* hash, uint32_t hash_cap) {
  if (n_vocab < 1 || window < 1 || window > 1000 || hash_cap < 64 || hash_cap > (1u << 31) ||
      hash_limit(hash_cap, window) == 0)
    return EK_ERR_ARG;
  memset(st, 0, sizeof *st);
  st->n_vocab = n_vocab;
  st->window = window;
  st->symmetric = symmetric != 0;
  st->weighting = weighting != 0;
  st->dense = dense;
  st->off = off;
  st->hash = hash;
  st->hash_cap = hash_cap;
  st->hash_limit = hash_limit(hash_cap, window);
  for (int32_t k = 1; k <= window; k++) st->weights[k] = st->weighting ? 1.0 / (double)k : 1.0;
  memset(dense, 0, (size_t)off[n_vocab] * sizeof(double));
  memset(hash, 0xFF, (size_t)hash_cap * sizeof(ek_cooc_slot));
  return EK_OK;
}

static inline void add_pair(ek_cooc* st, int32_t i, int32_t j, double w) {
  const uint32_t o = st->off[i];
  if ((uint32_t)j < st->off[i + 1] - o) st->dense[o + (uint32_t)j] += w;
  else hash_add(st, (uint32_t)i, (uint32_t)j, w);
}

EK_EXPORT int32_t ek_cooc_count(ek_cooc* st, const int32_t* corpus, int32_t pos, int32_t end) {
  const int32_t window = st->window;
  const int symmetric = st->symmetric;
  for (; pos < end; pos++) {
    if (st->hash_used > st->hash_limit) return pos;
    const int32_t t = corpus[pos];
    if (t < 0) continue;
    const int32_t lo = pos - window < 0 ? 0 : pos - window;
    for (int32_t q = pos - 1, k = 1; q >= lo; q--, k++) {
      const int32_t c = corpus[q];
      if (c < 0) break;
      const double w = st->weights[k];
      add_pair(st, c, t, w);
      if (symmetric) add_pair(st, t, c, w);
    }
  }
  return pos;
}

EK_EXPORT int32_t ek_cooc_rehash(ek_cooc* st, ek_cooc_slot* hash, uint32_t hash_cap) {
  if (hash_cap < 64 || hash_cap > (1u << 31) || (double)st->hash_used >= 0.7 * (double)hash_cap) return EK_ERR_ARG;
  memset(hash, 0xFF, (size_t)hash_cap * sizeof(ek_cooc_slot));
  const ek_cooc_slot* old = st->hash;
  const uint32_t old_cap = st->hash_cap;
  for (uint32_t s = 0; s < old_cap; s++) {
    if (old[s].i == EMPTY) continue;
    uint32_t h = slot_of(old[s].i, old[s].j, hash_cap);
    while (hash[h].i != EMPTY)
      if (++h == hash_cap) h = 0;
    hash[h] = old[s];
  }
  st->hash = hash;
  st->hash_cap = hash_cap;
  st->hash_limit = hash_limit(hash_cap, st->window);
  return EK_OK;
}

static double hash_row_nnz(uint32_t* rownnz, const ek_cooc* st, double total) {
  for (uint32_t s = 0; s < st->hash_cap; s++) {
    if (st->hash[s].i == EMPTY) continue;
    rownnz[st->hash[s].i]++;
    total++;
  }
  return total;
}

EK_EXPORT double ek_cooc_row_nnz__scalar(uint32_t* rownnz, const ek_cooc* st) {
  double total = 0;
  for (int32_t i = 0; i < st->n_vocab; i++) {
    const double* d = st->dense + st->off[i];
    const uint32_t n = st->off[i + 1] - st->off[i];
    uint32_t c = 0;
    EK_NO_VECTORIZE
    for (uint32_t j = 0; j < n; j++) c += d[j] != 0.0;
    rownnz[i] = c;
    total += c;
  }
  return hash_row_nnz(rownnz, st, total);
}

EK_EXPORT double ek_cooc_row_nnz__wasmsimd(uint32_t* rownnz, const ek_cooc* st) {
#if EK_HAVE_SIMD
  double total = 0;
  const v128_t zero = wasm_f64x2_splat(0.0);
  for (int32_t i = 0; i < st->n_vocab; i++) {
    const double* d = st->dense + st->off[i];
    const uint32_t n = st->off[i + 1] - st->off[i];
    uint32_t j = 0;
    v128_t acc = wasm_i64x2_splat(0);
    for (; j + 4 <= n; j += 4) {
      const v128_t a = wasm_f64x2_ne(wasm_v128_load(d + j), zero);
      const v128_t b = wasm_f64x2_ne(wasm_v128_load(d + j + 2), zero);
      const v128_t m = wasm_v128_or(a, b);
      if (!wasm_v128_any_true(m)) continue;
      acc = wasm_i64x2_sub(wasm_i64x2_sub(acc, a), b);  // a lane is -1 where nonzero
    }
    uint32_t c = (uint32_t)(wasm_i64x2_extract_lane(acc, 0) + wasm_i64x2_extract_lane(acc, 1));
    for (; j < n; j++) c += d[j] != 0.0;
    rownnz[i] = c;
    total += c;
  }
  return hash_row_nnz(rownnz, st, total);
#else
  return ek_cooc_row_nnz__scalar(rownnz, st);
#endif
}

EK_EXPORT double ek_cooc_row_nnz(uint32_t* rownnz, const ek_cooc* st) {
  return ek_cooc_row_nnz__wasmsimd(rownnz, st);
}

// Sort cols[0..n) ascending, carrying vals along (keys are distinct). Quicksort with a
// median-of-three pivot, insertion sort below 24 elements.
static void sort_row(int32_t* cols, float* vals, uint32_t n) {
  while (n > 24) {
    const uint32_t m = n / 2, last = n - 1;
    // median of three to the middle
    if (cols[m] < cols[0]) { int32_t c = cols[m]; cols[m] = cols[0]; cols[0] = c; float v = vals[m]; vals[m] = vals[0]; vals[0] = v; }
    if (cols[last] < cols[0]) { int32_t c = cols[last]; cols[last] = cols[0]; cols[0] = c; float v = vals[last]; vals[last] = vals[0]; vals[0] = v; }
    if (cols[last] < cols[m]) { int32_t c = cols[last]; cols[last] = cols[m]; cols[m] = c; float v = vals[last]; vals[last] = vals[m]; vals[m] = v; }
    const int32_t pivot = cols[m];
    uint32_t a = 0, b = last;
    for (;;) {
      while (cols[a] < pivot) a++;
      while (cols[b] > pivot) b--;
      if (a >= b) break;
      int32_t c = cols[a]; cols[a] = cols[b]; cols[b] = c;
      float v = vals[a]; vals[a] = vals[b]; vals[b] = v;
      a++;
      b--;
    }
    // [0, b] <= pivot <= [b + 1, n): recurse on the smaller part, loop on the larger
    const uint32_t left = b + 1;
    if (left < n - left) {
      sort_row(cols, vals, left);
      cols += left;
      vals += left;
      n -= left;
    } else {
      sort_row(cols + left, vals + left, n - left);
      n = left;
    }
  }
  for (uint32_t k = 1; k < n; k++) {
    const int32_t c = cols[k];
    const float v = vals[k];
    uint32_t q = k;
    while (q > 0 && cols[q - 1] > c) {
      cols[q] = cols[q - 1];
      vals[q] = vals[q - 1];
      q--;
    }
    cols[q] = c;
    vals[q] = v;
  }
}

EK_EXPORT void ek_cooc_finish(uint32_t* rowptr, int32_t* cols, float* vals, uint32_t* cursor,
                              const uint32_t* rownnz, const ek_cooc* st) {
  const int32_t V = st->n_vocab;
  rowptr[0] = 0;
  for (int32_t i = 0; i < V; i++) rowptr[i + 1] = rowptr[i] + rownnz[i];
  // dense part of each row first (already in column order), then its hash entries after it
  for (int32_t i = 0; i < V; i++) {
    const double* d = st->dense + st->off[i];
    const uint32_t n = st->off[i + 1] - st->off[i];
    uint32_t o = rowptr[i];
    for (uint32_t j = 0; j < n; j++) {
      if (d[j] == 0.0) continue;
      cols[o] = (int32_t)j;
      vals[o] = (float)d[j];
      o++;
    }
    cursor[i] = o;
  }
  for (uint32_t s = 0; s < st->hash_cap; s++) {
    const ek_cooc_slot* e = st->hash + s;
    if (e->i == EMPTY) continue;
    const uint32_t o = cursor[e->i]++;
    cols[o] = (int32_t)e->j;
    vals[o] = (float)e->x;
  }
  for (int32_t i = 0; i < V; i++) {
    // the hash entries of row i are its last ones, all at columns >= the dense row length
    const int32_t dlen = (int32_t)(st->off[i + 1] - st->off[i]);
    uint32_t hs = rowptr[i + 1];
    while (hs > rowptr[i] && cols[hs - 1] >= dlen) hs--;
    if (rowptr[i + 1] - hs > 1) sort_row(cols + hs, vals + hs, rowptr[i + 1] - hs);
  }
}

// ---- training --------------------------------------------------------------------------------

static inline uint64_t lcg(uint64_t r) { return r * (uint64_t)25214903917ULL + 11u; }

EK_EXPORT int32_t ek_glove_sizeof(void) { return (int32_t)sizeof(ek_glove); }

static void shuffle(ek_glove* st) {
  ek_glove_rec* rec = st->rec;
  uint64_t r = st->rng;
  for (uint32_t k = st->n_rec; k > 1; k--) {
    r = lcg(r);
    const uint32_t j = (uint32_t)(((r >> 32) * (uint64_t)k) >> 32);
    const ek_glove_rec t = rec[k - 1];
    rec[k - 1] = rec[j];
    rec[j] = t;
  }
  st->rng = r;
}

EK_EXPORT int32_t ek_glove_init(ek_glove* st, float* params, ek_glove_rec* rec,
                                const uint32_t* rowptr, const int32_t* cols, const float* vals,
                                int32_t n_vocab, int32_t dim, double x_max, double alpha,
                                float eta, float grad_clip, int32_t epochs, int32_t reshuffle,
                                uint32_t seed_lo, uint32_t seed_hi, int32_t force_scalar) {
  if (n_vocab < 1 || dim < 1 || epochs < 1 || !(x_max > 0) || !(alpha >= 0)) return EK_ERR_ARG;
  memset(st, 0, sizeof *st);
  const int32_t dpad = (dim + 3) & ~3;
  st->n_vocab = n_vocab;
  st->dim = dim;
  st->dpad = dpad;
  st->stride = 2 * dpad + 4;
  st->epochs = epochs;
  st->reshuffle = reshuffle != 0;
  st->force_scalar = force_scalar != 0;
  st->eta = eta;
  st->grad_clip = grad_clip;
  st->params = params;
  st->rec = rec;
  st->n_rec = rowptr[n_vocab];
  st->last_epoch_cost = -1;

  uint64_t r = ((uint64_t)seed_hi << 32 | seed_lo) ^ 0x5DEECE66DULL;
  for (int64_t b = 0; b < 2 * (int64_t)n_vocab; b++) {
    float* p = params + (size_t)b * (size_t)st->stride;
    for (int32_t d = 0; d <= dim; d++) {
      r = lcg(r);
      const double u = (double)((r >> 40) & 0xFFFFFFu) / 16777216.0;
      const float v = (float)((u - 0.5) / (double)dim);
      if (d < dim) p[d] = v;
      else p[2 * dpad] = v;  // the bias comes last, as in the tool's rows
    }
    for (int32_t d = dim; d < dpad; d++) p[d] = 0.0f;
    for (int32_t d = 0; d < dpad; d++) p[dpad + d] = 1.0f;
    p[2 * dpad + 1] = 1.0f;
    p[2 * dpad + 2] = 0.0f;
    p[2 * dpad + 3] = 0.0f;
  }
  st->rng = r;

  uint32_t n = 0;
  for (int32_t i = 0; i < n_vocab; i++) {
    for (uint32_t k = rowptr[i]; k < rowptr[i + 1]; k++) {
      const double x = (double)vals[k];
      rec[n].i = i;
      rec[n].j = cols[k];
      rec[n].logx = (float)log(x);
      rec[n].fx = x < x_max ? (float)pow(x / x_max, alpha) : 1.0f;
      n++;
    }
  }
  shuffle(st);
  return EK_OK;
}

// One entry's AdaGrad step on the word block a and the context block c (dpad lanes each,
// followed by G), with fd = (float)fdiff.
EK_INLINE void update_rows_s(float* a, float* c, int32_t dpad, float fd, float eta, float clip) {
  float* ga = a + dpad;
  float* gc = c + dpad;
  EK_NO_VECTORIZE
  for (int32_t d = 0; d < dpad; d++) {
    const float wa = a[d], wc = c[d];
    const float t1 = fminf(fmaxf(fd * wc, -clip), clip) * eta;
    const float t2 = fminf(fmaxf(fd * wa, -clip), clip) * eta;
    a[d] = wa - t1 / sqrtf(ga[d]);
    c[d] = wc - t2 / sqrtf(gc[d]);
    ga[d] += t1 * t1;
    gc[d] += t2 * t2;
  }
}

#if EK_HAVE_SIMD
EK_INLINE void update_rows_v(float* a, float* c, int32_t dpad, float fd, float eta, float clip) {
  float* ga = a + dpad;
  float* gc = c + dpad;
  const v128_t vf = wasm_f32x4_splat(fd), ve = wasm_f32x4_splat(eta);
  const v128_t hi = wasm_f32x4_splat(clip), lo = wasm_f32x4_splat(-clip);
  for (int32_t d = 0; d < dpad; d += 4) {
    const v128_t wa = wasm_v128_load(a + d), wc = wasm_v128_load(c + d);
    const v128_t t1 = wasm_f32x4_mul(wasm_f32x4_min(wasm_f32x4_max(wasm_f32x4_mul(vf, wc), lo), hi), ve);
    const v128_t t2 = wasm_f32x4_mul(wasm_f32x4_min(wasm_f32x4_max(wasm_f32x4_mul(vf, wa), lo), hi), ve);
    const v128_t g1 = wasm_v128_load(ga + d), g2 = wasm_v128_load(gc + d);
    wasm_v128_store(a + d, wasm_f32x4_sub(wa, wasm_f32x4_div(t1, wasm_f32x4_sqrt(g1))));
    wasm_v128_store(c + d, wasm_f32x4_sub(wc, wasm_f32x4_div(t2, wasm_f32x4_sqrt(g2))));
    wasm_v128_store(ga + d, wasm_f32x4_add(g1, wasm_f32x4_mul(t1, t1)));
    wasm_v128_store(gc + d, wasm_f32x4_add(g2, wasm_f32x4_mul(t2, t2)));
  }
}
#define EK_GLOVE_UPDATE(simd, a, c, dp, fd, eta, clip) \
  ((simd) ? update_rows_v(a, c, dp, fd, eta, clip) : update_rows_s(a, c, dp, fd, eta, clip))
#else
#define EK_GLOVE_UPDATE(simd, a, c, dp, fd, eta, clip) \
  ((void)(simd), update_rows_s(a, c, dp, fd, eta, clip))
#endif

static void end_epoch(ek_glove* st) {
  st->last_epoch_cost = st->n_rec ? st->epoch_cost / (double)st->n_rec : 0.0;
  st->epoch_cost = 0;
  st->pos = 0;
  st->epoch++;
  if (st->epoch < st->epochs && st->reshuffle) shuffle(st);
}

// Entries [k0, k1): the AdaGrad updates of each, in order; adds each entry's cost to *ecost and
// *cost (two running sums, so that the epoch's sum does not depend on the chunk sizes) and
// counts skipped entries. One thread's share of a step.
EK_INLINE void train_range(ek_glove* st, uint32_t k0, uint32_t k1, double* ecost, double* cost,
                           int64_t* skipped, const int simd) {
  const int32_t dpad = st->dpad, stride = st->stride;
  float* const words = st->params;
  float* const ctx = st->params + (size_t)st->n_vocab * (size_t)stride;
  const float eta = st->eta, clip = st->grad_clip;
  double e_sum = *ecost, c_sum = *cost;
  for (uint32_t k = k0; k < k1; k++) {
    const ek_glove_rec e = st->rec[k];
    float* a = words + (size_t)e.i * (size_t)stride;
    float* c = ctx + (size_t)e.j * (size_t)stride;
    const float dot = EK_DOT(simd, a, c, dpad);
    const double diff = (double)dot + (double)a[2 * dpad] + (double)c[2 * dpad] - (double)e.logx;
    const double fdiff = (double)e.fx * diff;
    if (!isfinite(diff) || !isfinite(fdiff)) {
      (*skipped)++;
      continue;
    }
    const double e_cost = 0.5 * fdiff * diff;
    e_sum += e_cost;
    c_sum += e_cost;
    EK_GLOVE_UPDATE(simd, a, c, dpad, (float)fdiff, eta, clip);
    float* ba = a + 2 * dpad;
    float* bc = c + 2 * dpad;
    ba[0] = (float)((double)ba[0] - fdiff / sqrt((double)ba[1]));
    bc[0] = (float)((double)bc[0] - fdiff / sqrt((double)bc[1]));
    ba[1] = (float)((double)ba[1] + fdiff * fdiff);
    bc[1] = (float)((double)bc[1] + fdiff * fdiff);
  }
  *ecost = e_sum;
  *cost = c_sum;
}

#define EK_GLOVE_MAX_PARTS 256

typedef struct {
  ek_glove* st;
  uint32_t k0, k1;
  int32_t parts, simd;
  double cost[EK_GLOVE_MAX_PARTS];
  int64_t skipped[EK_GLOVE_MAX_PARTS];
} glove_job;

static void glove_chunk(void* p, int32_t b, int32_t e) {
  glove_job* j = p;
  const uint64_t len = (uint64_t)(j->k1 - j->k0);
  for (int32_t t = b; t < e; t++) {
    const uint32_t k0 = j->k0 + (uint32_t)(len * (uint64_t)t / (uint64_t)j->parts);
    const uint32_t k1 = j->k0 + (uint32_t)(len * (uint64_t)(t + 1) / (uint64_t)j->parts);
    double ecost = 0;  // (with threads the sums' order is not reproducible anyway)
    if (j->simd) train_range(j->st, k0, k1, &ecost, &j->cost[t], &j->skipped[t], 1);
    else train_range(j->st, k0, k1, &ecost, &j->cost[t], &j->skipped[t], 0);
  }
}

EK_INLINE int32_t step_impl(ek_glove* st, int32_t n, const int simd) {
  double cost = 0;
  int32_t done = 0;
  if (st->n_rec == 0) {  // nothing to learn: every epoch is empty
    while (st->epoch < st->epochs) end_epoch(st);
    return 0;
  }
  while (done < n && st->epoch < st->epochs) {
    uint32_t stop = st->n_rec;
    if ((int64_t)stop - st->pos > (int64_t)(n - done)) stop = st->pos + (uint32_t)(n - done);
    // the epoch's sum continues across calls, so it does not depend on the chunk sizes
    double ccost = 0;
    if (st->n_threads > 1) {
      glove_job j;
      j.st = st;
      j.k0 = st->pos;
      j.k1 = stop;
      j.parts = st->n_threads;
      j.simd = simd;
      for (int32_t t = 0; t < j.parts; t++) {
        j.cost[t] = 0;
        j.skipped[t] = 0;
      }
      ek_parallel_for(glove_chunk, &j, j.parts, 1, 1e30);  // each part is long: always on the pool
      for (int32_t t = 0; t < j.parts; t++) {
        ccost += j.cost[t];
        st->skipped += j.skipped[t];
      }
      st->epoch_cost += ccost;
    } else {
      train_range(st, st->pos, stop, &st->epoch_cost, &ccost, &st->skipped, simd);
    }
    done += (int32_t)(stop - st->pos);
    st->done += stop - st->pos;
    st->cost_n += stop - st->pos;
    cost += ccost;
    st->pos = stop;
    if (st->pos == st->n_rec) end_epoch(st);
  }
  st->cost_sum += cost;
  return done;
}

EK_EXPORT void ek_glove_threads(ek_glove* st, int32_t n) {
  st->n_threads = n < 1 ? 1 : n > EK_GLOVE_MAX_PARTS ? EK_GLOVE_MAX_PARTS : n;
}

EK_EXPORT int32_t ek_glove_step(ek_glove* st, int32_t n) {
  if (n <= 0) return 0;
#if EK_HAVE_SIMD
  if (!st->force_scalar) return step_impl(st, n, 1);
#endif
  return step_impl(st, n, 0);
}

EK_EXPORT void ek_glove_progress(double* out, ek_glove* st, int32_t reset) {
  out[0] = (double)st->done;
  out[1] = (double)st->n_rec * (double)st->epochs;
  out[2] = (double)st->epoch;
  out[3] = st->cost_sum;
  out[4] = (double)st->cost_n;
  out[5] = st->last_epoch_cost;
  out[6] = (double)st->skipped;
  out[7] = (double)st->pos;
  if (reset) {
    st->cost_sum = 0;
    st->cost_n = 0;
  }
}

EK_EXPORT void ek_glove_export(float* out, const ek_glove* st, int32_t which) {
  const int32_t V = st->n_vocab, dim = st->dim, dpad = st->dpad, stride = st->stride;
  const float* words = st->params;
  const float* ctx = st->params + (size_t)V * (size_t)stride;
  for (int32_t i = 0; i < V; i++) {
    const float* a = words + (size_t)i * (size_t)stride;
    const float* c = ctx + (size_t)i * (size_t)stride;
    float* o = out + (size_t)i * (size_t)dim;
    switch (which) {
      case 0: memcpy(o, a, (size_t)dim * sizeof(float)); break;
      case 1: memcpy(o, c, (size_t)dim * sizeof(float)); break;
      case 2: for (int32_t d = 0; d < dim; d++) o[d] = a[d] + c[d]; break;
      case 3: out[i] = a[2 * dpad]; break;
      default: out[i] = c[2 * dpad]; break;
    }
  }
}
