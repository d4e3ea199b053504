// neighbors.c — cosine scores of every row against a unit query, and top-k selection.
#include <math.h>

#include "embedkit.h"
#include "vec_f32.h"

typedef struct {
  float* out;
  const float* table;
  const float* inv;
  const float* query;
  int32_t dim;
} rows_job;

static void inv_norms_chunk(void* p, int32_t b, int32_t e) {
  const rows_job* j = p;
  const int32_t dim = j->dim;
  for (int32_t i = b; i < e; i++) {
    const float* r = j->table + (size_t)i * (size_t)dim;
    double s = 0;
    for (int32_t c = 0; c < dim; c++) s += (double)r[c] * (double)r[c];
    j->out[i] = s > 0 ? (float)(1.0 / sqrt(s)) : 0.0f;
  }
}

// Rows are independent: threads split them.
EK_EXPORT void ek_row_inv_norms_f32(float* out, const float* table, int32_t n_rows, int32_t dim) {
  rows_job j = {out, table, 0, 0, dim};
  ek_parallel_for(inv_norms_chunk, &j, n_rows, 1, 4.0 * (double)n_rows * (double)dim);
}

EK_EXPORT void ek_cosine_scores_f32__scalar(float* scores, const float* table,
                                            const float* inv_norms, const float* query,
                                            int32_t n_rows, int32_t dim) {
  for (int32_t i = 0; i < n_rows; i++)
    scores[i] = ek_dot_s(query, table + (size_t)i * (size_t)dim, dim) * inv_norms[i];
}

EK_EXPORT void ek_cosine_scores_f32__wasmsimd(float* scores, const float* table,
                                              const float* inv_norms, const float* query,
                                              int32_t n_rows, int32_t dim) {
#if EK_HAVE_SIMD
  for (int32_t i = 0; i < n_rows; i++)
    scores[i] = ek_dot_v(query, table + (size_t)i * (size_t)dim, dim) * inv_norms[i];
#else
  ek_cosine_scores_f32__scalar(scores, table, inv_norms, query, n_rows, dim);
#endif
}

static void scores_chunk(void* p, int32_t b, int32_t e) {
  const rows_job* j = p;
  ek_cosine_scores_f32__wasmsimd(j->out + b, j->table + (size_t)b * (size_t)j->dim, j->inv + b, j->query,
                                 e - b, j->dim);
}

EK_EXPORT void ek_cosine_scores_f32(float* scores, const float* table, const float* inv_norms,
                                    const float* query, int32_t n_rows, int32_t dim) {
  rows_job j = {scores, table, inv_norms, query, dim};
  ek_parallel_for(scores_chunk, &j, n_rows, 1, 4.0 * (double)n_rows * (double)dim);
}

EK_EXPORT int32_t ek_topk_f32(int32_t* out_idx, float* out_score, float* scores, int32_t n,
                              int32_t k, const int32_t* exclude, int32_t n_exclude) {
  for (int32_t e = 0; e < n_exclude; e++) scores[exclude[e]] = NAN;
  int32_t cnt = 0;
  if (k <= 0) return 0;
  for (int32_t i = 0; i < n; i++) {
    const float s = scores[i];
    if (s != s) continue;
    if (cnt == k && !(s > out_score[k - 1])) continue;
    int32_t j = cnt < k ? cnt++ : k - 1;
    while (j > 0 && s > out_score[j - 1]) {
      out_score[j] = out_score[j - 1];
      out_idx[j] = out_idx[j - 1];
      j--;
    }
    out_score[j] = s;
    out_idx[j] = i;
  }
  return cnt;
}
