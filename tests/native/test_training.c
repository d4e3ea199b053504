// test_training.c — native (SIMDe) checks of the training kernels: the word2vec trainer, the
// cosine scores and the optimizer updates give the same bits on the SIMD and scalar paths, the
// trainer gives the same bits whatever the chunking, and nothing reads or writes out of bounds
// (run under ASan + UBSan by tests/native.test.js). Returns non-zero on the first failure.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedkit.h"
#include "vec_f32.h"

#include "check.h"

static uint32_t rs = 12345;
static float frand(void) {
  rs = rs * 1664525u + 1013904223u;
  return (float)(rs >> 8) / 16777216.0f - 0.5f;
}

// Exact-size heap copies so ASan sees any over-read past the end.
static float* fdup(const float* src, size_t n) {
  float* p = malloc(n * sizeof(float) + 1);
  memcpy(p, src, n * sizeof(float));
  return p;
}

static void test_dot(void) {
  for (int n = 0; n <= 41; n++) {
    float* a = malloc((size_t)n * sizeof(float) + 1);
    float* b = malloc((size_t)n * sizeof(float) + 1);
    for (int i = 0; i < n; i++) a[i] = frand(), b[i] = frand();
    float s = ek_dot_s(a, b, n), v = ek_dot_v(a, b, n);
    CHECK(memcmp(&s, &v, sizeof s) == 0, "dot n=%d scalar %.9g simd %.9g", n, s, v);
    free(a);
    free(b);
  }
}

typedef struct {
  float *syn0, *syn1;
} w2v_out;

static w2v_out run_w2v(const int32_t* corpus, int32_t n_corpus, int32_t tokens, const double* counts,
                       int32_t V, int32_t dim, int cbow, int scalar, const int32_t* chunks, int n_chunks) {
  ek_w2v* st = malloc((size_t)ek_w2v_sizeof());
  float* syn0 = malloc((size_t)V * dim * sizeof(float));
  float* syn1 = malloc((size_t)V * dim * sizeof(float));
  int32_t* table = malloc((1u << 10) * sizeof(int32_t));
  float* keep = malloc((size_t)V * sizeof(float));
  float* neu1 = malloc((size_t)dim * sizeof(float));
  float* neu1e = malloc((size_t)dim * sizeof(float));
  int32_t* sen = malloc(EK_W2V_MAX_SENTENCE * sizeof(int32_t));
  int rc = ek_w2v_init(st, syn0, syn1, table, keep, neu1, neu1e, sen, corpus, n_corpus, tokens, counts, V, dim,
                       3, 4, cbow, 0.01, 0.025f, 1e-4f, 2, 10, 7, 0, scalar);
  CHECK(rc == EK_OK, "init rc %d", rc);
  double prog[8];
  for (int i = 0;; i++) {
    ek_w2v_step(st, chunks[i % n_chunks]);
    ek_w2v_progress(prog, st, 1);
    if (prog[0] >= prog[1]) break;
  }
  CHECK(prog[0] == prog[1] && prog[1] == 2.0 * tokens, "words %g of %g", prog[0], prog[1]);
  free(st), free(table), free(keep), free(neu1), free(neu1e), free(sen);
  return (w2v_out){syn0, syn1};
}

static void test_word2vec(void) {
  enum { V = 37, N = 2500 };
  int32_t* corpus = malloc(N * sizeof(int32_t));
  double counts[V] = {0};
  int32_t tokens = 0;
  for (int i = 0; i < N; i++) {
    if (i % 13 == 12) {
      corpus[i] = -1;
      continue;
    }
    uint32_t r = (uint32_t)((frand() + 0.5f) * (frand() + 0.5f) * V);
    corpus[i] = (int32_t)(r % V);
    counts[corpus[i]]++;
    tokens++;
  }
  for (int i = 0; i < V; i++)
    if (counts[i] == 0) counts[i] = 1;
  const int32_t one[] = {1 << 30}, mixed[] = {1, 50, 333, 7};
  for (int cbow = 0; cbow <= 1; cbow++) {
    for (int dim = 1; dim <= 19; dim += (dim < 9 ? 1 : 10)) {
      w2v_out a = run_w2v(corpus, N, tokens, counts, V, dim, cbow, 0, one, 1);
      w2v_out b = run_w2v(corpus, N, tokens, counts, V, dim, cbow, 1, mixed, 4);
      size_t bytes = (size_t)V * dim * sizeof(float);
      CHECK(memcmp(a.syn0, b.syn0, bytes) == 0, "word2vec cbow=%d dim=%d: syn0 simd/one-chunk != scalar/chunked", cbow, dim);
      CHECK(memcmp(a.syn1, b.syn1, bytes) == 0, "word2vec cbow=%d dim=%d: syn1neg differs", cbow, dim);
      free(a.syn0), free(a.syn1), free(b.syn0), free(b.syn1);
    }
  }
  free(corpus);
}

static void test_scores(void) {
  for (int dim = 1; dim <= 33; dim += (dim < 17 ? 1 : 16)) {
    const int n = 9;
    float* t = malloc((size_t)n * dim * sizeof(float));
    for (int i = 0; i < n * dim; i++) t[i] = frand();
    float* q = fdup(t, (size_t)dim);
    float inv[9], s1[9], s2[9];
    ek_row_inv_norms_f32(inv, t, n, dim);
    ek_cosine_scores_f32__scalar(s1, t, inv, q, n, dim);
    ek_cosine_scores_f32__wasmsimd(s2, t, inv, q, n, dim);
    CHECK(memcmp(s1, s2, sizeof s1) == 0, "cosine scores dim=%d", dim);
    int32_t idx[4];
    float val[4];
    int32_t ex[1] = {0};
    int32_t k = ek_topk_f32(idx, val, s2, n, 4, ex, 1);
    CHECK(k == 4 && idx[0] != 0, "topk excluded row 0 (got %d first)", idx[0]);
    for (int i = 1; i < k; i++) CHECK(val[i - 1] >= val[i], "topk order");
    free(t);
    free(q);
  }
}

static void test_optim(void) {
  for (int dim = 1; dim <= 37; dim += (dim < 17 ? 1 : 20)) {
    const int n = 6;
    const size_t sz = (size_t)n * dim;
    float* init = malloc(sz * 4 * sizeof(float));
    for (size_t i = 0; i < sz * 4; i++) init[i] = frand();
    for (size_t i = sz * 3; i < sz * 4; i++) init[i] = init[i] < 0 ? -init[i] : init[i];
    float* res[2];
    int32_t steps_out[2][6];
    for (int simd = 0; simd <= 1; simd++) {
      float* w = fdup(init, sz);
      float* g = fdup(init + sz, sz);
      float* m = fdup(init + 2 * sz, sz);
      float* v = fdup(init + 3 * sz, sz);
      int32_t steps[6] = {0};
      int32_t rows[3] = {4, 0, 2};
      for (int k = 0; k < 3; k++) {
        if (simd) {
          ek_sgd_rows_f32__wasmsimd(w, m, steps, g, rows, 3, n, dim, 0.1f, 0.9f, 0.1f, 0.01f, k & 1);
          ek_sgd_rows_f32__wasmsimd(w, 0, steps, g, 0, 0, n, dim, 0.1f, 0.0f, 0.0f, 0.01f, 0);
          ek_adam_rows_f32__wasmsimd(w, m, v, steps, g, rows, 3, n, dim, 0.01, 0.9, 0.999, 1e-8, 0.1, k & 1, k == 1, k ? k + 1 : 0);
        } else {
          ek_sgd_rows_f32__scalar(w, m, steps, g, rows, 3, n, dim, 0.1f, 0.9f, 0.1f, 0.01f, k & 1);
          ek_sgd_rows_f32__scalar(w, 0, steps, g, 0, 0, n, dim, 0.1f, 0.0f, 0.0f, 0.01f, 0);
          ek_adam_rows_f32__scalar(w, m, v, steps, g, rows, 3, n, dim, 0.01, 0.9, 0.999, 1e-8, 0.1, k & 1, k == 1, k ? k + 1 : 0);
        }
      }
      res[simd] = malloc(sz * 3 * sizeof(float));
      memcpy(res[simd], w, sz * sizeof(float));
      memcpy(res[simd] + sz, m, sz * sizeof(float));
      memcpy(res[simd] + 2 * sz, v, sz * sizeof(float));
      memcpy(steps_out[simd], steps, sizeof steps);
      free(w), free(g), free(m), free(v);
    }
    CHECK(memcmp(res[0], res[1], sz * 3 * sizeof(float)) == 0, "optim dim=%d: scalar != simd", dim);
    CHECK(memcmp(steps_out[0], steps_out[1], sizeof steps_out[0]) == 0 && steps_out[0][4] == 9 && steps_out[0][1] == 3,
          "optim dim=%d: row steps", dim);
    free(res[0]), free(res[1]), free(init);
  }
}

int main(void) {
  test_dot();
  test_word2vec();
  test_scores();
  test_optim();
  if (failures) {
    printf("%d failure(s)\n", failures);
    return 1;
  }
  printf("ok test_training\n");
  return 0;
}
