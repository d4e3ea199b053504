// input_embedding.h — the GPT input layer: token row + position row, forward and backward.
#ifndef EK_INPUT_EMBEDDING_H
#define EK_INPUT_EMBEDDING_H

#include "common.h"

// Forward, fused (one pass over out): for b in [0, batch), s in [0, seq), i = b*seq + s:
//   out[i, :] = tok[ids[i], :] + pos[s, :]        (pos == 0: out[i, :] = tok[ids[i], :])
// out [batch*seq, dim] f32, may not alias tok or pos; tok [n_rows, dim] f32;
// ids [batch*seq] i32, validated; pos [seq, dim] f32: the position table already advanced to
// the first position (table + offset*dim), learned or sinusoidal.
// One float32 add per element: bit-exact between variants.
EK_EXPORT void ek_input_embed_f32(float* out, const float* tok, const int32_t* ids,
                                  const float* pos, int32_t batch, int32_t seq, int32_t dim);
EK_EXPORT void ek_input_embed_f32__scalar(float* out, const float* tok, const int32_t* ids,
                                          const float* pos, int32_t batch, int32_t seq,
                                          int32_t dim);
EK_EXPORT void ek_input_embed_f32__wasmsimd(float* out, const float* tok, const int32_t* ids,
                                            const float* pos, int32_t batch, int32_t seq,
                                            int32_t dim);

// Backward, position half (the token half is ek_scatter_add_rows_f32): for s in [0, seq),
//   grad[pos0 + s, :] = (float)((double)grad[pos0 + s, :] + sum_b (double)gout[b*seq + s, :])
// the batch summed in float64 in order b = 0, 1, ..., one float32 rounding per row and call
// (the same policy as ek_scatter_add_rows_f32). Bit-exact between variants.
// grad [n_rows, dim] f32 (the position table's gradient, pos0 + seq <= n_rows);
// gout [batch*seq, dim] f32. Touched-row tracking as ek_scatter_add_rows_f32: rows
// pos0 .. pos0+seq-1 not yet marked are appended to touched[] and marked; returns n_touched.
EK_EXPORT int32_t ek_position_grad_f32(float* grad, uint8_t* mark, int32_t* touched,
                                       int32_t n_touched, const float* gout, int32_t batch,
                                       int32_t seq, int32_t dim, int32_t pos0);
EK_EXPORT int32_t ek_position_grad_f32__scalar(float* grad, uint8_t* mark, int32_t* touched,
                                               int32_t n_touched, const float* gout,
                                               int32_t batch, int32_t seq, int32_t dim,
                                               int32_t pos0);
EK_EXPORT int32_t ek_position_grad_f32__wasmsimd(float* grad, uint8_t* mark, int32_t* touched,
                                                 int32_t n_touched, const float* gout,
                                                 int32_t batch, int32_t seq, int32_t dim,
                                                 int32_t pos0);

#endif  // EK_INPUT_EMBEDDING_H
