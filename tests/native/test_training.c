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
#include "hs_tree.h"

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

static void test_scale(void) {
  for (int n = 0; n <= 41; n++) {
    float* a = malloc((size_t)n * sizeof(float) + 1);
    for (int i = 0; i < n; i++) a[i] = frand();
    float* b = fdup(a, (size_t)n);
    ek_scale_s(a, 0.37f, n);
    ek_scale_v(b, 0.37f, n);
    CHECK(n == 0 || memcmp(a, b, (size_t)n * sizeof(float)) == 0, "scale n=%d", n);
    free(a);
    free(b);
  }
}

// The batched kernels: ek_dot_rows and ek_sgns_rows give, on both paths, the bits of one
// ek_dot / ek_sgns_update per row in order.
static void test_rows(void) {
  enum { K = 9 };
  for (int n = 0; n <= 41; n += (n < 17 ? 1 : 8)) {
    for (int k = 1; k <= K; k++) {
      const size_t sz = (size_t)n + 1;
      float* h = malloc(sz * sizeof(float));
      float* e0 = malloc(sz * sizeof(float));
      float* rows0[K];
      float g[K];
      for (int j = 0; j < n; j++) h[j] = frand(), e0[j] = frand();
      for (int r = 0; r < k; r++) {
        rows0[r] = malloc(sz * sizeof(float));
        for (int j = 0; j < n; j++) rows0[r][j] = frand();
        g[r] = frand();
      }
      float ds[K], dv[K];
      ek_dot_rows_s(ds, h, rows0, k, n);
      ek_dot_rows_v(dv, h, rows0, k, n);
      for (int r = 0; r < k; r++) {
        const float one = ek_dot_s(h, rows0[r], n);
        CHECK(memcmp(&ds[r], &one, 4) == 0 && memcmp(&dv[r], &one, 4) == 0, "dot_rows n=%d k=%d row %d", n, k, r);
      }
      // three copies of e and the rows: one by one (scalar), batched scalar, batched SIMD
      float *e[3], *rows[3][K];
      for (int c = 0; c < 3; c++) {
        e[c] = fdup(e0, sz);
        for (int r = 0; r < k; r++) rows[c][r] = fdup(rows0[r], sz);
      }
      for (int r = 0; r < k; r++) ek_sgns_update_s(e[0], rows[0][r], h, g[r], n);
      ek_sgns_rows_s(e[1], rows[1], g, k, h, n);
      ek_sgns_rows_v(e[2], rows[2], g, k, h, n);
      for (int c = 1; c < 3; c++) {
        CHECK(n == 0 || memcmp(e[0], e[c], (size_t)n * 4) == 0, "sgns_rows n=%d k=%d: e differs (%s)", n, k, c == 1 ? "scalar" : "simd");
        for (int r = 0; r < k; r++)
          CHECK(n == 0 || memcmp(rows[0][r], rows[c][r], (size_t)n * 4) == 0, "sgns_rows n=%d k=%d row %d (%s)", n, k, r, c == 1 ? "scalar" : "simd");
      }
      for (int c = 0; c < 3; c++) {
        free(e[c]);
        for (int r = 0; r < k; r++) free(rows[c][r]);
      }
      for (int r = 0; r < k; r++) free(rows0[r]);
      free(h);
      free(e0);
    }
  }
}

typedef struct {
  float *syn0, *syn1, *hs1;
} w2v_out;

typedef struct {
  int cbow, hs, negative, cbow_mean, shrink;
  int piece;  // > 0: stream the corpus in pieces of about this many ids
} w2v_cfg;

static w2v_out run_w2v(const int32_t* corpus, int32_t n_corpus, int32_t tokens, const double* counts,
                       int32_t V, int32_t dim, w2v_cfg cfg, int scalar, const int32_t* chunks, int n_chunks) {
  ek_w2v* st = aligned_alloc(64, (size_t)ek_w2v_sizeof());
  float* syn0 = malloc((size_t)V * dim * sizeof(float));
  float* syn1 = cfg.negative ? malloc((size_t)V * dim * sizeof(float)) : 0;
  float* hs1 = cfg.hs ? malloc((size_t)(V - 1) * dim * sizeof(float)) : 0;
  int32_t* table = cfg.negative ? malloc((1u << 10) * sizeof(int32_t)) : 0;
  float* keep = malloc((size_t)V * sizeof(float));
  float* neu1 = malloc((size_t)dim * sizeof(float));
  float* neu1e = malloc((size_t)dim * sizeof(float));
  int32_t* sen = malloc(EK_W2V_MAX_SENTENCE * sizeof(int32_t));
  int32_t* off = malloc((size_t)(V + 1) * sizeof(int32_t));
  uint8_t* code = malloc((size_t)V * 32);
  int32_t* point = malloc((size_t)V * 32 * sizeof(int32_t));
  heap_tree_blocks(V, V, off, code, point);  // one tree: inner nodes 0..V-2
  int rc = ek_w2v_init(st, syn0, syn1, table, keep, neu1, neu1e, sen, corpus, cfg.piece ? 0 : n_corpus, tokens, counts,
                       V, dim, 3, cfg.negative, cfg.cbow, 0.01, 0.025f, 1e-4f, 2, 10, 7, 0, scalar, 0.75, cfg.hs, hs1,
                       off, code, point, cfg.cbow_mean, cfg.shrink, cfg.piece > 0);
  CHECK(rc == EK_OK, "init rc %d", rc);
  double prog[10];
  int32_t pos = 0;
  uint32_t rs_piece = 77;
  int32_t* buf = 0;
  for (int i = 0;; i++) {
    ek_w2v_step(st, chunks[i % n_chunks]);
    ek_w2v_progress(prog, st, 1);
    if (prog[9] != 0) break;
    if (prog[8] != 0) {  // stream: the next piece, in an exact-size copy, or the end of the epoch
      free(buf);
      buf = 0;
      if (pos >= n_corpus) {
        ek_w2v_feed(st, 0, 0, 1);
        pos = 0;
        continue;
      }
      rs_piece = rs_piece * 1103515245u + 12345u;
      int32_t n = (int32_t)((rs_piece >> 8) % (uint32_t)(2 * cfg.piece + 1));
      if (n > n_corpus - pos) n = n_corpus - pos;
      buf = malloc((size_t)n * sizeof(int32_t) + 1);
      memcpy(buf, corpus + pos, (size_t)n * sizeof(int32_t));
      ek_w2v_feed(st, buf, n, 0);
      pos += n;
    }
  }
  free(buf);
  CHECK(prog[0] == prog[1] && prog[1] == 2.0 * tokens, "words %g of %g", prog[0], prog[1]);
  free(st), free(table), free(keep), free(neu1), free(neu1e), free(sen), free(off), free(code), free(point);
  return (w2v_out){syn0, syn1, hs1};
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
  const w2v_cfg cfgs[] = {
      {0, 0, 4, 1, 1, 0}, {1, 0, 4, 1, 1, 0}, {0, 1, 0, 1, 1, 0}, {1, 1, 0, 1, 0, 0},
      {0, 1, 3, 1, 0, 0}, {1, 1, 2, 0, 1, 0}, {1, 0, 3, 0, 0, 0},
  };
  for (size_t k = 0; k < sizeof cfgs / sizeof cfgs[0]; k++) {
    for (int dim = 1; dim <= 19; dim += (dim < 9 ? 1 : 10)) {
      const w2v_cfg c = cfgs[k];
      w2v_cfg cs = c;
      cs.piece = 40;
      w2v_out a = run_w2v(corpus, N, tokens, counts, V, dim, c, 0, one, 1);
      w2v_out b = run_w2v(corpus, N, tokens, counts, V, dim, c, 1, mixed, 4);
      w2v_out s = run_w2v(corpus, N, tokens, counts, V, dim, cs, 0, mixed, 4);
      size_t bytes = (size_t)V * dim * sizeof(float), hbytes = (size_t)(V - 1) * dim * sizeof(float);
      CHECK(memcmp(a.syn0, b.syn0, bytes) == 0 && memcmp(a.syn0, s.syn0, bytes) == 0,
            "word2vec cfg %zu dim=%d: syn0 simd/one-chunk != scalar/chunked or streamed", k, dim);
      if (c.negative)
        CHECK(memcmp(a.syn1, b.syn1, bytes) == 0 && memcmp(a.syn1, s.syn1, bytes) == 0, "word2vec cfg %zu dim=%d: syn1neg differs", k, dim);
      if (c.hs)
        CHECK(memcmp(a.hs1, b.hs1, hbytes) == 0 && memcmp(a.hs1, s.hs1, hbytes) == 0, "word2vec cfg %zu dim=%d: hs syn1 differs", k, dim);
      w2v_out* all[] = {&a, &b, &s};
      for (int i = 0; i < 3; i++) free(all[i]->syn0), free(all[i]->syn1), free(all[i]->hs1);
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
  test_scale();
  test_rows();
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
