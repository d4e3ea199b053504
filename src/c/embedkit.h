// embedkit.h — the public C API of embedkit: the single list of what the wasm module exports.
//
// Conventions (all functions):
// - Prefix ek_. Pattern ek_<op>_<dtype>[__<variant>]. The unsuffixed name is the dispatcher that
//   the JS shim calls; __scalar is the plain reference loop (never vectorised), __wasmsimd the
//   SIMD kernel. Both variants are exported so tests can compare them on the same inputs.
// - Arguments: outputs first, then inputs, then sizes, then options. Counts are in elements.
// - Ids are int32_t and already validated (ek_check_ids_i32) unless a function says otherwise.
// - Ownership: wasm linear memory belongs to the module. Every pointer argument is memory the
//   caller obtained from ek_alloc (or the Emscripten malloc) and still owns; no function here
//   keeps a pointer after it returns, and no function here allocates, so JS views taken before
//   a call stay valid across it (only ek_alloc can grow memory).
// - Sizes: every array argument lies in one block of at most 2^31 - 2^20 bytes (the JS shim's
//   MAX_BLOCK_BYTES), so int32_t element counts, and products of a row count and a row length,
//   stay below 2^31; byte offsets and pointer steps are computed in size_t / ptrdiff_t.
// - Errors: functions that can fail return int32_t status (EK_OK = 0, negative EK_ERR_* from
//   common.h); validators return the index of the first bad element, or -1.
// - Determinism: every kernel is bit-exact against its __scalar reference unless its block
//   says otherwise. Core wasm has no fused multiply-add, so the same expression rounds the same
//   in scalar and SIMD code.
#ifndef EK_EMBEDKIT_H
#define EK_EMBEDKIT_H

#include "common.h"

// ---- memory -----------------------------------------------------------------------------------

// Allocate `bytes` bytes aligned to 64 (a cache line: row copies between two blocks run at full
// speed only when both share their offset within a line); returns 0 when memory cannot grow
// that far (nothing is changed then). May grow linear memory: JS must rebuild its views after
// calling it.
EK_EXPORT void* ek_alloc(uint32_t bytes);
// Free memory from ek_alloc; 0 is ignored.
EK_EXPORT void ek_free(void* p);
// 1 when this binary was compiled with wasm SIMD kernels, else 0.
EK_EXPORT int32_t ek_simd_enabled(void);

// ---- validation ------------------------------------------------------------------------------

// ids [n] i32. Returns the index of the first id outside [0, n_rows), or -1 if all are inside.
EK_EXPORT int32_t ek_check_ids_i32(const int32_t* ids, int32_t n, int32_t n_rows);

// ---- initialisation -----------------------------------------------------------------------------

// out [n] f32 <- N(mean, std^2), deterministic for a seed on every host.
// Generator (exact, part of the contract): PCG32 (O'Neill 2014, pcg32_srandom_r with
// initstate = seed, initseq = 0x454b (ek)); two outputs a, b -> one double
// u = ((a >> 5) * 2^26 + (b >> 6)) / 2^53 in [0, 1); normal pair k takes u1 then u2 (four
// outputs) and fills out[2k] = (float)(mean + std * (r cos t)) and, if 2k + 1 < n,
// out[2k + 1] = (float)(mean + std * (r sin t)), with r = sqrt(-2 ln(1 - u1)), t = fl(2pi * u2)
// (2pi rounded to double), all in double.
// Accuracy (guaranteed): ln, cos and sin are evaluated by polynomial code in init.c to within
// 1 ulp of double (measured max 0.87), sqrt and the rest are IEEE double operations. So each
// output is within one float32 ulp of the same formula evaluated with exact ln/cos/sin, and
// almost always equal to it and to a libm evaluation: none of 10^8 outputs differed from the
// musl reference (__scalar) when measured; a difference is possible (~1e-10 per value) and
// then 1 float32 ulp (init.c's header has the figures, tests/init-fast.test.js counts).
// Bits: the code is compiled into the module, so a seed gives the same bits on every host and
// engine, in the SIMD and the no-SIMD build alike (__wasmsimd == __poly bit for bit).
// tests/helpers/pcg.js reimplements the generator in JS as the independent check.
EK_EXPORT void ek_init_normal_f32(float* out, uint32_t n, uint32_t seed_lo, uint32_t seed_hi,
                                  double mean, double std);
// Reference: the same generator with musl's log/sqrt/cos/sin per pair (the kernel every
// earlier version used).
EK_EXPORT void ek_init_normal_f32__scalar(float* out, uint32_t n, uint32_t seed_lo,
                                          uint32_t seed_hi, double mean, double std);
// Polynomial ln/sincos in plain C: the no-SIMD build's kernel, bit-exact with __wasmsimd.
EK_EXPORT void ek_init_normal_f32__poly(float* out, uint32_t n, uint32_t seed_lo,
                                        uint32_t seed_hi, double mean, double std);
// The same polynomial code on f64x2 lanes (two normal pairs per step).
EK_EXPORT void ek_init_normal_f32__wasmsimd(float* out, uint32_t n, uint32_t seed_lo,
                                            uint32_t seed_hi, double mean, double std);
// The polynomial pieces alone (for accuracy tests): ln(x) for x in [2^-53, 1], and
// *s = sin(t), *c = cos(t) for t in [0, 2pi); each within 1 ulp of double.
EK_EXPORT double ek_init_ln_f64(double x);
EK_EXPORT void ek_init_sincos_f64(double* s, double* c, double t);

// ---- lookup (forward) and its adjoint (backward) -------------------------------------------------

// Gather rows: out[i, :] = table[ids[i], :].
// table [n_rows, dim] f32; ids [n_ids] i32, each in [0, n_rows); out [n_ids, dim] f32, may not
// alias table. Bit-exact (a copy).
EK_EXPORT void ek_gather_rows_f32(float* out, const float* table, const int32_t* ids,
                                  int32_t n_ids, int32_t dim);
EK_EXPORT void ek_gather_rows_f32__scalar(float* out, const float* table, const int32_t* ids,
                                          int32_t n_ids, int32_t dim);
EK_EXPORT void ek_gather_rows_f32__wasmsimd(float* out, const float* table, const int32_t* ids,
                                            int32_t n_ids, int32_t dim);

// Scatter-add rows (the adjoint of gather): for every i with ids[i] != padding_idx,
//   grad[ids[i], :] += scale_i * gout[i, :]
// with scale_i = 1, or 1 / (count of ids[i] in this call) when scale_by_freq (PyTorch's
// scale_grad_by_freq).
// Precision and determinism: all contributions to one row in this call are summed in float64,
// in the order they appear in ids, then added to the float32 gradient once, as
//   grad[r, j] = (float)((double)grad[r, j] + scale * sum_i (double)gout[i, j]).
// So each row gets one float32 rounding per call, however many duplicates it has (a float32
// loop loses ~n*eps on n duplicates), the result is the same on every run, and __wasmsimd is
// bit-exact against __scalar (SIMD lanes run along dim only; each lane adds in the same order).
// grad [n_rows, dim] f32; gout [n_ids, dim] f32; ids [n_ids] i32 in [0, n_rows);
// padding_idx: a row index, or -1 for none.
// Touched-row tracking: mark [n_rows] u8 is 1 for rows already in touched[0 .. n_touched); each
// newly touched row is appended and marked. Returns the new n_touched.
// Scratch (contents on entry do not matter): head [n_rows] i32, next [n_ids] i32, acc [dim] f64.
EK_EXPORT int32_t ek_scatter_add_rows_f32(float* grad, uint8_t* mark, int32_t* touched,
                                          int32_t n_touched, const float* gout,
                                          const int32_t* ids, int32_t n_ids, int32_t dim,
                                          int32_t padding_idx, int32_t scale_by_freq,
                                          int32_t* head, int32_t* next, double* acc);
EK_EXPORT int32_t ek_scatter_add_rows_f32__scalar(float* grad, uint8_t* mark, int32_t* touched,
                                                  int32_t n_touched, const float* gout,
                                                  const int32_t* ids, int32_t n_ids, int32_t dim,
                                                  int32_t padding_idx, int32_t scale_by_freq,
                                                  int32_t* head, int32_t* next, double* acc);
EK_EXPORT int32_t ek_scatter_add_rows_f32__wasmsimd(float* grad, uint8_t* mark, int32_t* touched,
                                                    int32_t n_touched, const float* gout,
                                                    const int32_t* ids, int32_t n_ids, int32_t dim,
                                                    int32_t padding_idx, int32_t scale_by_freq,
                                                    int32_t* head, int32_t* next, double* acc);

// The usual float32 scatter-add, for comparison only (the bench's float32 row and the precision
// tests; Embedding never calls it): grad[ids[i], :] += gout[i, :] in float32, one row at a time
// in id order, as PyTorch's CPU index_add_ does. One rounding per duplicate, so it drifts on
// rows that repeat. Same touched-row tracking and padding_idx as above; no scale_by_freq.
EK_EXPORT int32_t ek_scatter_add_rows_f32__inorder(float* grad, uint8_t* mark, int32_t* touched,
                                                   int32_t n_touched, const float* gout,
                                                   const int32_t* ids, int32_t n_ids, int32_t dim,
                                                   int32_t padding_idx);

// Zero the touched rows of grad and clear their marks: cost O(n_touched * dim), not O(n_rows).
// grad [n_rows, dim] f32; mark [n_rows] u8; touched [n_touched] i32.
// __scalar: a memset per row (the reference); the dispatcher clears eight rows side by side.
EK_EXPORT void ek_zero_rows_f32(float* grad, uint8_t* mark, const int32_t* touched,
                                int32_t n_touched, int32_t dim);
EK_EXPORT void ek_zero_rows_f32__scalar(float* grad, uint8_t* mark, const int32_t* touched,
                                        int32_t n_touched, int32_t dim);

// max_norm renormalisation, as PyTorch's embedding_renorm_: for each distinct id in ids, if the
// norm_type-norm of table[id, :] (computed in double) exceeds max_norm, the row is multiplied in
// place by (float)(max_norm / (norm + 1e-7)). norm_type: p > 0, or +inf for the max-norm.
// seen [n_rows] u8 all zero on entry; scratch, zero again on return.
// Returns the number of rows that were rescaled.
EK_EXPORT int32_t ek_renorm_rows_f32(float* table, uint8_t* seen, const int32_t* ids,
                                     int32_t n_ids, int32_t dim, double max_norm,
                                     double norm_type);

#include "trig.h"
#include "sinusoidal.h"
#include "input_embedding.h"
#include "rope.h"
#include "word2vec.h"
#include "neighbors.h"
#include "optim.h"
#include "glove.h"
#include "dtype.h"
#include "pool.h"

#endif  // EK_EMBEDKIT_H
