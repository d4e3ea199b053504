// dtype.c — lookup from float16 / bfloat16 / Q8_0 / Q4_0 / Q4_K / Q6_K tables (see dtype.h for
// the layouts and the exactness contract) and the float32 -> storage encoders.
//
// Kernel shape: a row is decoded straight from the stored bytes into the float32 output row;
// nothing is staged. __scalar decodes element by element from ggml's definitions (ggml-quants.c
// dequantize_row_*); __wasmsimd decodes 8 (f16/bf16) or 16 elements per vector step with the
// same arithmetic in the same order, so the products round identically.
#include <math.h>
#include <string.h>

#include "embedkit.h"

// ---- scalar building blocks ---------------------------------------------------------------------

static inline uint32_t f32_bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline float bits_f32(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }
// Little-endian uint16 at any address (blocks are 2-byte aligned only by accident).
static inline uint32_t rd16(const uint8_t* p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }

// IEEE binary16 -> binary32, exact, written case by case (the reference for the SIMD code,
// which rebiases with one multiply instead).
static inline float half_to_float(uint32_t h) {
  uint32_t sign = (h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  uint32_t bits;
  if (e == 0x1f) {
    bits = sign | 0x7f800000u | (m << 13);        // inf, NaN (payload kept)
  } else if (e != 0) {
    bits = sign | ((e + 112u) << 23) | (m << 13);  // normal: rebias 15 -> 127
  } else if (m == 0) {
    bits = sign;                                   // +-0
  } else {                                         // subnormal m * 2^-24: normalise
    uint32_t ex = 113;
    while (!(m & 0x400u)) { m <<= 1; ex--; }
    bits = sign | (ex << 23) | ((m & 0x3ffu) << 13);
  }
  return bits_f32(bits);
}

static uint32_t float_to_half(float x) {
  uint32_t u = f32_bits(x);
  uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return sign | 0x7e00u | ((a >> 13) & 0x3ffu);  // NaN: quiet, top payload
  if (a >= 0x477ff000u) return sign | 0x7c00u;                        // >= 65520: inf
  if (a < 0x38800000u) {                                              // below 2^-14: subnormal
    if (a < 0x33000000u) return sign;                                 // below 2^-25: zero
    uint32_t e = a >> 23, m = (a & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126u - e;                                        // 14 .. 24
    uint32_t r = m >> shift, rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (r & 1u))) r++;
    return sign | r;
  }
  uint32_t r = a - 0x38000000u;                                       // rebias 127 -> 15
  uint32_t h = r >> 13, rem = r & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;             // may carry into inf: right
  return sign | h;
}

static inline float rd_half(const uint8_t* p) { return half_to_float(rd16(p)); }

// ggml's get_scale_min_k4: the 6-bit scale and min of sub-block j (0..7) of a Q4_K block.
static inline __attribute__((always_inline)) void scale_min_k4(int j, const uint8_t* q, uint8_t* d, uint8_t* m) {
  if (j < 4) {
    *d = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *d = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// ---- row decoders: scalar references --------------------------------------------------------------

static void row_f16__scalar(float* y, const uint16_t* x, int32_t dim) {
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < dim; j++) y[j] = half_to_float(x[j]);
}

static void row_bf16__scalar(float* y, const uint16_t* x, int32_t dim) {
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < dim; j++) y[j] = bits_f32((uint32_t)x[j] << 16);
}

static void row_q8_0__scalar(float* y, const uint8_t* x, int32_t dim) {
  for (int32_t b = 0; b < dim / 32; b++, x += 34, y += 32) {
    const float d = rd_half(x);
    EK_NO_VECTORIZE
    for (int j = 0; j < 32; j++) y[j] = (float)(int8_t)x[2 + j] * d;
  }
}

static void row_q4_0__scalar(float* y, const uint8_t* x, int32_t dim) {
  for (int32_t b = 0; b < dim / 32; b++, x += 18, y += 32) {
    const float d = rd_half(x);
    EK_NO_VECTORIZE
    for (int j = 0; j < 16; j++) {
      y[j] = (float)((x[2 + j] & 0x0F) - 8) * d;
      y[j + 16] = (float)((x[2 + j] >> 4) - 8) * d;
    }
  }
}

static void row_q4_k__scalar(float* y, const uint8_t* x, int32_t dim) {
  for (int32_t b = 0; b < dim / 256; b++, x += 144) {
    const float d = rd_half(x), min = rd_half(x + 2);
    const uint8_t* scales = x + 4;
    const uint8_t* q = x + 16;
    for (int j = 0, is = 0; j < 256; j += 64, is += 2, q += 32) {
      uint8_t sc, m;
      scale_min_k4(is, scales, &sc, &m);
      const float d1 = d * sc, m1 = min * m;
      scale_min_k4(is + 1, scales, &sc, &m);
      const float d2 = d * sc, m2 = min * m;
      EK_NO_VECTORIZE
      for (int l = 0; l < 32; l++) *y++ = d1 * (q[l] & 0xF) - m1;
      EK_NO_VECTORIZE
      for (int l = 0; l < 32; l++) *y++ = d2 * (q[l] >> 4) - m2;
    }
  }
}

static void row_q6_k__scalar(float* y, const uint8_t* x, int32_t dim) {
  for (int32_t b = 0; b < dim / 256; b++, x += 210) {
    const float d = rd_half(x + 208);
    const uint8_t* ql = x;
    const uint8_t* qh = x + 128;
    const int8_t* sc = (const int8_t*)(x + 192);
    for (int n = 0; n < 256; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
      EK_NO_VECTORIZE
      for (int l = 0; l < 32; l++) {
        int is = l / 16;
        const int8_t q1 = (int8_t)((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int8_t q2 = (int8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int8_t q3 = (int8_t)((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int8_t q4 = (int8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l + 0] = d * sc[is + 0] * q1;
        y[l + 32] = d * sc[is + 2] * q2;
        y[l + 64] = d * sc[is + 4] * q3;
        y[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

// ---- row decoders: SIMD ---------------------------------------------------------------------------

#if EK_HAVE_SIMD
// f16 bits in the top half of each u32 lane (w = h << 16) -> f32, for finite halves: an
// arithmetic shift right by 3 puts the exponent and mantissa where float32 has them (em << 13)
// and the sign at bit 31; read as a float that is the value times 2^-112 (normal and subnormal
// halves alike), so one exact multiply by 2^112 finishes it. Inf / NaN are handled by the caller.
static inline v128_t half4_to_float4(v128_t w) {
  const v128_t t = wasm_v128_and(wasm_i32x4_shr(w, 3), wasm_i32x4_splat((int32_t)0x8fffe000u));
  return wasm_f32x4_mul(t, wasm_f32x4_splat(0x1p112f));
}

// The same for one value, for block scales (bit-identical to half_to_float).
static inline float half_to_float_fast(uint32_t h) {
  const uint32_t sh = (h & 0x7fffu) << 13, sign = (h & 0x8000u) << 16;
  if (sh < 0x00800000u) return bits_f32(sign | f32_bits(bits_f32(sh) * 0x1p112f));
  return bits_f32(sign | (sh + (sh > 0x0f7fffffu ? 0x70000000u : 0x38000000u)));
}
static inline float rd_half_fast(const uint8_t* p) { return half_to_float_fast(rd16(p)); }

// 16 bfloat16 -> 16 float32: each u16 becomes the top half of a u32 (interleave with zeros:
// punpcklwd / punpckhwd on x86).
static inline void bf16_x16(float* y, const uint16_t* x) {
  const v128_t z = wasm_i32x4_splat(0);
  const v128_t a = wasm_v128_load(x), b = wasm_v128_load(x + 8);
  wasm_v128_store(y, wasm_i16x8_shuffle(z, a, 0, 8, 1, 9, 2, 10, 3, 11));
  wasm_v128_store(y + 4, wasm_i16x8_shuffle(z, a, 4, 12, 5, 13, 6, 14, 7, 15));
  wasm_v128_store(y + 8, wasm_i16x8_shuffle(z, b, 0, 8, 1, 9, 2, 10, 3, 11));
  wasm_v128_store(y + 12, wasm_i16x8_shuffle(z, b, 4, 12, 5, 13, 6, 14, 7, 15));
}

// 8 halves; a group holding inf or NaN (exponent 31) is decoded by the scalar reference.
static inline void f16_x8(float* y, const uint16_t* x) {
  const v128_t z = wasm_i32x4_splat(0), h = wasm_v128_load(x);
  const v128_t big = wasm_i16x8_gt(wasm_v128_and(h, wasm_i16x8_splat(0x7fff)), wasm_i16x8_splat(0x7bff));
  if (__builtin_expect(wasm_v128_any_true(big), 0)) {
    for (int j = 0; j < 8; j++) y[j] = half_to_float(x[j]);
    return;
  }
  wasm_v128_store(y, half4_to_float4(wasm_i16x8_shuffle(z, h, 0, 8, 1, 9, 2, 10, 3, 11)));
  wasm_v128_store(y + 4, half4_to_float4(wasm_i16x8_shuffle(z, h, 4, 12, 5, 13, 6, 14, 7, 15)));
}

static void row_f16__wasmsimd(float* y, const uint16_t* x, int32_t dim) {
  int32_t j = 0;
  for (; j + 8 <= dim; j += 8) f16_x8(y + j, x + j);
  for (; j < dim; j++) y[j] = half_to_float(x[j]);
}

static void row_bf16__wasmsimd(float* y, const uint16_t* x, int32_t dim) {
  int32_t j = 0;
  for (; j + 16 <= dim; j += 16) bf16_x16(y + j, x + j);
  for (; j < dim; j++) y[j] = bits_f32((uint32_t)x[j] << 16);
}

// Small integers to float32 without a convert instruction: for |q| < 2^22 the float with bits
// 0x4B400000 + q is exactly 1.5 * 2^23 + q, so subtracting 1.5 * 2^23 leaves q exactly.
// (clang 14 fuses sign extension + i32x4 -> f32x4 conversion into a conversion from i16 lanes,
// which the wasm backend then scalarises lane by lane; integer adds keep it vectorised.)
static inline v128_t small_i32_to_f32(v128_t q) {
  return wasm_f32x4_sub(wasm_i32x4_add(q, wasm_i32x4_splat(0x4B400000)), wasm_f32x4_splat(12582912.0f));
}

// y[0..16) = (float)q[k] * d for 16 signed bytes q.
static inline void store16_i8(float* y, v128_t q, v128_t d) {
  const v128_t lo = wasm_i16x8_extend_low_i8x16(q), hi = wasm_i16x8_extend_high_i8x16(q);
  wasm_v128_store(y, wasm_f32x4_mul(small_i32_to_f32(wasm_i32x4_extend_low_i16x8(lo)), d));
  wasm_v128_store(y + 4, wasm_f32x4_mul(small_i32_to_f32(wasm_i32x4_extend_high_i16x8(lo)), d));
  wasm_v128_store(y + 8, wasm_f32x4_mul(small_i32_to_f32(wasm_i32x4_extend_low_i16x8(hi)), d));
  wasm_v128_store(y + 12, wasm_f32x4_mul(small_i32_to_f32(wasm_i32x4_extend_high_i16x8(hi)), d));
}

// y[0..16) = d * (float)q[k] - m for 16 bytes q in 0..15.
static inline void store16_u4(float* y, v128_t q, v128_t d, v128_t m) {
  const v128_t lo = wasm_u16x8_extend_low_u8x16(q), hi = wasm_u16x8_extend_high_u8x16(q);
  const v128_t f0 = small_i32_to_f32(wasm_u32x4_extend_low_u16x8(lo));
  const v128_t f1 = small_i32_to_f32(wasm_u32x4_extend_high_u16x8(lo));
  const v128_t f2 = small_i32_to_f32(wasm_u32x4_extend_low_u16x8(hi));
  const v128_t f3 = small_i32_to_f32(wasm_u32x4_extend_high_u16x8(hi));
  wasm_v128_store(y, wasm_f32x4_sub(wasm_f32x4_mul(d, f0), m));
  wasm_v128_store(y + 4, wasm_f32x4_sub(wasm_f32x4_mul(d, f1), m));
  wasm_v128_store(y + 8, wasm_f32x4_sub(wasm_f32x4_mul(d, f2), m));
  wasm_v128_store(y + 12, wasm_f32x4_sub(wasm_f32x4_mul(d, f3), m));
}

static inline void block_q8_0(float* y, const uint8_t* x) {
  const v128_t d = wasm_f32x4_splat(rd_half_fast(x));
  store16_i8(y, wasm_v128_load(x + 2), d);
  store16_i8(y + 16, wasm_v128_load(x + 18), d);
}

static inline void block_q4_0(float* y, const uint8_t* x) {
  const v128_t lo4 = wasm_i8x16_splat(0x0F), eight = wasm_i8x16_splat(8);
  const v128_t d = wasm_f32x4_splat(rd_half_fast(x));
  const v128_t q = wasm_v128_load(x + 2);
  store16_i8(y, wasm_i8x16_sub(wasm_v128_and(q, lo4), eight), d);
  store16_i8(y + 16, wasm_i8x16_sub(wasm_u8x16_shr(q, 4), eight), d);
}

static void row_q8_0__wasmsimd(float* y, const uint8_t* x, int32_t dim) {
  for (int32_t b = 0; b < dim / 32; b++) block_q8_0(y + b * 32, x + b * 34);
}

static void row_q4_0__wasmsimd(float* y, const uint8_t* x, int32_t dim) {
  for (int32_t b = 0; b < dim / 32; b++) block_q4_0(y + b * 32, x + b * 18);
}

static inline void block_q4_k(float* y, const uint8_t* x) {
  const v128_t lo4 = wasm_i8x16_splat(0x0F);
  {
    const float d = rd_half_fast(x), min = rd_half_fast(x + 2);
    const uint8_t* scales = x + 4;
    const uint8_t* q = x + 16;
    for (int is = 0; is < 8; is += 2, q += 32, y += 64) {
      uint8_t sc, m;
      scale_min_k4(is, scales, &sc, &m);
      const v128_t d1 = wasm_f32x4_splat(d * sc), m1 = wasm_f32x4_splat(min * m);
      scale_min_k4(is + 1, scales, &sc, &m);
      const v128_t d2 = wasm_f32x4_splat(d * sc), m2 = wasm_f32x4_splat(min * m);
      const v128_t a = wasm_v128_load(q), c = wasm_v128_load(q + 16);
      store16_u4(y, wasm_v128_and(a, lo4), d1, m1);
      store16_u4(y + 16, wasm_v128_and(c, lo4), d1, m1);
      store16_u4(y + 32, wasm_u8x16_shr(a, 4), d2, m2);
      store16_u4(y + 48, wasm_u8x16_shr(c, 4), d2, m2);
    }
  }
}

static inline void block_q6_k(float* y, const uint8_t* x) {
  const v128_t lo4 = wasm_i8x16_splat(0x0F), b2 = wasm_i8x16_splat(0x30), k32 = wasm_i8x16_splat(32);
  {
    const float d = rd_half_fast(x + 208);
    const uint8_t* ql = x;
    const uint8_t* qh = x + 128;
    const int8_t* sc = (const int8_t*)(x + 192);
    for (int n = 0; n < 256; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; l += 16) {
        const int is = l / 16;
        const v128_t la = wasm_v128_load(ql + l), lb = wasm_v128_load(ql + l + 32);
        const v128_t h = wasm_v128_load(qh + l);
        // q1..q4 = low/high nibble | the matching 2 bits of qh moved to bits 4..5, minus 32
        const v128_t q1 = wasm_v128_or(wasm_v128_and(la, lo4), wasm_v128_and(wasm_i8x16_shl(h, 4), b2));
        const v128_t q2 = wasm_v128_or(wasm_v128_and(lb, lo4), wasm_v128_and(wasm_i8x16_shl(h, 2), b2));
        const v128_t q3 = wasm_v128_or(wasm_u8x16_shr(la, 4), wasm_v128_and(h, b2));
        const v128_t q4 = wasm_v128_or(wasm_u8x16_shr(lb, 4), wasm_v128_and(wasm_u8x16_shr(h, 2), b2));
        store16_i8(y + l, wasm_i8x16_sub(q1, k32), wasm_f32x4_splat(d * sc[is + 0]));
        store16_i8(y + l + 32, wasm_i8x16_sub(q2, k32), wasm_f32x4_splat(d * sc[is + 2]));
        store16_i8(y + l + 64, wasm_i8x16_sub(q3, k32), wasm_f32x4_splat(d * sc[is + 4]));
        store16_i8(y + l + 96, wasm_i8x16_sub(q4, k32), wasm_f32x4_splat(d * sc[is + 6]));
      }
    }
  }
}
static void row_q4_k__wasmsimd(float* y, const uint8_t* x, int32_t dim) {
  for (int32_t b = 0; b < dim / 256; b++) block_q4_k(y + b * 256, x + b * 144);
}

static void row_q6_k__wasmsimd(float* y, const uint8_t* x, int32_t dim) {
  for (int32_t b = 0; b < dim / 256; b++) block_q6_k(y + b * 256, x + b * 210);
}
#endif

// ---- gathers ---------------------------------------------------------------------------------------

// Bytes of one stored row of `dim` elements.
#define ROW_BYTES_f16(dim) ((size_t)(dim) * 2)
#define ROW_BYTES_bf16(dim) ((size_t)(dim) * 2)
#define ROW_BYTES_q8_0(dim) ((size_t)(dim) / 32 * 34)
#define ROW_BYTES_q4_0(dim) ((size_t)(dim) / 32 * 18)
#define ROW_BYTES_q4_k(dim) ((size_t)(dim) / 256 * 144)
#define ROW_BYTES_q6_k(dim) ((size_t)(dim) / 256 * 210)

#define EK_DEFINE_GATHER_VARIANT(T, TT, V, ROW)                                                    \
  EK_EXPORT void ek_gather_rows_##T##V(float* out, const TT* table, const int32_t* ids,          \
                                       int32_t n_ids, int32_t dim) {                              \
    const size_t rb = ROW_BYTES_##T(dim);                                                         \
    const uint8_t* base = (const uint8_t*)table;                                                  \
    for (int32_t i = 0; i < n_ids; i++)                                                           \
      ROW(out + (size_t)i * (size_t)dim, (const TT*)(const void*)(base + (size_t)ids[i] * rb), dim); \
  }

#if EK_HAVE_SIMD
// The dispatcher, eight rows at a time. TOUCH: first read one byte of every cache line of the
// next eight rows (touch_rows), so that their misses are in flight together while this group is
// decoded. Then WHOLE: decode the eight rows one after another, each whole by ROW (one output
// stream); or else one chunk (CE elements, CB stored bytes) of each row in turn, eight streams of
// misses in flight as in ek_gather_rows_f32 (lookup.c), the rest of a row that is not a whole
// chunk by ROW. The last n_ids % 8 rows go through ROW.
// Which, per dtype (W6's tables and ids, one thread, CPU time, cold caches, x the float32 lookup
// in the same process, several runs): WHOLE + TOUCH against the chunks + TOUCH used before:
// Q8_0 0.98-1.03x -> 0.64-0.70x, Q4_0 1.01-1.03x -> 0.59x, Q4_K 0.77-0.89x -> 0.60-0.66x,
// Q6_K (random blocks) 1.14x -> 0.72x, float16 1.11-1.16x -> 1.04-1.09x. Even with the rows hot in
// cache (ids < 256) Q8_0 took 1.5 ms in chunks and 0.7-1.0 ms whole: the eight interleaved output
// streams, not the decode, were the cost. bfloat16 stays in chunks without the touch (0.74x;
// whole with the touch 0.81x, whole without 1.18x; earlier, in chunks: the touch, touches spread
// over the decode steps, touching two groups ahead, chunks of 16 or 64 elements were no better
// than 32 without). For Q8_0, also measured and dropped: touching one row eight ahead before
// each row instead of a group at a time (0.86-0.89x: every touch that misses holds up the decode
// behind it, once per row instead of once per group); groups of 4, 16 or 32 rows, or touching
// two groups ahead (the same within noise); two blocks per loop step (0.77x), int8 -> float by
// byte shuffle + arithmetic shift + convert (0.70x), extend + convert (1.44x, see
// small_i32_to_f32); chunks of 2 or 4 blocks per row in turn (0.80-0.94x).
#define EK_GATHER_GROUPED(T, TT, CE, CB, CHUNK, ROW, TOUCH, WHOLE)                                \
  static void gather_grouped_##T(float* out, const TT* table, const int32_t* ids,                 \
                                 int32_t n_ids, int32_t dim) {                                    \
    const size_t rb = ROW_BYTES_##T(dim), d = (size_t)dim;                                        \
    const uint8_t* base = (const uint8_t*)table;                                                  \
    const int32_t nc = dim / (CE), done = nc * (CE);                                              \
    int32_t i = 0;                                                                                \
    uint32_t touch = 0;                                                                           \
    for (; i + 8 <= n_ids; i += 8) {                                                              \
      const uint8_t* s[8];                                                                        \
      float* o[8];                                                                                \
      for (int r = 0; r < 8; r++) {                                                               \
        s[r] = base + (size_t)ids[i + r] * rb;                                                    \
        o[r] = out + (size_t)(i + r) * d;                                                         \
      }                                                                                           \
      if ((TOUCH) && i + 16 <= n_ids) touch ^= touch_rows(base, ids + i + 8, rb);                 \
      if (WHOLE) {                                                                                \
        for (int r = 0; r < 8; r++) ROW(o[r], (const TT*)(const void*)s[r], dim);                 \
        continue;                                                                                 \
      }                                                                                           \
      for (int32_t c = 0; c < nc; c++)                                                            \
        for (int r = 0; r < 8; r++) CHUNK(o[r] + (size_t)c * (CE), s[r] + (size_t)c * (CB));      \
      if (done < dim)                                                                             \
        for (int r = 0; r < 8; r++)                                                               \
          ROW(o[r] + done, (const TT*)(const void*)(s[r] + (size_t)nc * (CB)), dim - done);       \
    }                                                                                             \
    for (; i < n_ids; i++)                                                                        \
      ROW(out + (size_t)i * d, (const TT*)(const void*)(base + (size_t)ids[i] * rb), dim);        \
    volatile uint32_t sink __attribute__((unused)) = touch; /* this call's own: threads share none */ \
  }

// Software prefetch (wasm has no prefetch instruction): read one byte of every cache line of
// the next eight rows before decoding the current eight, so their misses are in flight while
// this group is decoded. The xor of the bytes goes to a volatile sink so the loads stay: a local
// of each call (a shared global sink was a data race between the threads of the pool, found by
// tests/native/pool_tsan.c under ThreadSanitizer).
static inline uint32_t touch_rows(const uint8_t* base, const int32_t* ids, size_t rb) {
  uint32_t acc = 0;
  for (int r = 0; r < 8; r++) {
    const uint8_t* p = base + (size_t)ids[r] * rb;
    for (size_t off = 0; off < rb; off += 64) acc ^= p[off];
    acc ^= p[rb - 1];
  }
  return acc;
}

static inline void chunk_f16(float* y, const uint8_t* x) {
  const uint16_t* h = (const uint16_t*)(const void*)x;
  f16_x8(y, h); f16_x8(y + 8, h + 8); f16_x8(y + 16, h + 16); f16_x8(y + 24, h + 24);
}
static inline void chunk_bf16(float* y, const uint8_t* x) {
  const uint16_t* h = (const uint16_t*)(const void*)x;
  bf16_x16(y, h); bf16_x16(y + 16, h + 16);
}

// Threads split the output rows in whole eight-row groups; a row decodes to the same bits
// wherever it is decoded.
#define EK_GATHER_PARALLEL(T, TT)                                                                 \
  typedef struct {                                                                                \
    float* out;                                                                                   \
    const TT* table;                                                                              \
    const int32_t* ids;                                                                           \
    int32_t dim;                                                                                  \
  } gather_##T##_job;                                                                             \
  static void gather_##T##_chunk(void* p, int32_t b, int32_t e) {                                 \
    const gather_##T##_job* j = p;                                                                \
    gather_grouped_##T(j->out + (size_t)b * (size_t)j->dim, j->table, j->ids + b, e - b, j->dim); \
  }                                                                                               \
  EK_EXPORT void ek_gather_rows_##T(float* out, const TT* table, const int32_t* ids,              \
                                    int32_t n_ids, int32_t dim) {                                 \
    gather_##T##_job j = {out, table, ids, dim};                                                  \
    ek_parallel_for(gather_##T##_chunk, &j, n_ids, 8, 6.0 * (double)n_ids * (double)dim);        \
  }

#define EK_DEFINE_GATHER(T, TT, CE, CB, CHUNK, TOUCH, WHOLE)                                      \
  EK_DEFINE_GATHER_VARIANT(T, TT, __scalar, row_##T##__scalar)                                    \
  EK_DEFINE_GATHER_VARIANT(T, TT, __wasmsimd, row_##T##__wasmsimd)                                \
  EK_GATHER_GROUPED(T, TT, CE, CB, CHUNK, row_##T##__wasmsimd, TOUCH, WHOLE)                      \
  EK_GATHER_PARALLEL(T, TT)
#else
#define EK_DEFINE_GATHER(T, TT, CE, CB, CHUNK, TOUCH, WHOLE)                                      \
  EK_DEFINE_GATHER_VARIANT(T, TT, __scalar, row_##T##__scalar)                                    \
  EK_DEFINE_GATHER_VARIANT(T, TT, __wasmsimd, row_##T##__scalar)                                  \
  EK_DEFINE_GATHER_VARIANT(T, TT, , row_##T##__scalar)
#endif

EK_DEFINE_GATHER(f16, uint16_t, 32, 64, chunk_f16, 1, 1)
EK_DEFINE_GATHER(bf16, uint16_t, 32, 64, chunk_bf16, 0, 0)
EK_DEFINE_GATHER(q8_0, uint8_t, 32, 34, block_q8_0, 1, 1)
EK_DEFINE_GATHER(q4_0, uint8_t, 32, 18, block_q4_0, 1, 1)
EK_DEFINE_GATHER(q4_k, uint8_t, 256, 144, block_q4_k, 1, 1)
EK_DEFINE_GATHER(q6_k, uint8_t, 256, 210, block_q6_k, 1, 1)

// ---- encoders ----------------------------------------------------------------------------------------

EK_EXPORT void ek_f32_to_f16(uint16_t* out, const float* in, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) out[i] = (uint16_t)float_to_half(in[i]);
}

EK_EXPORT void ek_f32_to_bf16(uint16_t* out, const float* in, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t u = f32_bits(in[i]);
    if ((u & 0x7fffffffu) > 0x7f800000u) out[i] = (uint16_t)((u >> 16) | 64u);
    else out[i] = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
  }
}

static inline void wr16(uint8_t* p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

EK_EXPORT void ek_quantize_q8_0(uint8_t* out, const float* in, uint32_t n) {
  for (uint32_t b = 0; b < n / 32; b++, in += 32, out += 34) {
    float amax = 0.0f;
    for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(in[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    wr16(out, float_to_half(d));
    for (int j = 0; j < 32; j++) out[2 + j] = (uint8_t)(int8_t)roundf(in[j] * id);
  }
}

EK_EXPORT void ek_quantize_q4_0(uint8_t* out, const float* in, uint32_t n) {
  for (uint32_t b = 0; b < n / 32; b++, in += 32, out += 18) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 32; j++) {
      if (amax < fabsf(in[j])) {
        amax = fabsf(in[j]);
        max = in[j];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    wr16(out, float_to_half(d));
    for (int j = 0; j < 16; j++) {
      const float x0 = in[j] * id, x1 = in[16 + j] * id;
      int q0 = (int)(x0 + 8.5f), q1 = (int)(x1 + 8.5f);
      q0 = q0 < 15 ? q0 : 15;
      q1 = q1 < 15 ? q1 : 15;
      out[2 + j] = (uint8_t)(q0 | (q1 << 4));
    }
  }
}
