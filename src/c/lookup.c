// lookup.c — the embedding lookup (gather rows) and max_norm renormalisation.
//
//   table [n_rows, dim] f32, ids [n_ids] i32 (validated), out [n_ids, dim] f32
//   out[i, :] = table[ids[i], :]
//
// A lookup is a row copy: no per-element index arithmetic. Three ways to copy a row:
//   __scalar    plain element loop, the reference (never vectorised);
//   __wasmsimd  v128 loads/stores, 4 vectors per step, scalar tail (no over-read);
//   dispatcher  memcpy per row for rows of 128 floats or more: with -mbulk-memory that is one
//               memory.copy instruction, which engines run as a call to their native memmove
//               (wider than v128), and the v128 kernel for shorter rows, where that call costs
//               more than it saves (V8, 512 rows of 64 floats: 2.6 us memcpy, 2.3 us v128);
//               long rows also read a word of the row 8 ids ahead (see peek_row).
// All three produce the same bits (it is a copy). Does not validate ids: JS calls
// ek_check_ids_i32 first.
#include <math.h>
#include <string.h>

#include "embedkit.h"

EK_EXPORT void ek_gather_rows_f32__scalar(float* out, const float* table, const int32_t* ids,
                                          int32_t n_ids, int32_t dim) {
  for (int32_t i = 0; i < n_ids; i++) {
    const float* src = table + (size_t)ids[i] * (size_t)dim;
    float* dst = out + (size_t)i * (size_t)dim;
    EK_NO_VECTORIZE
    for (int32_t j = 0; j < dim; j++) dst[j] = src[j];
  }
}

#if EK_HAVE_SIMD
static inline void copy_row_v128(float* dst, const float* src, int32_t dim) {
  int32_t j = 0;
  for (; j + 16 <= dim; j += 16) {
    v128_t a = wasm_v128_load(src + j), b = wasm_v128_load(src + j + 4);
    v128_t c = wasm_v128_load(src + j + 8), d = wasm_v128_load(src + j + 12);
    wasm_v128_store(dst + j, a);
    wasm_v128_store(dst + j + 4, b);
    wasm_v128_store(dst + j + 8, c);
    wasm_v128_store(dst + j + 12, d);
  }
  for (; j + 4 <= dim; j += 4) wasm_v128_store(dst + j, wasm_v128_load(src + j));
  for (; j < dim; j++) dst[j] = src[j];
}
#endif

EK_EXPORT void ek_gather_rows_f32__wasmsimd(float* out, const float* table, const int32_t* ids,
                                            int32_t n_ids, int32_t dim) {
#if EK_HAVE_SIMD
  for (int32_t i = 0; i < n_ids; i++)
    copy_row_v128(out + (size_t)i * (size_t)dim, table + (size_t)ids[i] * (size_t)dim, dim);
#else
  ek_gather_rows_f32__scalar(out, table, ids, n_ids, dim);
#endif
}

// Wasm has no prefetch instruction. Reading one word at each end of a row a few ids ahead starts
// its cache misses and page walks (a 3 KiB row of a 150 MB table is nearly always a TLB miss
// and spans two 4 KiB pages) while the current row is copied. The words go to a sink so the
// loads are kept; they change nothing.
#define EK_GATHER_AHEAD 8
static volatile uint32_t ek_gather_sink;

static inline uint32_t peek_row(const float* row, int32_t dim) {
  uint32_t a, b;
  memcpy(&a, row, 4);
  memcpy(&b, row + dim - 1, 4);
  return a | b;
}

EK_EXPORT void ek_gather_rows_f32(float* out, const float* table, const int32_t* ids,
                                  int32_t n_ids, int32_t dim) {
  if (dim >= 128) {
    const size_t d = (size_t)dim, row_bytes = d * sizeof(float);
    uint32_t sink = 0;
    int32_t i = 0;
    for (; i + EK_GATHER_AHEAD < n_ids; i++) {
      sink |= peek_row(table + (size_t)ids[i + EK_GATHER_AHEAD] * d, dim);
      memcpy(out + (size_t)i * d, table + (size_t)ids[i] * d, row_bytes);
    }
    for (; i < n_ids; i++) memcpy(out + (size_t)i * d, table + (size_t)ids[i] * d, row_bytes);
    ek_gather_sink = sink;
    return;
  }
  ek_gather_rows_f32__wasmsimd(out, table, ids, n_ids, dim);
}

// ---- max_norm ----------------------------------------------------------------------------------

static double row_norm(const float* row, int32_t dim, double p) {
  if (isinf(p)) {
    double m = 0.0;
    for (int32_t j = 0; j < dim; j++) m = fmax(m, fabs((double)row[j]));
    return m;
  }
  double s = 0.0;
  if (p == 2.0) {
    for (int32_t j = 0; j < dim; j++) s += (double)row[j] * (double)row[j];
    return sqrt(s);
  }
  if (p == 1.0) {
    for (int32_t j = 0; j < dim; j++) s += fabs((double)row[j]);
    return s;
  }
  for (int32_t j = 0; j < dim; j++) s += pow(fabs((double)row[j]), p);
  return pow(s, 1.0 / p);
}

EK_EXPORT int32_t ek_renorm_rows_f32(float* table, uint8_t* seen, const int32_t* ids,
                                     int32_t n_ids, int32_t dim, double max_norm,
                                     double norm_type) {
  int32_t rescaled = 0;
  for (int32_t i = 0; i < n_ids; i++) {
    int32_t id = ids[i];
    if (seen[id]) continue;  // each distinct row once, as PyTorch's unique() does
    seen[id] = 1;
    float* row = table + (size_t)id * (size_t)dim;
    double norm = row_norm(row, dim, norm_type);
    if (norm > max_norm) {
      float scale = (float)(max_norm / (norm + 1e-7));
      for (int32_t j = 0; j < dim; j++) row[j] *= scale;
      rescaled++;
    }
  }
  for (int32_t i = 0; i < n_ids; i++) seen[ids[i]] = 0;
  return rescaled;
}
