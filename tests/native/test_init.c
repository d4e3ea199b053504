// test_init.c — native (SIMDe) checks of the fast initialiser in src/c/init.c.
//  1. __wasmsimd == __poly == dispatcher bit for bit, n = 1 .. 2*8+1 (eight outputs per SIMD
//     step) and large ones, several seeds, mean and std.
//  2. accuracy of the polynomial ln and sincos in ulp of double against long double (x87,
//     64-bit mantissa), on inputs of the kind the generator makes (1 - j 2^-53,
//     fl(2pi * j 2^-53)) and on edge cases (x = 1, 2^-53, around sqrt(2)/2; t next to every
//     multiple of pi/4); also how many doubles differ from this host's libm.
//  3. float32 outputs of __poly vs __scalar (here: glibc's libm) over 10^7 values.
// EK_INIT_SAMPLES=N sets the number of random inputs in 2 (default 2e6).
// Returns non-zero and prints what failed.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedkit.h"
#include "check.h"

typedef void (*init_fn)(float*, uint32_t, uint32_t, uint32_t, double, double);

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next64(void) {  // splitmix64: test inputs only
  uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// error of got vs ref in units of the double ulp at ref
static double ulp_err(double got, long double ref) {
  if (ref == 0) return got == 0 ? 0 : 1e300;
  int e;
  frexpl(ref, &e);
  long double ulp = ldexpl(1.0L, (e - 53 < -1074 ? -1074 : e - 53));
  return (double)(fabsl((long double)got - ref) / ulp);
}

static double max_ln = 0, max_sc = 0, worst_ln_x = 0, worst_sc_t = 0;
static long n_ln = 0, n_sc = 0, ln_ne_libm = 0, sc_ne_libm = 0;

static void check_ln(double x) {
  double got = ek_init_ln_f64(x), e = ulp_err(got, logl((long double)x));
  if (e > max_ln) { max_ln = e; worst_ln_x = x; }
  ln_ne_libm += got != log(x);
  n_ln++;
}
static void check_sc(double t) {
  double s, c;
  ek_init_sincos_f64(&s, &c, t);
  double es = ulp_err(s, sinl((long double)t)), ec = ulp_err(c, cosl((long double)t));
  if (es > max_sc) { max_sc = es; worst_sc_t = t; }
  if (ec > max_sc) { max_sc = ec; worst_sc_t = t; }
  sc_ne_libm += (s != sin(t)) + (c != cos(t));
  n_sc += 2;
}

int main(void) {
  // 1. bit-exact kernels
  static const init_fn fns[3] = {ek_init_normal_f32__poly, ek_init_normal_f32__wasmsimd,
                                 ek_init_normal_f32};
  static const char* names[3] = {"__poly", "__wasmsimd", "dispatcher"};
  const uint32_t sizes[] = {1,  2,  3,  4,  5,  6,  7,   8,   9,   10,    11,
                            12, 13, 14, 15, 16, 17, 511, 512, 513, 100003};
  const double params[][4] = {{0, 0, 0, 1}, {12345, 7, 0.5, 0.02}, {4294967295.0, 4294967295.0, -3, 2.5}};
  for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
    for (int pi = 0; pi < 3; pi++) {
      uint32_t n = sizes[si];
      float* o[3];
      for (int f = 0; f < 3; f++) {
        o[f] = malloc(sizeof(float) * (n + 1));
        o[f][n] = 42.0f;  // guard: nothing past out[n - 1] is written
        fns[f](o[f], n, (uint32_t)params[pi][0], (uint32_t)params[pi][1], params[pi][2], params[pi][3]);
      }
      for (int f = 1; f < 3; f++)
        CHECK(memcmp(o[0], o[f], sizeof(float) * n) == 0, "%s != __poly, n %u params %d", names[f], n, pi);
      for (int f = 0; f < 3; f++) {
        CHECK(o[f][n] == 42.0f, "%s wrote past n = %u", names[f], n);
        free(o[f]);
      }
    }

  // 2. accuracy
  long samples = 2000000;
  const char* env = getenv("EK_INIT_SAMPLES");
  if (env) samples = atol(env);
  const double two_pi = 6.283185307179586, p53 = 1.0 / 9007199254740992.0;
  for (long i = 0; i < samples; i++) {
    uint64_t j = next64() >> 11;  // a 53-bit uniform, as the generator makes
    double u = (double)j * p53;
    check_ln(1.0 - u);
    // small u1 (1 - u close to 1) and large u1 (1 - u tiny) are the delicate ends of ln
    check_ln(1.0 - (double)(j >> (j & 31)) * p53);
    check_sc(two_pi * u);
  }
  check_ln(1.0);
  check_ln(p53);
  for (int k = -40; k <= 40; k++) check_ln(nextafter(0.7071067811865476, 1) + k * 1.1102230246251565e-16);
  for (int q = 0; q < 8; q++) {  // around every multiple of pi/4 in [0, 2pi)
    double c = q * 0.7853981633974483;
    for (int k = -200; k <= 200; k++) {
      double t = c + k * 8.881784197001252e-16;
      if (t >= 0 && t < two_pi) check_sc(t);
    }
  }
  for (double t = 1e-300; t < 1e-3; t *= 1.7) check_sc(t);
  printf("ln:     max %.3f ulp of double over %ld inputs (at x = %.17g); %.2f%% differ from libm\n",
         max_ln, n_ln, worst_ln_x, 100.0 * ln_ne_libm / n_ln);
  printf("sincos: max %.3f ulp of double over %ld values (at t = %.17g); %.2f%% differ from libm\n",
         max_sc, n_sc, worst_sc_t, 100.0 * sc_ne_libm / n_sc);
  CHECK(max_ln < 1.0, "ln error %.3f ulp", max_ln);
  CHECK(max_sc < 1.0, "sincos error %.3f ulp", max_sc);

  // 3. float32 outputs vs the libm reference
  {
    const uint32_t n = 10000000;
    float* a = malloc(sizeof(float) * n);
    float* b = malloc(sizeof(float) * n);
    ek_init_normal_f32__poly(a, n, 99, 0, 0, 1);
    ek_init_normal_f32__scalar(b, n, 99, 0, 0, 1);
    long diff = 0;
    for (uint32_t i = 0; i < n; i++)
      if (memcmp(a + i, b + i, 4) != 0) {
        diff++;
        CHECK(nextafterf(a[i], b[i]) == b[i], "[%u] %.9g vs %.9g: more than 1 ulp", i, a[i], b[i]);
      }
    printf("float32 outputs: %ld of %u differ from __scalar (libm)\n", diff, n);
    CHECK(diff <= n / 100000, "%ld differ", diff);
    free(a);
    free(b);
  }

  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("ok\n");
  return 0;
}
