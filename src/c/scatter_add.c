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

static inline int32_t track(uint8_t* mark, int32_t* touched, int32_t n_touched, int32_t id) {
  if (!mark[id]) {
    mark[id] = 1;
    touched[n_touched++] = id;
  }
  return n_touched;
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
    n_touched = track(mark, touched, n_touched, id);
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
// acc[0..dim) += (double)src[0..dim): f32x4 -> two f64x2 (promote low half, then high half).
static inline void acc_row_f64(double* acc, const float* src, int32_t dim) {
  int32_t j = 0;
  for (; j + 8 <= dim; j += 8) {
    v128_t a = wasm_v128_load(src + j), b = wasm_v128_load(src + j + 4);
    v128_t a_hi = wasm_i32x4_shuffle(a, a, 2, 3, 2, 3), b_hi = wasm_i32x4_shuffle(b, b, 2, 3, 2, 3);
    wasm_v128_store(acc + j, wasm_f64x2_add(wasm_v128_load(acc + j), wasm_f64x2_promote_low_f32x4(a)));
    wasm_v128_store(acc + j + 2, wasm_f64x2_add(wasm_v128_load(acc + j + 2), wasm_f64x2_promote_low_f32x4(a_hi)));
    wasm_v128_store(acc + j + 4, wasm_f64x2_add(wasm_v128_load(acc + j + 4), wasm_f64x2_promote_low_f32x4(b)));
    wasm_v128_store(acc + j + 6, wasm_f64x2_add(wasm_v128_load(acc + j + 6), wasm_f64x2_promote_low_f32x4(b_hi)));
  }
  for (; j < dim; j++) acc[j] += (double)src[j];
}

// g[0..dim) = (float)((double)g + s * acc): the one float32 rounding of the row.
static inline void store_row_f32(float* g, const double* acc, double s, int32_t dim) {
  const v128_t vs = wasm_f64x2_splat(s);
  int32_t j = 0;
  for (; j + 4 <= dim; j += 4) {
    v128_t gv = wasm_v128_load(g + j);
    v128_t g_hi = wasm_i32x4_shuffle(gv, gv, 2, 3, 2, 3);
    v128_t lo = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(gv), wasm_f64x2_mul(vs, wasm_v128_load(acc + j)));
    v128_t hi = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(g_hi), wasm_f64x2_mul(vs, wasm_v128_load(acc + j + 2)));
    // demote each f64x2 to the low two f32 lanes, then join the two halves.
    v128_t lo32 = wasm_f32x4_demote_f64x2_zero(lo), hi32 = wasm_f32x4_demote_f64x2_zero(hi);
    wasm_v128_store(g + j, wasm_i32x4_shuffle(lo32, hi32, 0, 1, 4, 5));
  }
  for (; j < dim; j++) g[j] = (float)((double)g[j] + s * acc[j]);
}
#endif

EK_EXPORT int32_t ek_scatter_add_rows_f32__wasmsimd(float* grad, uint8_t* mark, int32_t* touched,
                                                    int32_t n_touched, const float* gout,
                                                    const int32_t* ids, int32_t n_ids, int32_t dim,
                                                    int32_t padding_idx, int32_t scale_by_freq,
                                                    int32_t* head, int32_t* next, double* acc) {
#if EK_HAVE_SIMD
  link_ids(head, next, ids, n_ids, padding_idx);
  for (int32_t i = 0; i < n_ids; i++) {
    const int32_t id = ids[i];
    if (id == padding_idx || head[id] != i) continue;
    head[id] = -1;
    n_touched = track(mark, touched, n_touched, id);
    int32_t count = 0;
    memset(acc, 0, (size_t)dim * sizeof(double));
    for (int32_t k = i; k >= 0; k = next[k], count++)
      acc_row_f64(acc, gout + (size_t)k * (size_t)dim, dim);
    store_row_f32(grad + (size_t)id * (size_t)dim, acc, scale_by_freq ? 1.0 / (double)count : 1.0, dim);
  }
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
