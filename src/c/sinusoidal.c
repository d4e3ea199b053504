// sinusoidal.c — fixed sinusoidal position tables: frequencies and the two row layouts.
//
// The numbers come from the shared builder ek_sincos_table_f32 (trig.c: exact angles, angle
// addition in double); this file only knows the formulas for the frequencies and where sin and
// cos go in a row. Which models use which (see also README "Positions"):
//   paper frequencies, interleaved:  Vaswani et al. 2017 formula as written, the Annotated
//                                    Transformer, most tutorials;
//   paper frequencies, concat:       Transformer-XL's relative encodings, HF Marian;
//   tensor2tensor frequencies, concat: tensor2tensor's get_timing_signal_1d, fairseq's
//                                    SinusoidalPositionalEmbedding (positions start at
//                                    padding_idx + 1), OpenAI Whisper's encoder.
#include <math.h>

#include "embedkit.h"

EK_EXPORT void ek_sinusoidal_freqs_f64(double* freqs, int32_t dim, double base) {
  EK_ASSERT(dim > 0 && dim % 2 == 0 && base > 0.0);
  for (int32_t i = 0; i < dim / 2; i++) freqs[i] = pow(base, -(double)(2 * i) / (double)dim);
}

EK_EXPORT void ek_timescale_freqs_f64(double* freqs, int32_t dim, double min_timescale,
                                      double max_timescale) {
  EK_ASSERT(dim > 0 && dim % 2 == 0 && min_timescale > 0.0 && max_timescale > 0.0);
  const int32_t n = dim / 2;
  const double inc = log(max_timescale / min_timescale) / (double)(n > 1 ? n - 1 : 1);
  for (int32_t i = 0; i < n; i++) freqs[i] = min_timescale * exp(-(double)i * inc);
  if (n > 1) freqs[n - 1] = min_timescale * (min_timescale / max_timescale);
}

EK_EXPORT void ek_sinusoidal_f32(float* out, const double* freqs, int32_t n_pos, int32_t dim,
                                 double pos0, int32_t layout) {
  EK_ASSERT(dim > 0 && dim % 2 == 0 && n_pos >= 0);
  if (layout == EK_SINUSOIDAL_CONCAT)
    ek_sincos_table_f32(out, out + dim / 2, dim, 1, freqs, dim / 2, pos0, n_pos, 1.0);
  else
    ek_sincos_table_f32(out, out + 1, dim, 2, freqs, dim / 2, pos0, n_pos, 1.0);
}
