// init.c — seeded N(mean, std^2) table initialisation (see ek_init_normal_f32 in embedkit.h).
// One generator, documented bit for bit, so that the same seed gives the same table in Node,
// in every browser and in the JS reimplementation the tests use (tests/helpers/pcg.js).
//
// Three kernels draw the same uniforms in the same order and differ only in how the Box-Muller
// step r = sqrt(-2 ln(1 - u1)), (r cos t, r sin t), t = fl(2pi * u2) is evaluated:
//   __scalar    musl's log, sqrt, cos, sin (the reference; what every version before used).
//   __poly      plain C with the polynomial ln and sincos below: the no-SIMD build's kernel.
//   __wasmsimd  the same polynomial code on f64x2 lanes (two normal pairs per step). Same
//               double operations in the same order as __poly, no FMA: bit-exact with __poly,
//               so the SIMD and the no-SIMD builds give identical tables.
// The PCG stream is sequential, but its LCG can jump ahead: the fast kernels keep four states one
// step apart and advance each by four steps (pcg32x4 below), which yields exactly the documented
// output sequence from four independent multiply chains, fill a block of uniforms (stays in L1),
// then run the transcendental part over the block.
//
// ln(x), x = 1 - u1 in [2^-53, 1] (exact: u1 is a multiple of 2^-53): fdlibm's e_log.c
//   (Sun, 1993; musl's log before 1.1.20): x = 2^k m, m in [sqrt(2)/2, sqrt(2)), f = m - 1,
//   s = f / (2 + f), ln(1 + f) = 2s + s R(s^2) with a degree-7 minimax R (Lg1..Lg7, error
//   < 2^-58.45), reassembled as k ln2_hi + (f - (hfsq - (s (hfsq + R) + k ln2_lo))). < 1 ulp.
// sin, cos of t in [0, 2pi): the quadrant trick with musl's __rem_pio2 constants:
//   n = rint(t * 2/pi) in 0..4, y = t - n (pi/2) as a double-double y0 + y1 with pi/2 split in
//   33-bit pieces (pio2_1 + pio2_2 + pio2_2t; n pio2_1 and n pio2_2 are exact and t - n pio2_1
//   is exact by Sterbenz, so y is good to ~2^-118 even next to a multiple of pi/2: musl's
//   "medium" path, taken always), then fdlibm's __sin / __cos kernels on |y| <= pi/4 (degree 13
//   and 14, < 1 ulp) and the quadrant's swap and signs as bit operations.
// sqrt is IEEE (correctly rounded) everywhere.
//
// Measured error (tests/native/test_init.c, x86-64 with long double references; inputs of the
// exact kind the generator produces, 1 - j 2^-53 and fl(2pi j 2^-53), plus edge cases; the
// figures are from a run with EK_INIT_SAMPLES=100000000, i.e. 2e8 inputs each):
//   ln:      max 0.870 ulp of double; 3.9% of results differ from glibc's log
//   sin/cos: max 0.793 ulp of double; 3.1% differ from glibc's sin/cos
//   float32 outputs equal to __scalar's: all of 10^7 (native, glibc libm) and all of 10^8 in
//   wasm against musl (5 seeds x 2e7; tests/init-fast.test.js re-counts 10^7 on every run).
//   A 1-ulp difference in double flips the float32 rounding with probability ~2^-29, and only
//   a few % of the doubles differ, so a mismatch is possible (~1e-10 per value) but rare; it
//   is then 1 float32 ulp.
// Speed (Node 20 / V8, 2-core EPYC, 50257 x 768 = 38.6M values, kernel call, best of 5, two
// runs; the uniforms alone take ~1.7 ns/value):
//   __scalar (musl libm per pair)      16.3-17.2 ns/value  (the kernel used before)
//   __poly (no-SIMD build's kernel)    10.0-10.3 ns/value
//   __wasmsimd (SIMD build's kernel)    4.7 ns/value
//   new Embedding(50257, 768) (allocation and zeroed gradient included): 676 ms -> 185 ms.
#include <math.h>
#include <string.h>

#include "embedkit.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF  // __poly and __wasmsimd must round every operation the same way
#endif

typedef struct { uint64_t state, inc; } pcg32;

// PCG-XSH-RR 64/32, O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
// Algorithms for Random Number Generation" (2014): multiplier 6364136223846793005.
static inline uint32_t pcg32_next(pcg32* g) {
  uint64_t old = g->state;
  g->state = old * 6364136223846793005ULL + g->inc;
  uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
  uint32_t rot = (uint32_t)(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

// pcg32_srandom_r(initstate, initseq) from the reference implementation.
static void pcg32_seed(pcg32* g, uint64_t initstate, uint64_t initseq) {
  g->state = 0u;
  g->inc = (initseq << 1u) | 1u;
  pcg32_next(g);
  g->state += initstate;
  pcg32_next(g);
}

// 53-bit uniform in [0, 1): (a >> 5) * 2^26 + (b >> 6), over 2^53 (genrand_res53's recipe).
static inline double uniform53(pcg32* g) {
  uint32_t a = pcg32_next(g) >> 5, b = pcg32_next(g) >> 6;
  return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);
}

static const double two_pi = 6.283185307179586;  // 2*pi rounded to double

// The same stream as uniform53, four outputs at a time, for the fast kernels: four LCG states
// one step apart, each advanced by four steps (s <- A4 s + C4 with A4 = A^4 and
// C4 = inc (A^3 + A^2 + A + 1) mod 2^64), so four independent multiply chains run side by side
// instead of one serial chain. Outputs in order: a1, b1 (-> u1), a2, b2 (-> u2).
typedef struct { uint64_t s[4], a4, c4; } pcg32x4;

static void pcg32x4_from(pcg32x4* q, const pcg32* g) {
  const uint64_t A = 6364136223846793005ULL;
  q->s[0] = g->state;
  for (int k = 1; k < 4; k++) q->s[k] = q->s[k - 1] * A + g->inc;
  q->a4 = A * A * A * A;
  q->c4 = g->inc * (A * A * A + A * A + A + 1u);
}

static inline uint32_t pcg32_out(uint64_t old) {
  uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
  uint32_t rot = (uint32_t)(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

// m pairs of uniforms (u1[j], u2[j]) from the next 4m generator outputs.
static void pcg32x4_uniforms(pcg32x4* q, double* u1, double* u2, uint64_t m) {
  uint64_t s0 = q->s[0], s1 = q->s[1], s2 = q->s[2], s3 = q->s[3];
  const uint64_t a4 = q->a4, c4 = q->c4;
  const double scale = 1.0 / 9007199254740992.0;
  for (uint64_t j = 0; j < m; j++) {
    uint32_t a1 = pcg32_out(s0) >> 5, b1 = pcg32_out(s1) >> 6;
    uint32_t a2 = pcg32_out(s2) >> 5, b2 = pcg32_out(s3) >> 6;
    s0 = s0 * a4 + c4; s1 = s1 * a4 + c4; s2 = s2 * a4 + c4; s3 = s3 * a4 + c4;
    u1[j] = ((double)a1 * 67108864.0 + (double)b1) * scale;
    u2[j] = ((double)a2 * 67108864.0 + (double)b2) * scale;
  }
  q->s[0] = s0; q->s[1] = s1; q->s[2] = s2; q->s[3] = s3;
}



// ---- reference: musl libm --------------------------------------------------------------------

EK_EXPORT void ek_init_normal_f32__scalar(float* out, uint32_t n, uint32_t seed_lo,
                                          uint32_t seed_hi, double mean, double std) {
  pcg32 g;
  pcg32_seed(&g, ((uint64_t)seed_hi << 32) | seed_lo, 0x454bu);
  EK_NO_VECTORIZE
  for (uint64_t i = 0; i < n; i += 2) {
    double u1 = uniform53(&g), u2 = uniform53(&g);
    double r = sqrt(-2.0 * log(1.0 - u1));  // 1 - u1 is in (0, 1]: log is finite
    double t = two_pi * u2;
    out[i] = (float)(mean + std * (r * cos(t)));
    if (i + 1 < n) out[i + 1] = (float)(mean + std * (r * sin(t)));
  }
}

// ---- the polynomial evaluation (shared constants) ------------------------------------------------

static const double
    ln2_hi = 6.93147180369123816490e-01,  // 0x3fe62e42 fee00000
    ln2_lo = 1.90821492927058770002e-10,  // 0x3dea39ef 35793c76
    Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
    Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
    Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
    Lg7 = 1.479819860511658591e-01,
    toint = 6755399441055744.0,           // 1.5 * 2^52: x + toint - toint = rint(x)
    invpio2 = 6.36619772367581382433e-01, // 0x3FE45F30 6DC9C883
    pio2_1 = 1.57079632673412561417e+00,  // first 33 bits of pi/2
    pio2_2 = 6.07710050630396597660e-11,  // next 33 bits
    pio2_2t = 2.02226624879595063154e-21, // pi/2 - (pio2_1 + pio2_2)
    S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
    S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
    S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10,
    C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
    C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
    C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;

static inline uint64_t bits_of(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline double double_of(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

// ln(x) for x in [2^-53, 1] (normal, positive; no special cases needed).
static inline double ln_poly(double x) {
  uint64_t u = bits_of(x);
  uint64_t hx = (u >> 32) + (0x3ff00000u - 0x3fe6a09eu);
  int64_t k = (int64_t)(hx >> 20) - 0x3ff;
  hx = (hx & 0x000fffffu) + 0x3fe6a09eu;
  double m = double_of((hx << 32) | (u & 0xffffffffu));
  double f = m - 1.0;
  double hfsq = 0.5 * f * f;
  double s = f / (2.0 + f);
  double z = s * s, w = z * z;
  double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  double R = t2 + t1, dk = (double)k;
  return s * (hfsq + R) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}

// *s = sin(t), *c = cos(t) for t in [0, 2pi) (in fact any |t| < ~2^20 with t >= 0).
static inline void sincos_poly(double t, double* sn, double* cs) {
  double y = t * invpio2 + toint;
  uint64_t q = bits_of(y);  // low bits: n = rint(t * 2/pi)
  double fn = y - toint;
  double z = t - fn * pio2_1;  // exact
  double w = fn * pio2_2;      // exact
  double r = z - w;
  w = fn * pio2_2t - ((z - r) - w);
  double y0 = r - w, y1 = (r - y0) - w;
  // fdlibm __sin(y0, y1, 1) and __cos(y0, y1)
  double zz = y0 * y0, ww = zz * zz;
  double rs = S2 + zz * (S3 + zz * S4) + zz * ww * (S5 + zz * S6);
  double v = zz * y0;
  double s = y0 - ((zz * (0.5 * y1 - v * rs) - y1) - v * S1);
  double rc = zz * (C1 + zz * (C2 + zz * C3)) + ww * ww * (C4 + zz * (C5 + zz * C6));
  double hz = 0.5 * zz, w1 = 1.0 - hz;
  double c = w1 + (((1.0 - w1) - hz) + (zz * rc - y0 * y1));
  // quadrant n: sin = (s, c, -s, -c)[n & 3], cos = (c, -s, -c, s)[n & 3]
  uint64_t sb = bits_of((q & 1) ? c : s), cb = bits_of((q & 1) ? s : c);
  *sn = double_of(sb ^ ((q & 2) << 62));
  *cs = double_of(cb ^ (((q + 1) & 2) << 62));
}

// The two evaluations alone, exported for tests/native/test_init.c's accuracy measurement.
EK_EXPORT double ek_init_ln_f64(double x) { return ln_poly(x); }
EK_EXPORT void ek_init_sincos_f64(double* s, double* c, double t) { sincos_poly(t, s, c); }

// One Box-Muller pair from (u1, u2) into out[i] and, if i + 1 < n, out[i + 1].
static inline void pair_poly(float* out, uint64_t i, uint64_t n, double u1, double u2,
                             double mean, double std) {
  double r = sqrt(-2.0 * ln_poly(1.0 - u1));
  double s, c;
  sincos_poly(two_pi * u2, &s, &c);
  out[i] = (float)(mean + std * (r * c));
  if (i + 1 < n) out[i + 1] = (float)(mean + std * (r * s));
}

#define EK_INIT_BLOCK 256  // normal pairs per block of uniforms (4 KB of doubles)

EK_EXPORT void ek_init_normal_f32__poly(float* out, uint32_t n, uint32_t seed_lo,
                                        uint32_t seed_hi, double mean, double std) {
  pcg32 g;
  pcg32_seed(&g, ((uint64_t)seed_hi << 32) | seed_lo, 0x454bu);
  pcg32x4 q;
  pcg32x4_from(&q, &g);
  double u1[EK_INIT_BLOCK], u2[EK_INIT_BLOCK];
  const uint64_t npairs = ((uint64_t)n + 1) / 2;
  for (uint64_t base = 0; base < npairs; base += EK_INIT_BLOCK) {
    uint64_t m = npairs - base < EK_INIT_BLOCK ? npairs - base : EK_INIT_BLOCK;
    pcg32x4_uniforms(&q, u1, u2, m);
    uint64_t j = 0;
    EK_NO_VECTORIZE
    for (; j + 2 <= m; j += 2) {  // two independent pairs per step give the engine some overlap
      pair_poly(out, 2 * (base + j), n, u1[j], u2[j], mean, std);
      pair_poly(out, 2 * (base + j) + 2, n, u1[j + 1], u2[j + 1], mean, std);
    }
    if (j < m) pair_poly(out, 2 * (base + j), n, u1[j], u2[j], mean, std);
  }
}

#if EK_HAVE_SIMD
// ln on two lanes: ln_poly's operations, lane by lane.
static inline v128_t ln_f64x2(v128_t x) {
  v128_t hx = wasm_i64x2_add(wasm_u64x2_shr(x, 32), wasm_i64x2_splat(0x3ff00000 - 0x3fe6a09e));
  v128_t k = wasm_i64x2_sub(wasm_u64x2_shr(hx, 20), wasm_i64x2_splat(0x3ff));
  hx = wasm_i64x2_add(wasm_v128_and(hx, wasm_i64x2_splat(0x000fffff)), wasm_i64x2_splat(0x3fe6a09e));
  v128_t m = wasm_v128_or(wasm_i64x2_shl(hx, 32), wasm_v128_and(x, wasm_i64x2_splat(0xffffffff)));
  // k is in [-53, 0]: its low 32-bit halves are the i32 values
  v128_t dk = wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(k, k, 0, 2, 0, 2));
  const v128_t one = wasm_f64x2_splat(1.0), half = wasm_f64x2_splat(0.5);
  v128_t f = wasm_f64x2_sub(m, one);
  v128_t hfsq = wasm_f64x2_mul(wasm_f64x2_mul(half, f), f);
  v128_t s = wasm_f64x2_div(f, wasm_f64x2_add(wasm_f64x2_splat(2.0), f));
  v128_t z = wasm_f64x2_mul(s, s), w = wasm_f64x2_mul(z, z);
  v128_t t1 = wasm_f64x2_mul(w, wasm_f64x2_add(wasm_f64x2_splat(Lg2),
                  wasm_f64x2_mul(w, wasm_f64x2_add(wasm_f64x2_splat(Lg4),
                      wasm_f64x2_mul(w, wasm_f64x2_splat(Lg6))))));
  v128_t t2 = wasm_f64x2_mul(z, wasm_f64x2_add(wasm_f64x2_splat(Lg1),
                  wasm_f64x2_mul(w, wasm_f64x2_add(wasm_f64x2_splat(Lg3),
                      wasm_f64x2_mul(w, wasm_f64x2_add(wasm_f64x2_splat(Lg5),
                          wasm_f64x2_mul(w, wasm_f64x2_splat(Lg7))))))));
  v128_t R = wasm_f64x2_add(t2, t1);
  v128_t acc = wasm_f64x2_mul(s, wasm_f64x2_add(hfsq, R));
  acc = wasm_f64x2_add(acc, wasm_f64x2_mul(dk, wasm_f64x2_splat(ln2_lo)));
  acc = wasm_f64x2_sub(acc, hfsq);
  acc = wasm_f64x2_add(acc, f);
  return wasm_f64x2_add(acc, wasm_f64x2_mul(dk, wasm_f64x2_splat(ln2_hi)));
}

// sincos on two lanes: sincos_poly's operations, lane by lane.
static inline void sincos_f64x2(v128_t t, v128_t* sn, v128_t* cs) {
  const v128_t ti = wasm_f64x2_splat(toint);
  v128_t y = wasm_f64x2_add(wasm_f64x2_mul(t, wasm_f64x2_splat(invpio2)), ti);
  v128_t q = y;
  v128_t fn = wasm_f64x2_sub(y, ti);
  v128_t z = wasm_f64x2_sub(t, wasm_f64x2_mul(fn, wasm_f64x2_splat(pio2_1)));
  v128_t w = wasm_f64x2_mul(fn, wasm_f64x2_splat(pio2_2));
  v128_t r = wasm_f64x2_sub(z, w);
  w = wasm_f64x2_sub(wasm_f64x2_mul(fn, wasm_f64x2_splat(pio2_2t)),
                     wasm_f64x2_sub(wasm_f64x2_sub(z, r), w));
  v128_t y0 = wasm_f64x2_sub(r, w);
  v128_t y1 = wasm_f64x2_sub(wasm_f64x2_sub(r, y0), w);
  v128_t zz = wasm_f64x2_mul(y0, y0), ww = wasm_f64x2_mul(zz, zz);
  v128_t rs = wasm_f64x2_add(
      wasm_f64x2_add(wasm_f64x2_splat(S2),
                     wasm_f64x2_mul(zz, wasm_f64x2_add(wasm_f64x2_splat(S3),
                                                       wasm_f64x2_mul(zz, wasm_f64x2_splat(S4))))),
      wasm_f64x2_mul(wasm_f64x2_mul(zz, ww),
                     wasm_f64x2_add(wasm_f64x2_splat(S5), wasm_f64x2_mul(zz, wasm_f64x2_splat(S6)))));
  v128_t v = wasm_f64x2_mul(zz, y0);
  const v128_t half = wasm_f64x2_splat(0.5), one = wasm_f64x2_splat(1.0);
  v128_t in = wasm_f64x2_sub(wasm_f64x2_mul(half, y1), wasm_f64x2_mul(v, rs));
  in = wasm_f64x2_sub(wasm_f64x2_mul(zz, in), y1);
  in = wasm_f64x2_sub(in, wasm_f64x2_mul(v, wasm_f64x2_splat(S1)));
  v128_t s = wasm_f64x2_sub(y0, in);
  v128_t rc = wasm_f64x2_add(
      wasm_f64x2_mul(zz, wasm_f64x2_add(wasm_f64x2_splat(C1),
                         wasm_f64x2_mul(zz, wasm_f64x2_add(wasm_f64x2_splat(C2),
                                            wasm_f64x2_mul(zz, wasm_f64x2_splat(C3)))))),
      wasm_f64x2_mul(wasm_f64x2_mul(ww, ww),
                     wasm_f64x2_add(wasm_f64x2_splat(C4),
                                    wasm_f64x2_mul(zz, wasm_f64x2_add(wasm_f64x2_splat(C5),
                                                       wasm_f64x2_mul(zz, wasm_f64x2_splat(C6)))))));
  v128_t hz = wasm_f64x2_mul(half, zz), w1 = wasm_f64x2_sub(one, hz);
  v128_t c = wasm_f64x2_add(
      w1, wasm_f64x2_add(wasm_f64x2_sub(wasm_f64x2_sub(one, w1), hz),
                         wasm_f64x2_sub(wasm_f64x2_mul(zz, rc), wasm_f64x2_mul(y0, y1))));
  const v128_t two = wasm_i64x2_splat(2);
  v128_t odd = wasm_i64x2_sub(wasm_i64x2_splat(0), wasm_v128_and(q, wasm_i64x2_splat(1)));
  v128_t ss = wasm_v128_bitselect(c, s, odd), cc = wasm_v128_bitselect(s, c, odd);
  *sn = wasm_v128_xor(ss, wasm_i64x2_shl(wasm_v128_and(q, two), 62));
  *cs = wasm_v128_xor(cc, wasm_i64x2_shl(wasm_v128_and(wasm_i64x2_add(q, wasm_i64x2_splat(1)), two), 62));
}

EK_EXPORT void ek_init_normal_f32__wasmsimd(float* out, uint32_t n, uint32_t seed_lo,
                                            uint32_t seed_hi, double mean, double std) {
  pcg32 g;
  pcg32_seed(&g, ((uint64_t)seed_hi << 32) | seed_lo, 0x454bu);
  pcg32x4 q;
  pcg32x4_from(&q, &g);
  double u1[EK_INIT_BLOCK], u2[EK_INIT_BLOCK];
  const uint64_t npairs = ((uint64_t)n + 1) / 2;
  const v128_t vmean = wasm_f64x2_splat(mean), vstd = wasm_f64x2_splat(std);
  const v128_t one = wasm_f64x2_splat(1.0), m2 = wasm_f64x2_splat(-2.0), tp = wasm_f64x2_splat(two_pi);
  for (uint64_t base = 0; base < npairs; base += EK_INIT_BLOCK) {
    uint64_t m = npairs - base < EK_INIT_BLOCK ? npairs - base : EK_INIT_BLOCK;
    pcg32x4_uniforms(&q, u1, u2, m);
    uint64_t j = 0;
    // Four pairs = eight outputs per step as two independent f64x2 chains written side by side
    // (V8 schedules little of its own: the interleaving is worth ~20%), then two pairs per step,
    // only while all outputs are inside out[0 .. n).
    for (; j + 4 <= m && 2 * (base + j) + 8 <= n; j += 4) {
      v128_t a0 = wasm_v128_load(u1 + j), a1 = wasm_v128_load(u1 + j + 2);
      v128_t b0 = wasm_v128_load(u2 + j), b1 = wasm_v128_load(u2 + j + 2);
      v128_t l0 = ln_f64x2(wasm_f64x2_sub(one, a0)), l1 = ln_f64x2(wasm_f64x2_sub(one, a1));
      v128_t r0 = wasm_f64x2_sqrt(wasm_f64x2_mul(m2, l0));
      v128_t r1 = wasm_f64x2_sqrt(wasm_f64x2_mul(m2, l1));
      v128_t s0, c0, s1, c1;
      sincos_f64x2(wasm_f64x2_mul(tp, b0), &s0, &c0);
      sincos_f64x2(wasm_f64x2_mul(tp, b1), &s1, &c1);
      v128_t zc0 = wasm_f64x2_add(vmean, wasm_f64x2_mul(vstd, wasm_f64x2_mul(r0, c0)));
      v128_t zs0 = wasm_f64x2_add(vmean, wasm_f64x2_mul(vstd, wasm_f64x2_mul(r0, s0)));
      v128_t zc1 = wasm_f64x2_add(vmean, wasm_f64x2_mul(vstd, wasm_f64x2_mul(r1, c1)));
      v128_t zs1 = wasm_f64x2_add(vmean, wasm_f64x2_mul(vstd, wasm_f64x2_mul(r1, s1)));
      v128_t fc0 = wasm_f32x4_demote_f64x2_zero(zc0), fs0 = wasm_f32x4_demote_f64x2_zero(zs0);
      v128_t fc1 = wasm_f32x4_demote_f64x2_zero(zc1), fs1 = wasm_f32x4_demote_f64x2_zero(zs1);
      wasm_v128_store(out + 2 * (base + j), wasm_i32x4_shuffle(fc0, fs0, 0, 4, 1, 5));
      wasm_v128_store(out + 2 * (base + j) + 4, wasm_i32x4_shuffle(fc1, fs1, 0, 4, 1, 5));
    }
    for (; j + 2 <= m && 2 * (base + j) + 4 <= n; j += 2) {
      v128_t a = wasm_v128_load(u1 + j), b = wasm_v128_load(u2 + j);
      v128_t r = wasm_f64x2_sqrt(wasm_f64x2_mul(m2, ln_f64x2(wasm_f64x2_sub(one, a))));
      v128_t s, c;
      sincos_f64x2(wasm_f64x2_mul(tp, b), &s, &c);
      v128_t zc = wasm_f64x2_add(vmean, wasm_f64x2_mul(vstd, wasm_f64x2_mul(r, c)));
      v128_t zs = wasm_f64x2_add(vmean, wasm_f64x2_mul(vstd, wasm_f64x2_mul(r, s)));
      v128_t fc = wasm_f32x4_demote_f64x2_zero(zc), fs = wasm_f32x4_demote_f64x2_zero(zs);
      wasm_v128_store(out + 2 * (base + j), wasm_i32x4_shuffle(fc, fs, 0, 4, 1, 5));
    }
    for (; j < m; j++) pair_poly(out, 2 * (base + j), n, u1[j], u2[j], mean, std);
  }
}
#endif

EK_EXPORT void ek_init_normal_f32(float* out, uint32_t n, uint32_t seed_lo, uint32_t seed_hi,
                                  double mean, double std) {
#if EK_HAVE_SIMD
  ek_init_normal_f32__wasmsimd(out, n, seed_lo, seed_hi, mean, std);
#else
  ek_init_normal_f32__poly(out, n, seed_lo, seed_hi, mean, std);
#endif
}
