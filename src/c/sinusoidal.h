// sinusoidal.h — fixed sinusoidal position tables (Vaswani et al. 2017, tensor2tensor).
#ifndef EK_SINUSOIDAL_H
#define EK_SINUSOIDAL_H

#include "common.h"

// Layouts of one table row of `dim` floats, i in [0, dim/2):
enum {
  EK_SINUSOIDAL_INTERLEAVED = 0,  // interleaved sin,cos: PE[p, 2i] = sin, PE[p, 2i+1] = cos (paper)
  EK_SINUSOIDAL_CONCAT = 1,       // concat [sin | cos]:   PE[p, i] = sin, PE[p, dim/2 + i] = cos
};

// Frequencies of the paper (Vaswani et al. 2017, section 3.5): freqs[i] = base^(-2i/dim),
// i in [0, dim/2), computed as pow(base, -(2i)/dim) in double (musl: same bits in every engine).
// freqs [dim/2] f64; dim even > 0; base > 0.
EK_EXPORT void ek_sinusoidal_freqs_f64(double* freqs, int32_t dim, double base);

// Frequencies of tensor2tensor's get_timing_signal_1d (also fairseq, Whisper): with
// n = dim/2 and inc = log(max_timescale / min_timescale) / max(n - 1, 1),
// freqs[i] = min_timescale * exp(-i * inc). For min_timescale = 1 the last one is 1/max_timescale
// (the paper's last is base^(-(dim-2)/dim)); it is set to min_timescale^2 / max_timescale exactly
// rather than through exp(log(.)) so the endpoint does not depend on exp's last bit.
// freqs [dim/2] f64; dim even > 0; 0 < min_timescale, 0 < max_timescale.
EK_EXPORT void ek_timescale_freqs_f64(double* freqs, int32_t dim, double min_timescale,
                                      double max_timescale);

// The table: for r in [0, n_pos), i in [0, dim/2), with p = pos0 + r, a = p * freqs[i]:
//   layout EK_SINUSOIDAL_INTERLEAVED: out[r, 2i] = sin a,  out[r, 2i+1] = cos a
//   layout EK_SINUSOIDAL_CONCAT:      out[r, i]  = sin a,  out[r, dim/2 + i] = cos a
// out [n_pos, dim] f32; freqs [dim/2] f64; dim even > 0; pos0 integer-valued >= 0.
// <= 2e-7 abs vs the formula in float64 (ek_sincos_table_f32, trig.c: measured 3.0e-8 =
// float32 rounding, positions up to 2^31).
EK_EXPORT void ek_sinusoidal_f32(float* out, const double* freqs, int32_t n_pos, int32_t dim,
                                 double pos0, int32_t layout);

#endif  // EK_SINUSOIDAL_H
