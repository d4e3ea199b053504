// test_trig.c — native (SIMDe) checks of the sin/cos table builder in src/c/trig.c.
//  1. __wasmsimd == __rotate bit for bit: interleaved, contiguous (concat / RoPE) and a generic
//     stride, n_freq 1..2*4+1 and a large one, across anchor boundaries, scale != 1.
//  2. every variant within 2e-7 of sin/cos evaluated in double (glibc) at small and huge
//     positions (0, 2^20, 2^31 - 4096) and sinusoidal frequencies up to dim 4096.
//  3. ek_sincos_exact_f64 vs long double.
// Returns non-zero and prints what failed.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedkit.h"

#include "check.h"

typedef void (*table_fn)(float*, float*, int32_t, int32_t, const double*, int32_t, double, int32_t,
                         double);

// Sinusoidal frequencies base^(-2i/dim), rounded to 32 significant bits so that p * f is exact
// in long double (64-bit mantissa) for every p < 2^32: the long double reference below is then
// the true value to ~1e-19, independent of how the code under test forms the product.
static void freqs_paper(double* f, int32_t n, int32_t dim, double base) {
  for (int32_t i = 0; i < n; i++) {
    int e;
    double m = frexp(pow(base, -2.0 * i / dim), &e);
    f[i] = ldexp(nearbyint(ldexp(m, 32)), e - 32);
  }
}

// Max abs error of a table vs the exact angle (pos0 + r) * f[i] in long double (exact
// product, see freqs_paper), or vs the float64 formula sin(fl((pos0 + r) * f[i])) if f64.
static double max_err_ref(const float* so, const float* co, int32_t rs, int32_t cs,
                          const double* f, int32_t nf, double pos0, int32_t np, double scale,
                          int f64) {
  double m = 0;
  for (int32_t r = 0; r < np; r++)
    for (int32_t i = 0; i < nf; i++) {
      long double a = (long double)(pos0 + r) * (long double)f[i];
      double rs_ = f64 ? sin((double)a) : (double)sinl(a);
      double rc_ = f64 ? cos((double)a) : (double)cosl(a);
      double es = fabs((double)so[(size_t)r * rs + (size_t)i * cs] - scale * rs_);
      double ec = fabs((double)co[(size_t)r * rs + (size_t)i * cs] - scale * rc_);
      if (es > m) m = es;
      if (ec > m) m = ec;
    }
  return m;
}
static double max_err(const float* so, const float* co, int32_t rs, int32_t cs, const double* f,
                      int32_t nf, double pos0, int32_t np, double scale) {
  return max_err_ref(so, co, rs, cs, f, nf, pos0, np, scale, 0);
}

static void bitexact_case(int32_t nf, int32_t np, double pos0, int layout, double scale) {
  // layout 0 interleaved, 1 concat, 2 separate caches, 3 generic stride 3
  int32_t dim = 2 * nf, rs, cs;
  size_t n = (size_t)np * (size_t)(layout == 3 ? 3 * nf : dim) + 8;
  float* a = malloc(n * sizeof(float) * 2);
  float* b = malloc(n * sizeof(float) * 2);
  double* f = malloc(sizeof(double) * nf);
  freqs_paper(f, nf, dim, 10000.0);
  memset(a, 0xAB, n * sizeof(float) * 2);
  memset(b, 0xAB, n * sizeof(float) * 2);
  float *sa, *ca, *sb, *cb;
  switch (layout) {
    case 0: rs = dim; cs = 2; sa = a; ca = a + 1; sb = b; cb = b + 1; break;
    case 1: rs = dim; cs = 1; sa = a; ca = a + nf; sb = b; cb = b + nf; break;
    case 2: rs = nf; cs = 1; sa = a; ca = a + n; sb = b; cb = b + n; break;
    default: rs = 3 * nf; cs = 3; sa = a; ca = a + 1; sb = b; cb = b + 1; break;
  }
  ek_sincos_table_f32__rotate(sa, ca, rs, cs, f, nf, pos0, np, scale);
  ek_sincos_table_f32__wasmsimd(sb, cb, rs, cs, f, nf, pos0, np, scale);
  CHECK(memcmp(a, b, n * sizeof(float) * 2) == 0,
        "bitexact layout %d nf %d np %d pos0 %.0f: __wasmsimd differs from __rotate", layout, nf,
        np, pos0);
  double e = max_err(sa, ca, rs, cs, f, nf, pos0, np, scale);
  CHECK(e <= 2e-7 * fabs(scale), "error %.3g layout %d nf %d pos0 %.0f", e, layout, nf, pos0);
  // guard elements past the table untouched (layout 0/1 with 8 spare floats)
  if (layout <= 1)
    for (size_t k = (size_t)np * dim; k < n; k++) {
      uint32_t bits;
      memcpy(&bits, &a[k], 4);
      CHECK(bits == 0xABABABABu, "layout %d nf %d wrote past the end at %zu", layout, nf, k);
    }
  free(a);
  free(b);
  free(f);
}

static void accuracy_case(int32_t dim, int32_t np, double pos0, double base) {
  int32_t nf = dim / 2;
  float* t = malloc(sizeof(float) * (size_t)np * dim);
  double* f = malloc(sizeof(double) * nf);
  freqs_paper(f, nf, dim, base);
  table_fn fns[3] = {ek_sincos_table_f32, ek_sincos_table_f32__rotate, ek_sincos_table_f32__scalar};
  const char* names[3] = {"dispatch", "__rotate", "__scalar"};
  for (int v = 0; v < 3; v++) {
    for (int layout = 0; layout < 2; layout++) {
      if (layout == 0) fns[v](t, t + 1, dim, 2, f, nf, pos0, np, 1.0);
      else fns[v](t, t + nf, dim, 1, f, nf, pos0, np, 1.0);
      float* co = layout == 0 ? t + 1 : t + nf;
      int32_t cs = layout == 0 ? 2 : 1;
      double e = max_err_ref(t, co, dim, cs, f, nf, pos0, np, 1.0, 0);
      double e64 = max_err_ref(t, co, dim, cs, f, nf, pos0, np, 1.0, 1);
      printf("  %-9s %-11s dim %4d pos %10.0f..+%d: max abs err %.3g vs exact, %.3g vs float64\n",
             names[v], layout ? "concat" : "interleaved", dim, pos0, np, e, e64);
      // The float64 formula's own angle rounding reaches 1e-7 only near 2^31; below 2^24 the
      // contract is against it, above against the exact angle (the scalar reference rounds the
      // angle to double, so it is the one that drifts there).
      if (pos0 + np < 16777216.0) CHECK(e64 <= 2e-7, "%s layout %d dim %d pos0 %.0f: error %.3g vs float64", names[v], layout, dim, pos0, e64);
      if (v != 2 || pos0 + np < 16777216.0)
        CHECK(e <= 2e-7, "%s layout %d dim %d pos0 %.0f: error %.3g > 2e-7", names[v], layout, dim, pos0, e);
    }
  }
  free(t);
  free(f);
}

int main(void) {
  for (int layout = 0; layout < 4; layout++)
    for (int32_t nf = 1; nf <= 9; nf++) {
      bitexact_case(nf, 5, 0.0, layout, 1.0);
      bitexact_case(nf, 1, 777.0, layout, 1.0);  // one row: no rotation step is computed
    }
  for (int layout = 0; layout < 4; layout++) {
    bitexact_case(384, 2100, 0.0, layout, 1.0);        // crosses two anchors
    bitexact_case(600, 1030, 1048576.0, layout, 0.7);  // two column blocks, scale != 1
    bitexact_case(13, 3000, 2147483648.0 - 4096, layout, 1.3);
  }
  accuracy_case(768, 1100, 0.0, 10000.0);
  accuracy_case(512, 1100, 1048576.0 - 50, 10000.0);
  accuracy_case(4096, 120, 1048576.0 - 60, 10000.0);
  accuracy_case(64, 1500, 2147483648.0 - 4096, 10000.0);
  accuracy_case(128, 1200, 0.0, 500000.0);
  // exact pairs vs long double (x87 80-bit: 64-bit mantissa)
  double worst = 0;
  for (int k = 0; k < 2000; k++) {
    // f rounded to 32 bits so the long double product is exact (see freqs_paper)
    double p = (double)((int64_t)k * 524287 % 2147483647), f;
    freqs_paper(&f, 1, 2, 10000.0);
    f = ldexp(nearbyint(ldexp(pow(10000.0, -(k % 97) / 97.0), 31)), -31) + f * 0.0;
    double s, c;
    ek_sincos_exact_f64(&s, &c, p, f);
    long double a = (long double)p * (long double)f;
    double es = fabs(s - (double)sinl(a)), ec = fabs(c - (double)cosl(a));
    if (es > worst) worst = es;
    if (ec > worst) worst = ec;
  }
  // huge products, where the low part of p * f is no longer tiny: p = 2^50 + 1 + k,
  // f = 1 + 2^-10 (p * f needs 61 bits: exact in long double, low part ~2^-10 in double)
  for (int k = 0; k < 200; k++) {
    double p = 1125899906842625.0 + k * 977.0, f = 1.0 + 0x1p-10, s, c;
    ek_sincos_exact_f64(&s, &c, p, f);
    long double a = (long double)p * (long double)f;
    double es = fabs(s - (double)sinl(a)), ec = fabs(c - (double)cosl(a));
    if (es > worst) worst = es;
    if (ec > worst) worst = ec;
  }
  printf("  ek_sincos_exact_f64 vs long double: max abs err %.3g\n", worst);
  CHECK(worst <= 1e-15, "ek_sincos_exact_f64 error %.3g", worst);
  if (failures) fprintf(stderr, "test_trig: %d failures\n", failures);
  else printf("test_trig: ok\n");
  return failures != 0;
}
