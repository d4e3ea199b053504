// rope.h — rotary position embeddings (RoPE): rotate feature pairs of every head by a
// position-dependent angle, forward and backward, for Rope and the ONNX RotaryEmbedding op.
//
// Pairings (name the one you mean; libraries rarely say):
//   half-split  (rotate_half: GPT-NeoX, HF Llama/Qwen, ONNX interleaved=0): pair i = (i, i + rot/2)
//   interleaved (GPT-J, RoFormer, Meta Llama reference, ONNX interleaved=1):  pair i = (2i, 2i + 1)
// For pair i of a row at cache row p (c = cos[p, i], s = sign * sin[p, i]):
//   y_a = x_a * c - x_b * s
//   y_b = x_a * s + x_b * c
// sin_sign = +1 is the forward rotation R(theta); -1 is R(-theta) = R(theta)^T, which is both the
// inverse rotation and the gradient w.r.t. x (backward). Elements at index >= rot_dim are copied
// (out of place) or left alone (in place).
#ifndef EK_ROPE_H
#define EK_ROPE_H

#include "common.h"

enum {
  EK_ROPE_BSHD = 0,  // x [n_batch, n_seq, n_head, head_dim]
  EK_ROPE_BHSD = 1,  // x [n_batch, n_head, n_seq, head_dim]
};

// Rotate every head row of x.
// out, x  [n_batch, n_seq, n_head, head_dim] (layout EK_ROPE_BSHD) or
//         [n_batch, n_head, n_seq, head_dim] (EK_ROPE_BHSD) f32; out == x (in place) is allowed,
//         any other overlap is not.
// cos_t, sin_t  [n_rows, rot_dim / 2] f32: row p holds (scaled) cos/sin of p * inv_freq[i].
// Cache row of token (b, s):
//   pos != 0: pos[b * pos_bstride + s]          (pos_bstride 0: one position list shared by
//                                                 every batch row; n_seq: one list per row)
//   pos == 0: offset + b * pos_bstride + s       (pos_bstride 0: Rope's offset; n_seq: ONNX
//                                                 RotaryEmbedding without position_ids)
// Every cache row must lie in [0, n_rows): the caller validates (JS does).
// rot_dim even, 2 <= rot_dim <= head_dim. interleaved: 0 half-split, 1 interleaved.
// sin_sign: +1.0f forward, -1.0f backward (any other value is a contract violation).
// Bit-exact vs __scalar (no FMA in wasm; the native build uses -ffp-contract=off).
EK_EXPORT void ek_rope_f32(float* out, const float* x, const float* cos_t, const float* sin_t,
                           const int32_t* pos, int32_t pos_bstride, int32_t offset,
                           int32_t n_batch, int32_t n_seq, int32_t n_head, int32_t head_dim,
                           int32_t rot_dim, int32_t layout, int32_t interleaved, float sin_sign);
EK_EXPORT void ek_rope_f32__scalar(float* out, const float* x, const float* cos_t,
                                   const float* sin_t, const int32_t* pos, int32_t pos_bstride,
                                   int32_t offset, int32_t n_batch, int32_t n_seq,
                                   int32_t n_head, int32_t head_dim, int32_t rot_dim,
                                   int32_t layout, int32_t interleaved, float sin_sign);
EK_EXPORT void ek_rope_f32__wasmsimd(float* out, const float* x, const float* cos_t,
                                     const float* sin_t, const int32_t* pos, int32_t pos_bstride,
                                     int32_t offset, int32_t n_batch, int32_t n_seq,
                                     int32_t n_head, int32_t head_dim, int32_t rot_dim,
                                     int32_t layout, int32_t interleaved, float sin_sign);

// Highest value in pos [n] i32 (n >= 1); used for dynamic scaling's sequence length.
EK_EXPORT int32_t ek_max_i32(const int32_t* pos, int32_t n);

#endif  // EK_ROPE_H
