// test_input_embedding.c — native (SIMDe) checks of src/c/input_embedding.c: __wasmsimd is
// bit-exact against __scalar for the fused forward (with and without a position table) and the
// position gradient, dims 1..2*4+1 and 768, several batch/seq; touched-row tracking; and the
// forward against a double reference. Returns non-zero and prints what failed.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedkit.h"

#include "check.h"

static uint32_t rs = 12345;
static float frand(void) {
  rs = rs * 1664525u + 1013904223u;
  return (float)((rs >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0);
}

static void one_case(int32_t dim, int32_t batch, int32_t seq, int32_t vocab, int32_t n_pos,
                     int32_t offset) {
  const int32_t n = batch * seq;
  float* tok = malloc(sizeof(float) * vocab * dim);
  float* pos = malloc(sizeof(float) * n_pos * dim);
  float* o1 = malloc(sizeof(float) * n * dim);
  float* o2 = malloc(sizeof(float) * n * dim);
  float* g = malloc(sizeof(float) * n * dim);
  float* pg1 = calloc((size_t)n_pos * dim, sizeof(float));
  float* pg2 = calloc((size_t)n_pos * dim, sizeof(float));
  uint8_t* m1 = calloc(n_pos, 1);
  uint8_t* m2 = calloc(n_pos, 1);
  int32_t* t1 = malloc(sizeof(int32_t) * n_pos);
  int32_t* t2 = malloc(sizeof(int32_t) * n_pos);
  int32_t* ids = malloc(sizeof(int32_t) * n);
  for (int32_t k = 0; k < vocab * dim; k++) tok[k] = frand();
  for (int32_t k = 0; k < n_pos * dim; k++) pos[k] = frand();
  for (int32_t k = 0; k < n * dim; k++) g[k] = frand();
  for (int32_t k = 0; k < n_pos * dim; k++) pg1[k] = pg2[k] = frand();
  for (int32_t k = 0; k < n; k++) ids[k] = (int32_t)(rs = rs * 1664525u + 1013904223u, (rs >> 8) % (uint32_t)vocab);
  const float* p = pos + (size_t)offset * dim;
  for (int with_pos = 0; with_pos < 2; with_pos++) {
    ek_input_embed_f32__scalar(o1, tok, ids, with_pos ? p : 0, batch, seq, dim);
    ek_input_embed_f32__wasmsimd(o2, tok, ids, with_pos ? p : 0, batch, seq, dim);
    CHECK(memcmp(o1, o2, sizeof(float) * n * dim) == 0, "forward dim %d b %d s %d pos %d: simd != scalar", dim, batch, seq, with_pos);
    ek_input_embed_f32(o2, tok, ids, with_pos ? p : 0, batch, seq, dim);
    CHECK(memcmp(o1, o2, sizeof(float) * n * dim) == 0, "forward dispatcher dim %d", dim);
    for (int32_t b = 0; b < batch; b++)
      for (int32_t s = 0; s < seq; s++)
        for (int32_t j = 0; j < dim; j++) {
          const int32_t i = b * seq + s;
          double ref = (double)tok[ids[i] * dim + j] + (with_pos ? (double)p[s * dim + j] : 0.0);
          CHECK(o1[i * dim + j] == (float)ref, "forward value dim %d at %d,%d,%d", dim, b, s, j);
        }
  }
  // position gradient, twice (second call: rows already touched)
  for (int rep = 0; rep < 2; rep++) {
    int32_t n1 = ek_position_grad_f32__scalar(pg1, m1, t1, rep ? seq : 0, g, batch, seq, dim, offset);
    int32_t n2 = ek_position_grad_f32__wasmsimd(pg2, m2, t2, rep ? seq : 0, g, batch, seq, dim, offset);
    CHECK(n1 == seq && n2 == seq, "touched count %d %d, expected %d", n1, n2, seq);
    CHECK(memcmp(pg1, pg2, sizeof(float) * n_pos * dim) == 0, "position grad dim %d b %d s %d: simd != scalar", dim, batch, seq);
    CHECK(memcmp(m1, m2, n_pos) == 0 && memcmp(t1, t2, sizeof(int32_t) * seq) == 0, "marks differ");
  }
  for (int32_t s = 0; s < seq; s++) CHECK(t1[s] == offset + s && m1[offset + s] == 1, "touched[%d] = %d", s, t1[s]);
  for (int32_t r = 0; r < n_pos; r++)
    if (r < offset || r >= offset + seq) CHECK(m1[r] == 0, "row %d marked", r);
  free(tok); free(pos); free(o1); free(o2); free(g); free(pg1); free(pg2);
  free(m1); free(m2); free(t1); free(t2); free(ids);
}

int main(void) {
  for (int32_t dim = 1; dim <= 9; dim++) one_case(dim, 3, 5, 11, 9, 2);
  one_case(16, 1, 1, 4, 1, 0);
  one_case(768, 4, 33, 100, 64, 31);
  one_case(770, 2, 7, 50, 7, 0);
  one_case(131, 3, 5, 20, 9, 2);   // eight-row groups whose positions wrap, and a tail
  one_case(144, 2, 13, 40, 20, 3);
  if (failures) fprintf(stderr, "test_input_embedding: %d failures\n", failures);
  else printf("test_input_embedding: ok\n");
  return failures != 0;
}
