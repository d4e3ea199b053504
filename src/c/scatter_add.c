// scatter_add.c — embedding backward: scatter-add output-gradient rows into the gradient table.
//
//   grad [n_rows, dim] f32, gout [n_ids, dim] f32, ids [n_ids] i32 (validated)
//   for i in 0 .. n_ids-1 (in order), unless ids[i] == padding_idx:
//     grad[ids[i], :] += scale_i * gout[i, :]
//
// Determinism: ids are walked in order and only dim is vectorised, never ids, so each grad
// element receives its additions in the same order in __scalar and __wasmsimd: bit-exact, and
// independent of anything but the inputs (llm.c's encoder_backward order).
// Touched rows: a row seen for the first time is appended to touched[] and marked, so zeroGrad
// (ek_zero_rows_f32) clears only those rows. scale_grad_by_freq: counts[] counts each id in this
// call first; the contribution is then multiplied by (float)(1.0 / count), as PyTorch's
// embedding_dense_backward_cpu passes 1/count as add_'s alpha.
#include <string.h>

#include "embedkit.h"

// Count ids (skipping padding) into counts[]; the caller resets them with reset_counts.
static void count_ids(int32_t* counts, const int32_t* ids, int32_t n_ids, int32_t padding_idx) {
  for (int32_t i = 0; i < n_ids; i++)
    if (ids[i] != padding_idx) counts[ids[i]]++;
}
static void reset_counts(int32_t* counts, const int32_t* ids, int32_t n_ids) {
  for (int32_t i = 0; i < n_ids; i++) counts[ids[i]] = 0;
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
                                                  int32_t padding_idx, int32_t* counts) {
  if (counts) count_ids(counts, ids, n_ids, padding_idx);
  for (int32_t i = 0; i < n_ids; i++) {
    const int32_t id = ids[i];
    if (id == padding_idx) continue;
    n_touched = track(mark, touched, n_touched, id);
    float* g = grad + (size_t)id * (size_t)dim;
    const float* src = gout + (size_t)i * (size_t)dim;
    if (counts) {
      const float s = (float)(1.0 / (double)counts[id]);
      EK_NO_VECTORIZE
      for (int32_t j = 0; j < dim; j++) g[j] += s * src[j];
    } else {
      EK_NO_VECTORIZE
      for (int32_t j = 0; j < dim; j++) g[j] += src[j];
    }
  }
  if (counts) reset_counts(counts, ids, n_ids);
  return n_touched;
}

#if EK_HAVE_SIMD
static inline void add_row_v128(float* g, const float* src, int32_t dim) {
  int32_t j = 0;
  for (; j + 16 <= dim; j += 16) {
    v128_t a = wasm_f32x4_add(wasm_v128_load(g + j), wasm_v128_load(src + j));
    v128_t b = wasm_f32x4_add(wasm_v128_load(g + j + 4), wasm_v128_load(src + j + 4));
    v128_t c = wasm_f32x4_add(wasm_v128_load(g + j + 8), wasm_v128_load(src + j + 8));
    v128_t d = wasm_f32x4_add(wasm_v128_load(g + j + 12), wasm_v128_load(src + j + 12));
    wasm_v128_store(g + j, a);
    wasm_v128_store(g + j + 4, b);
    wasm_v128_store(g + j + 8, c);
    wasm_v128_store(g + j + 12, d);
  }
  for (; j + 4 <= dim; j += 4)
    wasm_v128_store(g + j, wasm_f32x4_add(wasm_v128_load(g + j), wasm_v128_load(src + j)));
  for (; j < dim; j++) g[j] += src[j];
}

static inline void add_scaled_row_v128(float* g, const float* src, float s, int32_t dim) {
  const v128_t vs = wasm_f32x4_splat(s);
  int32_t j = 0;
  for (; j + 8 <= dim; j += 8) {
    v128_t a = wasm_f32x4_add(wasm_v128_load(g + j), wasm_f32x4_mul(vs, wasm_v128_load(src + j)));
    v128_t b = wasm_f32x4_add(wasm_v128_load(g + j + 4),
                              wasm_f32x4_mul(vs, wasm_v128_load(src + j + 4)));
    wasm_v128_store(g + j, a);
    wasm_v128_store(g + j + 4, b);
  }
  for (; j + 4 <= dim; j += 4)
    wasm_v128_store(g + j, wasm_f32x4_add(wasm_v128_load(g + j),
                                          wasm_f32x4_mul(vs, wasm_v128_load(src + j))));
  for (; j < dim; j++) g[j] += s * src[j];
}
#endif

EK_EXPORT int32_t ek_scatter_add_rows_f32__wasmsimd(float* grad, uint8_t* mark, int32_t* touched,
                                                    int32_t n_touched, const float* gout,
                                                    const int32_t* ids, int32_t n_ids, int32_t dim,
                                                    int32_t padding_idx, int32_t* counts) {
#if EK_HAVE_SIMD
  if (counts) count_ids(counts, ids, n_ids, padding_idx);
  for (int32_t i = 0; i < n_ids; i++) {
    const int32_t id = ids[i];
    if (id == padding_idx) continue;
    n_touched = track(mark, touched, n_touched, id);
    float* g = grad + (size_t)id * (size_t)dim;
    const float* src = gout + (size_t)i * (size_t)dim;
    if (counts)
      add_scaled_row_v128(g, src, (float)(1.0 / (double)counts[id]), dim);
    else
      add_row_v128(g, src, dim);
  }
  if (counts) reset_counts(counts, ids, n_ids);
  return n_touched;
#else
  return ek_scatter_add_rows_f32__scalar(grad, mark, touched, n_touched, gout, ids, n_ids, dim,
                                         padding_idx, counts);
#endif
}

EK_EXPORT int32_t ek_scatter_add_rows_f32(float* grad, uint8_t* mark, int32_t* touched,
                                          int32_t n_touched, const float* gout,
                                          const int32_t* ids, int32_t n_ids, int32_t dim,
                                          int32_t padding_idx, int32_t* counts) {
  return ek_scatter_add_rows_f32__wasmsimd(grad, mark, touched, n_touched, gout, ids, n_ids, dim,
                                           padding_idx, counts);
}

EK_EXPORT void ek_zero_rows_f32(float* grad, uint8_t* mark, const int32_t* touched,
                                int32_t n_touched, int32_t dim) {
  const size_t row_bytes = (size_t)dim * sizeof(float);
  for (int32_t k = 0; k < n_touched; k++) {
    memset(grad + (size_t)touched[k] * (size_t)dim, 0, row_bytes);
    mark[touched[k]] = 0;
  }
}
