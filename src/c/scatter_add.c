// scatter_add.c — embedding backward: scatter-add output-gradient rows into the gradient table.
//
//   grad [n_rows, dim] f32, gout [n_ids, dim] f32, ids [n_ids] i32 (validated)
//   for every i with ids[i] != padding_idx:  grad[ids[i], :] += scale_i * gout[i, :]
//
// How: the ids are grouped by row with a linked list (head[row] = first occurrence,
// next[i] = next occurrence of the same row, built in one backwards pass, O(n_ids), no sort).
// Then, for each distinct row in order of first occurrence, its contributions are summed in a
// float64 accumulator acc[dim], in the order they appear in ids, and added to the float32
// gradient row once. Compared with the usual in-order float32 scatter loop this
//   - is more exact: one float32 rounding per row and call instead of one per duplicate;
//   - touches each gradient row once per call (Zipf-heavy batches repeat a few rows a lot);
//   - stays deterministic: the same inputs give the same bits on every run, and the SIMD kernel
//     (lanes along dim only, never across ids) is bit-exact against the scalar reference.
// scale_by_freq (PyTorch's scale_grad_by_freq): the row's sum is multiplied by 1/count in
// float64, count = the row's occurrences in this call.
// Speed (the SIMD kernel): a row that occurs once takes one float32 add (same bits, see
// add_row_once_f32); a repeated row adds four occurrences per pass with the partial sums in
// registers and writes grad from the last pass, never storing acc in between when it has at
// most four; and rows needed a few steps later are peeked so their cache misses overlap (see
// peek_row). W2 of the bench (8192 x 768, Zipf ids): 6.5 ms -> 2.7 ms warm, on one core.
// Touched rows: a row seen for the first time since zeroGrad is appended to touched[] and
// marked, so ek_zero_rows_f32 clears only those rows.
#include <string.h>

#include "embedkit.h"

// Link occurrences of each row: returns nothing; afterwards head[r] is the first i with
// ids[i] == r (for rows present) and next[i] the following occurrence or -1.
static void link_ids(int32_t* head, int32_t* next, const int32_t* ids, int32_t n_ids,
                     int32_t padding_idx) {
  for (int32_t i = 0; i < n_ids; i++) head[ids[i]] = -1;
  for (int32_t i = n_ids - 1; i >= 0; i--) {
    const int32_t id = ids[i];
    if (id == padding_idx) continue;
    next[i] = head[id];
    head[id] = i;
  }
}

EK_EXPORT int32_t ek_scatter_add_rows_f32__scalar(float* grad, uint8_t* mark, int32_t* touched,
                                                  int32_t n_touched, const float* gout,
                                                  const int32_t* ids, int32_t n_ids, int32_t dim,
                                                  int32_t padding_idx, int32_t scale_by_freq,
                                                  int32_t* head, int32_t* next, double* acc) {
  link_ids(head, next, ids, n_ids, padding_idx);
  for (int32_t i = 0; i < n_ids; i++) {
    const int32_t id = ids[i];
    if (id == padding_idx || head[id] != i) continue;  // not the first occurrence
    head[id] = -1;                                     // done with this row
    n_touched = ek_track_row(mark, touched, n_touched, id);
    int32_t count = 0;
    EK_NO_VECTORIZE
    for (int32_t j = 0; j < dim; j++) acc[j] = 0.0;
    for (int32_t k = i; k >= 0; k = next[k], count++) {
      const float* src = gout + (size_t)k * (size_t)dim;
      EK_NO_VECTORIZE
      for (int32_t j = 0; j < dim; j++) acc[j] += (double)src[j];
    }
    const double s = scale_by_freq ? 1.0 / (double)count : 1.0;
    float* g = grad + (size_t)id * (size_t)dim;
    EK_NO_VECTORIZE
    for (int32_t j = 0; j < dim; j++) g[j] = (float)((double)g[j] + s * acc[j]);
  }
  return n_touched;
}

#if EK_HAVE_SIMD
// A row that occurs once: g = (float)((double)g + 1.0 * (0.0 + (double)src)) is the correctly
// rounded float32 sum g + (src + 0.0f) (a double holds the sum of two floats exactly, and
// 0.0 + x only turns -0 into +0, as src + 0.0f does), so one f32x4 add gives the scalar bits
// without the float64 detour. Same for scale_by_freq: the scale of a single occurrence is 1.
static inline void add_row_once_f32(float* g, const float* src, int32_t dim) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int32_t j = 0;
  for (; j + 8 <= dim; j += 8) {
    v128_t a = wasm_f32x4_add(wasm_v128_load(g + j), wasm_f32x4_add(wasm_v128_load(src + j), zero));
    v128_t b = wasm_f32x4_add(wasm_v128_load(g + j + 4), wasm_f32x4_add(wasm_v128_load(src + j + 4), zero));
    wasm_v128_store(g + j, a);
    wasm_v128_store(g + j + 4, b);
  }
  for (; j + 4 <= dim; j += 4)
    wasm_v128_store(g + j, wasm_f32x4_add(wasm_v128_load(g + j), wasm_f32x4_add(wasm_v128_load(src + j), zero)));
  for (; j < dim; j++) g[j] = g[j] + (src[j] + 0.0f);
}

// Add up to four occurrences of one row at once, in order, keeping the float64 partial sums in
// registers: per 4 floats, acc is loaded and stored once instead of once per occurrence.
//   first: the sum starts at 0.0 (acc is not read), as the scalar reference's acc = 0.0;
//   last:  instead of storing acc, finish the row: g = (float)((double)g + s * sum).
// Each lane still adds its terms one by one in list order, so the bits equal the scalar loop.
// M, first and last are compile-time constants at every call site (one specialised copy each).
static inline __attribute__((always_inline)) void rows_f64(double* acc, float* g, const float* const* src,
                                                         const int M, const int first,
                                                         const int last, double s, int32_t dim) {
  const v128_t zero = wasm_f64x2_splat(0.0), vs = wasm_f64x2_splat(s);
  int32_t j = 0;
  for (; j + 4 <= dim; j += 4) {
    v128_t lo = first ? zero : wasm_v128_load(acc + j);
    v128_t hi = first ? zero : wasm_v128_load(acc + j + 2);
    for (int r = 0; r < M; r++) {
      v128_t v = wasm_v128_load(src[r] + j);
      lo = wasm_f64x2_add(lo, wasm_f64x2_promote_low_f32x4(v));
      hi = wasm_f64x2_add(hi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
    }
    if (last) {
      v128_t gv = wasm_v128_load(g + j);
      lo = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(gv), wasm_f64x2_mul(vs, lo));
      hi = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(gv, gv, 2, 3, 2, 3)),
                          wasm_f64x2_mul(vs, hi));
      // demote each f64x2 into the low two f32 lanes, then join the halves.
      v128_t lo32 = wasm_f32x4_demote_f64x2_zero(lo), hi32 = wasm_f32x4_demote_f64x2_zero(hi);
      wasm_v128_store(g + j, wasm_i32x4_shuffle(lo32, hi32, 0, 1, 4, 5));
    } else {
      wasm_v128_store(acc + j, lo);
      wasm_v128_store(acc + j + 2, hi);
    }
  }
  for (; j < dim; j++) {
    double t = first ? 0.0 : acc[j];
    for (int r = 0; r < M; r++) t += (double)src[r][j];
    if (last) g[j] = (float)((double)g[j] + s * t);
    else acc[j] = t;
  }
}

// Dispatch a chunk of m (1..4) occurrences to the specialised copies of rows_f64.
static void rows_chunk(double* acc, float* g, const float* const* src, int m, int first, int last,
                       double s, int32_t dim) {
#define EK_CHUNK(M)                                                   \
  if (first && last) rows_f64(acc, g, src, M, 1, 1, s, dim);         \
  else if (first) rows_f64(acc, g, src, M, 1, 0, s, dim);            \
  else if (last) rows_f64(acc, g, src, M, 0, 1, s, dim);             \
  else rows_f64(acc, g, src, M, 0, 0, s, dim);
  switch (m) {
    case 1: EK_CHUNK(1) break;
    case 2: EK_CHUNK(2) break;
    case 3: EK_CHUNK(3) break;
    default: EK_CHUNK(4) break;
  }
#undef EK_CHUNK
}

// Memory-level parallelism without a prefetch instruction (wasm has none): read one word at
// each end of a row we will need a few steps later, so its cache misses and page walks
// (a row of 768 floats spans two 4 KiB pages) are under way while the current row is added.
// The words are folded into `sink` so the loads are kept; they change no result.
static inline uint32_t peek_row(const float* row, int32_t dim) {
  uint32_t a, b;
  memcpy(&a, row, 4);
  memcpy(&b, row + dim - 1, 4);
  return a | b;
}
// How far ahead to peek, in rows: far enough to cover a DRAM miss while a 3 KiB row is added,
// near enough that the peeked lines are still cached when used (measured on W2: 4..16 alike).
#define EK_PEEK_AHEAD 8
static volatile uint32_t ek_peek_sink;
#endif

EK_EXPORT int32_t ek_scatter_add_rows_f32__wasmsimd(float* grad, uint8_t* mark, int32_t* touched,
                                                    int32_t n_touched, const float* gout,
                                                    const int32_t* ids, int32_t n_ids, int32_t dim,
                                                    int32_t padding_idx, int32_t scale_by_freq,
                                                    int32_t* head, int32_t* next, double* acc) {
#if EK_HAVE_SIMD
  link_ids(head, next, ids, n_ids, padding_idx);
  const size_t d = (size_t)dim;
  const int32_t peek = dim >= 64;  // rows shorter than a few cache lines gain nothing
  uint32_t sink = 0;
  for (int32_t i = 0; i < n_ids; i++) {
    if (peek && i + EK_PEEK_AHEAD < n_ids) {
      const int32_t a = i + EK_PEEK_AHEAD;
      sink |= peek_row(gout + (size_t)a * d, dim) | peek_row(grad + (size_t)ids[a] * d, dim);
    }
    const int32_t id = ids[i];
    if (id == padding_idx || head[id] != i) continue;  // padding, or not the row's first occurrence
    head[id] = -1;
    n_touched = ek_track_row(mark, touched, n_touched, id);
    float* g = grad + (size_t)id * d;
    int32_t k = next[i];
    if (k < 0) {
      add_row_once_f32(g, gout + (size_t)i * d, dim);
      continue;
    }
    // Several occurrences: sum them in float64 in list order, four rows per pass, peeking
    // ahead along the list (the occurrences of a frequent id are spread over all of gout).
    int32_t count = 0;
    for (int32_t q = i; q >= 0; q = next[q]) count++;
    const double s = scale_by_freq ? 1.0 / (double)count : 1.0;
    int32_t ahead = i;
    for (int32_t a = 0; a < EK_PEEK_AHEAD && ahead >= 0; a++) ahead = next[ahead];
    int first = 1;
    for (k = i; k >= 0;) {
      const float* src[4];
      int m = 0;
      for (; m < 4 && k >= 0; m++, k = next[k]) {
        src[m] = gout + (size_t)k * d;
        if (peek && ahead >= 0) {
          sink |= peek_row(gout + (size_t)ahead * d, dim);
          ahead = next[ahead];
        }
      }
      rows_chunk(acc, g, src, m, first, k < 0, s, dim);
      first = 0;
    }
  }
  ek_peek_sink = sink;
  return n_touched;
#else
  return ek_scatter_add_rows_f32__scalar(grad, mark, touched, n_touched, gout, ids, n_ids, dim,
                                         padding_idx, scale_by_freq, head, next, acc);
#endif
}

EK_EXPORT int32_t ek_scatter_add_rows_f32(float* grad, uint8_t* mark, int32_t* touched,
                                          int32_t n_touched, const float* gout,
                                          const int32_t* ids, int32_t n_ids, int32_t dim,
                                          int32_t padding_idx, int32_t scale_by_freq,
                                          int32_t* head, int32_t* next, double* acc) {
  return ek_scatter_add_rows_f32__wasmsimd(grad, mark, touched, n_touched, gout, ids, n_ids, dim,
                                           padding_idx, scale_by_freq, head, next, acc);
}

EK_EXPORT void ek_zero_rows_f32(float* grad, uint8_t* mark, const int32_t* touched,
                                int32_t n_touched, int32_t dim) {
  const size_t row_bytes = (size_t)dim * sizeof(float);
  for (int32_t k = 0; k < n_touched; k++) {
    memset(grad + (size_t)touched[k] * (size_t)dim, 0, row_bytes);
    mark[touched[k]] = 0;
  }
}
