// Native (SIMDe) test of the dtype decode kernels (src/c/dtype.c) under ASan + UBSan: for every
// storage dtype, __wasmsimd and the dispatcher against __scalar bit for bit on random stored
// bytes, with exact-size heap buffers (an over-read past the last row or block is reported),
// and all 65536 float16 / bfloat16 patterns. The encoders run over random floats too (UBSan
// watches their integer arithmetic). Run by tests/native.test.js.
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "embedkit.h"
#include "check.h"

static uint32_t s = 777;
static uint32_t rnd(void) { s = s * 1664525u + 1013904223u; return s >> 8; }

typedef void (*gather_fn)(float*, const void*, const int32_t*, int32_t, int32_t);
struct fmt {
  const char* name;
  int block, bytes, scale_at[2];
  gather_fn f[3];  // dispatcher, __wasmsimd, __scalar
};
#define G(x) (gather_fn)(void (*)(void))(x)
static const struct fmt fmts[] = {
  {"f16", 1, 2, {-1, -1}, {G(ek_gather_rows_f16), G(ek_gather_rows_f16__wasmsimd), G(ek_gather_rows_f16__scalar)}},
  {"bf16", 1, 2, {-1, -1}, {G(ek_gather_rows_bf16), G(ek_gather_rows_bf16__wasmsimd), G(ek_gather_rows_bf16__scalar)}},
  {"q8_0", 32, 34, {0, -1}, {G(ek_gather_rows_q8_0), G(ek_gather_rows_q8_0__wasmsimd), G(ek_gather_rows_q8_0__scalar)}},
  {"q4_0", 32, 18, {0, -1}, {G(ek_gather_rows_q4_0), G(ek_gather_rows_q4_0__wasmsimd), G(ek_gather_rows_q4_0__scalar)}},
  {"q4_k", 256, 144, {0, 2}, {G(ek_gather_rows_q4_k), G(ek_gather_rows_q4_k__wasmsimd), G(ek_gather_rows_q4_k__scalar)}},
  {"q6_k", 256, 210, {208, -1}, {G(ek_gather_rows_q6_k), G(ek_gather_rows_q6_k__wasmsimd), G(ek_gather_rows_q6_k__scalar)}},
};

static void test_fmt(const struct fmt* f, int32_t dim, int32_t n_rows, int32_t n_ids) {
  const size_t rb = (size_t)dim / f->block * f->bytes;
  uint8_t* table = malloc(rb * n_rows);
  for (size_t i = 0; i < rb * n_rows; i++) table[i] = (uint8_t)rnd();
  // keep block scales finite (a NaN scale gives NaN rows whose payload the hardware picks)
  if (f->block > 1)
    for (size_t o = 0; o < rb * n_rows; o += f->bytes)
      for (int k = 0; k < 2; k++)
        if (f->scale_at[k] >= 0) table[o + f->scale_at[k] + 1] &= 0x7b;
  int32_t* ids = malloc(sizeof(int32_t) * n_ids);
  for (int32_t i = 0; i < n_ids; i++) ids[i] = (int32_t)(rnd() % (uint32_t)n_rows);
  ids[n_ids - 1] = n_rows - 1;  // the last row: its last byte is the table's last byte
  float* out[3];
  for (int v = 0; v < 3; v++) {
    out[v] = malloc(sizeof(float) * dim * n_ids);
    f->f[v](out[v], table, ids, n_ids, dim);
  }
  CHECK(memcmp(out[0], out[2], sizeof(float) * dim * n_ids) == 0, "%s dispatcher != scalar (dim %d)", f->name, dim);
  CHECK(memcmp(out[1], out[2], sizeof(float) * dim * n_ids) == 0, "%s wasmsimd != scalar (dim %d)", f->name, dim);
  for (int v = 0; v < 3; v++) free(out[v]);
  free(table); free(ids);
}

int main(void) {
  for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
    const struct fmt* f = &fmts[k];
    if (f->block == 1) {
      for (int32_t dim = 1; dim <= 40; dim++) test_fmt(f, dim, 5, 9);
      test_fmt(f, 768, 11, 17);
      // all 65536 patterns as one row
      uint16_t* all = malloc(65536 * 2);
      for (uint32_t h = 0; h < 65536; h++) all[h] = (uint16_t)h;
      float* a = malloc(65536 * 4);
      float* b = malloc(65536 * 4);
      int32_t id = 0;
      f->f[1](a, all, &id, 1, 65536);
      f->f[2](b, all, &id, 1, 65536);
      CHECK(memcmp(a, b, 65536 * 4) == 0, "%s: all patterns differ", f->name);
      free(all); free(a); free(b);
    } else {
      for (int32_t nb = 1; nb <= 4; nb++) test_fmt(f, nb * f->block, 6, 11);
      test_fmt(f, 768 / f->block * f->block, 9, 13);
    }
  }
  // encoders: random bit patterns (f16 / bf16) and finite values (Q8_0 / Q4_0), exact-size buffers
  const uint32_t n = 4096;
  float* x = malloc(4 * n);
  uint16_t* h = malloc(2 * n);
  uint8_t* q = malloc(n / 32 * 34);
  for (uint32_t i = 0; i < n; i++) { uint32_t u = rnd() ^ (rnd() << 20); memcpy(&x[i], &u, 4); }
  ek_f32_to_f16(h, x, n);
  ek_f32_to_bf16(h, x, n);
  for (uint32_t i = 0; i < n; i++) x[i] = ((float)rnd() / 8388608.0f - 1.0f) * (float)(1u << (rnd() % 20));
  ek_quantize_q8_0(q, x, n);
  ek_quantize_q4_0(q, x, n);
  // Q8_0 round trip: within half a step d / 2 = amax / 254, plus 127 times the f16 rounding of d
  float* y = malloc(4 * n);
  int32_t* ids = malloc(4 * (n / 32));
  for (uint32_t i = 0; i < n / 32; i++) ids[i] = (int32_t)i;
  ek_quantize_q8_0(q, x, n);
  ek_gather_rows_q8_0(y, q, ids, (int32_t)(n / 32), 32);
  for (uint32_t b = 0; b < n / 32; b++) {
    float amax = 0;
    for (int j = 0; j < 32; j++) amax = amax > fabsf(x[b * 32 + j]) ? amax : fabsf(x[b * 32 + j]);
    for (int j = 0; j < 32; j++) CHECK(fabsf(y[b * 32 + j] - x[b * 32 + j]) <= amax / 254 + amax / 2048, "q8_0 round trip block %u", b);
  }
  free(x); free(h); free(q); free(y); free(ids);
  if (failures) return 1;
  printf("ok\n");
  return 0;
}
