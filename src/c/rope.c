// rope.c — the RoPE rotation: one kernel for forward (sin_sign = +1) and backward (sin_sign = -1),
// both pairings, partial rotary, bshd/bhsd layouts, positions from an offset or from arrays.
// Contract and shapes: rope.h. This file does not build the cos/sin caches (trig.c does, from
// float64 frequencies computed in src/js/rope-scaling.js) and does not validate positions
// (src/js validates them before any call).
//
// Why it is fast: the work is a stream over x (read once, written once) plus a cos/sin row that
// every head of a token shares and that stays in L1. Both pairings do 4 multiplies and 2 adds
// per 4 pairs; they differ only in how pairs are loaded:
//   half-split   the two halves of a pair are 4 lanes apart in two plain vectors: no shuffles;
//   interleaved  pairs sit in adjacent lanes: one de-interleave / re-interleave helper (4
//                two-input shuffles per 8 floats, each one instruction on x86 and ARM).
// A plain C loop over interleaved pairs autovectorises poorly (strided gathers); the explicit
// shuffle keeps interleaved within a few percent of half-split.
#include "rope.h"

#include "embedkit.h"

// ---- shared helpers ---------------------------------------------------------------------------

// Cache row of token (b, s); see rope.h.
static inline int32_t cache_row(const int32_t* pos, int32_t pos_bstride, int32_t offset,
                                int32_t b, int32_t s) {
  return pos ? pos[(size_t)b * (size_t)pos_bstride + (size_t)s] : offset + b * pos_bstride + s;
}

// Element strides of x/out for the two layouts.
typedef struct {
  size_t b, s, h;
} strides_t;

static inline strides_t layout_strides(int32_t layout, int32_t n_seq, int32_t n_head,
                                       int32_t head_dim) {
  strides_t st;
  if (layout == EK_ROPE_BSHD) {
    st.h = (size_t)head_dim;
    st.s = (size_t)n_head * st.h;
    st.b = (size_t)n_seq * st.s;
  } else {
    st.s = (size_t)head_dim;
    st.h = (size_t)n_seq * st.s;
    st.b = (size_t)n_head * st.h;
  }
  return st;
}

// ---- scalar reference ---------------------------------------------------------------------------

// half-split (NeoX, rotate_half): pair i = (i, i + half)
static void row_half__scalar(float* o, const float* x, const float* c, const float* sn,
                             int32_t half, float sign) {
  EK_NO_VECTORIZE
  for (int32_t i = 0; i < half; i++) {
    const float xa = x[i], xb = x[i + half];
    const float ci = c[i], si = sign * sn[i];
    o[i] = xa * ci - xb * si;
    o[i + half] = xa * si + xb * ci;
  }
}

// interleaved (GPT-J, Meta): pair i = (2i, 2i + 1)
static void row_inter__scalar(float* o, const float* x, const float* c, const float* sn,
                              int32_t half, float sign) {
  EK_NO_VECTORIZE
  for (int32_t i = 0; i < half; i++) {
    const float xa = x[2 * i], xb = x[2 * i + 1];
    const float ci = c[i], si = sign * sn[i];
    o[2 * i] = xa * ci - xb * si;
    o[2 * i + 1] = xa * si + xb * ci;
  }
}

static void row__scalar(float* o, const float* x, const float* c, const float* sn,
                        int32_t head_dim, int32_t rot_dim, int32_t interleaved, float sign) {
  if (interleaved) row_inter__scalar(o, x, c, sn, rot_dim / 2, sign);
  else row_half__scalar(o, x, c, sn, rot_dim / 2, sign);
  if (o != x) {
    EK_NO_VECTORIZE
    for (int32_t j = rot_dim; j < head_dim; j++) o[j] = x[j];
  }
}

EK_EXPORT void ek_rope_f32__scalar(float* out, const float* x, const float* cos_t,
                                   const float* sin_t, const int32_t* pos, int32_t pos_bstride,
                                   int32_t offset, int32_t n_batch, int32_t n_seq,
                                   int32_t n_head, int32_t head_dim, int32_t rot_dim,
                                   int32_t layout, int32_t interleaved, float sin_sign) {
  EK_ASSERT(rot_dim >= 2 && rot_dim % 2 == 0 && rot_dim <= head_dim);
  EK_ASSERT(sin_sign == 1.0f || sin_sign == -1.0f);
  const int32_t half = rot_dim / 2;
  const strides_t st = layout_strides(layout, n_seq, n_head, head_dim);
  for (int32_t b = 0; b < n_batch; b++) {
    for (int32_t s = 0; s < n_seq; s++) {
      const size_t p = (size_t)cache_row(pos, pos_bstride, offset, b, s);
      const float* c = cos_t + p * (size_t)half;
      const float* sn = sin_t + p * (size_t)half;
      for (int32_t h = 0; h < n_head; h++) {
        const size_t at = (size_t)b * st.b + (size_t)s * st.s + (size_t)h * st.h;
        row__scalar(out + at, x + at, c, sn, head_dim, rot_dim, interleaved, sin_sign);
      }
    }
  }
}

// ---- wasm SIMD ----------------------------------------------------------------------------------

#if EK_HAVE_SIMD
// half-split: x[i..i+3] and x[half+i..half+i+3] are the two halves of 4 pairs, loaded as two
// plain vectors. sgn is 0 (forward) or the sign bit (backward): s ^ sgn == sin_sign * s exactly.
static inline void row_half__wasmsimd(float* o, const float* x, const float* c, const float* sn,
                                      int32_t half, v128_t sgn, float sign) {
  int32_t i = 0;
  for (; i + 4 <= half; i += 4) {
    const v128_t xa = wasm_v128_load(x + i);
    const v128_t xb = wasm_v128_load(x + half + i);
    const v128_t vc = wasm_v128_load(c + i);
    const v128_t vs = wasm_v128_xor(wasm_v128_load(sn + i), sgn);
    wasm_v128_store(o + i, wasm_f32x4_sub(wasm_f32x4_mul(xa, vc), wasm_f32x4_mul(xb, vs)));
    wasm_v128_store(o + half + i, wasm_f32x4_add(wasm_f32x4_mul(xa, vs), wasm_f32x4_mul(xb, vc)));
  }
  for (; i < half; i++) {  // tail: fewer than 4 pairs left
    const float xa = x[i], xb = x[i + half];
    const float ci = c[i], si = sign * sn[i];
    o[i] = xa * ci - xb * si;
    o[i + half] = xa * si + xb * ci;
  }
}

// The one place that knows the interleaved lane order. Four pairs (x_k, y_k), k = 0..3:
//
//   a = [x0 y0 x1 y1]   b = [x2 y2 x3 y3]          (memory order, two loads)
//        |     |             |     |
//   even = shuffle(a, b, 0, 2, 4, 6) = [x0 x1 x2 x3]
//   odd  = shuffle(a, b, 1, 3, 5, 7) = [y0 y1 y2 y3]
//
// then, after rotating (even, odd) -> (re, im) lane-wise as in half-split,
//
//   lo = shuffle(re, im, 0, 4, 1, 5) = [re0 im0 re1 im1]
//   hi = shuffle(re, im, 2, 6, 3, 7) = [re2 im2 re3 im3]   (memory order, two stores)
//
// These patterns are shufps/unpcklps/unpckhps on x86 and uzp/zip on ARM.
static inline void deinterleave4(v128_t a, v128_t b, v128_t* even, v128_t* odd) {
  *even = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
  *odd = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
}
static inline void interleave4(v128_t re, v128_t im, v128_t* lo, v128_t* hi) {
  *lo = wasm_i32x4_shuffle(re, im, 0, 4, 1, 5);
  *hi = wasm_i32x4_shuffle(re, im, 2, 6, 3, 7);
}

static inline void row_inter__wasmsimd(float* o, const float* x, const float* c, const float* sn,
                                       int32_t half, v128_t sgn, float sign) {
  int32_t i = 0;
  for (; i + 4 <= half; i += 4) {
    v128_t xa, xb, lo, hi;
    deinterleave4(wasm_v128_load(x + 2 * i), wasm_v128_load(x + 2 * i + 4), &xa, &xb);
    const v128_t vc = wasm_v128_load(c + i);
    const v128_t vs = wasm_v128_xor(wasm_v128_load(sn + i), sgn);
    const v128_t re = wasm_f32x4_sub(wasm_f32x4_mul(xa, vc), wasm_f32x4_mul(xb, vs));
    const v128_t im = wasm_f32x4_add(wasm_f32x4_mul(xa, vs), wasm_f32x4_mul(xb, vc));
    interleave4(re, im, &lo, &hi);
    wasm_v128_store(o + 2 * i, lo);
    wasm_v128_store(o + 2 * i + 4, hi);
  }
  for (; i < half; i++) {  // tail: fewer than 4 pairs left
    const float xa = x[2 * i], xb = x[2 * i + 1];
    const float ci = c[i], si = sign * sn[i];
    o[2 * i] = xa * ci - xb * si;
    o[2 * i + 1] = xa * si + xb * ci;
  }
}

static inline void copy_tail__wasmsimd(float* o, const float* x, int32_t n) {
  int32_t j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, wasm_v128_load(x + j));
  for (; j < n; j++) o[j] = x[j];
}

static inline void row__wasmsimd(float* o, const float* x, const float* c, const float* sn,
                                 int32_t head_dim, int32_t rot_dim, int32_t interleaved,
                                 v128_t sgn, float sign) {
  if (interleaved) row_inter__wasmsimd(o, x, c, sn, rot_dim / 2, sgn, sign);
  else row_half__wasmsimd(o, x, c, sn, rot_dim / 2, sgn, sign);
  if (o != x && rot_dim < head_dim) copy_tail__wasmsimd(o + rot_dim, x + rot_dim, head_dim - rot_dim);
}
#endif

// Tokens t = b * n_seq + s in [t0, t1): the SIMD kernel over a slice of the sequence of each batch
// row. Every row is rotated by the same expressions wherever the slice starts.
static void rope_tokens(float* out, const float* x, const float* cos_t, const float* sin_t,
                        const int32_t* pos, int32_t pos_bstride, int32_t offset, int32_t n_batch,
                        int32_t n_seq, int32_t n_head, int32_t head_dim, int32_t rot_dim,
                        int32_t layout, int32_t interleaved, float sin_sign, int64_t t0, int64_t t1) {
#if EK_HAVE_SIMD
  EK_ASSERT(rot_dim >= 2 && rot_dim % 2 == 0 && rot_dim <= head_dim);
  EK_ASSERT(sin_sign == 1.0f || sin_sign == -1.0f);
  const int32_t half = rot_dim / 2;
  const v128_t sgn = wasm_i32x4_splat(sin_sign < 0.0f ? (int32_t)0x80000000u : 0);
  const strides_t st = layout_strides(layout, n_seq, n_head, head_dim);
  for (int32_t b = (int32_t)(t0 / n_seq); b < n_batch && (int64_t)b * n_seq < t1; b++) {
    const int64_t base = (int64_t)b * n_seq;
    const int32_t s0 = t0 > base ? (int32_t)(t0 - base) : 0;
    const int32_t s1 = t1 - base < n_seq ? (int32_t)(t1 - base) : n_seq;
    if (layout == EK_ROPE_BSHD) {
      // A token's heads are contiguous and share one cos/sin row (hot in L1).
      for (int32_t s = s0; s < s1; s++) {
        const size_t p = (size_t)cache_row(pos, pos_bstride, offset, b, s);
        const float* c = cos_t + p * (size_t)half;
        const float* sn = sin_t + p * (size_t)half;
        const size_t at = (size_t)b * st.b + (size_t)s * st.s;
        for (int32_t h = 0; h < n_head; h++) {
          row__wasmsimd(out + at + (size_t)h * st.h, x + at + (size_t)h * st.h, c, sn, head_dim,
                        rot_dim, interleaved, sgn, sin_sign);
        }
      }
    } else {
      // bhsd: each head's rows are contiguous, and every head needs the same cos/sin rows. One
      // head at a time over the whole sequence re-reads the full cos/sin tables (1 MB for
      // 2048 x 64) once per head from L2/L3: 2.6 ms on [1, 32, 2048, 128] against 1.5 ms for bshd.
      // Two heads per pass, row s of head h then row s of head h + 1, read each cos/sin row once
      // for both: 1.7 ms. Four heads per pass was slower (3.2 ms): their streams are 1 MB apart
      // and start to collide in the same cache sets.
      enum { HB = 2 };
      int32_t h = 0;
      for (; h + HB <= n_head; h += HB) {
        const size_t at = (size_t)b * st.b + (size_t)h * st.h;
        for (int32_t s = s0; s < s1; s++) {
          const size_t p = (size_t)cache_row(pos, pos_bstride, offset, b, s);
          for (int32_t k = 0; k < HB; k++) {
            const size_t r = at + (size_t)k * st.h + (size_t)s * st.s;
            row__wasmsimd(out + r, x + r, cos_t + p * (size_t)half, sin_t + p * (size_t)half,
                          head_dim, rot_dim, interleaved, sgn, sin_sign);
          }
        }
      }
      for (; h < n_head; h++) {
        const size_t at = (size_t)b * st.b + (size_t)h * st.h;
        for (int32_t s = s0; s < s1; s++) {
          const size_t p = (size_t)cache_row(pos, pos_bstride, offset, b, s);
          row__wasmsimd(out + at + (size_t)s * st.s, x + at + (size_t)s * st.s,
                        cos_t + p * (size_t)half, sin_t + p * (size_t)half, head_dim, rot_dim,
                        interleaved, sgn, sin_sign);
        }
      }
    }
  }
#else
  (void)t0;
  (void)t1;
  ek_rope_f32__scalar(out, x, cos_t, sin_t, pos, pos_bstride, offset, n_batch, n_seq, n_head,
                      head_dim, rot_dim, layout, interleaved, sin_sign);
#endif
}

EK_EXPORT void ek_rope_f32__wasmsimd(float* out, const float* x, const float* cos_t,
                                     const float* sin_t, const int32_t* pos, int32_t pos_bstride,
                                     int32_t offset, int32_t n_batch, int32_t n_seq,
                                     int32_t n_head, int32_t head_dim, int32_t rot_dim,
                                     int32_t layout, int32_t interleaved, float sin_sign) {
  rope_tokens(out, x, cos_t, sin_t, pos, pos_bstride, offset, n_batch, n_seq, n_head, head_dim,
              rot_dim, layout, interleaved, sin_sign, 0, (int64_t)n_batch * n_seq);
}

#if EK_HAVE_SIMD
typedef struct {
  float* out;
  const float* x;
  const float* cos_t;
  const float* sin_t;
  const int32_t* pos;
  int32_t pos_bstride, offset, n_batch, n_seq, n_head, head_dim, rot_dim, layout, interleaved;
  float sin_sign;
} rope_job;

static void rope_chunk(void* p, int32_t b, int32_t e) {
  const rope_job* j = p;
  rope_tokens(j->out, j->x, j->cos_t, j->sin_t, j->pos, j->pos_bstride, j->offset, j->n_batch,
              j->n_seq, j->n_head, j->head_dim, j->rot_dim, j->layout, j->interleaved, j->sin_sign,
              b, e);
}
#endif

// Threads split the tokens (b, s); out == x stays allowed (a token's rows are its own).
EK_EXPORT void ek_rope_f32(float* out, const float* x, const float* cos_t, const float* sin_t,
                           const int32_t* pos, int32_t pos_bstride, int32_t offset,
                           int32_t n_batch, int32_t n_seq, int32_t n_head, int32_t head_dim,
                           int32_t rot_dim, int32_t layout, int32_t interleaved, float sin_sign) {
#if EK_HAVE_SIMD
  rope_job j = {out, x, cos_t, sin_t, pos, pos_bstride, offset, n_batch, n_seq, n_head, head_dim,
                rot_dim, layout, interleaved, sin_sign};
  const double n = (double)n_batch * (double)n_seq;
  ek_parallel_for(rope_chunk, &j, n_batch * n_seq, 1, 8.0 * n * (double)n_head * (double)head_dim);
#else
  ek_rope_f32__scalar(out, x, cos_t, sin_t, pos, pos_bstride, offset, n_batch, n_seq, n_head,
                      head_dim, rot_dim, layout, interleaved, sin_sign);
#endif
}

EK_EXPORT int32_t ek_max_i32(const int32_t* pos, int32_t n) {
  int32_t m = pos[0];
  for (int32_t i = 1; i < n; i++) m = pos[i] > m ? pos[i] : m;
  return m;
}
