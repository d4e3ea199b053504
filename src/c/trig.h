// trig.h — the shared sin/cos table builder (sinusoidal position tables, RoPE cos/sin caches).
// Method, error bound and measurements: see the header of trig.c.
#ifndef EK_TRIG_H
#define EK_TRIG_H

#include "common.h"

// Angle table: for r in [0, n_pos), i in [0, n_freq):
//   sin_out[r*row_stride + i*col_stride] = (float)(scale * sin((pos0 + r) * freqs[i]))
//   cos_out[r*row_stride + i*col_stride] = (float)(scale * cos((pos0 + r) * freqs[i]))
// freqs [n_freq] f64: angular frequencies (radians per position), finite.
// pos0: an integer-valued double >= 0; pos0 + n_pos <= 2^53 (the contract below is tested to
// 2^31; anchors stay exact far beyond, the recurrence adds ~4e-13 however large p is).
// sin_out / cos_out: f32, any strides (in elements); they may interleave in one buffer but no
// two written elements may coincide. Common layouts:
//   sinusoidal interleaved  sin_out = pe,         cos_out = pe + 1,     col_stride 2, row_stride dim
//   sinusoidal concat       sin_out = pe,         cos_out = pe + dim/2, col_stride 1, row_stride dim
//   RoPE caches             sin_out = sin_cache,  cos_out = cos_cache,  col_stride 1, row_stride dim/2
// Accuracy: <= 2e-7 abs (scale == 1) against the same formula evaluated in float64, for any
// position below 2^31 (measured max 2.98e-8, i.e. float32 rounding, see trig.c); relative to
// |scale| otherwise. Not bit-exact against __scalar: the two evaluate the same numbers by
// different routes. __wasmsimd is bit-exact against __rotate (same double operations, no FMA).
EK_EXPORT void ek_sincos_table_f32(float* sin_out, float* cos_out, int32_t row_stride,
                                   int32_t col_stride, const double* freqs, int32_t n_freq,
                                   double pos0, int32_t n_pos, double scale);
// Reference: libm sin/cos in double of the rounded double angle, one call each per element.
EK_EXPORT void ek_sincos_table_f32__scalar(float* sin_out, float* cos_out, int32_t row_stride,
                                           int32_t col_stride, const double* freqs,
                                           int32_t n_freq, double pos0, int32_t n_pos,
                                           double scale);
// Angle addition in double (the fast method), plain C: the no-SIMD build's kernel.
EK_EXPORT void ek_sincos_table_f32__rotate(float* sin_out, float* cos_out, int32_t row_stride,
                                           int32_t col_stride, const double* freqs,
                                           int32_t n_freq, double pos0, int32_t n_pos,
                                           double scale);
// Angle addition in double with f64x2 SIMD and vector stores for the two sinusoidal layouts.
EK_EXPORT void ek_sincos_table_f32__wasmsimd(float* sin_out, float* cos_out, int32_t row_stride,
                                             int32_t col_stride, const double* freqs,
                                             int32_t n_freq, double pos0, int32_t n_pos,
                                             double scale);

// One accurate pair: *s = sin(p * f), *c = cos(p * f) where p * f is the exact real product
// (not its double rounding), to about 1 ulp of double. p, f finite, |p * f| < 2^995 (Dekker's
// split); tested against long double up to |p * f| ~ 2^50.
EK_EXPORT void ek_sincos_exact_f64(double* s, double* c, double p, double f);

#endif  // EK_TRIG_H
