// Native (SIMDe, ASan + UBSan) sweep of the backward the JS shim calls, ek_scatter_add_rows_f32
// (the __wasmsimd kernel: single-occurrence rows in float32, repeated rows four per pass, peeks
// ahead), bit for bit against ek_scatter_add_rows_f32__scalar (same grad, same touched list in
// the same order, same count), with exact-size scratch so any overrun is reported. Sweeps dim
// around the vector width and through the peek threshold (64), occurrence counts across the
// four-per-pass boundary (none repeated .. all one row), padding, scale_by_freq, -0 inputs, and
// a second call on already-touched rows.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedkit.h"

static uint32_t s = 777;
static uint32_t rnd(void) { s = s * 1664525u + 1013904223u; return s >> 8; }
static float rndf(void) { return (float)rnd() / 16777216.0f * 2.0f - 1.0f; }

#include "check.h"
// kind: 0 uniform, 1 heavy duplicates (ids in a few rows), 2 all the same row, 3 all distinct
static void run(int32_t n_rows, int32_t dim, int32_t n_ids, int kind, int32_t pad, int32_t scale) {
  int32_t* ids = malloc(sizeof(int32_t) * n_ids);
  float* gout = malloc(sizeof(float) * n_ids * dim);
  float* init = malloc(sizeof(float) * n_rows * dim);
  for (int32_t i = 0; i < n_ids; i++) {
    uint32_t r = rnd();
    ids[i] = kind == 0 ? (int32_t)(r % (uint32_t)n_rows)
           : kind == 1 ? (int32_t)(r % 3u) * (n_rows / 3)
           : kind == 2 ? n_rows - 1
           : i % n_rows;
  }
  for (int32_t i = 0; i < n_ids * dim; i++) gout[i] = rndf();
  gout[0] = -0.0f;  // -0 + -0 is -0 in float32, but the float64 sum starts from +0.0
  for (int32_t i = 0; i < n_rows * dim; i++) init[i] = (i % 7 == 0) ? -0.0f : rndf();
  float* g[2];
  int32_t* touched[2];
  int32_t nt[2];
  for (int v = 0; v < 2; v++) {
    g[v] = malloc(sizeof(float) * n_rows * dim);
    memcpy(g[v], init, sizeof(float) * n_rows * dim);
    uint8_t* mark = calloc((size_t)n_rows, 1);
    touched[v] = malloc(sizeof(int32_t) * n_rows);
    int32_t* head = malloc(sizeof(int32_t) * n_rows);
    int32_t* next = malloc(sizeof(int32_t) * n_ids);
    double* scratch = malloc(sizeof(double) * (size_t)dim);
    nt[v] = 0;
    for (int call = 0; call < 2; call++) {  // the second call finds its rows already marked
      nt[v] = (v == 0 ? ek_scatter_add_rows_f32__scalar : ek_scatter_add_rows_f32)(
          g[v], mark, touched[v], nt[v], gout, ids, n_ids, dim, pad, scale, head, next, scratch);
    }
    free(mark); free(head); free(next); free(scratch);
  }
  CHECK(nt[0] == nt[1] && memcmp(touched[0], touched[1], sizeof(int32_t) * nt[0]) == 0,
        "touched lists differ (rows %d dim %d ids %d kind %d)", n_rows, dim, n_ids, kind);
  CHECK(memcmp(g[0], g[1], sizeof(float) * n_rows * dim) == 0,
        "dispatcher != scalar (rows %d dim %d ids %d kind %d pad %d scale %d)", n_rows, dim, n_ids, kind, pad, scale);
  if (pad >= 0) CHECK(memcmp(g[1] + (size_t)pad * dim, init + (size_t)pad * dim, sizeof(float) * dim) == 0, "padding row written");
  for (int v = 0; v < 2; v++) { free(g[v]); free(touched[v]); }
  free(ids); free(gout); free(init);
}

int main(void) {
  for (int32_t dim = 1; dim <= 40; dim++)
    for (int kind = 0; kind < 4; kind++) {
      run(9, dim, 50, kind, 1, 0);
      run(9, dim, 50, kind, -1, 1);
    }
  for (int kind = 0; kind < 4; kind++) {
    run(100, 63, 300, kind, 0, 0);
    run(100, 64, 300, kind, 5, 1);
    run(100, 768, 300, kind, -1, 0);
    run(3, 1000, 500, kind, 2, 1);
    for (int32_t n = 3; n <= 10; n++) run(4, 70, n, kind, -1, n & 1);  // 1..10 occurrences of a row
    run(50, 65, 1, kind, -1, 0);  // one id
    run(50, 65, 2, kind, -1, 1);
  }
  if (failures) { fprintf(stderr, "%d failures\n", failures); return 1; }
  printf("test_scatter_sweep: ok\n");
  return 0;
}
