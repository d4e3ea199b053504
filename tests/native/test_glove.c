// test_glove.c — native (SIMDe) checks of glove.c under ASan + UBSan: counting with a growing
// hash and a partial dense block gives the same CSR as counting with everything hashed, the
// dense-scan twins agree, and the trainer gives the same bits on the SIMD and scalar paths and
// for any chunking. Returns non-zero on the first failure.
#include <stdlib.h>
#include <string.h>

#include "embedkit.h"

#include "check.h"

static uint32_t rs = 4242;
static uint32_t urand(void) {
  rs = rs * 1664525u + 1013904223u;
  return rs >> 8;
}

typedef struct {
  uint32_t* rowptr;
  int32_t* cols;
  float* vals;
  uint32_t nnz;
} csr;

static uint32_t* offsets(int32_t V, uint32_t P) {
  uint32_t* off = malloc(((size_t)V + 1) * sizeof(uint32_t));
  off[0] = 0;
  for (int32_t i = 0; i < V; i++) {
    uint32_t l = P / (uint32_t)(i + 1);
    off[i + 1] = off[i] + (l < (uint32_t)V ? l : (uint32_t)V);
  }
  return off;
}

static csr count(const int32_t* corpus, int32_t n, int32_t V, uint32_t P, int32_t window, int symmetric) {
  ek_cooc* st = malloc((size_t)ek_cooc_sizeof());
  uint32_t* off = offsets(V, P);
  double* dense = malloc((size_t)off[V] * sizeof(double) + 8);
  uint32_t cap = 64;
  ek_cooc_slot* hash = malloc(cap * sizeof(ek_cooc_slot));
  CHECK(ek_cooc_init(st, dense, off, V, window, symmetric, 1, hash, cap) == EK_OK, "cooc init");
  int32_t pos = 0, grows = 0;
  while ((pos = ek_cooc_count(st, corpus, pos, n)) < n) {
    ek_cooc_slot* bigger = malloc(2 * cap * sizeof(ek_cooc_slot));
    CHECK(ek_cooc_rehash(st, bigger, 2 * cap) == EK_OK, "rehash");
    free(hash);
    hash = bigger;
    cap *= 2;
    grows++;
  }
  uint32_t* r1 = malloc((size_t)V * sizeof(uint32_t));
  uint32_t* r2 = malloc((size_t)V * sizeof(uint32_t));
  const double n1 = ek_cooc_row_nnz__scalar(r1, st), n2 = ek_cooc_row_nnz__wasmsimd(r2, st);
  CHECK(n1 == n2 && memcmp(r1, r2, (size_t)V * sizeof(uint32_t)) == 0, "row_nnz scalar %g simd %g", n1, n2);
  csr out = {malloc(((size_t)V + 1) * sizeof(uint32_t)), malloc((size_t)n1 * sizeof(int32_t) + 4),
             malloc((size_t)n1 * sizeof(float) + 4), (uint32_t)n1};
  uint32_t* cursor = malloc((size_t)V * sizeof(uint32_t));
  ek_cooc_finish(out.rowptr, out.cols, out.vals, cursor, r1, st);
  CHECK(P == 0 ? grows > 0 : 1, "the hash grew");
  free(st), free(off), free(dense), free(hash), free(r1), free(r2), free(cursor);
  return out;
}

static void test_count_and_train(void) {
  const int32_t V = 700, n = 20000;
  int32_t* corpus = malloc((size_t)n * sizeof(int32_t));
  for (int32_t k = 0; k < n; k++) {
    const uint32_t u = urand();
    corpus[k] = (u % 13 == 0) ? -1 : (int32_t)(((uint64_t)(urand() % V) * (urand() % V)) / V);
  }
  for (int symmetric = 0; symmetric <= 1; symmetric++) {
    csr a = count(corpus, n, V, 0, 5, symmetric);
    csr b = count(corpus, n, V, 3000, 5, symmetric);
    CHECK(a.nnz == b.nnz && a.nnz > 1000, "nnz %u vs %u", a.nnz, b.nnz);
    CHECK(memcmp(a.rowptr, b.rowptr, ((size_t)V + 1) * 4) == 0 && memcmp(a.cols, b.cols, (size_t)a.nnz * 4) == 0 &&
              memcmp(a.vals, b.vals, (size_t)a.nnz * 4) == 0,
          "hash-only and dense+hash CSR differ");
    for (int32_t i = 0; i < V; i++)
      for (uint32_t k = a.rowptr[i] + 1; k < a.rowptr[i + 1]; k++) CHECK(a.cols[k - 1] < a.cols[k], "row %d unsorted", i);

    const int32_t dims[] = {1, 4, 7, 13};
    for (int d = 0; d < 4; d++) {
      const int32_t dim = dims[d], stride = 2 * ((dim + 3) & ~3) + 4;
      // runs: 0 SIMD in one call, 1 SIMD in chunks of 777, 2 scalar, 3 reshuffled every epoch
      float* res[4];
      const int32_t chunks[4] = {1 << 30, 777, 1 << 30, 1 << 30};
      for (int run = 0; run < 4; run++) {
        ek_glove* st = malloc((size_t)ek_glove_sizeof());
        float* params = malloc((size_t)2 * V * stride * sizeof(float));
        ek_glove_rec* rec = malloc((size_t)a.nnz * sizeof(ek_glove_rec));
        CHECK(ek_glove_init(st, params, rec, a.rowptr, a.cols, a.vals, V, dim, 10.0, 0.75, 0.05f, 100.0f, 3, run == 3,
                            9, 0, run == 2) == EK_OK, "glove init");
        double prog[8];
        do {
          ek_glove_step(st, chunks[run]);
          ek_glove_progress(prog, st, 1);
        } while (prog[2] < 3);
        CHECK(prog[0] == prog[1] && prog[5] > 0, "glove finished");
        res[run] = malloc((size_t)V * dim * sizeof(float));
        ek_glove_export(res[run], st, 2);
        free(st), free(params), free(rec);
      }
      const size_t bytes = (size_t)V * dim * sizeof(float);
      CHECK(memcmp(res[0], res[1], bytes) == 0, "glove dim=%d: chunked != one call", dim);
      CHECK(memcmp(res[0], res[2], bytes) == 0, "glove dim=%d: scalar != simd", dim);
      CHECK(memcmp(res[0], res[3], bytes) != 0, "glove dim=%d: reshuffle changed nothing", dim);
      for (int run = 0; run < 4; run++) free(res[run]);
    }
    free(a.rowptr), free(a.cols), free(a.vals), free(b.rowptr), free(b.cols), free(b.vals);
  }
  free(corpus);
}

int main(void) {
  test_count_and_train();
  if (failures) {
    printf("%d failure(s)\n", failures);
    return 1;
  }
  printf("ok test_glove\n");
  return 0;
}
