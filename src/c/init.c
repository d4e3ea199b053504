// init.c — seeded N(mean, std^2) table initialisation (see ek_init_normal_f32 in embedkit.h).
// One generator, documented bit for bit, so that the same seed gives the same table in Node,
// in every browser and in the JS reimplementation the tests use (tests/helpers/pcg.js).
#include <math.h>

#include "embedkit.h"

typedef struct { uint64_t state, inc; } pcg32;

// PCG-XSH-RR 64/32, O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
// Algorithms for Random Number Generation" (2014): multiplier 6364136223846793005.
static uint32_t pcg32_next(pcg32* g) {
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
static double uniform53(pcg32* g) {
  uint32_t a = pcg32_next(g) >> 5, b = pcg32_next(g) >> 6;
  return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);
}

EK_EXPORT void ek_init_normal_f32(float* out, uint32_t n, uint32_t seed_lo, uint32_t seed_hi,
                                  double mean, double std) {
  pcg32 g;
  pcg32_seed(&g, ((uint64_t)seed_hi << 32) | seed_lo, 0x454bu);
  const double two_pi = 6.283185307179586;  // 2*pi rounded to double
  for (uint32_t i = 0; i < n; i += 2) {
    double u1 = uniform53(&g), u2 = uniform53(&g);
    double r = sqrt(-2.0 * log(1.0 - u1));  // 1 - u1 is in (0, 1]: log is finite
    double t = two_pi * u2;
    out[i] = (float)(mean + std * (r * cos(t)));
    if (i + 1 < n) out[i + 1] = (float)(mean + std * (r * sin(t)));
  }
}
