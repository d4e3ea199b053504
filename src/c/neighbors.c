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

// Top k of scores [b, e) into out_idx / out_score, best first (ties: lower index first, and a
// score equal to the k-th kept is not taken, so the lower indices win). Returns the count.
static int32_t topk_range(int32_t* out_idx, float* out_score, const float* scores, int32_t b,
                          int32_t e, int32_t k) {
  int32_t cnt = 0;
  for (int32_t i = b; i < e; i++) {
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

// Parts of the rows whose top-k lists are merged: at most this many entries (both arrays on the
// calling thread's stack, 64 KiB).
#define EK_TOPK_PARTS 64
#define EK_TOPK_BUFFER 8192

typedef struct {
  const float* scores;
  int32_t n, k, parts;
  int32_t* idx;    // [parts * k]
  float* score;    // [parts * k]
  int32_t cnt[EK_TOPK_PARTS];
} topk_job;

static void topk_chunk(void* p, int32_t b, int32_t e) {
  topk_job* j = p;
  for (int32_t t = b; t < e; t++) {
    const int32_t lo = (int32_t)((int64_t)j->n * t / j->parts), hi = (int32_t)((int64_t)j->n * (t + 1) / j->parts);
    j->cnt[t] = topk_range(j->idx + (size_t)t * j->k, j->score + (size_t)t * j->k, j->scores, lo, hi, j->k);
  }
}

// With threads, each part of the rows keeps its own top k, and the sorted lists are merged by
// (score descending, index ascending): every row of the overall top k is in its part's top k, so
// the result is the one-thread result exactly.
EK_EXPORT int32_t ek_topk_f32(int32_t* out_idx, float* out_score, float* scores, int32_t n,
                              int32_t k, const int32_t* exclude, int32_t n_exclude) {
  for (int32_t e = 0; e < n_exclude; e++) scores[exclude[e]] = NAN;
  if (k <= 0) return 0;
  int32_t parts = ek_pool_threads() * 4;
  if (parts > EK_TOPK_PARTS) parts = EK_TOPK_PARTS;
  if (ek_pool_threads() < 2 || (double)n < EK_PAR_MIN_WORK / 4.0 || (int64_t)parts * k > EK_TOPK_BUFFER)
    return topk_range(out_idx, out_score, scores, 0, n, k);
  int32_t idx[EK_TOPK_BUFFER];
  float score[EK_TOPK_BUFFER];
  topk_job j;
  j.scores = scores;
  j.n = n;
  j.k = k;
  j.parts = parts;
  j.idx = idx;
  j.score = score;
  ek_parallel_for(topk_chunk, &j, parts, 1, 1e30);
  int32_t head[EK_TOPK_PARTS] = {0};
  int32_t cnt = 0;
  while (cnt < k) {
    int32_t best = -1;
    for (int32_t t = 0; t < parts; t++) {
      if (head[t] >= j.cnt[t]) continue;
      const size_t at = (size_t)t * k + (size_t)head[t];
      if (best < 0) { best = t; continue; }
      const size_t bt = (size_t)best * k + (size_t)head[best];
      if (score[at] > score[bt] || (score[at] == score[bt] && idx[at] < idx[bt])) best = t;
    }
    if (best < 0) break;
    const size_t bt = (size_t)best * k + (size_t)head[best]++;
    out_idx[cnt] = idx[bt];
    out_score[cnt] = score[bt];
    cnt++;
  }
  return cnt;
}
