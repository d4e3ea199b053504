// fuzz.c — a fuzz driver over every exported C entry point of embedkit (src/c/embedkit.h), built
// natively against SIMDe with AddressSanitizer + UndefinedBehaviorSanitizer (tests/native/fuzz.js
// builds and runs it; `npm test` for a fixed time budget, `npm run fuzz` for longer and under
// libFuzzer).
//
// Each entry of ENTRIES below draws one random case — sizes, ids, layouts, options, values — runs
// every variant of one kernel family on copies of the same inputs, and checks:
//   - the __wasmsimd kernel and the dispatcher against the __scalar twin, bit for bit (NaN = NaN);
//   - the result against an independent reference written here from the contract in the header
//     (bit for bit where the contract fixes the operations, within its stated bound otherwise);
//   - buffers are exactly as large as the contract says, so ASan reports any read or write past
//     them, and guard values check that nothing outside the documented outputs changes.
//
// Modes:
//   fuzz --seconds T [--seed S] [--only a,b] [--min-iters N]
//       seeded: every entry runs for T / (number of entries) seconds (at least N iterations);
//       iteration i of entry e draws from a generator seeded by (S, e, i), so a failure prints
//       `reproduce: fuzz --seed S --only NAME --iter I` and that command replays the one case.
//   fuzz --seed S --only NAME --iter I      replay one case
//   fuzz --list                             the exported names the entries cover (tests check the
//                                           list against the headers)
//   built with -DEK_LIBFUZZER -fsanitize=fuzzer: LLVMFuzzerTestOneInput; the first input byte picks
//   the entry and the following bytes are the random stream (then a generator seeded from them).
//
// Adding a kernel: write `static void fz_<name>(fz_rng* r)` that draws a case and CHECKs it, and add
// a line to ENTRIES with the exported names it calls. tests/fuzz.test.js fails while an exported
// name is in no entry's list.
#define _POSIX_C_SOURCE 200809L  // clock_gettime
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embedkit.h"

// ---- failures -----------------------------------------------------------------------------------

static uint64_t g_seed;
static const char* g_entry = "";
static long g_iter;
static int g_failures;

#define CHECK(cond, ...)                                                                      \
  do {                                                                                        \
    if (!(cond)) fz_fail(__LINE__, __VA_ARGS__);                                              \
  } while (0)

static void fz_fail(int line, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void fz_fail(int line, const char* fmt, ...) {
  if (++g_failures <= 10) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s (fuzz.c:%d): ", g_entry, line);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  reproduce: fuzz --seed %llu --only %s --iter %ld\n",
            (unsigned long long)g_seed, g_entry, g_iter);
  }
#ifdef EK_LIBFUZZER
  abort();  // libFuzzer saves the input that crashed
#endif
}

// ---- random source ------------------------------------------------------------------------------

typedef struct {
  const uint8_t* data;  // libFuzzer bytes, consumed first (may be 0)
  size_t size, pos;
  uint64_t s;           // splitmix64 state
} fz_rng;

static uint64_t splitmix(uint64_t* s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint32_t fz_u32(fz_rng* r) {
  if (r->data && r->pos + 4 <= r->size) {
    uint32_t v;
    memcpy(&v, r->data + r->pos, 4);
    r->pos += 4;
    return v;
  }
  return (uint32_t)(splitmix(&r->s) >> 32);
}
// Uniform in [lo, hi] (inclusive; hi - lo < 2^32).
static int64_t fz_range(fz_rng* r, int64_t lo, int64_t hi) {
  return lo + (int64_t)(((uint64_t)fz_u32(r) * (uint64_t)(hi - lo + 1)) >> 32);
}
static int fz_chance(fz_rng* r, int percent) { return fz_range(r, 0, 99) < percent; }
static double fz_unit(fz_rng* r) { return (double)fz_u32(r) / 4294967296.0; }

// A size in [lo, hi], biased to the edges of 4- and 8-lane vectors and to small values.
static int32_t fz_size(fz_rng* r, int32_t lo, int32_t hi) {
  static const int32_t edges[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 63, 64, 65};
  int32_t v;
  switch (fz_range(r, 0, 3)) {
    case 0: v = edges[fz_range(r, 0, sizeof edges / sizeof *edges - 1)]; break;
    case 1: v = (int32_t)fz_range(r, lo, lo + 8 < hi ? lo + 8 : hi); break;
    default: v = (int32_t)fz_range(r, lo, hi); break;
  }
  return v < lo ? lo : v > hi ? hi : v;
}

// A float32 value: mostly in [-1, 1], sometimes an edge value. TAME edges (zeros, denormals,
// +-1, tiny) keep arithmetic finite; BIG adds huge finite values; WILD adds inf and NaN (for kernels
// that only copy or add, where every variant must still agree).
enum { TAME = 0, BIG = 1, WILD = 2 };
static float fz_f32(fz_rng* r, int kind) {
  if (fz_chance(r, 85)) return (float)(fz_unit(r) * 2.0 - 1.0);
  static const float tame[] = {0.0f, -0.0f, 1.0f, -1.0f, 1e-45f, -1e-45f, 1.1754942e-38f, 3.0e-39f, 1e-7f};
  static const float big[] = {1e30f, -1e30f, 65504.0f, 3.4028235e38f};
  static const float wild[] = {INFINITY, -INFINITY, NAN};
  if (kind >= WILD && fz_chance(r, 25)) return wild[fz_range(r, 0, 2)];
  if (kind >= BIG && fz_chance(r, 30)) return big[fz_range(r, 0, 3)];
  return tame[fz_range(r, 0, sizeof tame / sizeof *tame - 1)];
}
static float* fz_floats(fz_rng* r, size_t n, int wild) {
  float* p = malloc(n * sizeof(float) + 1);  // +1: malloc(0) is allowed to return 0
  for (size_t i = 0; i < n; i++) p[i] = fz_f32(r, wild);
  return p;
}
static void* dup(const void* p, size_t bytes) {
  void* q = malloc(bytes + 1);
  if (bytes) memcpy(q, p, bytes);
  return q;
}

// ---- comparisons ------------------------------------------------------------------------------

static int same_f32(float a, float b) {
  return memcmp(&a, &b, sizeof a) == 0 || (a != a && b != b);
}
// Index of the first element where a and b differ (NaN = NaN), or -1.
static long diff_f32(const float* a, const float* b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!same_f32(a[i], b[i])) return (long)i;
  return -1;
}
static long diff_bytes(const void* a, const void* b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return (long)i;
  return -1;
}
// Error of got against ref in units of the last place of a double at ref (long double ref).
static double ulp_err(double got, long double ref) {
  if (ref == 0) return got == 0 ? 0 : 1e300;
  int e;
  frexpl(ref, &e);
  long double ulp = ldexpl(1.0L, e - 53 < -1074 ? -1074 : e - 53);
  return (double)(fabsl((long double)got - ref) / ulp);
}

#define SAME_F32(a, b, n, what)                                                            \
  do {                                                                                     \
    long at_ = diff_f32((a), (b), (n));                                                    \
    CHECK(at_ < 0, "%s: element %ld differs: %.9g vs %.9g", (what), at_, (double)(a)[at_ < 0 ? 0 : at_], \
          (double)(b)[at_ < 0 ? 0 : at_]);                                                 \
  } while (0)

// ---- ids ----------------------------------------------------------------------------------------

// n ids in [0, n_rows): uniform, or Zipf-like (heavy duplicates), or all one row, or runs of
// consecutive rows.
static int32_t* fz_ids(fz_rng* r, int32_t n, int32_t n_rows) {
  int32_t* ids = malloc((size_t)n * sizeof(int32_t) + 1);
  const int kind = (int)fz_range(r, 0, 3);
  for (int32_t i = 0; i < n; i++) {
    if (kind == 0) ids[i] = (int32_t)fz_range(r, 0, n_rows - 1);
    else if (kind == 1) ids[i] = (int32_t)((double)(n_rows - 1) * pow(fz_unit(r), 4.0));
    else if (kind == 2) ids[i] = n_rows - 1;
    else  // runs of consecutive rows (positions, sorted ids), broken at random
      ids[i] = i > 0 && ids[i - 1] + 1 < n_rows && !fz_chance(r, 8) ? ids[i - 1] + 1 : (int32_t)fz_range(r, 0, n_rows - 1);
  }
  return ids;
}
// A random subset of [0, n_rows) of size *n (distinct rows, random order).
static int32_t* fz_distinct(fz_rng* r, int32_t n_rows, int32_t* n) {
  int32_t* all = malloc((size_t)n_rows * sizeof(int32_t) + 1);
  for (int32_t i = 0; i < n_rows; i++) all[i] = i;
  for (int32_t i = n_rows - 1; i > 0; i--) {
    int32_t j = (int32_t)fz_range(r, 0, i), t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  *n = n_rows ? (int32_t)fz_range(r, 0, n_rows) : 0;
  return all;
}

// ================================================================================================
// Entries
// ================================================================================================

// ---- memory: ek_alloc / ek_free / ek_simd_enabled ---------------------------------------------
static void fz_alloc(fz_rng* r) {
  CHECK(ek_simd_enabled() == EK_HAVE_SIMD, "ek_simd_enabled() = %d", ek_simd_enabled());
  void* p[8];
  uint32_t sz[8];
  for (int i = 0; i < 8; i++) {
    switch (fz_range(r, 0, 3)) {
      case 0: sz[i] = (uint32_t)fz_range(r, 0, 130); break;
      case 1: sz[i] = (uint32_t)fz_range(r, 0, 1 << 20); break;
      case 2: sz[i] = 0xffffffffu - (uint32_t)fz_range(r, 0, 62); break;  // rounding up wraps
      default: sz[i] = (uint32_t)fz_range(r, 0, fz_chance(r, 10) ? 1u << 22 : 4096); break;
    }
    p[i] = ek_alloc(sz[i]);
    if (sz[i] > 0xffffffc0u) {
      CHECK(p[i] == 0, "ek_alloc(%u) must fail", sz[i]);
      continue;
    }
    CHECK(p[i] != 0, "ek_alloc(%u) failed", sz[i]);
    if (!p[i]) continue;
    CHECK(((uintptr_t)p[i] & 63) == 0, "ek_alloc(%u) not 64-byte aligned", sz[i]);
    memset(p[i], 0xa5, sz[i]);  // ASan: the whole block is addressable
  }
  ek_free(0);
  for (int i = 0; i < 8; i++) ek_free(p[i]);
}

// ---- ek_check_ids_i32 --------------------------------------------------------------------------
static void fz_check_ids(fz_rng* r) {
  int32_t n = fz_size(r, 0, 300), n_rows = (int32_t)fz_range(r, 0, 1000);
  int32_t* ids = malloc((size_t)n * 4 + 1);
  for (int32_t i = 0; i < n; i++) ids[i] = n_rows ? (int32_t)fz_range(r, 0, n_rows - 1) : 0;
  int bad = (int)fz_range(r, 0, 3);  // up to 3 bad ids
  for (int b = 0; b < bad && n > 0; b++) {
    static const int32_t wild[] = {-1, INT32_MIN, INT32_MAX, -7};
    ids[fz_range(r, 0, n - 1)] = fz_chance(r, 50) ? n_rows + (int32_t)fz_range(r, 0, 3) : wild[fz_range(r, 0, 3)];
  }
  int32_t want = -1;
  for (int32_t i = 0; i < n; i++)
    if (ids[i] < 0 || ids[i] >= n_rows) { want = i; break; }
  int32_t got = ek_check_ids_i32(ids, n, n_rows);
  CHECK(got == want, "n %d n_rows %d: first bad %d, want %d", n, n_rows, got, want);
  free(ids);
}

// ---- initialisation --------------------------------------------------------------------------
typedef void (*init_fn)(float*, uint32_t, uint32_t, uint32_t, double, double);
static void fz_init_normal(fz_rng* r) {
  uint32_t n = (uint32_t)fz_size(r, 0, 2000);
  uint32_t lo = fz_u32(r), hi = fz_chance(r, 50) ? 0 : fz_u32(r);
  double mean = fz_chance(r, 50) ? 0 : fz_unit(r) * 10 - 5, std = fz_chance(r, 30) ? 1 : fz_unit(r) * 3;
#if EK_HAVE_SIMD
  static const init_fn fns[4] = {ek_init_normal_f32__poly, ek_init_normal_f32__wasmsimd,
                                 ek_init_normal_f32, ek_init_normal_f32__scalar};
#else  // the no-SIMD build has no __wasmsimd variant of this one (init.c)
  static const init_fn fns[4] = {ek_init_normal_f32__poly, ek_init_normal_f32__poly,
                                 ek_init_normal_f32, ek_init_normal_f32__scalar};
#endif
  float* o[4];
  for (int f = 0; f < 4; f++) {
    o[f] = malloc(sizeof(float) * (n + 1));
    o[f][n] = 42.0f;
    fns[f](o[f], n, lo, hi, mean, std);
    CHECK(o[f][n] == 42.0f, "variant %d wrote past n = %u", f, n);
  }
  SAME_F32(o[1], o[0], n, "__wasmsimd vs __poly");
  SAME_F32(o[2], o[0], n, "dispatcher vs __poly");
  // __scalar (musl/glibc log, cos, sin) within one float32 ulp of the polynomial code
  for (uint32_t i = 0; i < n; i++) {
    float a = o[3][i], b = o[0][i];
    CHECK(a == b || nextafterf(a, b) == b, "__scalar vs __poly at %u: %.9g vs %.9g", i, a, b);
  }
  // the stream continues: a prefix of length m is the first m values
  uint32_t m = n ? (uint32_t)fz_range(r, 0, n) : 0;
  float* p = malloc(sizeof(float) * (m + 1));
  ek_init_normal_f32(p, m, lo, hi, mean, std);
  SAME_F32(p, o[0], m, "prefix");
  free(p);
  for (int f = 0; f < 4; f++) free(o[f]);
}

static void fz_init_poly(fz_rng* r) {
  // ln on [2^-53, 1] and sin/cos on [0, 2pi): within 1 ulp of double (long double reference)
  for (int k = 0; k < 64; k++) {
    double x;
    switch (fz_range(r, 0, 2)) {
      case 0: x = 1.0 - (double)(((uint64_t)fz_u32(r) << 21) ^ fz_u32(r)) * 0x1p-53; break;
      case 1: x = ldexp(1.0 + fz_unit(r), -(int)fz_range(r, 1, 53)); break;
      default: x = nextafter(1.0, 0.0) - fz_range(r, 0, 1000) * 0x1p-53; break;
    }
    if (x < 0x1p-53) x = 0x1p-53;
    if (x > 1) x = 1;
    double e = ulp_err(ek_init_ln_f64(x), logl((long double)x));
    CHECK(e < 1.0, "ln(%.17g): %.3f ulp", x, e);
    double t = fz_chance(r, 80) ? 6.283185307179586 * fz_unit(r)
                                : fz_range(r, 0, 7) * 0.7853981633974483 + fz_range(r, -200, 200) * 0x1p-50;
    if (t < 0) t = 0;
    if (t >= 6.283185307179586) t = 6.283185307179585;
    double s, c;
    ek_init_sincos_f64(&s, &c, t);
    double es = ulp_err(s, sinl((long double)t)), ec = ulp_err(c, cosl((long double)t));
    CHECK(es < 1.0 && ec < 1.0, "sincos(%.17g): %.3f / %.3f ulp", t, es, ec);
  }
}

// ---- gather --------------------------------------------------------------------------------------
typedef void (*gather_fn)(float*, const float*, const int32_t*, int32_t, int32_t);
static void fz_gather(fz_rng* r) {
  // rows of 128 floats or more take the dispatcher's eight-row paths
  int32_t n_rows = fz_size(r, 1, 200), dim = fz_chance(r, 30) ? fz_size(r, 120, 300) : fz_size(r, 1, 100);
  int32_t n_ids = fz_size(r, 0, 300);
  float* table = fz_floats(r, (size_t)n_rows * dim, WILD);
  int32_t* ids = fz_ids(r, n_ids, n_rows);
  static const gather_fn fns[3] = {ek_gather_rows_f32__scalar, ek_gather_rows_f32__wasmsimd,
                                   ek_gather_rows_f32};
  const size_t n = (size_t)n_ids * dim;
  float* want = malloc(n * sizeof(float) + 1);
  for (int32_t i = 0; i < n_ids; i++) memcpy(want + (size_t)i * dim, table + (size_t)ids[i] * dim, (size_t)dim * 4);
  float* t0 = dup(table, (size_t)n_rows * dim * 4);
  for (int f = 0; f < 3; f++) {
    float* out = malloc(n * sizeof(float) + 1);
    fns[f](out, table, ids, n_ids, dim);
    CHECK(diff_bytes(out, want, n * 4) < 0, "variant %d: rows are not the table's bits", f);
    free(out);
  }
  CHECK(diff_bytes(t0, table, (size_t)n_rows * dim * 4) < 0, "the table changed");
  free(t0), free(want), free(table), free(ids);
}

// ---- scatter-add (backward), zero_rows --------------------------------------------------------
typedef int32_t (*scatter_fn)(float*, uint8_t*, int32_t*, int32_t, const float*, const int32_t*,
                              int32_t, int32_t, int32_t, int32_t, int32_t*, int32_t*, double*);
static void fz_scatter(fz_rng* r) {
  int32_t n_rows = fz_size(r, 1, 150), dim = fz_size(r, 1, 80);
  const int calls = (int)fz_range(r, 1, 3);  // several backward calls before a zeroGrad
  float* grad0 = fz_floats(r, (size_t)n_rows * dim, BIG);
  int32_t n_ids[3], pad[3], sbf[3];
  int32_t* ids[3];
  float* gout[3];
  for (int c = 0; c < calls; c++) {
    n_ids[c] = fz_size(r, 0, 300);
    ids[c] = fz_ids(r, n_ids[c], n_rows);
    gout[c] = fz_floats(r, (size_t)n_ids[c] * dim, BIG);
    pad[c] = fz_chance(r, 40) ? -1 : n_ids[c] && fz_chance(r, 60) ? ids[c][fz_range(r, 0, n_ids[c] - 1)]
                                                                      : (int32_t)fz_range(r, 0, n_rows - 1);
    sbf[c] = fz_chance(r, 30);
  }
  // reference: rows in order of first occurrence, the row's terms summed in float64 in id
  // order from 0.0, times 1/count when scale_by_freq, added to the float32 row once.
  const size_t G = (size_t)n_rows * dim;
  float* want = dup(grad0, G * 4);
  uint8_t* wmark = calloc((size_t)n_rows, 1);
  int32_t* wtouched = malloc((size_t)n_rows * 4 + 1);
  int32_t wn = 0;
  double* acc = malloc((size_t)dim * 8 + 1);
  for (int c = 0; c < calls; c++) {
    uint8_t* done = calloc((size_t)n_rows, 1);
    for (int32_t i = 0; i < n_ids[c]; i++) {
      int32_t id = ids[c][i];
      if (id == pad[c] || done[id]) continue;
      done[id] = 1;
      if (!wmark[id]) wmark[id] = 1, wtouched[wn++] = id;
      int32_t count = 0;
      for (int32_t j = 0; j < dim; j++) acc[j] = 0.0;
      for (int32_t k = i; k < n_ids[c]; k++) {
        if (ids[c][k] != id) continue;
        count++;
        for (int32_t j = 0; j < dim; j++) acc[j] += (double)gout[c][(size_t)k * dim + j];
      }
      double s = sbf[c] ? 1.0 / (double)count : 1.0;
      for (int32_t j = 0; j < dim; j++) {
        float* g = want + (size_t)id * dim + j;
        *g = (float)((double)*g + s * acc[j]);
      }
    }
    free(done);
  }
  static const scatter_fn fns[3] = {ek_scatter_add_rows_f32__scalar, ek_scatter_add_rows_f32__wasmsimd,
                                    ek_scatter_add_rows_f32};
  for (int f = 0; f < 3; f++) {
    float* grad = dup(grad0, G * 4);
    uint8_t* mark = calloc((size_t)n_rows, 1);
    int32_t* touched = malloc((size_t)n_rows * 4 + 1);
    int32_t nt = 0;
    for (int c = 0; c < calls; c++) {
      int32_t* head = malloc((size_t)n_rows * 4 + 1);
      int32_t* next = malloc((size_t)n_ids[c] * 4 + 1);
      double* a = malloc((size_t)dim * 8 + 1);
      nt = fns[f](grad, mark, touched, nt, gout[c], ids[c], n_ids[c], dim, pad[c], sbf[c], head, next, a);
      free(head), free(next), free(a);
    }
    CHECK(nt == wn && diff_bytes(touched, wtouched, (size_t)wn * 4) < 0, "variant %d: touched list (%d rows, want %d)", f, nt, wn);
    CHECK(diff_bytes(mark, wmark, (size_t)n_rows) < 0, "variant %d: marks", f);
    SAME_F32(grad, want, G, f == 0 ? "__scalar vs reference" : f == 1 ? "__wasmsimd vs reference" : "dispatcher vs reference");
    // zeroGrad: both zero_rows variants clear exactly the touched rows and their marks
    for (int z = 0; z < 2; z++) {
      float* gz = dup(grad, G * 4);
      uint8_t* mz = dup(mark, (size_t)n_rows);
      (z ? ek_zero_rows_f32 : ek_zero_rows_f32__scalar)(gz, mz, touched, nt, dim);
      for (int32_t row = 0; row < n_rows; row++) {
        CHECK(mz[row] == 0, "zero_rows %d: mark %d not cleared", z, row);
        const float* w = wmark[row] ? 0 : grad + (size_t)row * dim;
        for (int32_t j = 0; j < dim; j++) {
          float v = gz[(size_t)row * dim + j];
          CHECK(w ? same_f32(v, w[j]) : memcmp(&v, &(float){0.0f}, 4) == 0, "zero_rows %d: row %d col %d = %g", z, row, j, v);
        }
      }
      free(gz), free(mz);
    }
    free(grad), free(mark), free(touched);
  }
  // the usual float32 loop: in id order, one rounding per occurrence (no scale_by_freq)
  {
    float* g = dup(grad0, G * 4);
    float* w = dup(grad0, G * 4);
    uint8_t* mark = calloc((size_t)n_rows, 1);
    int32_t* touched = malloc((size_t)n_rows * 4 + 1);
    uint8_t* wm = calloc((size_t)n_rows, 1);
    int32_t* wt = malloc((size_t)n_rows * 4 + 1);
    int32_t nt = 0, wnt = 0;
    for (int c = 0; c < calls; c++) {
      nt = ek_scatter_add_rows_f32__inorder(g, mark, touched, nt, gout[c], ids[c], n_ids[c], dim, pad[c]);
      for (int32_t i = 0; i < n_ids[c]; i++) {
        int32_t id = ids[c][i];
        if (id == pad[c]) continue;
        if (!wm[id]) wm[id] = 1, wt[wnt++] = id;
        for (int32_t j = 0; j < dim; j++) w[(size_t)id * dim + j] += gout[c][(size_t)i * dim + j];
      }
    }
    CHECK(nt == wnt && diff_bytes(touched, wt, (size_t)nt * 4) < 0, "__inorder: touched list");
    SAME_F32(g, w, G, "__inorder vs float32 loop");
    free(g), free(w), free(mark), free(touched), free(wm), free(wt);
  }
  for (int c = 0; c < calls; c++) free(ids[c]), free(gout[c]);
  free(grad0), free(want), free(wmark), free(wtouched), free(acc);
}

// ---- max_norm renormalisation -------------------------------------------------------------------
static void fz_renorm(fz_rng* r) {
  int32_t n_rows = fz_size(r, 1, 100), dim = fz_size(r, 1, 64), n_ids = fz_size(r, 0, 200);
  float* table = fz_floats(r, (size_t)n_rows * dim, TAME);
  int32_t* ids = fz_ids(r, n_ids, n_rows);
  static const double types[] = {1.0, 2.0, 3.0, 0.5, INFINITY};
  double p = fz_chance(r, 80) ? types[fz_range(r, 0, 4)] : 0.1 + fz_unit(r) * 5;
  double max_norm = fz_chance(r, 20) ? 0.0 : fz_unit(r) * (double)dim * 0.5;
  float* got = dup(table, (size_t)n_rows * dim * 4);
  uint8_t* seen = calloc((size_t)n_rows, 1);
  int32_t k = ek_renorm_rows_f32(got, seen, ids, n_ids, dim, max_norm, p);
  uint8_t* in = calloc((size_t)n_rows, 1);
  for (int32_t i = 0; i < n_ids; i++) in[ids[i]] = 1;
  int32_t want_k = 0, borderline = 0;
  for (int32_t row = 0; row < n_rows; row++) {
    CHECK(seen[row] == 0, "seen[%d] not cleared", row);
    const float* x = table + (size_t)row * dim;
    const float* y = got + (size_t)row * dim;
    long double norm = 0;
    if (isinf(p)) {
      for (int32_t j = 0; j < dim; j++) norm = fmaxl(norm, fabsl((long double)x[j]));
    } else {
      for (int32_t j = 0; j < dim; j++) norm += powl(fabsl((long double)x[j]), (long double)p);
      norm = powl(norm, 1.0L / (long double)p);
    }
    const int near = fabsl(norm - (long double)max_norm) <= 1e-12L * (1 + (long double)max_norm);
    const int scale = in[row] && norm > (long double)max_norm;
    borderline += in[row] && near;
    want_k += scale;
    if (!in[row] || (!scale && !near)) {
      CHECK(diff_bytes(x, y, (size_t)dim * 4) < 0, "row %d (norm %.6Lg, max %.6g) changed", row, norm, max_norm);
    } else if (scale && !near) {
      // rows scaled by (float)(max_norm / (norm + 1e-7)), as PyTorch's embedding_renorm_
      float s = (float)((long double)max_norm / (norm + 1e-7L));
      for (int32_t j = 0; j < dim; j++) {
        float w = x[j] * s;
        CHECK(y[j] == w || nextafterf(y[j], w) == w || (fabsf(y[j] - w) <= 2e-7f * fabsf(w)),
              "row %d col %d: %.9g, want %.9g", row, j, y[j], w);
      }
    }
  }
  CHECK(borderline || k == want_k, "rescaled %d rows, want %d", k, want_k);
  free(table), free(ids), free(got), free(seen), free(in);
}

// ---- sin/cos tables -----------------------------------------------------------------------------
typedef void (*table_fn)(float*, float*, int32_t, int32_t, const double*, int32_t, double, int32_t, double);

// Frequencies in (0, 1] with 32 significant bits (as tests/native/test_trig.c), so (pos0 + r) * f
// is exact in long double and sinl/cosl give the true value. Angles stay below 2^31, where even
// the __scalar reference (libm of the double-rounded angle) is within 2e-7.
static double freq32(fz_rng* r) {
  double f;
  switch (fz_range(r, 0, 2)) {
    case 0: f = pow(10000.0, -fz_unit(r)); break;
    case 1: f = fz_unit(r); break;
    default: f = ldexp(1.0 + fz_unit(r), -(int)fz_range(r, 1, 40)); break;
  }
  int e;
  double m = frexp(f, &e);
  return ldexp(nearbyint(ldexp(m, 32)), e - 32);
}

static void fz_sincos_table(fz_rng* r) {
  int32_t n_freq = fz_size(r, 1, 40), n_pos = fz_size(r, 0, 70);
  double pos0 = fz_chance(r, 50) ? (double)fz_range(r, 0, 3000) : (double)fz_range(r, 0, 2147483647 - 100);
  double scale = fz_chance(r, 60) ? 1.0 : fz_unit(r) * 4 - 2;
  // layouts: 0 interleaved (one buffer), 1 concat (one buffer), 2 two buffers, 3 generic strides
  int layout = (int)fz_range(r, 0, 3);
  int32_t rs, cs;
  size_t n, so = 0, co;
  switch (layout) {
    case 0: cs = 2; rs = 2 * n_freq + (int32_t)fz_range(r, 0, 3); co = 1; break;
    case 1: cs = 1; rs = 2 * n_freq + (int32_t)fz_range(r, 0, 3); co = (size_t)n_freq; break;
    case 2: cs = 1; rs = n_freq; co = 0; break;
    default: cs = (int32_t)fz_range(r, 2, 4); rs = cs * n_freq + (int32_t)fz_range(r, 0, 5); co = 1; break;
  }
  // elements the table touches in one buffer: (n_pos - 1) * rs + (n_freq - 1) * cs + 1 (+ co)
  n = n_pos ? (size_t)(n_pos - 1) * rs + (size_t)(n_freq - 1) * cs + 1 + (layout == 2 ? 0 : co) : 0;
  double* f = malloc(sizeof(double) * n_freq);
  for (int32_t i = 0; i < n_freq; i++) f[i] = freq32(r);
  static const table_fn fns[4] = {ek_sincos_table_f32__rotate, ek_sincos_table_f32__wasmsimd,
                                  ek_sincos_table_f32, ek_sincos_table_f32__scalar};
  float* out[4][2];
  for (int v = 0; v < 4; v++) {
    out[v][0] = malloc(n * sizeof(float) + 1);
    out[v][1] = layout == 2 ? malloc(n * sizeof(float) + 1) : 0;
    for (size_t i = 0; i < n; i++) out[v][0][i] = 7.0f;  // guard: untouched elements keep it
    if (layout == 2) for (size_t i = 0; i < n; i++) out[v][1][i] = 7.0f;
    float* sp = out[v][0] + so;
    float* cp = layout == 2 ? out[v][1] : out[v][0] + co;
    fns[v](sp, cp, rs, cs, f, n_freq, pos0, n_pos, scale);
  }
  for (int b = 0; b < (layout == 2 ? 2 : 1); b++) {
    SAME_F32(out[1][b], out[0][b], n, "__wasmsimd vs __rotate");
    SAME_F32(out[2][b], out[0][b], n, "dispatcher vs __rotate");
  }
  // accuracy of every variant (<= 2e-7 |scale|), and nothing else written
  for (int v = 0; v < 4; v++) {
    size_t written = 0, guards = 0;
    for (int32_t p = 0; p < n_pos; p++)
      for (int32_t i = 0; i < n_freq; i++) {
        long double a = (long double)(pos0 + p) * (long double)f[i];
        size_t k = (size_t)p * rs + (size_t)i * cs;
        float s = out[v][0][so + k], c = layout == 2 ? out[v][1][k] : out[v][0][co + k];
        double es = fabs((double)s - (double)(scale * sinl(a))), ec = fabs((double)c - (double)(scale * cosl(a)));
        CHECK(es <= 2e-7 * fabs(scale) + 1e-30 && ec <= 2e-7 * fabs(scale) + 1e-30,
              "variant %d: p %.0f f %.17g: sin err %.3g cos err %.3g", v, pos0 + p, f[i], es, ec);
        written += 2;
      }
    for (int b = 0; b < (layout == 2 ? 2 : 1); b++)
      for (size_t i = 0; i < n; i++) guards += out[v][b][i] == 7.0f;
    const size_t total = n * (layout == 2 ? 2 : 1);
    CHECK(total - guards <= written, "variant %d wrote %zu elements, the table has %zu", v, total - guards, written);
    free(out[v][0]), free(out[v][1]);
  }
  free(f);
}

static void fz_sincos_exact(fz_rng* r) {
  for (int k = 0; k < 32; k++) {
    double p = (double)fz_range(r, 0, 4294967295ll), f = freq32(r);
    if (fz_chance(r, 20)) f = -f;
    double s, c;
    ek_sincos_exact_f64(&s, &c, p, f);
    long double a = (long double)p * (long double)f;  // exact: 32 x 32 significant bits
    double es = fabs(s - (double)sinl(a)), ec = fabs(c - (double)cosl(a));
    CHECK(es <= 1e-15 && ec <= 1e-15, "p %.17g f %.17g: sin err %.3g cos err %.3g", p, f, es, ec);
  }
}

// ---- sinusoidal tables ---------------------------------------------------------------------------
static void fz_sinusoidal(fz_rng* r) {
  int32_t dim = 2 * fz_size(r, 1, 40), n_pos = fz_size(r, 0, 60);
  double pos0 = (double)fz_range(r, 0, fz_chance(r, 50) ? 5000 : 2147483000);
  double* fr = malloc(sizeof(double) * (dim / 2));
  if (fz_chance(r, 50)) {
    double base = fz_chance(r, 50) ? 10000.0 : 1.0 + fz_unit(r) * 1e6;
    ek_sinusoidal_freqs_f64(fr, dim, base);
    for (int32_t i = 0; i < dim / 2; i++) {  // pow(base, -(2i)/dim), the exponent rounded to double
      long double want = powl((long double)base, (long double)(-(2.0 * i) / dim));
      CHECK(ulp_err(fr[i], want) <= 1.0, "paper freq %d (dim %d, base %g): %.3f ulp", i, dim, base, ulp_err(fr[i], want));
    }
  } else {
    double mn = fz_chance(r, 50) ? 1.0 : 0.1 + fz_unit(r) * 10, mx = fz_chance(r, 50) ? 1e4 : mn * (1.0 + fz_unit(r) * 1e5);
    ek_timescale_freqs_f64(fr, dim, mn, mx);
    const int32_t n = dim / 2;
    const double inc = log(mx / mn) / (n - 1 > 1 ? n - 1 : 1);  // the documented double formula
    for (int32_t i = 0; i < n; i++) {
      // min * exp(-i * inc), the product i * inc rounded to double as written; the last one is
      // min^2 / max (not through exp)
      long double want = (n > 1 && i == n - 1) ? (long double)mn * mn / mx : (long double)mn * expl((long double)(-(double)i * inc));
      CHECK(ulp_err(fr[i], want) <= 2.0, "timescale freq %d (dim %d, %g..%g): %.3f ulp", i, dim, mn, mx, ulp_err(fr[i], want));
    }
  }
  const size_t n = (size_t)n_pos * dim;
  for (int layout = 0; layout <= 1; layout++) {
    float* a = malloc(n * sizeof(float) + 1);
    float* b = malloc(n * sizeof(float) + 1);
    for (size_t i = 0; i < n; i++) a[i] = b[i] = 7.0f;
    ek_sinusoidal_f32(a, fr, n_pos, dim, pos0, layout);
    // the same table through the builder, in the documented layout
    if (layout == EK_SINUSOIDAL_INTERLEAVED) ek_sincos_table_f32(b, b + 1, dim, 2, fr, dim / 2, pos0, n_pos, 1.0);
    else ek_sincos_table_f32(b, b + dim / 2, dim, 1, fr, dim / 2, pos0, n_pos, 1.0);
    SAME_F32(a, b, n, layout ? "sinusoidal concat vs sincos table" : "sinusoidal interleaved vs sincos table");
    for (size_t i = 0; i < n; i++) CHECK(a[i] != 7.0f, "element %zu not written", i);
    free(a), free(b);
  }
  free(fr);
}

// ---- InputEmbedding: fused forward, position gradient --------------------------------------------
typedef void (*embed_fn)(float*, const float*, const int32_t*, const float*, int32_t, int32_t, int32_t);
static void fz_input_embed(fz_rng* r) {
  // rows of 128 floats or more take the eight-row paths (interleaved, or row by row for repeats)
  int32_t n_rows = fz_size(r, 1, 120), dim = fz_chance(r, 30) ? fz_size(r, 120, 300) : fz_size(r, 1, 100);
  int32_t batch = fz_size(r, 0, 5), seq = fz_size(r, 1, 40);
  float* tok = fz_floats(r, (size_t)n_rows * dim, WILD);
  float* pos = fz_chance(r, 20) ? 0 : fz_floats(r, (size_t)seq * dim, WILD);
  int32_t* ids = fz_ids(r, batch * seq, n_rows);
  const size_t n = (size_t)batch * seq * dim;
  float* want = malloc(n * sizeof(float) + 1);
  for (int32_t b = 0; b < batch; b++)
    for (int32_t s = 0; s < seq; s++)
      for (int32_t j = 0; j < dim; j++) {
        size_t i = (size_t)b * seq + s;
        float t = tok[(size_t)ids[i] * dim + j];
        want[i * dim + j] = pos ? t + pos[(size_t)s * dim + j] : t;
      }
  static const embed_fn fns[3] = {ek_input_embed_f32__scalar, ek_input_embed_f32__wasmsimd, ek_input_embed_f32};
  for (int f = 0; f < 3; f++) {
    float* out = malloc(n * sizeof(float) + 1);
    fns[f](out, tok, ids, pos, batch, seq, dim);
    SAME_F32(out, want, n, f == 0 ? "__scalar vs token + position" : f == 1 ? "__wasmsimd" : "dispatcher");
    free(out);
  }
  free(tok), free(pos), free(ids), free(want);
}

typedef int32_t (*posgrad_fn)(float*, uint8_t*, int32_t*, int32_t, const float*, int32_t, int32_t, int32_t, int32_t);
static void fz_position_grad(fz_rng* r) {
  int32_t dim = fz_size(r, 1, 100), batch = fz_size(r, 0, 6), seq = fz_size(r, 1, 40);
  int32_t n_rows = seq + (int32_t)fz_range(r, 0, 30), pos0 = (int32_t)fz_range(r, 0, n_rows - seq);
  float* grad0 = fz_floats(r, (size_t)n_rows * dim, BIG);
  float* gout = fz_floats(r, (size_t)batch * seq * dim, BIG);
  // a few rows already touched by an earlier call
  uint8_t* mark0 = calloc((size_t)n_rows, 1);
  int32_t* touched0 = malloc((size_t)n_rows * 4 + 1);
  int32_t nt0 = 0;
  for (int32_t k = (int32_t)fz_range(r, 0, 4); k > 0; k--) {
    int32_t row = (int32_t)fz_range(r, 0, n_rows - 1);
    if (!mark0[row]) mark0[row] = 1, touched0[nt0++] = row;
  }
  float* want = dup(grad0, (size_t)n_rows * dim * 4);
  uint8_t* wm = dup(mark0, (size_t)n_rows);
  int32_t* wt = dup(touched0, (size_t)n_rows * 4);
  int32_t wn = nt0;
  for (int32_t s = 0; s < seq; s++) {
    int32_t row = pos0 + s;
    if (!wm[row]) wm[row] = 1, wt[wn++] = row;
    for (int32_t j = 0; j < dim; j++) {
      double sum = 0;
      for (int32_t b = 0; b < batch; b++) sum += (double)gout[((size_t)b * seq + s) * dim + j];
      float* g = want + (size_t)row * dim + j;
      *g = (float)((double)*g + sum);
    }
  }
  static const posgrad_fn fns[3] = {ek_position_grad_f32__scalar, ek_position_grad_f32__wasmsimd, ek_position_grad_f32};
  for (int f = 0; f < 3; f++) {
    float* g = dup(grad0, (size_t)n_rows * dim * 4);
    uint8_t* m = dup(mark0, (size_t)n_rows);
    int32_t* t = dup(touched0, (size_t)n_rows * 4);
    int32_t nt = fns[f](g, m, t, nt0, gout, batch, seq, dim, pos0);
    CHECK(nt == wn && diff_bytes(t, wt, (size_t)wn * 4) < 0 && diff_bytes(m, wm, (size_t)n_rows) < 0,
          "variant %d: touched rows", f);
    SAME_F32(g, want, (size_t)n_rows * dim, f == 0 ? "__scalar vs float64 batch sum" : f == 1 ? "__wasmsimd" : "dispatcher");
    free(g), free(m), free(t);
  }
  free(grad0), free(gout), free(mark0), free(touched0), free(want), free(wm), free(wt);
}

// ---- RoPE ------------------------------------------------------------------------------------------
typedef void (*rope_fn)(float*, const float*, const float*, const float*, const int32_t*, int32_t, int32_t,
                        int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, float);
static void fz_rope(fz_rng* r) {
  int32_t head_dim = 2 * fz_size(r, 1, 40), rot = 2 * (int32_t)fz_range(r, 1, head_dim / 2);
  if (fz_chance(r, 50)) rot = head_dim;
  int32_t nb = fz_size(r, 1, 3), ns = fz_size(r, 1, 12), nh = fz_size(r, 1, 5), n_rows = fz_size(r, 1, 64);
  int32_t layout = (int32_t)fz_range(r, 0, 1), inter = (int32_t)fz_range(r, 0, 1);
  float sign = fz_chance(r, 50) ? 1.0f : -1.0f;
  // positions: an array (shared, or one list per batch row), or an offset
  int32_t* pos = 0;
  int32_t bstride = 0, offset = 0;
  if (fz_chance(r, 50)) {
    bstride = fz_chance(r, 50) ? 0 : ns;
    size_t np = (size_t)(bstride ? nb : 1) * ns;
    pos = malloc(np * 4 + 1);
    for (size_t i = 0; i < np; i++) pos[i] = (int32_t)fz_range(r, 0, n_rows - 1);
  } else {
    bstride = fz_chance(r, 50) ? 0 : ns;
    int32_t span = bstride ? nb * ns : ns;  // rows used: offset .. offset + span - 1
    if (span > n_rows) n_rows = span;
    offset = (int32_t)fz_range(r, 0, n_rows - span);
  }
  const int32_t half = rot / 2;
  float* cs = malloc((size_t)n_rows * half * 4 + 1);
  float* sn = malloc((size_t)n_rows * half * 4 + 1);
  for (size_t i = 0; i < (size_t)n_rows * half; i++) {
    double a = fz_unit(r) * 6.283185307179586, m = fz_chance(r, 80) ? 1.0 : 0.5 + fz_unit(r);
    cs[i] = (float)(m * cos(a)), sn[i] = (float)(m * sin(a));
  }
  const size_t n = (size_t)nb * ns * nh * head_dim;
  float* x = fz_floats(r, n, WILD);
  // reference: per pair, y_a = x_a c - x_b s, y_b = x_a s + x_b c (float32; built with
  // -ffp-contract=off, so nothing is fused, as in wasm)
  float* want = dup(x, n * 4);
  for (int32_t b = 0; b < nb; b++)
    for (int32_t s = 0; s < ns; s++)
      for (int32_t h = 0; h < nh; h++) {
        size_t base = layout == EK_ROPE_BSHD ? (((size_t)b * ns + s) * nh + h) * head_dim
                                             : (((size_t)b * nh + h) * ns + s) * head_dim;
        int32_t p = pos ? pos[(size_t)b * bstride + s] : offset + b * bstride + s;
        for (int32_t i = 0; i < half; i++) {
          size_t ia = base + (inter ? 2 * i : i), ib = base + (inter ? 2 * i + 1 : i + half);
          float c = cs[(size_t)p * half + i], si = sign * sn[(size_t)p * half + i];
          float xa = x[ia], xb = x[ib];
          want[ia] = xa * c - xb * si;
          want[ib] = xa * si + xb * c;
        }
      }
  static const rope_fn fns[3] = {ek_rope_f32__scalar, ek_rope_f32__wasmsimd, ek_rope_f32};
  for (int f = 0; f < 3; f++) {
    for (int inplace = 0; inplace <= 1; inplace++) {
      float* out = inplace ? dup(x, n * 4) : malloc(n * 4 + 1);
      const float* in = inplace ? out : x;
      fns[f](out, in, cs, sn, pos, bstride, offset, nb, ns, nh, head_dim, rot, layout, inter, sign);
      SAME_F32(out, want, n, inplace ? "in place vs the pair formula" : "out of place vs the pair formula");
      free(out);
    }
  }
  // the highest position
  if (pos) {
    size_t np = (size_t)(bstride ? nb : 1) * ns;
    int32_t mx = INT32_MIN;
    for (size_t i = 0; i < np; i++) mx = pos[i] > mx ? pos[i] : mx;
    CHECK(ek_max_i32(pos, (int32_t)np) == mx, "ek_max_i32");
  }
  {
    int32_t m = fz_size(r, 1, 100);
    int32_t* v = malloc((size_t)m * 4);
    int32_t mx = INT32_MIN;
    for (int32_t i = 0; i < m; i++) v[i] = (int32_t)fz_u32(r), mx = v[i] > mx ? v[i] : mx;
    CHECK(ek_max_i32(v, m) == mx, "ek_max_i32 of %d values", m);
    free(v);
  }
  free(pos), free(cs), free(sn), free(x), free(want);
}

// ---- neighbours ----------------------------------------------------------------------------------
typedef void (*scores_fn)(float*, const float*, const float*, const float*, int32_t, int32_t);
static void fz_neighbors(fz_rng* r) {
  int32_t n_rows = fz_size(r, 0, 150), dim = fz_size(r, 1, 100);
  float* t = fz_floats(r, (size_t)n_rows * dim, TAME);
  if (n_rows && fz_chance(r, 30)) memset(t, 0, (size_t)dim * 4);  // an all-zero row
  float* inv = malloc((size_t)n_rows * 4 + 1);
  ek_row_inv_norms_f32(inv, t, n_rows, dim);
  for (int32_t i = 0; i < n_rows; i++) {
    long double ss = 0;
    for (int32_t j = 0; j < dim; j++) ss += (long double)t[(size_t)i * dim + j] * t[(size_t)i * dim + j];
    float want = ss > 0 ? (float)(1.0L / sqrtl(ss)) : 0.0f;
    CHECK(inv[i] == want || nextafterf(inv[i], want) == want, "inv norm row %d: %.9g, want %.9g", i, inv[i], want);
  }
  float* q = fz_floats(r, (size_t)dim, TAME);
  float* s[3];
  static const scores_fn fns[3] = {ek_cosine_scores_f32__scalar, ek_cosine_scores_f32__wasmsimd, ek_cosine_scores_f32};
  for (int f = 0; f < 3; f++) {
    s[f] = malloc((size_t)n_rows * 4 + 1);
    fns[f](s[f], t, inv, q, n_rows, dim);
  }
  SAME_F32(s[1], s[0], (size_t)n_rows, "__wasmsimd vs __scalar");
  SAME_F32(s[2], s[0], (size_t)n_rows, "dispatcher vs __scalar");
  for (int32_t i = 0; i < n_rows; i++) {
    double d = 0, a = 0;
    for (int32_t j = 0; j < dim; j++) d += (double)q[j] * t[(size_t)i * dim + j], a += fabs((double)q[j] * t[(size_t)i * dim + j]);
    double want = d * inv[i];
    // float32 dot product: within dim roundings of the sum of |terms|, each at least half the
    // smallest denormal (products of tiny values); a row of denormals has 1/norm beyond float32
    // (inv = inf, and the score is +-inf or NaN)
    const double tol = (dim + 2) * (1.2e-7 * a + 1.5e-45) * inv[i];
    CHECK(isfinite(want) ? fabs(s[0][i] - want) <= tol : !isfinite(s[0][i]),
          "score %d: %.9g, float64 %.9g (dim %d, sum |terms| %.9g, inv norm %.9g)", i, s[0][i], want, dim, a, (double)inv[i]);
  }
  // top k, ties to the lower index, NaN never chosen, excluded rows never chosen
  int32_t k = (int32_t)fz_range(r, -1, n_rows + 2), n_ex = n_rows ? (int32_t)fz_range(r, 0, 4) : 0;
  int32_t* ex = malloc((size_t)n_ex * 4 + 1);
  for (int32_t e = 0; e < n_ex; e++) ex[e] = (int32_t)fz_range(r, 0, n_rows - 1);
  float* sc = dup(s[0], (size_t)n_rows * 4);
  for (int32_t i = 0; i < n_rows; i++)  // ties and NaNs
    if (fz_chance(r, 10)) sc[i] = fz_chance(r, 50) ? NAN : sc[fz_range(r, 0, n_rows - 1)];
  float* sc0 = dup(sc, (size_t)n_rows * 4);
  int32_t kk = k > 0 ? k : 0;
  int32_t* idx = malloc((size_t)kk * 4 + 1);
  float* val = malloc((size_t)kk * 4 + 1);
  int32_t got = ek_topk_f32(idx, val, sc, n_rows, k, ex, n_ex);
  uint8_t* used = calloc((size_t)n_rows + 1, 1);
  for (int32_t e = 0; e < n_ex; e++) used[ex[e]] = 1;
  int32_t want_n = 0;
  for (int32_t w = 0; w < kk; w++) {
    int32_t best = -1;
    for (int32_t i = 0; i < n_rows; i++)
      if (!used[i] && sc0[i] == sc0[i] && (best < 0 || sc0[i] > sc0[best])) best = i;
    if (best < 0) break;
    used[best] = 1;
    CHECK(w < got && idx[w] == best && same_f32(val[w], sc0[best]), "top-k place %d: row %d, want %d", w,
          w < got ? idx[w] : -1, best);
    want_n++;
  }
  CHECK(got == want_n, "top-k returned %d, want %d", got, want_n);
  free(ex), free(sc), free(sc0), free(idx), free(val), free(used);
  for (int f = 0; f < 3; f++) free(s[f]);
  free(t), free(inv), free(q);
}

// ---- optimizers ------------------------------------------------------------------------------------
typedef void (*sgd_fn)(float*, float*, int32_t*, const float*, const int32_t*, int32_t, int32_t, int32_t,
                       float, float, float, float, int32_t);
typedef void (*adam_fn)(float*, float*, float*, int32_t*, const float*, const int32_t*, int32_t, int32_t,
                        int32_t, double, double, double, double, double, int32_t, int32_t, int32_t);
static void fz_optim(fz_rng* r) {
  int32_t n_rows = fz_size(r, 1, 60), dim = fz_size(r, 1, 70), n_list = 0;
  const size_t N = (size_t)n_rows * dim;
  float* w0 = fz_floats(r, N, TAME);
  float* g = fz_floats(r, N, TAME);
  float* m0 = fz_floats(r, N, TAME);
  float* v0 = fz_floats(r, N, TAME);
  for (size_t i = 0; i < N; i++) v0[i] = fabsf(v0[i]);  // a second moment is >= 0
  int32_t* steps0 = malloc((size_t)n_rows * 4);
  for (int32_t i = 0; i < n_rows; i++) steps0[i] = (int32_t)fz_range(r, 0, 3);
  int32_t* rows = fz_chance(r, 30) ? 0 : fz_distinct(r, n_rows, &n_list);
  const int calls = (int)fz_range(r, 1, 3);
  const float lr = (float)fz_unit(r) * 0.1f, mom = fz_chance(r, 40) ? 0.0f : (float)fz_unit(r);
  const float damp = fz_chance(r, 50) ? 0.0f : (float)fz_unit(r), wd = fz_chance(r, 50) ? 0.0f : (float)fz_unit(r) * 0.1f;
  const int32_t nest = mom > 0 && damp == 0 && fz_chance(r, 50);
  const double alr = fz_unit(r) * 0.05, b1 = fz_chance(r, 50) ? 0.9 : fz_unit(r) * 0.99, b2 = fz_chance(r, 50) ? 0.999 : fz_unit(r) * 0.9999;
  const double eps = fz_chance(r, 50) ? 1e-8 : fz_unit(r) * 1e-3, awd = fz_chance(r, 50) ? 0 : fz_unit(r) * 0.1;
  const int32_t decoupled = (int32_t)fz_range(r, 0, 1), eps_mode = (int32_t)fz_range(r, 0, 1);
  const int32_t gstep = fz_chance(r, 30) ? 0 : (int32_t)fz_range(r, 1, 1000);
  static const sgd_fn sgd[3] = {ek_sgd_rows_f32__scalar, ek_sgd_rows_f32__wasmsimd, ek_sgd_rows_f32};
  static const adam_fn adam[3] = {ek_adam_rows_f32__scalar, ek_adam_rows_f32__wasmsimd, ek_adam_rows_f32};
  float* res[3][4];
  int32_t* st[3];
  for (int f = 0; f < 3; f++) {
    float* w = dup(w0, N * 4);
    float* b = dup(m0, N * 4);
    float* m = dup(m0, N * 4);
    float* v = dup(v0, N * 4);
    int32_t* s = dup(steps0, (size_t)n_rows * 4);
    for (int c = 0; c < calls; c++) {
      sgd[f](w, b, s, g, rows, n_list, n_rows, dim, lr, mom, damp, wd, nest);
      if (mom == 0) sgd[f](w, 0, s, g, rows, n_list, n_rows, dim, lr, 0.0f, damp, wd, 0);  // buf may be 0
      adam[f](w, m, v, s, g, rows, n_list, n_rows, dim, alr, b1, b2, eps, awd, decoupled, eps_mode, gstep ? gstep + c : 0);
    }
    res[f][0] = w, res[f][1] = b, res[f][2] = m, res[f][3] = v, st[f] = s;
  }
  for (int f = 1; f < 3; f++) {
    for (int k = 0; k < 4; k++) {
      static const char* what[4] = {"weight", "momentum", "exp_avg", "exp_avg_sq"};
      long at = diff_f32(res[f][k], res[0][k], N);
      CHECK(at < 0, "%s vs __scalar: %s differs at %ld (eps_mode %d, decoupled %d)", f == 1 ? "__wasmsimd" : "dispatcher",
            what[k], at, eps_mode, decoupled);
    }
    CHECK(diff_bytes(st[f], st[0], (size_t)n_rows * 4) < 0, "row step counts differ");
  }
  // rows outside the list: weight and state untouched, step count unchanged
  if (rows) {
    uint8_t* in = calloc((size_t)n_rows, 1);
    for (int32_t i = 0; i < n_list; i++) in[rows[i]] = 1;
    for (int32_t row = 0; row < n_rows; row++) {
      int32_t bumps = in[row] ? calls * (mom == 0 ? 3 : 2) : 0;
      CHECK(st[0][row] == steps0[row] + bumps, "row %d: %d steps, want %d", row, st[0][row], steps0[row] + bumps);
      if (in[row]) continue;
      size_t o = (size_t)row * dim;
      CHECK(diff_bytes(res[0][0] + o, w0 + o, (size_t)dim * 4) < 0 && diff_bytes(res[0][1] + o, m0 + o, (size_t)dim * 4) < 0 &&
                diff_bytes(res[0][2] + o, m0 + o, (size_t)dim * 4) < 0 && diff_bytes(res[0][3] + o, v0 + o, (size_t)dim * 4) < 0,
            "row %d is not in the list but changed", row);
    }
    free(in);
  }
  for (int f = 0; f < 3; f++) {
    for (int k = 0; k < 4; k++) free(res[f][k]);
    free(st[f]);
  }
  free(w0), free(g), free(m0), free(v0), free(steps0), free(rows);
}

// ---- word2vec ------------------------------------------------------------------------------------
typedef struct {
  int32_t V, dim, window, neg, cbow, epochs, bits, hs, cbow_mean, shrink, n_corpus, tokens;
  double sample, ns_exp;
  uint32_t seed;
  const int32_t* corpus;
  const double* counts;
  const int32_t *hs_off, *hs_point;
  const uint8_t* hs_code;
} w2v_cfg;

typedef struct {
  float *syn0, *syn1neg, *syn1;
  double prog[10];
} w2v_res;

// Train to the end: `scalar` selects force_scalar; ek_w2v_step is called with chunks[i % n_chunks]
// words; with n_pieces > 0 the corpus is streamed, split at cuts[0..n_pieces-2].
// With threads > 1 the corpus is split among that many parts (ek_w2v_threads); natively the parts
// run one after another, so the result is still a deterministic function of the inputs.
static w2v_res w2v_run_t(const w2v_cfg* c, int32_t scalar, const int32_t* chunks, int n_chunks, const int32_t* cuts,
                         int n_pieces, int32_t threads) {
  CHECK(ek_w2v_sizeof() >= (int32_t)sizeof(ek_w2v), "ek_w2v_sizeof() = %d", ek_w2v_sizeof());
  ek_w2v* st = aligned_alloc(64, (size_t)ek_w2v_sizeof());
  const size_t tb = (size_t)c->V * c->dim * 4;
  w2v_res out;
  out.syn0 = malloc(tb);
  out.syn1neg = c->neg ? malloc(tb) : 0;
  out.syn1 = c->hs ? malloc((size_t)(c->V > 1 ? c->V - 1 : 1) * c->dim * 4) : 0;
  int32_t* table = c->neg ? malloc(((size_t)1 << c->bits) * 4) : 0;
  float* keep = malloc((size_t)c->V * 4);
  float* neu1 = malloc((size_t)c->dim * 4);
  float* neu1e = malloc((size_t)c->dim * 4);
  int32_t* sen = malloc(EK_W2V_MAX_SENTENCE * 4);
  const int stream = n_pieces > 0;
  int rc = ek_w2v_init(st, out.syn0, out.syn1neg, table, keep, neu1, neu1e, sen, stream ? 0 : c->corpus,
                       stream ? 0 : c->n_corpus, c->tokens, c->counts, c->V, c->dim, c->window, c->neg, c->cbow,
                       c->sample, 0.025f, 1e-4f, c->epochs, c->bits, c->seed, 0, scalar, c->ns_exp, c->hs, out.syn1,
                       c->hs_off, c->hs_code, c->hs_point, c->cbow_mean, c->shrink, stream);
  CHECK(rc == EK_OK, "ek_w2v_init returned %d", rc);
  ek_w2v* parts = 0;
  float* neu = 0;
  int32_t* sens = 0;
  if (threads > 1) {
    parts = aligned_alloc(64, (size_t)threads * (size_t)ek_w2v_sizeof());
    neu = malloc((size_t)threads * 2 * EK_W2V_VEC_STRIDE(c->dim) * 4);
    sens = malloc((size_t)threads * EK_W2V_SEN_STRIDE * 4);
    CHECK(ek_w2v_threads(st, parts, 1, neu, sens) == EK_ERR_ARG, "ek_w2v_threads with one part accepted");
    const int32_t trc = ek_w2v_threads(st, parts, threads, neu, sens);
    CHECK(trc == (stream ? EK_ERR_ARG : EK_OK), "ek_w2v_threads(%d parts, stream %d) returned %d", threads, stream, trc);
    // after the first step the split is refused
    if (trc == EK_OK) CHECK(ek_w2v_threads(st, parts, threads, neu, sens) == EK_ERR_ARG, "ek_w2v_threads twice");
  }
  int64_t total = 0;
  int piece = 0, fed = 0;
  for (int i = 0; rc == EK_OK && i < 1000000; i++) {
    int32_t got = ek_w2v_step(st, chunks[i % n_chunks]);
    CHECK(got >= 0, "ek_w2v_step returned %d", got);
    total += got;
    ek_w2v_progress(out.prog, st, i & 1);
    if (out.prog[9] != 0) break;
    if (out.prog[8] != 0) {  // streaming: the next piece; after the last one, the next epoch's first
      CHECK(stream, "need_input without streaming");
      int32_t lo = piece == 0 ? 0 : cuts[piece - 1], hi = piece == n_pieces - 1 ? c->n_corpus : cuts[piece];
      int32_t* buf = malloc((size_t)(hi - lo) * 4 + 1);  // exact size: ASan sees any read past it
      memcpy(buf, c->corpus + lo, (size_t)(hi - lo) * 4);
      ek_w2v_feed(st, buf, hi - lo, piece == n_pieces - 1);
      // the trainer keeps the pointer until it asks again: free the previous piece only now
      static int32_t* prev = 0;
      free(prev);
      prev = buf;
      piece = (piece + 1) % n_pieces;
      fed++;
    } else if (i > 0 && got == 0) {
      CHECK(0, "no progress and not done (words %g of %g)", out.prog[0], out.prog[1]);
      break;
    }
  }
  ek_w2v_progress(out.prog, st, 0);
  CHECK(out.prog[9] != 0 && out.prog[0] == out.prog[1] && out.prog[1] == (double)c->tokens * c->epochs &&
            total == (int64_t)c->tokens * c->epochs,
        "done %g, words %g of %g (steps returned %lld, stream %d)", out.prog[9], out.prog[0], out.prog[1], (long long)total, stream);
  free(st), free(table), free(keep), free(neu1), free(neu1e), free(sen), free(parts), free(neu), free(sens);
  return out;
}
static w2v_res w2v_run(const w2v_cfg* c, int32_t scalar, const int32_t* chunks, int n_chunks, const int32_t* cuts,
                       int n_pieces) {
  return w2v_run_t(c, scalar, chunks, n_chunks, cuts, n_pieces, 1);
}
static void w2v_free(w2v_res* r) { free(r->syn0), free(r->syn1neg), free(r->syn1); }

// A size out of range is EK_ERR_ARG and writes nothing.
static void w2v_bad_args(fz_rng* r) {
  int32_t a[8] = {3, 2, 1, 1, 1, 4, 5, 5};  // n_vocab dim window negative epochs table_bits n_corpus n_tokens
  static const int32_t bad[8][2] = {{0, -1}, {0, INT32_MIN}, {0, -3}, {-1, INT32_MIN}, {0, -1}, {0, 31}, {-1, INT32_MIN}, {-1, -9}};
  const int k = (int)fz_range(r, 0, 7);
  a[k] = bad[k][fz_range(r, 0, 1)];
  const size_t sz = (size_t)ek_w2v_sizeof();
  uint8_t* st = malloc(sz);
  memset(st, 0xab, sz);
  uint8_t* st0 = dup(st, sz);
  float syn0[6] = {9, 9, 9, 9, 9, 9}, syn1[6] = {9, 9, 9, 9, 9, 9}, keep[3], neu1[2], neu1e[2];
  int32_t table[16], sen[EK_W2V_MAX_SENTENCE], corpus[5] = {0, 1, 2, 1, 0};
  double counts[3] = {2, 2, 1};
  int rc = ek_w2v_init((ek_w2v*)st, syn0, syn1, table, keep, neu1, neu1e, sen, corpus, a[6], a[7], counts, a[0], a[1],
                       a[2], a[3], 0, 0.0, 0.025f, 1e-4f, a[4], a[5], 1, 0, 0, 0.75, 0, 0, 0, 0, 0, 1, 1, 0);
  CHECK(rc == EK_ERR_ARG, "argument %d = %d: ek_w2v_init returned %d, want EK_ERR_ARG", k, a[k], rc);
  CHECK(diff_bytes(st, st0, sz) < 0 && syn0[0] == 9 && syn1[5] == 9, "argument %d = %d: a refused init wrote", k, a[k]);
  free(st), free(st0);
}

// A random full binary tree over V leaves (inner node k is the k-th created, the root V - 2), as
// the hs arrays: word w's path root first at off[w] .. off[w+1]-1, with point (inner node) and
// code (which child) per step. Any such tree is valid input; the tool's Huffman tree is one.
static void random_tree(fz_rng* r, int32_t V, int32_t** off, int32_t** point, uint8_t** code) {
  int32_t* parent = malloc((size_t)(2 * V) * 4);
  uint8_t* bit = calloc((size_t)(2 * V), 1);
  int32_t* live = malloc((size_t)V * 4);
  int32_t n_live = V;
  for (int32_t i = 0; i < V; i++) live[i] = i;
  for (int32_t k = 0; k < V - 1; k++) {
    for (int b = 0; b < 2; b++) {
      int32_t j = (int32_t)fz_range(r, 0, n_live - 1), node = live[j];
      live[j] = live[--n_live];
      parent[node] = V + k;
      bit[node] = (uint8_t)b;
    }
    live[n_live++] = V + k;
  }
  *off = malloc((size_t)(V + 1) * 4);
  (*off)[0] = 0;
  for (int32_t w = 0; w < V; w++) {
    int32_t len = 0;
    for (int32_t b = w; V > 1 && b != 2 * V - 2; b = parent[b]) len++;
    (*off)[w + 1] = (*off)[w] + len;
  }
  *point = malloc((size_t)(*off)[V] * 4 + 1);
  *code = malloc((size_t)(*off)[V] + 1);
  for (int32_t w = 0; w < V; w++) {
    int32_t d = (*off)[w + 1] - 1;
    for (int32_t b = w; V > 1 && b != 2 * V - 2; b = parent[b], d--) {
      (*code)[d] = bit[b];
      (*point)[d] = parent[b] - V;
    }
  }
  free(parent), free(bit), free(live);
}

// ek_w2v_peek: reads only (state, tables, sentence buffer unchanged), and the next
// ek_w2v_step(st, 1) reads the words it said, at its learning rate, and changes only the output
// rows it named (centre words and negatives) and the input rows of its examples' windows.
static void w2v_peek_check(fz_rng* r, const w2v_cfg* c) {
  const size_t sz = (size_t)ek_w2v_sizeof(), n = (size_t)c->V * c->dim, dim = (size_t)c->dim;
  ek_w2v* st = malloc(sz);
  float *syn0 = malloc(n * 4), *syn1neg = c->neg ? malloc(n * 4) : 0, *syn1 = c->hs ? malloc((size_t)(c->V > 1 ? c->V - 1 : 1) * dim * 4) : 0;
  int32_t* table = c->neg ? malloc(((size_t)1 << c->bits) * 4) : 0;
  float *keep = malloc((size_t)c->V * 4), *neu1 = malloc(dim * 4), *neu1e = malloc(dim * 4);
  int32_t* sen = malloc(EK_W2V_MAX_SENTENCE * 4);
  int rc = ek_w2v_init(st, syn0, syn1neg, table, keep, neu1, neu1e, sen, c->corpus, c->n_corpus, c->tokens, c->counts, c->V,
                       c->dim, c->window, c->neg, c->cbow, c->sample, 0.025f, 1e-4f, c->epochs, c->bits, c->seed, 0,
                       fz_chance(r, 50), c->ns_exp, c->hs, syn1, c->hs_off, c->hs_code, c->hs_point, c->cbow_mean, c->shrink, 0);
  CHECK(rc == EK_OK, "ek_w2v_init returned %d", rc);
  int32_t *psen = malloc(EK_W2V_MAX_SENTENCE * 4), *at = malloc(EK_W2V_MAX_SENTENCE * 4), *win = malloc(EK_W2V_MAX_SENTENCE * 4);
  uint8_t* named = malloc((size_t)c->V);
  uint8_t* input = malloc((size_t)c->V);
  double info[9], prog[10];
  for (int i = 0; i < 400; i++) {
    uint8_t* st0 = dup(st, sz);
    float* s0 = dup(syn0, n * 4);
    float* o0 = c->neg ? dup(syn1neg, n * 4) : 0;
    rc = ek_w2v_peek(st, psen, at, win, 0, 0, 0, 0, info);
    const int32_t n_ex = (int32_t)info[1], n_neg = (int32_t)info[2], len = (int32_t)info[0];
    CHECK(rc == (n_ex == 0 && n_neg == 0 ? EK_OK : EK_ERR_ARG), "peek with no room returned %d (%d examples)", rc, n_ex);
    int32_t* ex = malloc((size_t)n_ex * 12 + 4);
    int32_t* neg = malloc((size_t)n_neg * 4 + 4);
    CHECK(ek_w2v_peek(st, psen, at, win, ex, n_ex, neg, n_neg, info) == EK_OK, "ek_w2v_peek refused a paused trainer");
    CHECK(diff_bytes(st, st0, sz) < 0 && diff_bytes(syn0, s0, n * 4) < 0 && (!c->neg || diff_bytes(syn1neg, o0, n * 4) < 0),
          "ek_w2v_peek wrote to the trainer");
    memset(named, 0, (size_t)c->V);
    memset(input, 0, (size_t)c->V);
    for (int32_t k = 0; k < len; k++) CHECK(c->corpus[at[k]] == psen[k] && win[k] >= 1 && win[k] <= c->window, "peek sentence word %d", k);
    for (int32_t e = 0, m = 0; e < n_ex; e++) {
      const int32_t pos = ex[3 * e], in = ex[3 * e + 1], k = ex[3 * e + 2];
      CHECK(pos >= 0 && pos < len && in >= -1 && in < len && k >= 0 && k <= c->neg, "peek example %d", e);
      named[psen[pos]] = 1;
      for (int32_t d = 0; d < k; d++, m++) {
        CHECK(neg[m] >= 0 && neg[m] < c->V && neg[m] != psen[pos], "peek negative %d", m);
        named[neg[m]] = 1;
      }
      for (int32_t q = pos - win[pos]; q <= pos + win[pos]; q++)
        if (q >= 0 && q < len && q != pos && (in < 0 || in == q)) input[psen[q]] = 1;
    }
    ek_w2v_progress(prog, st, 0);
    const double done0 = prog[0];
    ek_w2v_step(st, 1);
    ek_w2v_progress(prog, st, 1);
    if (info[8] != 0) {
      CHECK(prog[0] == done0, "peek said done, the step read %g words", prog[0] - done0);
    } else {
      CHECK(prog[0] - done0 == info[3] && (float)prog[3] == (float)info[4], "peek: %g words at lr %g, step: %g at %g", info[3], info[4],
            prog[0] - done0, prog[3]);
      for (size_t w = 0; w < (size_t)c->V; w++) {
        if (c->neg && !named[w]) CHECK(diff_bytes(syn1neg + w * dim, o0 + w * dim, dim * 4) < 0, "output row %zu changed, not named", w);
        if (!input[w]) CHECK(diff_bytes(syn0 + w * dim, s0 + w * dim, dim * 4) < 0, "input row %zu changed, not an input", w);
      }
    }
    free(st0), free(s0), free(o0), free(ex), free(neg);
    if (info[8] != 0) break;
  }
  free(st), free(syn0), free(syn1neg), free(syn1), free(table), free(keep), free(neu1), free(neu1e), free(sen);
  free(psen), free(at), free(win), free(named), free(input);
}

static void fz_word2vec(fz_rng* r) {
  if (fz_chance(r, 20)) w2v_bad_args(r);
  w2v_cfg c;
  c.V = fz_size(r, 1, 40), c.dim = fz_size(r, 1, 40), c.n_corpus = fz_size(r, 0, 600);
  int32_t* corpus = malloc((size_t)c.n_corpus * 4 + 1);
  double* counts = calloc((size_t)c.V, sizeof(double));
  c.tokens = 0;
  const int brk = (int)fz_range(r, 0, 30);
  for (int32_t i = 0; i < c.n_corpus; i++) {
    if (fz_chance(r, brk)) { corpus[i] = -1; continue; }
    corpus[i] = (int32_t)((double)c.V * pow(fz_unit(r), 2.0));
    if (corpus[i] >= c.V) corpus[i] = c.V - 1;
    counts[corpus[i]]++;
    c.tokens++;
  }
  const int zero_ok = fz_chance(r, 30);  // words absent from the corpus may have count 0
  for (int32_t i = 0; i < c.V; i++)
    if (counts[i] == 0 && (!zero_ok || i == 0)) counts[i] = 1;
  c.window = (int32_t)fz_range(r, 1, 6), c.neg = (int32_t)fz_range(r, 0, 6), c.cbow = (int32_t)fz_range(r, 0, 1);
  c.hs = c.neg == 0 || fz_chance(r, 30);
  c.cbow_mean = fz_chance(r, 70), c.shrink = fz_chance(r, 70);
  c.sample = fz_chance(r, 50) ? 0 : fz_unit(r) * 0.01;
  c.ns_exp = fz_chance(r, 60) ? 0.75 : fz_unit(r) * 1.5;
  c.epochs = (int32_t)fz_range(r, 1, 3), c.bits = (int32_t)fz_range(r, 4, 12);
  c.seed = fz_u32(r);
  c.corpus = corpus, c.counts = counts;
  int32_t *off = 0, *point = 0;
  uint8_t* code = 0;
  if (c.hs) random_tree(r, c.V, &off, &point, &code);
  c.hs_off = off, c.hs_point = point, c.hs_code = code;
  const int32_t one[] = {1 << 30};
  int32_t chunks[4], cuts[6];
  for (int i = 0; i < 4; i++) chunks[i] = (int32_t)fz_range(r, 1, 300);
  const int n_pieces = (int)fz_range(r, 1, 7);
  for (int i = 0; i < n_pieces - 1; i++) cuts[i] = (int32_t)fz_range(r, 0, c.n_corpus);
  for (int i = 1; i < n_pieces - 1; i++)  // sorted cut points (pieces may be empty)
    for (int j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) { int32_t t = cuts[j]; cuts[j] = cuts[j - 1]; cuts[j - 1] = t; }
  w2v_res a = w2v_run(&c, 0, one, 1, 0, 0);          // SIMD, the whole corpus in one call
  w2v_res b = w2v_run(&c, 1, chunks, 4, 0, 0);       // scalar, in chunks
  w2v_res s = w2v_run(&c, 0, chunks, 4, cuts, n_pieces);  // SIMD, streamed in pieces
  const size_t n = (size_t)c.V * c.dim, n1 = (size_t)(c.V > 1 ? c.V - 1 : 1) * c.dim;
  SAME_F32(b.syn0, a.syn0, n, "syn0: scalar in chunks vs SIMD in one call");
  SAME_F32(s.syn0, a.syn0, n, "syn0: streamed in pieces vs the whole corpus");
  if (c.neg) {
    SAME_F32(b.syn1neg, a.syn1neg, n, "syn1neg: scalar in chunks vs SIMD in one call");
    SAME_F32(s.syn1neg, a.syn1neg, n, "syn1neg: streamed vs whole");
  }
  if (c.hs) {
    SAME_F32(b.syn1, a.syn1, n1, "syn1 (hs): scalar in chunks vs SIMD in one call");
    SAME_F32(s.syn1, a.syn1, n1, "syn1 (hs): streamed vs whole");
  }
  for (size_t i = 0; i < n; i++) CHECK(isfinite(a.syn0[i]), "non-finite input vector value at %zu", i);
  // Lock-free parts (ek_w2v_threads): every word read once per epoch, SIMD and scalar twins equal
  // (natively the parts run one after another, in turns set by the chunk sizes); a streamed corpus or one part is refused.
  const int32_t parts = (int32_t)fz_range(r, 1, 9);
  w2v_res ta = w2v_run_t(&c, 0, chunks, 4, 0, 0, parts == 1 ? 2 : parts);  // same chunks: they set how parts interleave
  w2v_res tb = w2v_run_t(&c, 1, chunks, 4, 0, 0, parts == 1 ? 2 : parts);
  SAME_F32(tb.syn0, ta.syn0, n, "syn0 with parts: scalar vs SIMD");
  if (c.neg) SAME_F32(tb.syn1neg, ta.syn1neg, n, "syn1neg with parts: scalar vs SIMD");
  if (c.hs) SAME_F32(tb.syn1, ta.syn1, n1, "syn1 (hs) with parts: scalar vs SIMD");
  for (size_t i = 0; i < n; i++) CHECK(isfinite(ta.syn0[i]), "non-finite input vector value with parts at %zu", i);
  w2v_free(&ta), w2v_free(&tb);
  if (n_pieces > 1) { w2v_res ts = w2v_run_t(&c, 0, chunks, 4, cuts, n_pieces, 2); w2v_free(&ts); }
  w2v_peek_check(r, &c);
  w2v_free(&a), w2v_free(&b), w2v_free(&s);
  free(corpus), free(counts), free(off), free(point), free(code);
}

// ---- storage dtypes: f16, bf16, Q8_0, Q4_0, Q4_K, Q6_K ----------------------------------------
// References written from the definitions (IEEE binary16, bfloat16, ggml's dequantize_row_* and
// quantize_row_*_ref), one float32 rounding per operation in ggml's order.
static float ref_half(uint16_t h) {
  const uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 31, m = h & 1023;
  uint32_t bits;
  if (e == 31) bits = sign | 0x7f800000u | (m << 13);  // inf / NaN, payload kept
  else if (e != 0) bits = sign | ((e + 112) << 23) | (m << 13);
  else {
    float v = ldexpf((float)m, -24);  // subnormal half: exact in float32
    memcpy(&bits, &v, 4);
    bits |= sign;
  }
  float f;
  memcpy(&f, &bits, 4);
  return f;
}
static float ref_bf16(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float f;
  memcpy(&f, &bits, 4);
  return f;
}
static uint16_t rd16le(const uint8_t* p) { return (uint16_t)(p[0] | (p[1] << 8)); }

// Decode one row of `dim` elements of type t (0 f16, 1 bf16, 2 q8_0, 3 q4_0, 4 q4_k, 5 q6_k).
static void ref_decode_row(float* y, const uint8_t* x, int t, int32_t dim) {
  if (t <= 1) {
    for (int32_t j = 0; j < dim; j++) y[j] = t == 0 ? ref_half(rd16le(x + 2 * j)) : ref_bf16(rd16le(x + 2 * j));
    return;
  }
  if (t == 2 || t == 3) {
    for (int32_t b = 0; b < dim / 32; b++) {
      const uint8_t* blk = x + (size_t)b * (t == 2 ? 34 : 18);
      const float d = ref_half(rd16le(blk));
      for (int j = 0; j < 32; j++) {
        if (t == 2) y[b * 32 + j] = d * (float)(int8_t)blk[2 + j];
        else y[b * 32 + j] = d * (float)((j < 16 ? blk[2 + j] & 15 : blk[2 + j - 16] >> 4) - 8);
      }
    }
    return;
  }
  for (int32_t b = 0; b < dim / 256; b++) {
    float* yb = y + b * 256;
    if (t == 4) {  // Q4_K: d, dmin, scales[12], qs[128]
      const uint8_t* blk = x + (size_t)b * 144;
      const float d = ref_half(rd16le(blk)), mn = ref_half(rd16le(blk + 2));
      const uint8_t *sc = blk + 4, *q = blk + 16;
      for (int s = 0; s < 8; s++) {  // sub-block s: 6-bit scale and min (get_scale_min_k4)
        int scl, mm;
        if (s < 4) scl = sc[s] & 63, mm = sc[s + 4] & 63;
        else scl = (sc[s + 4] & 15) | ((sc[s - 4] >> 6) << 4), mm = (sc[s + 4] >> 4) | ((sc[s] >> 6) << 4);
        const float d1 = d * (float)scl, m1 = mn * (float)mm;
        for (int l = 0; l < 32; l++) {
          const uint8_t qq = q[(s / 2) * 32 + l];
          yb[s * 32 + l] = d1 * (float)((s & 1) ? qq >> 4 : qq & 15) - m1;
        }
      }
    } else {  // Q6_K: ql[128], qh[64], scales[16] (int8), d
      const uint8_t* blk = x + (size_t)b * 210;
      const uint8_t *ql = blk, *qh = blk + 128;
      const int8_t* sc = (const int8_t*)(blk + 192);
      const float d = ref_half(rd16le(blk + 208));
      for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, yb += 128)
        for (int l = 0; l < 32; l++) {
          const int is = l / 16;
          const int q1 = ((ql[l] & 15) | (((qh[l] >> 0) & 3) << 4)) - 32;
          const int q2 = ((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32;
          const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
          const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
          yb[l] = d * (float)sc[is] * (float)q1;
          yb[l + 32] = d * (float)sc[is + 2] * (float)q2;
          yb[l + 64] = d * (float)sc[is + 4] * (float)q3;
          yb[l + 96] = d * (float)sc[is + 6] * (float)q4;
        }
    }
  }
}

typedef void (*dgather_fn)(float*, const void*, const int32_t*, int32_t, int32_t);
#define DG(name) {(dgather_fn)name##__scalar, (dgather_fn)name##__wasmsimd, (dgather_fn)name}
static void fz_dtype_gather(fz_rng* r) {
  static const dgather_fn fns[6][3] = {DG(ek_gather_rows_f16), DG(ek_gather_rows_bf16), DG(ek_gather_rows_q8_0),
                                       DG(ek_gather_rows_q4_0), DG(ek_gather_rows_q4_k), DG(ek_gather_rows_q6_k)};
  static const int32_t block[6] = {1, 1, 32, 32, 256, 256}, bytes[6] = {2, 2, 34, 18, 144, 210};
  const int t = (int)fz_range(r, 0, 5);
  const int32_t blocks = block[t] == 1 ? fz_size(r, 1, 100) : block[t] == 32 ? (int32_t)fz_range(r, 1, 6) : (int32_t)fz_range(r, 1, 2);
  const int32_t dim = blocks * block[t], n_rows = fz_size(r, 1, 60), n_ids = fz_size(r, 0, 80);
  const size_t row_bytes = (size_t)blocks * bytes[t], tb = row_bytes * n_rows;
  uint8_t* table = malloc(tb + 1);
  for (size_t i = 0; i < tb; i++) table[i] = (uint8_t)fz_u32(r);  // any bits: NaN halves, any scales
  if (t >= 2 && fz_chance(r, 50))  // mostly moderate block scales (finite products), sometimes any
    for (int32_t row = 0; row < n_rows; row++)
      for (int32_t b = 0; b < blocks; b++) {
        uint8_t* blk = table + row * row_bytes + (size_t)b * bytes[t];
        uint8_t* dp = t == 5 ? blk + 208 : blk;
        dp[1] = (uint8_t)((dp[1] & 0x83) | 0x38);  // exponent near 2^-1 .. 2^-4
        if (t == 4) blk[3] = (uint8_t)((blk[3] & 0x83) | 0x38);
      }
  int32_t* ids = fz_ids(r, n_ids, n_rows);
  const size_t n = (size_t)n_ids * dim;
  float* want = malloc(n * 4 + 1);
  for (int32_t i = 0; i < n_ids; i++) ref_decode_row(want + (size_t)i * dim, table + (size_t)ids[i] * row_bytes, t, dim);
  for (int f = 0; f < 3; f++) {
    float* out = malloc(n * 4 + 1);
    fns[t][f](out, table, ids, n_ids, dim);
    long at = diff_f32(out, want, n);
    // bit for bit, NaN payloads included for f16/bf16 (widening keeps them)
    if (at < 0 && t <= 1) at = diff_bytes(out, want, n * 4) < 0 ? -1 : diff_bytes(out, want, n * 4) / 4;
    CHECK(at < 0, "type %d variant %d dim %d: element %ld = %.9g (bits %08x), reference %.9g", t, f, dim, at,
          (double)out[at < 0 ? 0 : at], at < 0 ? 0u : ((uint32_t*)out)[at], (double)want[at < 0 ? 0 : at]);
    free(out);
  }
  free(table), free(ids), free(want);
}

// float32 -> f16 with round to nearest even, written with double arithmetic.
static uint16_t ref_to_half(float x) {
  uint32_t b;
  memcpy(&b, &x, 4);
  const uint16_t sign = (uint16_t)((b >> 16) & 0x8000);
  if (x != x) return (uint16_t)(sign | 0x7c00 | 0x200 | ((b >> 13) & 0x3ff));  // quiet, top payload
  const double a = fabs((double)x);
  if (a >= 65520.0) return (uint16_t)(sign | 0x7c00);
  if (a < 0x1p-14) {  // subnormal half (or zero): a multiple of 2^-24, rounded to even
    return (uint16_t)(sign | (uint16_t)nearbyint(a * 0x1p24));
  }
  int e;
  frexp(a, &e);  // a in [2^(e-1), 2^e)
  double m = nearbyint(ldexp(a, 11 - e));  // 11 significant bits
  if (m >= 2048) m /= 2, e++;
  return (uint16_t)(sign | (uint16_t)(((e - 1 + 15) << 10) | ((uint32_t)m & 0x3ff)));
}
static uint16_t ref_to_bf16(float x) {
  uint32_t b;
  memcpy(&b, &x, 4);
  if (x != x) return (uint16_t)((b >> 16) | 0x40);
  uint32_t hi = b >> 16, lo = b & 0xffff;
  if (lo > 0x8000 || (lo == 0x8000 && (hi & 1))) hi++;
  return (uint16_t)hi;
}

static void fz_dtype_encode(fz_rng* r) {
  const uint32_t n = (uint32_t)fz_size(r, 0, 300);
  float* in = malloc((size_t)n * 4 + 1);
  for (uint32_t i = 0; i < n; i++) {
    switch (fz_range(r, 0, 3)) {
      case 0: { uint32_t b = fz_u32(r); memcpy(in + i, &b, 4); break; }  // any bits
      case 1: in[i] = ldexpf((float)fz_unit(r) * 2 - 1, (int)fz_range(r, -30, 17)); break;  // the half range
      case 2: in[i] = (float)fz_range(r, -4096, 4096) * 0x1p-24f + (float)fz_range(r, 0, 1) * 65504.0f; break;  // ties
      default: in[i] = fz_f32(r, WILD); break;
    }
  }
  uint16_t* h = malloc((size_t)n * 2 + 1);
  uint16_t* bf = malloc((size_t)n * 2 + 1);
  ek_f32_to_f16(h, in, n);
  ek_f32_to_bf16(bf, in, n);
  for (uint32_t i = 0; i < n; i++) {
    CHECK(h[i] == ref_to_half(in[i]), "f16 of %a: %04x, want %04x", (double)in[i], h[i], ref_to_half(in[i]));
    CHECK(bf[i] == ref_to_bf16(in[i]), "bf16 of %a: %04x, want %04x", (double)in[i], bf[i], ref_to_bf16(in[i]));
  }
  // ggml's reference quantizers, on finite inputs, n a multiple of 32
  const uint32_t nq = n / 32 * 32;
  for (uint32_t i = 0; i < nq; i++)
    if (!isfinite(in[i]) || fabsf(in[i]) > 1e30f) in[i] = (float)fz_unit(r) - 0.5f;
  uint8_t* q8 = malloc((size_t)nq / 32 * 34 + 1);
  uint8_t* q4 = malloc((size_t)nq / 32 * 18 + 1);
  ek_quantize_q8_0(q8, in, nq);
  ek_quantize_q4_0(q4, in, nq);
  for (uint32_t b = 0; b < nq / 32; b++) {
    const float* x = in + b * 32;
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 32; j++)
      if (amax < fabsf(x[j])) amax = fabsf(x[j]), max = x[j];
    const float d8 = amax / 127.0f, id8 = d8 != 0.0f ? 1.0f / d8 : 0.0f;
    const float d4 = max / -8.0f, id4 = d4 != 0.0f ? 1.0f / d4 : 0.0f;
    CHECK(rd16le(q8 + b * 34) == ref_to_half(d8) && rd16le(q4 + b * 18) == ref_to_half(d4), "block %u scales", b);
    for (int j = 0; j < 32; j++) {
      CHECK((int8_t)q8[b * 34 + 2 + j] == (int8_t)roundf(x[j] * id8), "q8_0 block %u element %d", b, j);
      int q = (int)(x[j] * id4 + 8.5f);
      q = q < 15 ? q : 15;
      const uint8_t byte = q4[b * 18 + 2 + (j & 15)];
      CHECK((j < 16 ? byte & 15 : byte >> 4) == q, "q4_0 block %u element %d", b, j);
    }
  }
  free(in), free(h), free(bf), free(q8), free(q4);
}

// ---- GloVe: co-occurrence counting and training --------------------------------------------------
static void fz_cooc(fz_rng* r) {
  const int32_t V = fz_size(r, 1, 40), n = fz_size(r, 0, 500), window = (int32_t)fz_range(r, 1, 12);
  const int32_t sym = (int32_t)fz_range(r, 0, 1), weighting = (int32_t)fz_range(r, 0, 1);
  int32_t* corpus = malloc((size_t)n * 4 + 1);
  const int brk = (int)fz_range(r, 0, 20);
  for (int32_t i = 0; i < n; i++) {
    corpus[i] = fz_chance(r, brk) ? -1 : (int32_t)((double)V * pow(fz_unit(r), 2.0));
    if (corpus[i] >= V) corpus[i] = V - 1;
  }
  // reference: the dense matrix, summed in float64 in the kernel's scan order
  double* X = calloc((size_t)V * V, sizeof(double));
  for (int32_t p = 0; p < n; p++) {
    if (corpus[p] < 0) continue;
    for (int32_t q = p - 1, k = 1; q >= 0 && k <= window && corpus[q] >= 0; q--, k++) {
      const double w = weighting ? 1.0 / (double)k : 1.0;
      X[(size_t)corpus[q] * V + corpus[p]] += w;
      if (sym) X[(size_t)corpus[p] * V + corpus[q]] += w;
    }
  }
  uint32_t* off = malloc((size_t)(V + 1) * 4);
  off[0] = 0;
  for (int32_t i = 0; i < V; i++) off[i + 1] = off[i] + (uint32_t)(fz_chance(r, 30) ? 0 : fz_range(r, 0, V));
  double* dense = malloc((size_t)off[V] * 8 + 1);
  uint32_t cap = 64u + (uint32_t)fz_range(r, 0, 200);  // any size >= 64
  ek_cooc_slot* hash = malloc((size_t)cap * sizeof(ek_cooc_slot));
  ek_cooc* st = malloc((size_t)ek_cooc_sizeof());
  CHECK(ek_cooc_sizeof() >= (int32_t)sizeof(ek_cooc), "ek_cooc_sizeof");
  CHECK(ek_cooc_init(st, dense, off, 0, window, sym, weighting, hash, cap) == EK_ERR_ARG, "n_vocab 0 accepted");
  CHECK(ek_cooc_init(st, dense, off, V, window, sym, weighting, hash, 63) == EK_ERR_ARG, "hash_cap 63 accepted");
  int rc = ek_cooc_init(st, dense, off, V, window, sym, weighting, hash, cap);
  CHECK(rc == EK_OK, "ek_cooc_init returned %d", rc);
  if (rc != EK_OK) { free(corpus), free(X), free(off), free(dense), free(hash), free(st); return; }
  // count in random pieces; grow the hash whenever the counter stops early
  int32_t pos = 0;
  for (int guard = 0; pos < n && guard < 100000; guard++) {
    const int32_t end = pos + (int32_t)fz_range(r, 0, n - pos);
    const int32_t got = ek_cooc_count(st, corpus, pos, end);
    CHECK(got >= pos && got <= end, "ek_cooc_count returned %d for [%d, %d)", got, pos, end);
    if (got < end) {
      {  // refused: fewer than 64 slots, or too few for the entries at 70% load
        const uint32_t tight = (uint32_t)(st->hash_used / 0.7);
        ek_cooc_slot* small = malloc((size_t)(tight > 64 ? tight : 64) * sizeof(ek_cooc_slot));
        CHECK(ek_cooc_rehash(st, small, 63) == EK_ERR_ARG, "rehash into 63 slots accepted");
        if (tight >= 64) CHECK(ek_cooc_rehash(st, small, tight) == EK_ERR_ARG, "rehash of %u entries into %u slots accepted", st->hash_used, tight);
        free(small);
      }
      const uint32_t cap2 = cap + cap / 2 + (uint32_t)fz_range(r, 0, 7);  // not a power of two in general
      ek_cooc_slot* bigger = malloc((size_t)cap2 * sizeof(ek_cooc_slot));
      CHECK(ek_cooc_rehash(st, bigger, cap2) == EK_OK, "ek_cooc_rehash to %u failed", cap2);
      free(hash);
      hash = bigger, cap = cap2;
    }
    pos = got;
  }
  CHECK(pos == n, "counting stopped at %d of %d", pos, n);
  uint32_t* nnz_s = malloc((size_t)V * 4);
  uint32_t* nnz_v = malloc((size_t)V * 4);
  uint32_t* nnz_d = malloc((size_t)V * 4);
  const double tot_s = ek_cooc_row_nnz__scalar(nnz_s, st), tot_v = ek_cooc_row_nnz__wasmsimd(nnz_v, st);
  const double tot_d = ek_cooc_row_nnz(nnz_d, st);
  CHECK(tot_s == tot_v && tot_s == tot_d && !memcmp(nnz_s, nnz_v, (size_t)V * 4) && !memcmp(nnz_s, nnz_d, (size_t)V * 4),
        "row_nnz variants differ");
  double want_tot = 0;
  for (int32_t i = 0; i < V; i++) {
    uint32_t c = 0;
    for (int32_t j = 0; j < V; j++) c += X[(size_t)i * V + j] != 0;
    CHECK(nnz_s[i] == c, "row %d: %u nonzeros, want %u", i, nnz_s[i], c);
    want_tot += c;
  }
  CHECK(tot_s == want_tot, "total %g, want %g", tot_s, want_tot);
  const size_t nz = (size_t)tot_s;
  uint32_t* rowptr = malloc((size_t)(V + 1) * 4);
  int32_t* cols = malloc(nz * 4 + 1);
  float* vals = malloc(nz * 4 + 1);
  uint32_t* cursor = malloc((size_t)V * 4);
  rowptr[0] = 0;  // the caller's prefix sum of rownnz (as the JS side)
  for (int32_t i = 0; i < V; i++) rowptr[i + 1] = rowptr[i] + nnz_s[i];
  ek_cooc_finish(rowptr, cols, vals, cursor, nnz_s, st);
  size_t k = 0;
  for (int32_t i = 0; i < V; i++)
    for (int32_t j = 0; j < V; j++) {
      const double x = X[(size_t)i * V + j];
      if (x == 0) continue;
      CHECK(k < nz && cols[k] == j && vals[k] == (float)x, "row %d: entry %zu is (%d, %.9g), want (%d, %.9g)", i, k,
            k < nz ? cols[k] : -1, k < nz ? (double)vals[k] : 0.0, j, (double)(float)x);
      k++;
    }
  free(nnz_s), free(nnz_v), free(nnz_d), free(rowptr), free(cols), free(vals), free(cursor);
  free(corpus), free(X), free(off), free(dense), free(hash), free(st);
}

typedef struct {
  float* params;
  float* exp[5];
  double prog[8];
} glove_res;

static glove_res glove_run(const uint32_t* rowptr, const int32_t* cols, const float* vals, int32_t V, int32_t dim,
                           double x_max, double alpha, float eta, float clip, int32_t epochs, int32_t reshuffle,
                           uint32_t seed, int32_t scalar, const int32_t* chunks, int n_chunks, int32_t threads) {
  const int32_t stride = 2 * ((dim + 3) / 4 * 4) + 4;
  const uint32_t nnz = rowptr[V];
  glove_res g;
  g.params = malloc((size_t)2 * V * stride * 4);
  ek_glove_rec* rec = malloc((size_t)nnz * sizeof(ek_glove_rec) + 1);
  ek_glove* st = malloc((size_t)ek_glove_sizeof());
  CHECK(ek_glove_sizeof() >= (int32_t)sizeof(ek_glove), "ek_glove_sizeof");
  int rc = ek_glove_init(st, g.params, rec, rowptr, cols, vals, V, dim, x_max, alpha, eta, clip, epochs, reshuffle, seed, 0, scalar);
  CHECK(rc == EK_OK, "ek_glove_init returned %d", rc);
  if (threads != 1) ek_glove_threads(st, threads);
  const double total = (double)nnz * epochs;
  double done = 0;
  for (int i = 0; rc == EK_OK && i < 1000000; i++) {
    int32_t got = ek_glove_step(st, chunks[i % n_chunks]);
    CHECK(got >= 0 && got <= chunks[i % n_chunks], "ek_glove_step(%d) returned %d", chunks[i % n_chunks], got);
    done += got;
    ek_glove_progress(g.prog, st, i & 1);
    if (got == 0) break;
  }
  ek_glove_progress(g.prog, st, 0);
  CHECK(done == total && g.prog[0] == total && g.prog[1] == total, "trained %g of %g (progress %g of %g)", done, total, g.prog[0], g.prog[1]);
  for (int w = 0; w < 5; w++) {
    g.exp[w] = malloc((size_t)V * (w < 3 ? dim : 1) * 4);
    ek_glove_export(g.exp[w], st, w);
  }
  free(rec), free(st);
  return g;
}

static void fz_glove(fz_rng* r) {
  const int32_t V = fz_size(r, 1, 30), dim = fz_size(r, 1, 40);
  // a random sparse matrix in CSR, rows sorted by column, positive values
  uint32_t* rowptr = malloc((size_t)(V + 1) * 4);
  int32_t* cols = malloc((size_t)V * V * 4 + 1);
  float* vals = malloc((size_t)V * V * 4 + 1);
  rowptr[0] = 0;
  const int dens = (int)fz_range(r, 0, 100);
  for (int32_t i = 0; i < V; i++) {
    uint32_t k = rowptr[i];
    for (int32_t j = 0; j < V; j++)
      if (fz_chance(r, dens)) cols[k] = j, vals[k] = fz_chance(r, 20) ? 1e-3f : (float)(fz_unit(r) * 200 + 0.01), k++;
    rowptr[i + 1] = k;
  }
  const double x_max = fz_chance(r, 50) ? 100 : 1 + fz_unit(r) * 50, alpha = fz_chance(r, 50) ? 0.75 : fz_unit(r);
  const float eta = fz_chance(r, 50) ? 0.05f : (float)fz_unit(r) * 0.2f, clip = fz_chance(r, 50) ? 100.0f : (float)fz_unit(r) * 2;
  const int32_t epochs = (int32_t)fz_range(r, 1, 3), reshuffle = (int32_t)fz_range(r, 0, 1);
  const uint32_t seed = fz_u32(r);
  int32_t chunks[3];
  for (int i = 0; i < 3; i++) chunks[i] = (int32_t)fz_range(r, 1, 200);
  const int32_t all[] = {1 << 30};
  glove_res a = glove_run(rowptr, cols, vals, V, dim, x_max, alpha, eta, clip, epochs, reshuffle, seed, 0, all, 1, 1);
  glove_res b = glove_run(rowptr, cols, vals, V, dim, x_max, alpha, eta, clip, epochs, reshuffle, seed, 1, chunks, 3, 1);
  // ek_glove_threads cuts each step into contiguous parts; natively they run in order, which is
  // the one-thread order: the same parameters bit for bit (n < 1 and n > 256 are clamped)
  const int32_t nt = fz_chance(r, 10) ? (fz_chance(r, 50) ? 0 : 1000) : (int32_t)fz_range(r, 2, 6);
  glove_res t = glove_run(rowptr, cols, vals, V, dim, x_max, alpha, eta, clip, epochs, reshuffle, seed, 0, chunks, 3, nt);
  for (int w = 0; w < 5; w++) SAME_F32(t.exp[w], a.exp[w], (size_t)V * (w < 3 ? dim : 1), "export with ek_glove_threads vs one thread");
  for (int w = 0; w < 5; w++) {
    static const char* what[5] = {"w", "w~", "w + w~", "b", "b~"};
    char msg[80];
    snprintf(msg, sizeof msg, "export %s: SIMD in one call vs scalar in chunks", what[w]);
    SAME_F32(b.exp[w], a.exp[w], (size_t)V * (w < 3 ? dim : 1), msg);
  }
  CHECK(a.prog[3] == b.prog[3] || (a.prog[3] != a.prog[3] && b.prog[3] != b.prog[3]), "cost sums differ");
  for (size_t i = 0; i < (size_t)V * dim; i++) {
    const float s = a.exp[0][i] + a.exp[1][i];
    CHECK(same_f32(a.exp[2][i], s), "w + w~ at %zu", i);
  }
  // an argument out of range is EK_ERR_ARG and writes nothing
  {
    ek_glove* st = malloc((size_t)ek_glove_sizeof());
    memset(st, 0x5a, (size_t)ek_glove_sizeof());
    uint8_t* st0 = dup(st, (size_t)ek_glove_sizeof());
    float* p0 = dup(a.params, (size_t)2 * V * (2 * ((dim + 3) / 4 * 4) + 4) * 4);
    int32_t bv = V, bd = dim, be = epochs;
    double bx = x_max, ba = alpha;
    switch (fz_range(r, 0, 4)) {
      case 0: bv = (int32_t)fz_range(r, -3, 0); break;
      case 1: bd = (int32_t)fz_range(r, -3, 0); break;
      case 2: be = (int32_t)fz_range(r, -3, 0); break;
      case 3: bx = fz_chance(r, 50) ? 0.0 : NAN; break;
      default: ba = fz_chance(r, 50) ? -0.5 : NAN; break;
    }
    int rc = ek_glove_init(st, a.params, 0, rowptr, cols, vals, bv, bd, bx, ba, eta, clip, be, reshuffle, seed, 0, 0);
    CHECK(rc == EK_ERR_ARG, "ek_glove_init with a bad argument returned %d", rc);
    CHECK(diff_bytes(st, st0, (size_t)ek_glove_sizeof()) < 0 && diff_bytes(a.params, p0, (size_t)2 * V * (2 * ((dim + 3) / 4 * 4) + 4) * 4) < 0,
          "a refused ek_glove_init wrote");
    free(st), free(st0), free(p0);
  }
  for (int w = 0; w < 5; w++) free(a.exp[w]), free(b.exp[w]), free(t.exp[w]);
  free(a.params), free(b.params), free(t.params), free(rowptr), free(cols), free(vals);
}

// ---- the thread pool's exports ------------------------------------------------------------------
// Natively (as in the two single-thread wasm builds) the pool is the stub of pool.c: every control
// call does nothing and ek_parallel_for runs the whole range on the caller; the threaded build's
// pool (wasm atomics) is tested in wasm by tests/threads.test.js. Here: the stubs accept any
// argument, write exactly n counts, and a kernel gives the same bits before and after them.
static void fz_pool(fz_rng* r) {
  const int32_t n = fz_size(r, 0, 64);
  int32_t* counts = malloc((size_t)(n + 1) * 4);
  for (int32_t i = 0; i <= n; i++) counts[i] = 0x5a5a5a5a;
  ek_pool_set_threads((int32_t)fz_range(r, 1, 16));
  ek_pool_chunk_counts(counts, n);
  for (int32_t i = 0; i < n; i++) CHECK(counts[i] == 0, "chunk count %d = %d", i, counts[i]);
  CHECK(counts[n] == 0x5a5a5a5a, "ek_pool_chunk_counts wrote past n = %d", n);
  ek_pool_worker((int32_t)fz_range(r, 1, 16));
  ek_pool_worker_trapped((int32_t)fz_range(r, 1, 16));
  ek_pool_set_can_block((int32_t)fz_range(r, 0, 1));
  CHECK(ek_pool_busy_flag() == 0 || *ek_pool_busy_flag() == 0, "the pool is busy outside a job");
  ek_pool_stop();
  ek_pool_set_threads(1);
  fz_gather(r);  // the kernels still work after the pool calls
  free(counts);
}

// ================================================================================================
// The table of entries: name, function, the exported names it calls (space-separated).
// ================================================================================================
typedef struct {
  const char* name;
  void (*fn)(fz_rng*);
  const char* covers;
} fz_entry;

static const fz_entry ENTRIES[] = {
    {"alloc", fz_alloc, "ek_alloc ek_free ek_simd_enabled"},
    {"check_ids", fz_check_ids, "ek_check_ids_i32"},
    {"init_normal", fz_init_normal,
     "ek_init_normal_f32 ek_init_normal_f32__scalar ek_init_normal_f32__poly ek_init_normal_f32__wasmsimd"},
    {"init_poly", fz_init_poly, "ek_init_ln_f64 ek_init_sincos_f64"},
    {"gather", fz_gather, "ek_gather_rows_f32 ek_gather_rows_f32__scalar ek_gather_rows_f32__wasmsimd"},
    {"scatter", fz_scatter,
     "ek_scatter_add_rows_f32 ek_scatter_add_rows_f32__scalar ek_scatter_add_rows_f32__wasmsimd "
     "ek_scatter_add_rows_f32__inorder ek_zero_rows_f32 ek_zero_rows_f32__scalar"},
    {"renorm", fz_renorm, "ek_renorm_rows_f32"},
    {"sincos_table", fz_sincos_table,
     "ek_sincos_table_f32 ek_sincos_table_f32__scalar ek_sincos_table_f32__rotate ek_sincos_table_f32__wasmsimd"},
    {"sincos_exact", fz_sincos_exact, "ek_sincos_exact_f64"},
    {"sinusoidal", fz_sinusoidal, "ek_sinusoidal_f32 ek_sinusoidal_freqs_f64 ek_timescale_freqs_f64"},
    {"input_embed", fz_input_embed, "ek_input_embed_f32 ek_input_embed_f32__scalar ek_input_embed_f32__wasmsimd"},
    {"position_grad", fz_position_grad,
     "ek_position_grad_f32 ek_position_grad_f32__scalar ek_position_grad_f32__wasmsimd"},
    {"rope", fz_rope, "ek_rope_f32 ek_rope_f32__scalar ek_rope_f32__wasmsimd ek_max_i32"},
    {"neighbors", fz_neighbors,
     "ek_row_inv_norms_f32 ek_cosine_scores_f32 ek_cosine_scores_f32__scalar ek_cosine_scores_f32__wasmsimd "
     "ek_topk_f32"},
    {"optim", fz_optim,
     "ek_sgd_rows_f32 ek_sgd_rows_f32__scalar ek_sgd_rows_f32__wasmsimd ek_adam_rows_f32 ek_adam_rows_f32__scalar "
     "ek_adam_rows_f32__wasmsimd"},
    {"dtype_gather", fz_dtype_gather,
     "ek_gather_rows_f16 ek_gather_rows_f16__scalar ek_gather_rows_f16__wasmsimd ek_gather_rows_bf16 "
     "ek_gather_rows_bf16__scalar ek_gather_rows_bf16__wasmsimd ek_gather_rows_q8_0 ek_gather_rows_q8_0__scalar "
     "ek_gather_rows_q8_0__wasmsimd ek_gather_rows_q4_0 ek_gather_rows_q4_0__scalar ek_gather_rows_q4_0__wasmsimd "
     "ek_gather_rows_q4_k ek_gather_rows_q4_k__scalar ek_gather_rows_q4_k__wasmsimd ek_gather_rows_q6_k "
     "ek_gather_rows_q6_k__scalar ek_gather_rows_q6_k__wasmsimd"},
    {"dtype_encode", fz_dtype_encode, "ek_f32_to_f16 ek_f32_to_bf16 ek_quantize_q8_0 ek_quantize_q4_0"},
    {"cooc", fz_cooc,
     "ek_cooc_sizeof ek_cooc_init ek_cooc_count ek_cooc_rehash ek_cooc_row_nnz ek_cooc_row_nnz__scalar "
     "ek_cooc_row_nnz__wasmsimd ek_cooc_finish"},
    {"glove", fz_glove, "ek_glove_sizeof ek_glove_init ek_glove_step ek_glove_progress ek_glove_export ek_glove_threads"},
    {"pool", fz_pool, "ek_pool_worker ek_pool_set_threads ek_pool_stop ek_pool_worker_trapped ek_pool_chunk_counts ek_pool_set_can_block ek_pool_busy_flag"},
    {"word2vec", fz_word2vec, "ek_w2v_sizeof ek_w2v_init ek_w2v_feed ek_w2v_step ek_w2v_progress ek_w2v_threads ek_w2v_peek"},
};
enum { N_ENTRIES = sizeof ENTRIES / sizeof *ENTRIES };

static uint64_t case_seed(uint64_t seed, int entry, long iter) {
  uint64_t s = seed ^ ((uint64_t)(entry + 1) * 0x9e3779b97f4a7c15ull);
  splitmix(&s);
  s ^= (uint64_t)iter * 0xd1b54a32d192ed03ull;
  return splitmix(&s);
}

static void run_one(int e, long iter) {
  fz_rng r = {0, 0, 0, case_seed(g_seed, e, iter)};
  g_entry = ENTRIES[e].name;
  g_iter = iter;
  ENTRIES[e].fn(&r);
}

#ifdef EK_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint64_t h = 1469598103934665603ull;  // FNV-1a of the input seeds the generator after the bytes
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ull;
  int e = data[0] % N_ENTRIES;
  fz_rng r = {data + 1, size - 1, 0, h};
  g_entry = ENTRIES[e].name;
  ENTRIES[e].fn(&r);
  return 0;
}
#else
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char** argv) {
  double seconds = 10;
  long min_iters = 20, only_iter = -1;
  const char* only = 0;
  int have_seed = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--list")) {
      for (int e = 0; e < N_ENTRIES; e++) printf("%s: %s\n", ENTRIES[e].name, ENTRIES[e].covers);
      return 0;
    }
    if (i + 1 >= argc) { fprintf(stderr, "fuzz: %s needs a value\n", argv[i]); return 2; }
    if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--seed")) g_seed = strtoull(argv[++i], 0, 10), have_seed = 1;
    else if (!strcmp(argv[i], "--only")) only = argv[++i];
    else if (!strcmp(argv[i], "--iter")) only_iter = atol(argv[++i]);
    else if (!strcmp(argv[i], "--min-iters")) min_iters = atol(argv[++i]);
    else { fprintf(stderr, "fuzz: unknown argument %s\n", argv[i]); return 2; }
  }
  if (!have_seed) g_seed = (uint64_t)time(0) * 2654435761u ^ (uint64_t)clock();
  printf("fuzz: seed %llu\n", (unsigned long long)g_seed);
  int selected[N_ENTRIES], n_sel = 0;
  for (int e = 0; e < N_ENTRIES; e++) {
    if (only) {
      const char* p = strstr(only, ENTRIES[e].name);
      size_t len = strlen(ENTRIES[e].name);
      if (!p || (p != only && p[-1] != ',') || (p[len] != 0 && p[len] != ',')) continue;
    }
    selected[n_sel++] = e;
  }
  if (n_sel == 0) { fprintf(stderr, "fuzz: no entry matches --only %s\n", only); return 2; }
  long total = 0;
  const double t_start = now();
  for (int k = 0; k < n_sel && g_failures == 0; k++) {
    const int e = selected[k];
    if (only_iter >= 0) {
      run_one(e, only_iter);
      total++;
      continue;
    }
    const double t0 = now(), per = seconds / n_sel;
    long it = 0;
    while (g_failures == 0 && (it < min_iters || now() - t0 < per)) run_one(e, it++);
    total += it;
    printf("fuzz: %-14s %8ld iterations  %6.2f s\n", ENTRIES[e].name, it, now() - t0);
  }
  printf("fuzz: %s: %ld iterations over %d entries in %.1f s (seed %llu)\n", g_failures ? "FAILED" : "ok", total, n_sel,
         now() - t_start, (unsigned long long)g_seed);
  return g_failures != 0;
}
#endif
