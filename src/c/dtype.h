// dtype.h — storage dtypes of inference tables: float16, bfloat16 and ggml's block formats
// Q8_0, Q4_0, Q4_K, Q6_K. Lookup reads stored rows and writes float32 rows.
//
// Layouts (byte-exact with the files: safetensors F16/BF16 little-endian, GGUF blocks):
//   f16, bf16  one uint16 per element
//   Q8_0   blocks of 32:  { f16 d; int8 qs[32] }                         34 bytes
//          y[j] = d * qs[j]
//   Q4_0   blocks of 32:  { f16 d; uint8 qs[16] }                        18 bytes
//          y[j] = d * ((qs[j] & 15) - 8),  y[j + 16] = d * ((qs[j] >> 4) - 8)
//   Q4_K   blocks of 256: { f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128] }   144 bytes
//          eight sub-blocks of 32 with 6-bit scale sc and min m; y = (d*sc) * q - (dmin*m)
//   Q6_K   blocks of 256: { uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d }  210 bytes
//          sixteen sub-blocks of 16; y = (d*scale) * q, q = 6-bit value - 32
// A row of `dim` elements is dim / block blocks (dim a multiple of the block size; JS checks).
//
// Exactness: every value is the one ggml's dequantize_row_* defines, with the products and the
// subtraction rounded to float32 one operation at a time, in ggml's order (wasm has no fused
// multiply-add, so scalar and SIMD code round identically). f16 and bf16 widen exactly to
// float32 (NaN payloads kept, signalling NaNs not quieted). __scalar is a plain element loop
// written from the definition (the reference); __wasmsimd decodes a row at a time, 8 to 32
// elements per vector step; the dispatcher (what Embedding calls) works on eight rows at a time:
// it reads one byte of every cache line of the next eight rows (a software prefetch), then
// decodes the eight rows one after another; bf16 instead decodes the eight side by side, 32
// elements of each in turn, without the prefetch (dtype.c has the measurements).
// All three produce the same bits.
#ifndef EK_DTYPE_H
#define EK_DTYPE_H

#include "common.h"

// Gather and decode rows: out[i, :] = decode(table row ids[i]).
// table: n_rows rows of row_bytes(dim) bytes; ids [n_ids] i32 in [0, n_rows) (validated);
// out [n_ids, dim] f32, may not alias table.
#define EK_DECLARE_GATHER(T, TT)                                                                  \
  EK_EXPORT void ek_gather_rows_##T(float* out, const TT* table, const int32_t* ids,              \
                                    int32_t n_ids, int32_t dim);                                  \
  EK_EXPORT void ek_gather_rows_##T##__scalar(float* out, const TT* table, const int32_t* ids,    \
                                              int32_t n_ids, int32_t dim);                        \
  EK_EXPORT void ek_gather_rows_##T##__wasmsimd(float* out, const TT* table, const int32_t* ids,  \
                                                int32_t n_ids, int32_t dim);
EK_DECLARE_GATHER(f16, uint16_t)
EK_DECLARE_GATHER(bf16, uint16_t)
EK_DECLARE_GATHER(q8_0, uint8_t)
EK_DECLARE_GATHER(q4_0, uint8_t)
EK_DECLARE_GATHER(q4_k, uint8_t)
EK_DECLARE_GATHER(q6_k, uint8_t)
#undef EK_DECLARE_GATHER

// Encoding float32 -> storage (one-off conversions, scalar code).
// f16: IEEE binary16, round to nearest, ties to even; overflow to +-inf (|x| >= 65520);
// subnormal halves rounded the same way; NaN stays NaN with the sign and the top 9 payload
// bits kept and the quiet bit set (what x86 F16C's vcvtps2ph does).
EK_EXPORT void ek_f32_to_f16(uint16_t* out, const float* in, uint32_t n);
// bf16: the top half of the float32 rounded to nearest, ties to even (subnormals included);
// NaN -> (bits >> 16) | 0x40 (quiet, sign and top payload kept), as ggml and PyTorch.
EK_EXPORT void ek_f32_to_bf16(uint16_t* out, const float* in, uint32_t n);
// ggml's quantize_row_q8_0_ref / quantize_row_q4_0_ref (n a multiple of 32, every input
// finite: JS checks). Per block: Q8_0 d = amax / 127, q = roundf(x * (1/d));
// Q4_0 d = max / -8 (max: the element of largest magnitude, first one on ties),
// q = min(15, (int)(x * (1/d) + 8.5f)); d is stored as f16 (round to nearest even).
EK_EXPORT void ek_quantize_q8_0(uint8_t* out, const float* in, uint32_t n);
EK_EXPORT void ek_quantize_q4_0(uint8_t* out, const float* in, uint32_t n);

#endif  // EK_DTYPE_H
