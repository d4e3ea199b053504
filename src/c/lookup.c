// lookup.c — the embedding lookup (gather rows) and max_norm renormalisation.
//
//   table [n_rows, dim] f32, ids [n_ids] i32 (validated), out [n_ids, dim] f32
//   out[i, :] = table[ids[i], :]
//
// A lookup is a row copy: no per-element index arithmetic. Three ways to copy a row:
//   __scalar    plain element loop, the reference (never vectorised);
//   __wasmsimd  v128 loads/stores, 4 vectors per step, scalar tail (no over-read);
//   dispatcher  for rows of 128 floats or more, eight rows copied at once, interleaved (see
//               gather_group8), which keeps eight streams of cache misses in flight, unless the
//               eight are consecutive rows (see consecutive8) or mostly ids seen earlier in the
//               call (see ek_seen); shorter rows use the v128 kernel (short rows of a small
//               table are cache hits).
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

// Long rows: eight rows at a time, interleaved 64 bytes per row per step, so eight independent
// streams of cache misses are in flight instead of one. A random 3 KiB row of a 150 MB table is
// nearly always a TLB miss and a fresh DRAM stream, and one memcpy per row waits for each in
// turn. Measured on W1 (8192 ids into 50257 x 768, V8 on AMD EPYC, cache-line aligned
// buffers, cold caches): memcpy per row 2.5-2.6x the time of copying the same bytes, 4
// interleaved rows 2.2x, 8 rows 1.9-2.0x; 12, 16 or 32 rows were slower (2.2-2.8x), and
// touching words of the next rows early (wasm has no prefetch instruction) made no difference.
#define EK_GATHER_GROUP 8

#if EK_HAVE_SIMD
static void gather_group8(float* out, const float* const* s, int32_t dim) {
  const size_t d = (size_t)dim;
  int32_t j = 0;
  for (; j + 16 <= dim; j += 16) {
#pragma clang loop unroll(full)
    for (int r = 0; r < EK_GATHER_GROUP; r++) {
      const float* src = s[r] + j;
      float* dst = out + (size_t)r * d + j;
      v128_t a = wasm_v128_load(src), b = wasm_v128_load(src + 4);
      v128_t c = wasm_v128_load(src + 8), e = wasm_v128_load(src + 12);
      wasm_v128_store(dst, a);
      wasm_v128_store(dst + 4, b);
      wasm_v128_store(dst + 8, c);
      wasm_v128_store(dst + 12, e);
    }
  }
  if (j < dim)
    for (int r = 0; r < EK_GATHER_GROUP; r++) copy_row_v128(out + (size_t)r * d + j, s[r] + j, dim - j);
}
#endif

// Eight ids that name eight consecutive rows (positions 0..S-1, sorted ids): their rows are one
// run of the table, and copying it straight is one stream of loads and one of stores, which the
// hardware prefetcher follows. Interleaving such rows as eight streams took 1.7-2.4x as long
// (32 MB of output, one thread: rows of 128 floats 3.2 ms against 1.4 ms, 768 floats 2.3 against
// 1.3, 4096 floats 2.4 against 1.3), while random ids took the same time with this check as
// without it (4.1-4.2, 2.6, 2.3 ms).
#if EK_HAVE_SIMD
static inline int consecutive8(const int32_t* ids) {
  int run = 1;
  for (int r = 1; r < EK_GATHER_GROUP; r++) run &= ids[r] == ids[0] + r;
  return run;
}
#endif

// Ids that repeat (the tokens of real text: 2245-2454 distinct ids among 8192 GPT-2 tokens of
// Moby-Dick) name rows that are mostly in cache already. For them the interleave costs more than
// it saves (eight output streams, for loads that hit anyway), so a group of eight of which at
// least four ids already appeared in this call is copied row by row, straight; groups of mostly
// first sightings keep the interleave ("appeared": ek_seen in common.h). Measured (one
// thread, ms; two runs each, A/B alternated; 8192 ids into GPT-2's 50257 x 768 table, and the
// same bytes as 49152 ids of 128 floats):
//                                interleave only   straight only   this rule
//   Moby-Dick tokens, 768 floats    1.29-1.47        1.10-1.27     1.18-1.31
//   Moby-Dick tokens, 128 floats    1.47-1.80        1.07-1.31     1.29-1.39
//   Zipf(1.3) ids, 768 floats       1.11-1.20        0.83-0.93     0.90-0.95
//   uniform ids, 768 floats         1.98-2.01        2.44-2.59     1.96-2.14
//   uniform ids, 128 floats         3.14-3.23        4.14-4.34     3.42-3.44
// Dropped: a software prefetch in the straight path (a read of the first byte of each of the
// next group's rows) was no faster on 768 floats and 1.2-1.3x slower on 128; straight copies
// after that touch for every group were best on text but 1.2x the interleave on uniform ids;
// touching more lines (every line of the next eight rows, as dtype.c's decoders do: 1.2-1.3x the
// interleave on uniform ids), touching two groups ahead, groups of four, and interleaving 256 or
// 512 bytes per row per step were slower on both kinds of ids. The same rule in dtype.c's gathers
// changed nothing beyond noise on text (bfloat16 1.14-1.24 ms before, 1.01-1.27 after; Q8_0
// 1.00 and 0.96-1.15), where decoding is their cost, so they keep their own scheme.
//
// One thread's share: rows [0, n_ids) of the given arrays.
static void gather_serial(float* out, const float* table, const int32_t* ids, int32_t n_ids,
                          int32_t dim) {
#if EK_HAVE_SIMD
  if (dim >= 128) {
    const size_t d = (size_t)dim;
    ek_seen seen;
    ek_seen_init(&seen, (size_t)n_ids);
    int32_t i = 0;
    for (; i + EK_GATHER_GROUP <= n_ids; i += EK_GATHER_GROUP) {
      if (consecutive8(ids + i)) {  // one run of the table: copied as the single stream it is
        const float* src = table + (size_t)ids[i] * d;
        for (int r = 0; r < EK_GATHER_GROUP; r++)
          copy_row_v128(out + (size_t)(i + r) * d, src + (size_t)r * d, dim);
        continue;
      }
      const float* s[EK_GATHER_GROUP];
      for (int r = 0; r < EK_GATHER_GROUP; r++) s[r] = table + (size_t)ids[i + r] * d;
      if (ek_seen_count8(&seen, ids + i) >= EK_GATHER_GROUP / 2) {  // mostly repeats
        for (int r = 0; r < EK_GATHER_GROUP; r++) copy_row_v128(out + (size_t)(i + r) * d, s[r], dim);
        continue;
      }
      gather_group8(out + (size_t)i * d, s, dim);
    }
    for (; i < n_ids; i++) memcpy(out + (size_t)i * d, table + (size_t)ids[i] * d, d * sizeof(float));
    return;
  }
  ek_gather_rows_f32__wasmsimd(out, table, ids, n_ids, dim);
#else
  // The build without SIMD: memcpy per row (memory.copy, the engine's native memmove).
  const size_t row_bytes = (size_t)dim * sizeof(float);
  for (int32_t i = 0; i < n_ids; i++)
    memcpy(out + (size_t)i * (size_t)dim, table + (size_t)ids[i] * (size_t)dim, row_bytes);
#endif
}

typedef struct {
  float* out;
  const float* table;
  const int32_t* ids;
  int32_t dim;
} gather_job;

static void gather_chunk(void* p, int32_t b, int32_t e) {
  const gather_job* j = p;
  gather_serial(j->out + (size_t)b * (size_t)j->dim, j->table, j->ids + b, e - b, j->dim);
}

// Threads split the output rows (chunks of whole 8-row groups); a copy has the same bits
// wherever it runs.
EK_EXPORT void ek_gather_rows_f32(float* out, const float* table, const int32_t* ids,
                                  int32_t n_ids, int32_t dim) {
  gather_job j = {out, table, ids, dim};
  ek_parallel_for(gather_chunk, &j, n_ids, EK_GATHER_GROUP, 8.0 * (double)n_ids * (double)dim);
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

typedef struct {
  float* table;
  uint8_t* seen;
  const int32_t* ids;
  int32_t dim;
  double max_norm, norm_type;
  int32_t rescaled;
} renorm_job;

// Each distinct row is claimed by one thread (an atomic exchange on its mark, so whichever thread
// sees it first renormalises it); a row's result depends only on the row.
static void renorm_chunk(void* p, int32_t b, int32_t e) {
  renorm_job* j = p;
  int32_t rescaled = 0;
  for (int32_t i = b; i < e; i++) {
    const int32_t id = j->ids[i];
#if EK_THREADS
    if (__atomic_exchange_n(&j->seen[id], (uint8_t)1, __ATOMIC_SEQ_CST)) continue;
#else
    if (j->seen[id]) continue;  // each distinct row once, as PyTorch's unique() does
    j->seen[id] = 1;
#endif
    float* row = j->table + (size_t)id * (size_t)j->dim;
    const double norm = row_norm(row, j->dim, j->norm_type);
    if (norm > j->max_norm) {
      const float scale = (float)(j->max_norm / (norm + 1e-7));
      for (int32_t c = 0; c < j->dim; c++) row[c] *= scale;
      rescaled++;
    }
  }
#if EK_THREADS
  __atomic_fetch_add(&j->rescaled, rescaled, __ATOMIC_SEQ_CST);
#else
  j->rescaled += rescaled;
#endif
}

static void unmark_chunk(void* p, int32_t b, int32_t e) {
  renorm_job* j = p;
  for (int32_t i = b; i < e; i++) j->seen[j->ids[i]] = 0;
}

EK_EXPORT int32_t ek_renorm_rows_f32(float* table, uint8_t* seen, const int32_t* ids,
                                     int32_t n_ids, int32_t dim, double max_norm,
                                     double norm_type) {
  renorm_job j = {table, seen, ids, dim, max_norm, norm_type, 0};
  ek_parallel_for(renorm_chunk, &j, n_ids, 1, 8.0 * (double)n_ids * (double)dim);
  unmark_chunk(&j, 0, n_ids);
  return j.rescaled;
}

