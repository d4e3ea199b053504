// trig.c — the one place that turns angles into float32 sin/cos tables.
//
// Used by sinusoidal position tables (src/c/sinusoidal.c) and by the RoPE cos/sin caches.
// Contract (trig.h): out[r, i] = (float)(scale * sin((pos0 + r) * freqs[i])) and the same with
// cos, to <= 2e-7 absolute against the formula evaluated in float64, for positions far past 2^20.
//
// Why not the usual recipe: angle = pos * freq in float32 rounds the angle to 24 bits. At
// position 10^6 one float32 ulp of the angle is 0.06 rad, so the table is off by up to ~3e-2
// there and by ~1e-3 around 2^15 (llama2.c, ggml and most JS ports do this). Incremental
// frequency products (theta *= theta_scale, ggml) add a drift of their own.
//
// Method (the fast path, __rotate and __wasmsimd):
//   Each column is a rotation by a fixed angle f per row: with s_r = sin(p_r f), c_r = cos(p_r f)
//   and p_{r+1} = p_r + 1, angle addition gives
//       s_{r+1} = s_r cos f + c_r sin f,        c_{r+1} = c_r cos f - s_r sin f,
//   four multiplies and two adds in double per (sin, cos) pair, and no transcendental call.
//   1. Anchors: every EK_TRIG_ANCHOR_ROWS rows (and at row 0) the pair is recomputed from
//      scratch by ek_sincos_exact_f64: the product p * f is formed exactly as a double-double
//      (Dekker's two-product; core wasm has no FMA, so the split is exact), libm's sin/cos in
//      double (musl, with its own exact Payne-Hanek / Cody-Waite reduction by pi/2) take the
//      high part, and the low part enters through the first-order term
//      sin(h + l) = sin h (1 - l^2/2) + l cos h (l <= half an ulp of h, so l^3 is far below a
//      double ulp even at h = 2^31).
//      The step (sin f, cos f) comes from the same function with p = 1.
//   2. Between anchors the recurrence above runs in double. Each step adds at most a few ulp of
//      double (~3e-16 absolute, the step values included) and errors grow at most linearly,
//      so after 1023 steps the state is within ~4e-13 of the exact values: 6 orders below
//      float32's rounding (6e-8 near 1). The state carries `scale`, so output is one rounding.
//   3. Row blocking: the state for a block of up to EK_TRIG_COL_BLOCK columns lives in small
//      arrays (in L1) and each row of the block is written left to right, so the output is
//      written in order: for dim <= 2 * EK_TRIG_COL_BLOCK the whole table is one sequential
//      stream. The job is then bounded by stores, not by sin/cos: 8192 x 768 takes about as
//      long as a few memory passes over the 25 MB table (figures: tests/bench/positions.js).
// Error measured (tests/sinusoidal.test.js, tests/native/test_trig.c): max abs error 2.98e-8
// against the float64 formula and against the exact angle (long double with an exact product),
// over every position below 2^20 (dim 8), sampled rows to 2^20 for dims up to 4096, and
// positions up to 2^31; that is half a float32 ulp at 0.5..1, the rounding of the output itself.
// Near 2^31 the float64 formula's own angle rounding (ulp(p * f) / 2 ~ 1.2e-7) shows: there
// embedkit stays 2.98e-8 from the exact value while __scalar, which rounds the angle to double,
// is 1.27e-7 off (still inside the 2e-7 contract).
// Speed (tests/bench/positions.js, W3, 8192 x 768 interleaved, V8, 2-core EPYC): 1.4-2.3 ms,
// 1.1-1.8x a memory.copy of the same 25 MB; native C with float32 sinf/cosf takes 23-55 ms
// (5.4e-4 off), float64 libm in wasm (__scalar) ~60 ms.

// __scalar is the plain reference: one libm sin and cos in double per element, angle rounded
// to double. It is not bit-exact with the fast path (different routes to the same reals; both
// round to float32 from values that agree to ~1e-12), so tests compare each to float64 with the
// 2e-7 bound, and __wasmsimd to __rotate bit for bit.
//
// What this file does not do: choose frequencies (callers pass them: sinusoidal.js, rope.js),
// or handle positions whose product p * f overflows (callers keep p below 2^31).
#include <math.h>

#include "embedkit.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF  // two_prod below needs the multiplies rounded separately
#endif

// Rows between two exactly recomputed anchors. Larger is faster (fewer libm calls: one sin and
// one cos per column per anchor row) and drifts more (linear: ~3e-16 per row, see above).
#define EK_TRIG_ANCHOR_ROWS 1024
// Columns whose rotation state is held at once (4 arrays of doubles: 16 KiB of stack).
#define EK_TRIG_COL_BLOCK 504

// ---- exact product and anchors -------------------------------------------------------------

// Dekker's split: hi has the top 26 bits of a, lo the rest (a = hi + lo exactly).
// 134217729 = 2^27 + 1. Exact for |a| < 2^996 (no overflow in c * a).
static inline void split(double a, double* hi, double* lo) {
  double t = 134217729.0 * a;
  double h = t - (t - a);
  *hi = h;
  *lo = a - h;
}

// Two-product: a * b = p + e exactly (Dekker 1971), without FMA.
static inline void two_prod(double a, double b, double* p, double* e) {
  double ah, al, bh, bl;
  *p = a * b;
  split(a, &ah, &al);
  split(b, &bh, &bl);
  *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
}

EK_EXPORT void ek_sincos_exact_f64(double* s, double* c, double p, double f) {
  double h, l;
  two_prod(p, f, &h, &l);
  const double sh = sin(h), ch = cos(h);
  if (fabs(l) < 0x1p-20) {
    // sin(h + l) = sin h (1 - l^2/2) + l cos h + O(l^3): |l| <= ulp(h)/2, 1.2e-7 at h = 2^31,
    // where the l^2 term (7e-15) still shows; l^3/6 (< 2^-62 here) does not.
    const double q = 1.0 - 0.5 * l * l;
    *s = sh * q + l * ch;
    *c = ch * q - l * sh;
  } else {
    // |h| >= 2^32 or so: plain angle addition with libm for the small part.
    const double sl = sin(l), cl = cos(l);
    *s = sh * cl + ch * sl;
    *c = ch * cl - sh * sl;
  }
}

// ---- reference ---------------------------------------------------------------------------------

EK_EXPORT void ek_sincos_table_f32__scalar(float* sin_out, float* cos_out, int32_t row_stride,
                                           int32_t col_stride, const double* freqs,
                                           int32_t n_freq, double pos0, int32_t n_pos,
                                           double scale) {
  for (int32_t r = 0; r < n_pos; r++) {
    const double p = pos0 + (double)r;
    float* so = sin_out + (ptrdiff_t)r * row_stride;
    float* co = cos_out + (ptrdiff_t)r * row_stride;
    EK_NO_VECTORIZE
    for (int32_t i = 0; i < n_freq; i++) {
      const double a = p * freqs[i];
      so[(ptrdiff_t)i * col_stride] = (float)(scale * sin(a));
      co[(ptrdiff_t)i * col_stride] = (float)(scale * cos(a));
    }
  }
}

// ---- angle addition, shared pieces -------------------------------------------------------------

typedef struct {
  double s[EK_TRIG_COL_BLOCK], c[EK_TRIG_COL_BLOCK];    // scale * (sin, cos) of the current row
  double ds[EK_TRIG_COL_BLOCK], dc[EK_TRIG_COL_BLOCK];  // (sin f, cos f): one row's rotation
} rot_state;

// One row's rotation. A single-row table (a RoPE cache for one new position) never rotates to
// a row it writes: the identity then saves one libm sin and cos per column.
static void set_steps(rot_state* st, const double* freqs, int32_t nb, int32_t n_pos) {
  for (int32_t j = 0; j < nb; j++) {
    if (n_pos > 1) {
      ek_sincos_exact_f64(&st->ds[j], &st->dc[j], 1.0, freqs[j]);
    } else {
      st->ds[j] = 0.0;
      st->dc[j] = 1.0;
    }
  }
}

static void set_anchor(rot_state* st, const double* freqs, int32_t nb, double p, double scale) {
  for (int32_t j = 0; j < nb; j++) {
    double s, c;
    ek_sincos_exact_f64(&s, &c, p, freqs[j]);
    st->s[j] = scale * s;
    st->c[j] = scale * c;
  }
}

// Write columns [j0, nb) of one row with any strides, then advance them by one row. The SIMD
// kernel uses it for its tails, so both kernels round the same expressions in the same order.
static inline void emit_rotate_scalar(rot_state* st, float* so, float* co, int32_t col_stride,
                                      int32_t j0, int32_t nb) {
  for (int32_t j = j0; j < nb; j++) {
    const double s = st->s[j], c = st->c[j], ds = st->ds[j], dc = st->dc[j];
    so[(ptrdiff_t)j * col_stride] = (float)s;
    co[(ptrdiff_t)j * col_stride] = (float)c;
    st->s[j] = s * dc + c * ds;
    st->c[j] = c * dc - s * ds;
  }
}

// Drive a row kernel over column blocks and rows; anchors every EK_TRIG_ANCHOR_ROWS rows.
typedef void (*row_fn)(rot_state* st, float* so, float* co, int32_t col_stride, int32_t nb);

static void rotate_driver(row_fn row, float* sin_out, float* cos_out, int32_t row_stride,
                          int32_t col_stride, const double* freqs, int32_t n_freq, double pos0,
                          int32_t n_pos, double scale) {
  rot_state st;
  for (int32_t j0 = 0; j0 < n_freq; j0 += EK_TRIG_COL_BLOCK) {
    const int32_t nb = n_freq - j0 < EK_TRIG_COL_BLOCK ? n_freq - j0 : EK_TRIG_COL_BLOCK;
    set_steps(&st, freqs + j0, nb, n_pos);
    float* so = sin_out + (ptrdiff_t)j0 * col_stride;
    float* co = cos_out + (ptrdiff_t)j0 * col_stride;
    for (int32_t r = 0; r < n_pos; r++) {
      if (r % EK_TRIG_ANCHOR_ROWS == 0) set_anchor(&st, freqs + j0, nb, pos0 + (double)r, scale);
      row(&st, so + (ptrdiff_t)r * row_stride, co + (ptrdiff_t)r * row_stride, col_stride, nb);
    }
  }
}

static void row_rotate_scalar(rot_state* st, float* so, float* co, int32_t col_stride,
                              int32_t nb) {
  emit_rotate_scalar(st, so, co, col_stride, 0, nb);
}

EK_EXPORT void ek_sincos_table_f32__rotate(float* sin_out, float* cos_out, int32_t row_stride,
                                           int32_t col_stride, const double* freqs,
                                           int32_t n_freq, double pos0, int32_t n_pos,
                                           double scale) {
  rotate_driver(row_rotate_scalar, sin_out, cos_out, row_stride, col_stride, freqs, n_freq, pos0,
                n_pos, scale);
}

// ---- angle addition, wasm SIMD ------------------------------------------------------------------

#if EK_HAVE_SIMD
// Columns j..j+3 of the state rounded to float32: (x0 x1 x2 x3) from two f64x2 demotes, which
// fill lanes 0-1 and zero 2-3; the shuffle takes lanes 0 1 of the first and 0 1 of the second.
static inline v128_t demote4(const double* x) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(wasm_v128_load(x)),
                            wasm_f32x4_demote_f64x2_zero(wasm_v128_load(x + 2)), 0, 1, 4, 5);
}

// Advance columns j, j+1 by one row (the same expressions, in the same order, as
// emit_rotate_scalar: no FMA in wasm, so the bits match).
static inline void rotate2(rot_state* st, int32_t j) {
  const v128_t s = wasm_v128_load(st->s + j), c = wasm_v128_load(st->c + j);
  const v128_t ds = wasm_v128_load(st->ds + j), dc = wasm_v128_load(st->dc + j);
  wasm_v128_store(st->s + j, wasm_f64x2_add(wasm_f64x2_mul(s, dc), wasm_f64x2_mul(c, ds)));
  wasm_v128_store(st->c + j, wasm_f64x2_sub(wasm_f64x2_mul(c, dc), wasm_f64x2_mul(s, ds)));
}

// Interleaved sinusoidal layout (cos_out == sin_out + 1, col_stride 2): a row segment is
// s0 c0 s1 c1 s2 c2 s3 c3; with fs in lanes 0..3 and fc in lanes 4..7 the shuffles
// (0 4 1 5) and (2 6 3 7) give s0 c0 s1 c1 and s2 c2 s3 c3.
static void row_interleaved_v128(rot_state* st, float* so, float* co, int32_t col_stride,
                                 int32_t nb) {
  int32_t j = 0;
  for (; j + 4 <= nb; j += 4) {
    const v128_t fs = demote4(st->s + j), fc = demote4(st->c + j);
    wasm_v128_store(so + 2 * j, wasm_i32x4_shuffle(fs, fc, 0, 4, 1, 5));
    wasm_v128_store(so + 2 * j + 4, wasm_i32x4_shuffle(fs, fc, 2, 6, 3, 7));
    rotate2(st, j);
    rotate2(st, j + 2);
  }
  emit_rotate_scalar(st, so, co, col_stride, j, nb);
}

// Contiguous columns (col_stride 1): concat sinusoidal layout and the RoPE caches. Two passes
// over the (L1-resident) state, the sin half of the row and then the cos half, so each pass
// writes one sequential stream: in the concat layout both halves share a row, and storing to
// both in one loop ran 2x slower in V8 (measured at dim 768).
static void row_contiguous_v128(rot_state* st, float* so, float* co, int32_t col_stride,
                                int32_t nb) {
  (void)col_stride;
  int32_t j = 0;
  for (; j + 4 <= nb; j += 4) wasm_v128_store(so + j, demote4(st->s + j));
  for (; j < nb; j++) so[j] = (float)st->s[j];
  for (j = 0; j + 4 <= nb; j += 4) {
    wasm_v128_store(co + j, demote4(st->c + j));
    rotate2(st, j);
    rotate2(st, j + 2);
  }
  for (; j < nb; j++) {
    const double s = st->s[j], c = st->c[j], ds = st->ds[j], dc = st->dc[j];
    co[j] = (float)c;
    st->s[j] = s * dc + c * ds;
    st->c[j] = c * dc - s * ds;
  }
}
#endif

EK_EXPORT void ek_sincos_table_f32__wasmsimd(float* sin_out, float* cos_out, int32_t row_stride,
                                             int32_t col_stride, const double* freqs,
                                             int32_t n_freq, double pos0, int32_t n_pos,
                                             double scale) {
#if EK_HAVE_SIMD
  row_fn row = row_rotate_scalar;
  if (col_stride == 1)
    row = row_contiguous_v128;
  else if (col_stride == 2 && cos_out == sin_out + 1)
    row = row_interleaved_v128;
  rotate_driver(row, sin_out, cos_out, row_stride, col_stride, freqs, n_freq, pos0, n_pos, scale);
#else
  ek_sincos_table_f32__rotate(sin_out, cos_out, row_stride, col_stride, freqs, n_freq, pos0,
                              n_pos, scale);
#endif
}

typedef struct {
  float* sin_out;
  float* cos_out;
  int32_t row_stride, col_stride;
  const double* freqs;
  int32_t n_freq;
  double pos0, scale;
} table_job;

// Rows [b, e), b a multiple of EK_TRIG_ANCHOR_ROWS: the chunk starts at an anchor, as the
// one-thread table does at that row, so every row has the same bits.
static void table_chunk(void* p, int32_t b, int32_t e) {
  const table_job* j = p;
  ek_sincos_table_f32__wasmsimd(j->sin_out + (ptrdiff_t)b * j->row_stride, j->cos_out + (ptrdiff_t)b * j->row_stride,
                                j->row_stride, j->col_stride, j->freqs, j->n_freq, j->pos0 + (double)b,
                                e - b, j->scale);
}

EK_EXPORT void ek_sincos_table_f32(float* sin_out, float* cos_out, int32_t row_stride,
                                   int32_t col_stride, const double* freqs, int32_t n_freq,
                                   double pos0, int32_t n_pos, double scale) {
  EK_ASSERT(n_freq >= 0 && n_pos >= 0 && pos0 >= 0.0 && pos0 == floor(pos0));
  table_job j = {sin_out, cos_out, row_stride, col_stride, freqs, n_freq, pos0, scale};
  ek_parallel_for(table_chunk, &j, n_pos, EK_TRIG_ANCHOR_ROWS, 8.0 * (double)n_pos * (double)n_freq);
}
