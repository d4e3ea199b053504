// vec_f32.h — small float32 vector primitives shared by the training and neighbour kernels
// (word2vec.c, neighbors.c). Private to the C sources: not included from embedkit.h, nothing
// here is exported.
//
// Each primitive has a scalar twin (…_s) and a SIMD twin (…_v). The SIMD dot product keeps
// eight partial sums (two f32x4 accumulators) and combines them in a fixed order; the scalar
// twin performs the very same additions in the very same order, lane by lane, so both give the
// same bits. Elementwise primitives are bit-exact by construction. Core wasm has no fused
// multiply-add, and the native test build uses -ffp-contract=off, so a*b+c rounds twice in all
// four builds.
//
// Order of the dot product over n elements (n8 = n rounded down to 8):
//   acc[k] = sum over j < n8, j = k (mod 8), in increasing j, of a[j]*b[j]     (k = 0..7)
//   v[k]   = acc[k] + acc[k+4]                                                 (k = 0..3)
//   if n - n8 >= 4:  v[k] += a[n8+k]*b[n8+k]
//   s      = (v[0] + v[2]) + (v[1] + v[3]);  then s += a[j]*b[j] for the last n % 4 elements.
#ifndef EK_VEC_F32_H
#define EK_VEC_F32_H

#include "common.h"

#if defined(__GNUC__)
#define EK_INLINE static inline __attribute__((always_inline))
#else
#define EK_INLINE static inline
#endif

EK_INLINE float ek_dot_s(const float* a, const float* b, int32_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    EK_NO_VECTORIZE
    for (int32_t k = 0; k < 8; k++) acc[k] += a[j + k] * b[j + k];
  }
  float v[4];
  for (int32_t k = 0; k < 4; k++) v[k] = acc[k] + acc[k + 4];
  if (j + 4 <= n) {
    for (int32_t k = 0; k < 4; k++) v[k] += a[j + k] * b[j + k];
    j += 4;
  }
  float s = (v[0] + v[2]) + (v[1] + v[3]);
  for (; j < n; j++) s += a[j] * b[j];
  return s;
}

// y[j] += x[j]
EK_INLINE void ek_add_s(float* y, const float* x, int32_t n) {
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < n; j++) y[j] += x[j];
}

// y[j] = 0
EK_INLINE void ek_zero_s(float* y, int32_t n) {
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < n; j++) y[j] = 0.0f;
}

// y[j] /= d
EK_INLINE void ek_div_s(float* y, float d, int32_t n) {
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < n; j++) y[j] /= d;
}

// y[j] *= s
EK_INLINE void ek_scale_s(float* y, float s, int32_t n) {
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < n; j++) y[j] *= s;
}

// The negative-sampling update of one output row o against the hidden vector h, with the
// old o used for both: e[j] += g * o[j];  o[j] += g * h[j].
EK_INLINE void ek_sgns_update_s(float* e, float* o, const float* h, float g, int32_t n) {
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < n; j++) {
    const float oj = o[j];
    e[j] += g * oj;
    o[j] = oj + g * h[j];
  }
}

// Dots of h with k rows: out[r] = ek_dot(h, rows[r], n), each in the order above.
EK_INLINE void ek_dot_rows_s(float* out, const float* h, float* const* rows, int32_t k, int32_t n) {
  for (int32_t r = 0; r < k; r++) out[r] = ek_dot_s(h, rows[r], n);
}

// The update of ek_sgns_update for k distinct rows in one pass: for r = 0 .. k-1 in order,
// e[j] += g[r] * o_r[j];  o_r[j] += g[r] * h[j] (old o_r) — the same operations in the same order
// per element as k calls of ek_sgns_update, so the same bits; e and h are read once.
EK_INLINE void ek_sgns_rows_s(float* e, float* const* rows, const float* g, int32_t k, const float* h,
                              int32_t n) {
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < n; j++) {
    float ej = e[j];
    const float hj = h[j];
    for (int32_t r = 0; r < k; r++) {
      const float oj = rows[r][j];
      ej += g[r] * oj;
      rows[r][j] = oj + g[r] * hj;
    }
    e[j] = ej;
  }
}

#if EK_HAVE_SIMD
// The end of ek_dot_v from the combined accumulators v (j = n rounded down to 8): the last
// group of four, the fixed horizontal sum, then the last n % 4 products.
EK_INLINE float ek_dot_tail_v(v128_t v, const float* a, const float* b, int32_t j, int32_t n) {
  if (j + 4 <= n) {
    v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_v128_load(a + j), wasm_v128_load(b + j)));
    j += 4;
  }
  const v128_t t = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  float s = wasm_f32x4_extract_lane(t, 0) + wasm_f32x4_extract_lane(t, 1);
  for (; j < n; j++) s += a[j] * b[j];
  return s;
}

EK_INLINE float ek_dot_v(const float* a, const float* b, int32_t n) {
  v128_t s0 = wasm_f32x4_splat(0.0f), s1 = wasm_f32x4_splat(0.0f);
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + j), wasm_v128_load(b + j)));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(a + j + 4), wasm_v128_load(b + j + 4)));
  }
  return ek_dot_tail_v(wasm_f32x4_add(s0, s1), a, b, j, n);
}

// Four dots at once (h loaded once, eight independent accumulator chains), each row's partial
// sums and their combination exactly as ek_dot_v.
EK_INLINE void ek_dot4_v(float* out, const float* h, const float* o0, const float* o1,
                         const float* o2, const float* o3, int32_t n) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const v128_t h0 = wasm_v128_load(h + j), h1 = wasm_v128_load(h + j + 4);
    a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(h0, wasm_v128_load(o0 + j)));
    a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(h1, wasm_v128_load(o0 + j + 4)));
    b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(h0, wasm_v128_load(o1 + j)));
    b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(h1, wasm_v128_load(o1 + j + 4)));
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(h0, wasm_v128_load(o2 + j)));
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(h1, wasm_v128_load(o2 + j + 4)));
    d0 = wasm_f32x4_add(d0, wasm_f32x4_mul(h0, wasm_v128_load(o3 + j)));
    d1 = wasm_f32x4_add(d1, wasm_f32x4_mul(h1, wasm_v128_load(o3 + j + 4)));
  }
  out[0] = ek_dot_tail_v(wasm_f32x4_add(a0, a1), h, o0, j, n);
  out[1] = ek_dot_tail_v(wasm_f32x4_add(b0, b1), h, o1, j, n);
  out[2] = ek_dot_tail_v(wasm_f32x4_add(c0, c1), h, o2, j, n);
  out[3] = ek_dot_tail_v(wasm_f32x4_add(d0, d1), h, o3, j, n);
}

// Two dots at once, as ek_dot4_v.
EK_INLINE void ek_dot2_v(float* out, const float* h, const float* o0, const float* o1, int32_t n) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, b0 = a0, b1 = a0;
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const v128_t h0 = wasm_v128_load(h + j), h1 = wasm_v128_load(h + j + 4);
    a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(h0, wasm_v128_load(o0 + j)));
    a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(h1, wasm_v128_load(o0 + j + 4)));
    b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(h0, wasm_v128_load(o1 + j)));
    b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(h1, wasm_v128_load(o1 + j + 4)));
  }
  out[0] = ek_dot_tail_v(wasm_f32x4_add(a0, a1), h, o0, j, n);
  out[1] = ek_dot_tail_v(wasm_f32x4_add(b0, b1), h, o1, j, n);
}

EK_INLINE void ek_dot_rows_v(float* out, const float* h, float* const* rows, int32_t k, int32_t n) {
  int32_t r = 0;
  for (; r + 4 <= k; r += 4) ek_dot4_v(out + r, h, rows[r], rows[r + 1], rows[r + 2], rows[r + 3], n);
  if (r + 2 <= k) {
    ek_dot2_v(out + r, h, rows[r], rows[r + 1], n);
    r += 2;
  }
  if (r < k) out[r] = ek_dot_v(h, rows[r], n);
}

EK_INLINE void ek_sgns_rows_v(float* e, float* const* rows, const float* g, int32_t k, const float* h,
                              int32_t n) {
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    v128_t e0 = wasm_v128_load(e + j), e1 = wasm_v128_load(e + j + 4);
    const v128_t h0 = wasm_v128_load(h + j), h1 = wasm_v128_load(h + j + 4);
    for (int32_t r = 0; r < k; r++) {
      const v128_t vg = wasm_f32x4_splat(g[r]);
      float* o = rows[r] + j;
      const v128_t o0 = wasm_v128_load(o), o1 = wasm_v128_load(o + 4);
      e0 = wasm_f32x4_add(e0, wasm_f32x4_mul(vg, o0));
      e1 = wasm_f32x4_add(e1, wasm_f32x4_mul(vg, o1));
      wasm_v128_store(o, wasm_f32x4_add(o0, wasm_f32x4_mul(vg, h0)));
      wasm_v128_store(o + 4, wasm_f32x4_add(o1, wasm_f32x4_mul(vg, h1)));
    }
    wasm_v128_store(e + j, e0);
    wasm_v128_store(e + j + 4, e1);
  }
  for (; j + 4 <= n; j += 4) {
    v128_t e0 = wasm_v128_load(e + j);
    const v128_t h0 = wasm_v128_load(h + j);
    for (int32_t r = 0; r < k; r++) {
      const v128_t vg = wasm_f32x4_splat(g[r]);
      float* o = rows[r] + j;
      const v128_t o0 = wasm_v128_load(o);
      e0 = wasm_f32x4_add(e0, wasm_f32x4_mul(vg, o0));
      wasm_v128_store(o, wasm_f32x4_add(o0, wasm_f32x4_mul(vg, h0)));
    }
    wasm_v128_store(e + j, e0);
  }
  for (; j < n; j++) {
    float ej = e[j];
    const float hj = h[j];
    for (int32_t r = 0; r < k; r++) {
      const float oj = rows[r][j];
      ej += g[r] * oj;
      rows[r][j] = oj + g[r] * hj;
    }
    e[j] = ej;
  }
}

EK_INLINE void ek_add_v(float* y, const float* x, int32_t n) {
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    v128_t a = wasm_f32x4_add(wasm_v128_load(y + j), wasm_v128_load(x + j));
    v128_t b = wasm_f32x4_add(wasm_v128_load(y + j + 4), wasm_v128_load(x + j + 4));
    wasm_v128_store(y + j, a);
    wasm_v128_store(y + j + 4, b);
  }
  for (; j + 4 <= n; j += 4) wasm_v128_store(y + j, wasm_f32x4_add(wasm_v128_load(y + j), wasm_v128_load(x + j)));
  for (; j < n; j++) y[j] += x[j];
}

EK_INLINE void ek_zero_v(float* y, int32_t n) {
  const v128_t z = wasm_f32x4_splat(0.0f);
  int32_t j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(y + j, z);
  for (; j < n; j++) y[j] = 0.0f;
}

EK_INLINE void ek_div_v(float* y, float d, int32_t n) {
  const v128_t vd = wasm_f32x4_splat(d);
  int32_t j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(y + j, wasm_f32x4_div(wasm_v128_load(y + j), vd));
  for (; j < n; j++) y[j] /= d;
}

EK_INLINE void ek_scale_v(float* y, float s, int32_t n) {
  const v128_t vs = wasm_f32x4_splat(s);
  int32_t j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(y + j, wasm_f32x4_mul(wasm_v128_load(y + j), vs));
  for (; j < n; j++) y[j] *= s;
}

EK_INLINE void ek_sgns_update_v(float* e, float* o, const float* h, float g, int32_t n) {
  const v128_t vg = wasm_f32x4_splat(g);
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    v128_t o0 = wasm_v128_load(o + j), o1 = wasm_v128_load(o + j + 4);
    wasm_v128_store(e + j, wasm_f32x4_add(wasm_v128_load(e + j), wasm_f32x4_mul(vg, o0)));
    wasm_v128_store(e + j + 4, wasm_f32x4_add(wasm_v128_load(e + j + 4), wasm_f32x4_mul(vg, o1)));
    wasm_v128_store(o + j, wasm_f32x4_add(o0, wasm_f32x4_mul(vg, wasm_v128_load(h + j))));
    wasm_v128_store(o + j + 4, wasm_f32x4_add(o1, wasm_f32x4_mul(vg, wasm_v128_load(h + j + 4))));
  }
  for (; j + 4 <= n; j += 4) {
    v128_t o0 = wasm_v128_load(o + j);
    wasm_v128_store(e + j, wasm_f32x4_add(wasm_v128_load(e + j), wasm_f32x4_mul(vg, o0)));
    wasm_v128_store(o + j, wasm_f32x4_add(o0, wasm_f32x4_mul(vg, wasm_v128_load(h + j))));
  }
  for (; j < n; j++) {
    const float oj = o[j];
    e[j] += g * oj;
    o[j] = oj + g * h[j];
  }
}
#endif

// Pick the twin at compile time inside functions specialised on a constant `simd` flag.
#if EK_HAVE_SIMD
#define EK_DOT(simd, a, b, n) ((simd) ? ek_dot_v(a, b, n) : ek_dot_s(a, b, n))
#define EK_ADD(simd, y, x, n) ((simd) ? ek_add_v(y, x, n) : ek_add_s(y, x, n))
#define EK_ZERO(simd, y, n) ((simd) ? ek_zero_v(y, n) : ek_zero_s(y, n))
#define EK_DIV(simd, y, d, n) ((simd) ? ek_div_v(y, d, n) : ek_div_s(y, d, n))
#define EK_SCALE(simd, y, s, n) ((simd) ? ek_scale_v(y, s, n) : ek_scale_s(y, s, n))
#define EK_DOT_ROWS(simd, out, h, rows, k, n) ((simd) ? ek_dot_rows_v(out, h, rows, k, n) : ek_dot_rows_s(out, h, rows, k, n))
#define EK_SGNS_ROWS(simd, e, rows, g, k, h, n) ((simd) ? ek_sgns_rows_v(e, rows, g, k, h, n) : ek_sgns_rows_s(e, rows, g, k, h, n))
#define EK_SGNS(simd, e, o, h, g, n) ((simd) ? ek_sgns_update_v(e, o, h, g, n) : ek_sgns_update_s(e, o, h, g, n))
#else
#define EK_DOT(simd, a, b, n) ((void)(simd), ek_dot_s(a, b, n))
#define EK_ADD(simd, y, x, n) ((void)(simd), ek_add_s(y, x, n))
#define EK_ZERO(simd, y, n) ((void)(simd), ek_zero_s(y, n))
#define EK_DIV(simd, y, d, n) ((void)(simd), ek_div_s(y, d, n))
#define EK_SCALE(simd, y, s, n) ((void)(simd), ek_scale_s(y, s, n))
#define EK_DOT_ROWS(simd, out, h, rows, k, n) ((void)(simd), ek_dot_rows_s(out, h, rows, k, n))
#define EK_SGNS_ROWS(simd, e, rows, g, k, h, n) ((void)(simd), ek_sgns_rows_s(e, rows, g, k, h, n))
#define EK_SGNS(simd, e, o, h, g, n) ((void)(simd), ek_sgns_update_s(e, o, h, g, n))
#endif

#endif  // EK_VEC_F32_H
