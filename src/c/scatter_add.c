// scatter_add.c — embedding backward: scatter-add output-gradient rows into the gradient table.
//
//   grad [n_rows, dim] f32, gout [n_ids, dim] f32, ids [n_ids] i32 (validated)
//   for every i with ids[i] != padding_idx:  grad[ids[i], :] += scale_i * gout[i, :]
//
// How: the ids are grouped by row with a linked list (head[row] = first occurrence,
// next[i] = next occurrence of the same row, built in one backwards pass, O(n_ids), no sort).
// Then, for each distinct row in order of first occurrence, its contributions are summed in a
// float64 accumulator acc[dim], in the order they appear in ids, and added to the float32
// gradient row once. Compared with the usual in-order float32 scatter loop this
//   - is more exact: one float32 rounding per row and call instead of one per duplicate;
//   - touches each gradient row once per call (Zipf-heavy batches repeat a few rows a lot);
//   - stays deterministic: the same inputs give the same bits on every run, and the SIMD kernel
//     (lanes along dim only, never across ids) is bit-exact against the scalar reference.
// scale_by_freq (PyTorch's scale_grad_by_freq): the row's sum is multiplied by 1/count in
// float64, count = the row's occurrences in this call.
// Speed (the SIMD kernel): the rows are scattered over a large table, so the kernel is bound by
// how many cache misses it keeps in flight, and works on several rows side by side:
//   - rows with at most eight occurrences are finished four at a time, side by side (run_tasks);
//   - a heavier row adds eight occurrences per pass, read side by side, with the float64
//     partial sums in registers, and writes grad from the last pass.
// Touched rows: a row seen for the first time since zeroGrad is appended to touched[] and
// marked, so ek_zero_rows_f32 clears only those rows.
#include <string.h>

#include "embedkit.h"

// Link occurrences of each row: returns nothing; afterwards head[r] is the first i with
// ids[i] == r (for rows present) and next[i] the following occurrence or -1.
static void link_ids(int32_t* head, int32_t* next, const int32_t* ids, int32_t n_ids,
                     int32_t padding_idx) {
  for (int32_t i = 0; i < n_ids; i++) head[ids[i]] = -1;
  for (int32_t i = n_ids - 1; i >= 0; i--) {
    const int32_t id = ids[i];
    if (id == padding_idx) continue;
    next[i] = head[id];
    head[id] = i;
  }
}

EK_EXPORT int32_t ek_scatter_add_rows_f32__scalar(float* grad, uint8_t* mark, int32_t* touched,
                                                  int32_t n_touched, const float* gout,
                                                  const int32_t* ids, int32_t n_ids, int32_t dim,
                                                  int32_t padding_idx, int32_t scale_by_freq,
                                                  int32_t* head, int32_t* next, double* acc) {
  link_ids(head, next, ids, n_ids, padding_idx);
  for (int32_t i = 0; i < n_ids; i++) {
    const int32_t id = ids[i];
    if (id == padding_idx || head[id] != i) continue;  // not the first occurrence
    head[id] = -1;                                     // done with this row
    n_touched = ek_track_row(mark, touched, n_touched, id);
    int32_t count = 0;
    EK_NO_VECTORIZE
    for (int32_t j = 0; j < dim; j++) acc[j] = 0.0;
    for (int32_t k = i; k >= 0; k = next[k], count++) {
      const float* src = gout + (size_t)k * (size_t)dim;
      EK_NO_VECTORIZE
      for (int32_t j = 0; j < dim; j++) acc[j] += (double)src[j];
    }
    const double s = scale_by_freq ? 1.0 / (double)count : 1.0;
    float* g = grad + (size_t)id * (size_t)dim;
    EK_NO_VECTORIZE
    for (int32_t j = 0; j < dim; j++) g[j] = (float)((double)g[j] + s * acc[j]);
  }
  return n_touched;
}

#if EK_HAVE_SIMD
// Rows with at most eight occurrences (in W2, 2405 of 2454 rows) are queued as tasks and
// finished four at a time, side by side: per 4 floats, each task sums its occurrences in
// float64 (in list order, starting from 0.0) and adds the sum to its gradient row once, so the
// cache misses of four gradient rows and all their gout rows are in flight together. A row that
// occurs once takes the same path: (float)((double)g + 1.0 * (0.0 + (double)x)) is the float32
// sum g + (x + 0.0f), one rounding. Bits equal the scalar reference's. Measured on W2's ids
// against adding single-occurrence rows eight at a time in float32 and summing the others
// row by row: 4% faster in six of six runs; two, three or six tasks at a time were no better.
#define EK_TASKS 4
typedef struct {
  float* g;
  const float* src[8];
  int m;
  double s;
} ek_row_task;

static void run_tasks(const ek_row_task* t, int n_tasks, int32_t dim) {
  int32_t j = 0;
  for (; j + 4 <= dim; j += 4) {
    for (int k = 0; k < n_tasks; k++) {
      v128_t lo = wasm_f64x2_splat(0.0), hi = lo;
      for (int r = 0; r < t[k].m; r++) {
        lo = wasm_f64x2_add(lo, wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(t[k].src[r] + j)));
        hi = wasm_f64x2_add(hi, wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(t[k].src[r] + j + 2)));
      }
      float* g = t[k].g + j;
      const v128_t vs = wasm_f64x2_splat(t[k].s);
      lo = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(g)), wasm_f64x2_mul(vs, lo));
      hi = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(g + 2)), wasm_f64x2_mul(vs, hi));
      wasm_v128_store(g, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo),
                                            wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5));
    }
  }
  for (; j < dim; j++) {
    for (int k = 0; k < n_tasks; k++) {
      double sum = 0.0;
      for (int r = 0; r < t[k].m; r++) sum += (double)t[k].src[r][j];
      t[k].g[j] = (float)((double)t[k].g[j] + t[k].s * sum);
    }
  }
}

// Add M (1, 2, 4 or 8) occurrences of one row at once, in order, keeping the float64 partial
// sums in registers: per 4 floats, acc is loaded and stored once instead of once per
// occurrence, and M gout rows are read side by side (M streams of cache misses in flight).
//   first: the sum starts at 0.0 (acc is not read), as the scalar reference's acc = 0.0;
//   last:  instead of storing acc, finish the row: g = (float)((double)g + s * sum).
// Each lane still adds its terms one by one in list order, so the bits equal the scalar loop.
// Floats are widened two at a time straight from memory (load64_zero + promote_low), which
// needs no shuffle. M, first and last are compile-time constants at every call site.
static inline __attribute__((always_inline)) void rows_f64(double* acc, float* g, const float* const* src,
                                                         const int M, const int first,
                                                         const int last, double s, int32_t dim) {
  const v128_t zero = wasm_f64x2_splat(0.0), vs = wasm_f64x2_splat(s);
  int32_t j = 0;
  for (; j + 4 <= dim; j += 4) {
    v128_t lo = first ? zero : wasm_v128_load(acc + j);
    v128_t hi = first ? zero : wasm_v128_load(acc + j + 2);
    for (int r = 0; r < M; r++) {
      lo = wasm_f64x2_add(lo, wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(src[r] + j)));
      hi = wasm_f64x2_add(hi, wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(src[r] + j + 2)));
    }
    if (last) {
      lo = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(g + j)), wasm_f64x2_mul(vs, lo));
      hi = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(g + j + 2)), wasm_f64x2_mul(vs, hi));
      // demote each f64x2 into the low two f32 lanes, then join the halves.
      v128_t lo32 = wasm_f32x4_demote_f64x2_zero(lo), hi32 = wasm_f32x4_demote_f64x2_zero(hi);
      wasm_v128_store(g + j, wasm_i32x4_shuffle(lo32, hi32, 0, 1, 4, 5));
    } else {
      wasm_v128_store(acc + j, lo);
      wasm_v128_store(acc + j + 2, hi);
    }
  }
  for (; j < dim; j++) {
    double t = first ? 0.0 : acc[j];
    for (int r = 0; r < M; r++) t += (double)src[r][j];
    if (last) g[j] = (float)((double)g[j] + s * t);
    else acc[j] = t;
  }
}

// Dispatch a chunk of M occurrences (M = 1, 2, 4 or 8) to the specialised copies of rows_f64.
static void rows_chunk(double* acc, float* g, const float* const* src, int m, int first, int last,
                       double s, int32_t dim) {
#define EK_CHUNK(M)                                                   \
  if (first && last) rows_f64(acc, g, src, M, 1, 1, s, dim);         \
  else if (first) rows_f64(acc, g, src, M, 1, 0, s, dim);            \
  else if (last) rows_f64(acc, g, src, M, 0, 1, s, dim);             \
  else rows_f64(acc, g, src, M, 0, 0, s, dim);
  switch (m) {
    case 1: EK_CHUNK(1) break;
    case 2: EK_CHUNK(2) break;
    case 4: EK_CHUNK(4) break;
    default: EK_CHUNK(8) break;
  }
#undef EK_CHUNK
}
#endif

// Heavy rows (more than eight occurrences) accumulate in float64 slots on the stack of the thread
// that owns the row, EK_ACC_TILE columns at a time (each column's sum keeps its order, so tiling
// changes no bit).
#define EK_ACC_TILE 2048

#if EK_HAVE_SIMD
typedef struct {
  float* grad;
  const float* gout;
  const int32_t* ids;
  const int32_t* head;
  const int32_t* next;
  int32_t dim, padding_idx, scale_by_freq;
  const int32_t* bounds;  // part k: the rows whose first occurrence is in [bounds[k], bounds[k+1])
} scatter_job;

// The rows whose first occurrence lies in [b, e): each row is summed here, by this thread alone,
// in list order (head/next are only read).
static void scatter_part(const scatter_job* job, int32_t b, int32_t e) {
  const int32_t dim = job->dim, padding_idx = job->padding_idx;
  const int32_t* ids = job->ids;
  const int32_t* head = job->head;
  const int32_t* next = job->next;
  const size_t d = (size_t)dim;
  double acc[EK_ACC_TILE];
  // Rows are independent of each other, so the order they are finished in changes no bit.
  ek_row_task tasks[EK_TASKS];
  int n_tasks = 0;
  for (int32_t i = b; i < e; i++) {
    const int32_t id = ids[i];
    if (id == padding_idx || head[id] != i) continue;  // padding, or not the row's first occurrence
    float* g = job->grad + (size_t)id * d;
    int32_t count = 0, k = i;
    for (; k >= 0 && count <= 8; k = next[k]) count++;
    if (count <= 8) {  // a task: at most eight occurrences
      ek_row_task* t = &tasks[n_tasks];
      t->g = g;
      t->m = count;
      t->s = job->scale_by_freq ? 1.0 / (double)count : 1.0;
      int r = 0;
      for (k = i; k >= 0; k = next[k]) t->src[r++] = job->gout + (size_t)k * d;
      if (++n_tasks == EK_TASKS) {
        run_tasks(tasks, n_tasks, dim);
        n_tasks = 0;
      }
      continue;
    }
    // A heavy row: sum its occurrences in float64 in list order, eight per pass.
    for (; k >= 0; k = next[k]) count++;
    const double sc = job->scale_by_freq ? 1.0 / (double)count : 1.0;
    for (int32_t j0 = 0; j0 < dim; j0 += EK_ACC_TILE) {
      const int32_t w = dim - j0 < EK_ACC_TILE ? dim - j0 : EK_ACC_TILE;
      int first = 1, left = count;
      for (k = i; k >= 0;) {
        const int m = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
        const float* src[8];
        for (int r = 0; r < m; r++, k = next[k]) src[r] = job->gout + (size_t)k * d + j0;
        left -= m;
        rows_chunk(acc, g + j0, src, m, first, left == 0, sc, w);
        first = 0;
      }
    }
  }
  run_tasks(tasks, n_tasks, dim);
}

static void scatter_chunk(void* p, int32_t b, int32_t e) {
  const scatter_job* job = p;
  for (int32_t k = b; k < e; k++) scatter_part(job, job->bounds[k], job->bounds[k + 1]);
}

// Parts per thread when the rows are split among threads (by occurrences, so a Zipf-heavy row
// does not leave one thread with most of the work).
#define EK_SCATTER_PARTS 256

// The SIMD kernel. Serial part (O(n_ids)): link occurrences, track touched rows in order of first
// occurrence. Then the rows are cut into parts of about equal work (occurrences + rows) and, in
// the threaded build, summed by several threads; each row still by one thread, in list order.
static int32_t scatter_simd(float* grad, uint8_t* mark, int32_t* touched, int32_t n_touched,
                            const float* gout, const int32_t* ids, int32_t n_ids, int32_t dim,
                            int32_t padding_idx, int32_t scale_by_freq, int32_t* head,
                            int32_t* next, int parallel) {
  link_ids(head, next, ids, n_ids, padding_idx);
  int32_t n_valid = 0, n_rows = 0;
  for (int32_t i = 0; i < n_ids; i++) {
    const int32_t id = ids[i];
    if (id == padding_idx) continue;
    n_valid++;
    if (head[id] != i) continue;
    n_rows++;
    n_touched = ek_track_row(mark, touched, n_touched, id);
  }
  scatter_job job = {grad, gout, ids, head, next, dim, padding_idx, scale_by_freq, 0};
  const double work = 8.0 * (double)n_ids * (double)dim;
  int32_t parts = 1;
  if (parallel && ek_pool_threads() > 1 && work >= EK_PAR_MIN_WORK) {
    parts = ek_pool_threads() * 4;
    if (parts > EK_SCATTER_PARTS) parts = EK_SCATTER_PARTS;
    if (parts > n_rows) parts = n_rows > 0 ? n_rows : 1;
  }
  int32_t bounds[EK_SCATTER_PARTS + 1];
  bounds[0] = 0;
  if (parts > 1) {
    // Part boundaries where the running work (each occurrence 1, each row 1 more) crosses
    // k * total / parts.
    const double total = (double)n_valid + (double)n_rows;
    double run = 0;
    int32_t k = 1;
    for (int32_t i = 0; i < n_ids && k < parts; i++) {
      const int32_t id = ids[i];
      if (id == padding_idx || head[id] != i) continue;
      int32_t c = 0;
      for (int32_t q = i; q >= 0; q = next[q]) c++;
      run += (double)c + 1.0;
      while (k < parts && run >= total * (double)k / (double)parts) bounds[k++] = i + 1;
    }
    while (k < parts) bounds[k++] = n_ids;
  }
  bounds[parts] = n_ids;
  job.bounds = bounds;
  ek_parallel_for(scatter_chunk, &job, parts, 1, work);
  return n_touched;
}
#endif

// The SIMD kernel (or, without SIMD, the scalar reference); parallel: split among threads.
static int32_t scatter_entry(float* grad, uint8_t* mark, int32_t* touched, int32_t n_touched,
                             const float* gout, const int32_t* ids, int32_t n_ids, int32_t dim,
                             int32_t padding_idx, int32_t scale_by_freq, int32_t* head,
                             int32_t* next, double* acc, int parallel) {
#if EK_HAVE_SIMD
  (void)acc;
  return scatter_simd(grad, mark, touched, n_touched, gout, ids, n_ids, dim, padding_idx,
                      scale_by_freq, head, next, parallel);
#else
  (void)parallel;
  return ek_scatter_add_rows_f32__scalar(grad, mark, touched, n_touched, gout, ids, n_ids, dim,
                                         padding_idx, scale_by_freq, head, next, acc);
#endif
}

#define EK_SCATTER_ARGS                                                                         \
  float *grad, uint8_t *mark, int32_t *touched, int32_t n_touched, const float *gout,           \
      const int32_t *ids, int32_t n_ids, int32_t dim, int32_t padding_idx, int32_t scale_by_freq, \
      int32_t *head, int32_t *next, double *acc
#define EK_SCATTER_PASS \
  grad, mark, touched, n_touched, gout, ids, n_ids, dim, padding_idx, scale_by_freq, head, next, acc

EK_EXPORT int32_t ek_scatter_add_rows_f32__wasmsimd(EK_SCATTER_ARGS) {
  return scatter_entry(EK_SCATTER_PASS, 0);
}

// The dispatcher: the SIMD kernel, split among threads in the threaded build.
EK_EXPORT int32_t ek_scatter_add_rows_f32(EK_SCATTER_ARGS) { return scatter_entry(EK_SCATTER_PASS, 1); }

EK_EXPORT int32_t ek_scatter_add_rows_f32__inorder(float* grad, uint8_t* mark, int32_t* touched,
                                                   int32_t n_touched, const float* gout,
                                                   const int32_t* ids, int32_t n_ids, int32_t dim,
                                                   int32_t padding_idx) {
  const size_t d = (size_t)dim;
  for (int32_t i = 0; i < n_ids; i++) {
    const int32_t id = ids[i];
    if (id == padding_idx) continue;
    n_touched = ek_track_row(mark, touched, n_touched, id);
    float* g = grad + (size_t)id * d;
    const float* src = gout + (size_t)i * d;
    int32_t j = 0;
#if EK_HAVE_SIMD
    for (; j + 4 <= dim; j += 4) wasm_v128_store(g + j, wasm_f32x4_add(wasm_v128_load(g + j), wasm_v128_load(src + j)));
#endif
    for (; j < dim; j++) g[j] += src[j];
  }
  return n_touched;
}

EK_EXPORT void ek_zero_rows_f32__scalar(float* grad, uint8_t* mark, const int32_t* touched,
                                        int32_t n_touched, int32_t dim) {
  const size_t row_bytes = (size_t)dim * sizeof(float);
  for (int32_t k = 0; k < n_touched; k++) {
    memset(grad + (size_t)touched[k] * (size_t)dim, 0, row_bytes);
    mark[touched[k]] = 0;
  }
}

// Touched rows are scattered over the table, so a memset per row waits for one row's misses
// at a time. Clearing eight rows side by side, 64 bytes of each per step, keeps eight streams
// in flight: 2454 random rows of 768 floats out of 50257 (W2's reset), cold: 1.31 ms with a
// memset per row, 0.84 ms four rows at a time, 0.66 ms eight at a time.
static void zero_rows_serial(float* grad, uint8_t* mark, const int32_t* touched,
                             int32_t n_touched, int32_t dim) {
#if EK_HAVE_SIMD
  if (dim >= 16) {
    const size_t d = (size_t)dim;
    const v128_t z = wasm_i32x4_splat(0);
    int32_t k = 0;
    for (; k + 8 <= n_touched; k += 8) {
      float* row[8];
      for (int r = 0; r < 8; r++) row[r] = grad + (size_t)touched[k + r] * d;
      int32_t j = 0;
      for (; j + 16 <= dim; j += 16) {
#pragma clang loop unroll(full)
        for (int r = 0; r < 8; r++) {
          wasm_v128_store(row[r] + j, z);
          wasm_v128_store(row[r] + j + 4, z);
          wasm_v128_store(row[r] + j + 8, z);
          wasm_v128_store(row[r] + j + 12, z);
        }
      }
      if (j < dim)
        for (int r = 0; r < 8; r++) memset(row[r] + j, 0, (size_t)(dim - j) * sizeof(float));
      for (int r = 0; r < 8; r++) mark[touched[k + r]] = 0;
    }
    ek_zero_rows_f32__scalar(grad, mark, touched + k, n_touched - k, dim);
    return;
  }
#endif
  ek_zero_rows_f32__scalar(grad, mark, touched, n_touched, dim);
}

typedef struct {
  float* grad;
  uint8_t* mark;
  const int32_t* touched;
  int32_t dim;
} zero_job;

static void zero_chunk(void* p, int32_t b, int32_t e) {
  const zero_job* j = p;
  zero_rows_serial(j->grad, j->mark, j->touched + b, e - b, j->dim);
}

// Touched rows are distinct, so threads clearing different ones never share a row (or a mark).
EK_EXPORT void ek_zero_rows_f32(float* grad, uint8_t* mark, const int32_t* touched,
                                int32_t n_touched, int32_t dim) {
  zero_job j = {grad, mark, touched, dim};
  ek_parallel_for(zero_chunk, &j, n_touched, 8, 4.0 * (double)n_touched * (double)dim);
}
