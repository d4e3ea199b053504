// Native (SIMDe) test of the lookup/backward kernels under AddressSanitizer and UBSan: the SIMD
// variants against the scalar references, bit for bit, with exact-size heap buffers so that any
// over-read or over-write past a row or a table is reported. Run by tests/native.test.js.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedkit.h"

static uint32_t s = 12345;
static uint32_t rnd(void) { s = s * 1664525u + 1013904223u; return s >> 8; }
static float rndf(void) { return (float)rnd() / 16777216.0f * 2.0f - 1.0f; }

#include "check.h"
static void test_gather(int32_t n_rows, int32_t dim, int32_t n_ids) {
  float* table = malloc(sizeof(float) * n_rows * dim);
  int32_t* ids = malloc(sizeof(int32_t) * n_ids);
  float* a = malloc(sizeof(float) * n_ids * dim + 1);
  float* b = malloc(sizeof(float) * n_ids * dim + 1);
  float* c = malloc(sizeof(float) * n_ids * dim + 1);
  for (int32_t i = 0; i < n_rows * dim; i++) table[i] = rndf();
  for (int32_t i = 0; i < n_ids; i++) ids[i] = (int32_t)(rnd() % (uint32_t)n_rows);
  ek_gather_rows_f32__scalar(a, table, ids, n_ids, dim);
  ek_gather_rows_f32__wasmsimd(b, table, ids, n_ids, dim);
  ek_gather_rows_f32(c, table, ids, n_ids, dim);
  CHECK(memcmp(a, b, sizeof(float) * n_ids * dim) == 0, "gather simd != scalar (dim %d)", dim);
  CHECK(memcmp(a, c, sizeof(float) * n_ids * dim) == 0, "gather dispatcher != scalar (dim %d)", dim);
  for (int32_t i = 0; i < n_ids; i++)
    CHECK(memcmp(a + (size_t)i * dim, table + (size_t)ids[i] * dim, sizeof(float) * dim) == 0, "gather row %d wrong", i);
  free(table); free(ids); free(a); free(b); free(c);
}

static void test_scatter(int32_t n_rows, int32_t dim, int32_t n_ids, int32_t scale) {
  float* gout = malloc(sizeof(float) * n_ids * dim);
  int32_t* ids = malloc(sizeof(int32_t) * n_ids);
  float* g[2];
  int32_t nt[2];
  int32_t* touched[2];
  for (int32_t i = 0; i < n_ids * dim; i++) gout[i] = rndf();
  for (int32_t i = 0; i < n_ids; i++) ids[i] = (int32_t)(rnd() % (uint32_t)n_rows) % (1 + (int32_t)(rnd() % (uint32_t)n_rows));
  float* init = malloc(sizeof(float) * n_rows * dim);
  for (int32_t i = 0; i < n_rows * dim; i++) init[i] = rndf();
  for (int v = 0; v < 2; v++) {
    g[v] = malloc(sizeof(float) * n_rows * dim);
    memcpy(g[v], init, sizeof(float) * n_rows * dim);
    uint8_t* mark = calloc((size_t)n_rows, 1);
    touched[v] = malloc(sizeof(int32_t) * n_rows);
    int32_t* head = malloc(sizeof(int32_t) * n_rows);
    int32_t* next = malloc(sizeof(int32_t) * n_ids);
    double* acc = malloc(sizeof(double) * dim);
    nt[v] = (v == 0 ? ek_scatter_add_rows_f32__scalar : ek_scatter_add_rows_f32__wasmsimd)(
        g[v], mark, touched[v], 0, gout, ids, n_ids, dim, 1, scale, head, next, acc);
    // zeroGrad (v = 0: the memset reference, v = 1: the dispatcher): touched rows become zero
    // and unmarked, the others keep their values.
    {
      float* z = malloc(sizeof(float) * n_rows * dim);
      memcpy(z, g[v], sizeof(float) * n_rows * dim);
      (v == 0 ? ek_zero_rows_f32__scalar : ek_zero_rows_f32)(z, mark, touched[v], nt[v], dim);
      for (int32_t r = 0; r < n_rows; r++) {
        CHECK(mark[r] == 0, "mark %d not cleared", r);
        int was = 0;
        for (int32_t k = 0; k < nt[v]; k++) was |= touched[v][k] == r;
        for (int32_t j = 0; j < dim; j++)
          CHECK(z[r * dim + j] == (was ? 0.0f : g[v][r * dim + j]), "zero_rows row %d col %d", r, j);
      }
      free(z);
    }
    free(mark); free(head); free(next); free(acc);
  }
  CHECK(nt[0] == nt[1] && memcmp(touched[0], touched[1], sizeof(int32_t) * nt[0]) == 0, "touched lists differ (dim %d)", dim);
  CHECK(memcmp(g[0], g[1], sizeof(float) * n_rows * dim) == 0, "scatter simd != scalar (dim %d scale %d)", dim, scale);
  // row 1 is padding: untouched
  CHECK(memcmp(g[0] + dim, init + dim, sizeof(float) * dim) == 0, "padding row written (dim %d)", dim);
  for (int v = 0; v < 2; v++) { free(g[v]); free(touched[v]); }
  free(gout); free(ids); free(init);
}

int main(void) {
  for (int32_t dim = 1; dim <= 40; dim++) {
    test_gather(7, dim, 11);
    test_scatter(9, dim, 50, 0);
    test_scatter(9, dim, 50, 1);
  }
  test_gather(100, 768, 64);
  for (int32_t dim = 127; dim <= 145; dim++) test_gather(23, dim, 37);  // 8-row groups + tails
  test_gather(40, 1000, 29);
  test_scatter(100, 768, 300, 0);
  test_scatter(3, 1000, 500, 1);
  if (failures) { fprintf(stderr, "%d failures\n", failures); return 1; }
  printf("test_embedding: ok\n");
  return 0;
}
