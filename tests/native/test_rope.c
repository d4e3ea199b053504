// test_rope.c — native (SIMDe) checks of the RoPE rotation kernel in src/c/rope.c.
//  1. __wasmsimd == __scalar bit for bit: both pairings, both layouts, forward and backward,
//     rot_dim 2 .. 2*2*4+2 (pairs 1 .. 2 * vector width + 1) and a large head, head_dim == rot_dim
//     and partial (odd head_dim included), position modes offset / per-seq / per-(batch,seq).
//  2. in place (out == x) gives the same bits as out of place.
//  3. against a double-precision rotation of the same float inputs: |diff| <= 4 ulp-ish bound.
//  4. backward(forward(x)) == x to float rounding when cos^2 + sin^2 == 1.
// Returns non-zero and prints what failed.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedkit.h"

#include "check.h"

static uint32_t state = 12345u;
static float frand(void) {  // xorshift32 -> [-1, 1)
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return (float)((double)state / 2147483648.0 - 1.0);
}

enum { MAX_ROWS = 50 };

static void run_case(int32_t B, int32_t S, int32_t H, int32_t head_dim, int32_t rot,
                     int32_t layout, int32_t interleaved, float sign, int mode) {
  const int32_t half = rot / 2;
  const size_t n = (size_t)B * S * H * head_dim;
  float* x = malloc(n * sizeof(float));
  float* o1 = malloc(n * sizeof(float));
  float* o2 = malloc(n * sizeof(float));
  float* o3 = malloc(n * sizeof(float));
  float* c = malloc((size_t)MAX_ROWS * half * sizeof(float));
  float* s = malloc((size_t)MAX_ROWS * half * sizeof(float));
  int32_t* pos = malloc((size_t)B * S * sizeof(int32_t));
  for (size_t i = 0; i < n; i++) x[i] = frand();
  for (int32_t p = 0; p < MAX_ROWS; p++) {
    for (int32_t i = 0; i < half; i++) {
      double th = p * pow(100.0, -2.0 * i / rot);
      c[p * half + i] = (float)cos(th);
      s[p * half + i] = (float)sin(th);
    }
  }
  for (int32_t i = 0; i < B * S; i++) pos[i] = (int32_t)((i * 7 + 3) % MAX_ROWS);
  const int32_t* pp = mode == 0 ? NULL : pos;
  const int32_t bstride = mode == 2 ? S : 0;
  const int32_t offset = mode == 0 ? MAX_ROWS - S : 0;

  ek_rope_f32__scalar(o1, x, c, s, pp, bstride, offset, B, S, H, head_dim, rot, layout, interleaved, sign);
  ek_rope_f32__wasmsimd(o2, x, c, s, pp, bstride, offset, B, S, H, head_dim, rot, layout, interleaved, sign);
  CHECK(memcmp(o1, o2, n * sizeof(float)) == 0,
        "scalar != simd: B%d S%d H%d hd%d rot%d layout%d il%d sign%g mode%d", B, S, H, head_dim, rot,
        layout, interleaved, sign, mode);
  memcpy(o3, x, n * sizeof(float));
  ek_rope_f32(o3, o3, c, s, pp, bstride, offset, B, S, H, head_dim, rot, layout, interleaved, sign);
  CHECK(memcmp(o1, o3, n * sizeof(float)) == 0, "in place != out of place: hd%d rot%d il%d", head_dim,
        rot, interleaved);

  // double-precision rotation of the same float inputs
  for (int32_t b = 0; b < B; b++) {
    for (int32_t sq = 0; sq < S; sq++) {
      int32_t p = pp ? pp[b * bstride + sq] : offset + b * bstride + sq;
      for (int32_t h = 0; h < H; h++) {
        size_t at = layout == EK_ROPE_BSHD ? (((size_t)b * S + sq) * H + h) * head_dim
                                           : (((size_t)b * H + h) * S + sq) * head_dim;
        for (int32_t i = 0; i < half; i++) {
          size_t ia = at + (interleaved ? 2 * i : i), ib = at + (interleaved ? 2 * i + 1 : i + half);
          double ci = c[p * half + i], si = sign * (double)s[p * half + i];
          double ya = x[ia] * ci - x[ib] * si, yb = x[ia] * si + x[ib] * ci;
          CHECK(fabs(o1[ia] - ya) <= 3e-7 && fabs(o1[ib] - yb) <= 3e-7, "vs double at %zu", ia);
        }
        for (int32_t j = rot; j < head_dim; j++) CHECK(o1[at + j] == x[at + j], "pass-through at %d", j);
      }
    }
  }
  // inverse
  ek_rope_f32(o3, o1, c, s, pp, bstride, offset, B, S, H, head_dim, rot, layout, interleaved, -sign);
  for (size_t i = 0; i < n; i++) CHECK(fabsf(o3[i] - x[i]) <= 1e-6f, "inverse at %zu", i);
  free(x); free(o1); free(o2); free(o3); free(c); free(s); free(pos);
}

int main(void) {
  int cases = 0;
  for (int32_t rot = 2; rot <= 2 * 2 * 4 + 2; rot += 2) {
    const int32_t hds[3] = {rot, rot + 1, rot + 6};
    for (int k = 0; k < 3; k++)
      for (int32_t layout = 0; layout < 2; layout++)
        for (int32_t il = 0; il < 2; il++)
          for (int sg = 0; sg < 2; sg++)
            for (int mode = 0; mode < 3; mode++) {
              run_case(2, 3, 2, hds[k], rot, layout, il, sg ? -1.0f : 1.0f, mode);
              cases++;
            }
  }
  for (int32_t layout = 0; layout < 2; layout++)
    for (int32_t il = 0; il < 2; il++) {
      run_case(1, 37, 5, 128, 128, layout, il, 1.0f, 2);
      run_case(2, 9, 3, 200, 128, layout, il, -1.0f, 1);
      cases += 2;
    }
  if (failures) {
    fprintf(stderr, "test_rope: %d failures in %d cases\n", failures, cases);
    return 1;
  }
  printf("test_rope: %d cases ok\n", cases);
  return 0;
}
