// pool_tsan.c — the real thread pool (src/c/pool.c, EK_NATIVE_THREADS) on POSIX threads under
// ThreadSanitizer, driving every kernel that calls ek_parallel_for (tests/pool-tsan.test.js builds
// it with clang -fsanitize=thread and runs it). Not a test_*.c: tests/native.test.js builds those
// without the pool, under ASan + UBSan.
//
// Default mode: for N = 2, 3, 4, 8 the pool is started (N - 1 pthreads in ek_pool_worker), every
// parallel kernel runs on inputs big enough to be split (above EK_PAR_MIN_WORK, uneven sizes),
// once with ek_pool_set_threads(1) and once with N, and the two results must agree bit for bit;
// every threaded call must have been cut into chunks (ek_pool_chunk_counts), workers must have
// run some of them, and the pool is stopped and its threads joined before the next N. A chunk
// that fails (a wasm trap; a longjmp here) on the caller or on a worker must fail the call and
// leave the pool exact (k_failing_chunk). The
// word2vec and GloVe trainers run here on data whose parts share no table row (each part's
// words, hierarchical-softmax nodes and co-occurrence rows are its own), so they too must be race
// free and give the one-thread bits. No TSan suppression applies in this mode: any report fails.
//
// `hogwild` mode: the same two trainers on ordinary data, where the parts update shared rows
// without locks by design (Hogwild, as the original word2vec and GloVe tools): those races are
// intended and suppressed (tests/native/tsan-hogwild.supp lists the row-update functions); the
// run must finish with the right word / entry counts and finite values.
#define _DEFAULT_SOURCE  // sigaction, sigsetjmp, usleep
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embedkit.h"
#include "pool.h"

#include "check.h"
#include "hs_tree.h"

#if !EK_THREADS
#error "build with -DEK_NATIVE_THREADS (the pool), see tests/pool-tsan.test.js"
#endif

// ---- deterministic inputs ----------------------------------------------------------------------

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t u32(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}
static float frand(void) { return (float)(u32() & 0xFFFFFF) / 16777216.0f - 0.5f; }
static float* frand_buf(size_t n, float scale) {
  float* p = malloc(n * sizeof(float) + 4);
  for (size_t i = 0; i < n; i++) p[i] = frand() * scale;
  return p;
}
static void* dup_buf(const void* src, size_t bytes) {
  void* p = malloc(bytes + 4);
  memcpy(p, src, bytes);
  return p;
}
static void* zalloc(size_t bytes) { return calloc(1, bytes + 4); }

// Zipf(s) ids over [0, n_rows): row 0 the most frequent (many duplicates: heavy rows).
static int32_t* zipf_ids(int32_t n, int32_t n_rows, double s) {
  double* cdf = malloc((size_t)n_rows * sizeof(double));
  double acc = 0;
  for (int32_t r = 0; r < n_rows; r++) cdf[r] = acc += pow(r + 1.0, -s);
  int32_t* ids = malloc((size_t)n * sizeof(int32_t) + 4);
  for (int32_t i = 0; i < n; i++) {
    const double u = (double)u32() / 4294967296.0 * acc;
    int32_t lo = 0, hi = n_rows - 1;
    while (lo < hi) {
      const int32_t mid = (lo + hi) / 2;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    ids[i] = lo;
  }
  free(cdf);
  return ids;
}
static int32_t* uniform_ids(int32_t n, int32_t n_rows) {
  int32_t* ids = malloc((size_t)n * sizeof(int32_t) + 4);
  for (int32_t i = 0; i < n; i++) ids[i] = (int32_t)(u32() % (uint32_t)n_rows);
  return ids;
}
// n distinct rows of [0, n_rows) in random order.
static int32_t* distinct_rows(int32_t n, int32_t n_rows) {
  (void)n;
  int32_t* p = malloc((size_t)n_rows * sizeof(int32_t));
  for (int32_t i = 0; i < n_rows; i++) p[i] = i;
  for (int32_t i = n_rows - 1; i > 0; i--) {
    const int32_t k = (int32_t)(u32() % (uint32_t)(i + 1)), t = p[i];
    p[i] = p[k];
    p[k] = t;
  }
  return p;  // the first n are the list
}

// ---- the pool ------------------------------------------------------------------------------------

#define MAX_THREADS 8
static pthread_t workers[MAX_THREADS];
static int n_workers = 0;
static int threads = 1;      // N of the current round
static long worker_chunks;   // chunks run by workers 1 .. N-1 in this round
static long split_calls;     // threaded calls checked in this round
static long failed_by_caller, failed_by_worker;  // k_failing_chunk: whose chunk failed

// Where a failing chunk on this thread jumps to (k_failing_chunk).
static _Thread_local jmp_buf* chunk_escape;

// As src/js/pool-worker.js: run ek_pool_worker; when a chunk fails (a wasm trap there; a longjmp
// here), report it with ek_pool_worker_trapped and go back to work.
static void* worker_main(void* arg) {
  const int32_t id = (int32_t)(intptr_t)arg;
  jmp_buf jb;
  chunk_escape = &jb;
  while (setjmp(jb) != 0) ek_pool_worker_trapped(id);
  ek_pool_worker(id);
  return 0;
}

static void pool_start(int n) {
  ek_pool_set_threads(n);
  for (int id = 1; id < n; id++) CHECK(pthread_create(&workers[id], 0, worker_main, (void*)(intptr_t)id) == 0, "pthread_create");
  n_workers = n;
}

static void pool_stop(void) {
  ek_pool_stop();
  for (int id = 1; id < n_workers; id++) CHECK(pthread_join(workers[id], 0) == 0, "pthread_join");
  n_workers = 0;
}

// Before the reference call: one thread. Before the threaded call: N, chunk counters cleared.
static void one_thread(void) { ek_pool_set_threads(1); }
static void n_threads(void) {
  int32_t c[MAX_THREADS];
  ek_pool_set_threads(threads);
  ek_pool_chunk_counts(c, MAX_THREADS);
}
// After the threaded call: it went through the pool in at least two chunks.
static void expect_split(const char* what) {
  int32_t c[MAX_THREADS];
  ek_pool_chunk_counts(c, MAX_THREADS);
  long total = 0;
  for (int t = 0; t < threads; t++) total += c[t];
  for (int t = 1; t < threads; t++) worker_chunks += c[t];
  for (int t = threads; t < MAX_THREADS; t++) CHECK(c[t] == 0, "%s: thread %d ran chunks beyond N=%d", what, t, threads);
  CHECK(total >= 2, "%s N=%d: not split (%ld chunks)", what, threads, total);
  split_calls++;
}

#define SAME(what, a, b, bytes) \
  CHECK(memcmp((a), (b), (bytes)) == 0, "%s N=%d: threaded result differs from one thread", (what), threads)

// ---- kernels -------------------------------------------------------------------------------------

static void k_gather(void) {
  const int32_t dims[2] = {67, 131};  // < 128: SIMD rows; >= 128: eight-row groups
  for (int d = 0; d < 2; d++) {
    const int32_t R = 3001, dim = dims[d], n = 2011;
    float* table = frand_buf((size_t)R * dim, 2);
    int32_t* ids = uniform_ids(n, R);
    float* a = zalloc((size_t)n * dim * 4);
    float* b = zalloc((size_t)n * dim * 4);
    one_thread();
    ek_gather_rows_f32(a, table, ids, n, dim);
    n_threads();
    ek_gather_rows_f32(b, table, ids, n, dim);
    expect_split("gather_rows_f32");
    SAME("gather_rows_f32", a, b, (size_t)n * dim * 4);
    free(table), free(ids), free(a), free(b);
  }
}

// Embedding backward on Zipf ids (row 0 alone is ~15% of them: the heavy-row path, and parts
// cut by occurrences), two calls accumulating into the same gradient, padding and
// scale_by_freq both ways.
static void k_scatter_add(void) {
  const int32_t R = 3001, dim = 67, n = 4007;
  for (int v = 0; v < 4; v++) {
    const int32_t padding = (v & 1) ? 3 : -1, by_freq = v >> 1;
    int32_t* ids1 = zipf_ids(n, R, 1.1);
    int32_t* ids2 = zipf_ids(n, R, 1.1);
    float* gout1 = frand_buf((size_t)n * dim, 1);
    float* gout2 = frand_buf((size_t)n * dim, 1);
    float* g0 = frand_buf((size_t)R * dim, 1);
    float* grad[2];
    uint8_t* mark[2];
    int32_t* touched[2];
    int32_t nt[2];
    int32_t* head = malloc((size_t)R * 4);
    int32_t* next = malloc((size_t)n * 4);
    double* acc = malloc((size_t)dim * 8);
    for (int t = 0; t < 2; t++) {
      grad[t] = dup_buf(g0, (size_t)R * dim * 4);
      mark[t] = zalloc((size_t)R);
      touched[t] = zalloc((size_t)R * 4);
      if (t == 0) one_thread();
      else n_threads();
      nt[t] = ek_scatter_add_rows_f32(grad[t], mark[t], touched[t], 0, gout1, ids1, n, dim, padding, by_freq, head, next, acc);
      if (t) expect_split("scatter_add_rows_f32");
      if (t) n_threads();
      nt[t] = ek_scatter_add_rows_f32(grad[t], mark[t], touched[t], nt[t], gout2, ids2, n, dim, padding, by_freq, head, next, acc);
      if (t) expect_split("scatter_add_rows_f32 (second call)");
    }
    CHECK(nt[0] == nt[1], "scatter_add N=%d: n_touched %d vs %d", threads, nt[0], nt[1]);
    SAME("scatter_add_rows_f32 grad", grad[0], grad[1], (size_t)R * dim * 4);
    SAME("scatter_add_rows_f32 mark", mark[0], mark[1], (size_t)R);
    SAME("scatter_add_rows_f32 touched", touched[0], touched[1], (size_t)nt[0] * 4);
    for (int t = 0; t < 2; t++) free(grad[t]), free(mark[t]), free(touched[t]);
    free(ids1), free(ids2), free(gout1), free(gout2), free(g0), free(head), free(next), free(acc);
  }
}

static void k_zero_rows(void) {
  const int32_t R = 4001, dim = 67, nt = 2503;
  int32_t* touched = distinct_rows(nt, R);
  float* g0 = frand_buf((size_t)R * dim, 1);
  uint8_t* m0 = zalloc((size_t)R);
  for (int32_t k = 0; k < nt; k++) m0[touched[k]] = 1;
  float* g[2] = {dup_buf(g0, (size_t)R * dim * 4), dup_buf(g0, (size_t)R * dim * 4)};
  uint8_t* m[2] = {dup_buf(m0, (size_t)R), dup_buf(m0, (size_t)R)};
  one_thread();
  ek_zero_rows_f32(g[0], m[0], touched, nt, dim);
  n_threads();
  ek_zero_rows_f32(g[1], m[1], touched, nt, dim);
  expect_split("zero_rows_f32");
  SAME("zero_rows_f32 grad", g[0], g[1], (size_t)R * dim * 4);
  SAME("zero_rows_f32 mark", m[0], m[1], (size_t)R);
  for (int32_t r = 0; r < R; r++) CHECK(m[1][r] == 0, "zero_rows N=%d: mark %d left set", threads, r);
  free(touched), free(g0), free(m0), free(g[0]), free(g[1]), free(m[0]), free(m[1]);
}

// max_norm: duplicate ids (each distinct row claimed by one thread), several norms.
static void k_renorm(void) {
  const int32_t R = 3001, dim = 67, n = 2503;
  const double norms[4] = {2.0, 1.0, INFINITY, 3.0}, maxn[4] = {1.5, 12.0, 0.4, 1.2};
  for (int v = 0; v < 4; v++) {
    float* t0 = frand_buf((size_t)R * dim, 1);
    int32_t* ids = zipf_ids(n, R, 0.8);
    float* t[2] = {dup_buf(t0, (size_t)R * dim * 4), dup_buf(t0, (size_t)R * dim * 4)};
    uint8_t* seen = zalloc((size_t)R);
    one_thread();
    const int32_t c0 = ek_renorm_rows_f32(t[0], seen, ids, n, dim, maxn[v], norms[v]);
    n_threads();
    const int32_t c1 = ek_renorm_rows_f32(t[1], seen, ids, n, dim, maxn[v], norms[v]);
    expect_split("renorm_rows_f32");
    CHECK(c0 == c1 && c0 > 0, "renorm N=%d norm %g: rescaled %d vs %d", threads, norms[v], c0, c1);
    SAME("renorm_rows_f32", t[0], t[1], (size_t)R * dim * 4);
    for (int32_t r = 0; r < R; r++) CHECK(seen[r] == 0, "renorm N=%d: seen[%d] left set", threads, r);
    free(t0), free(ids), free(t[0]), free(t[1]), free(seen);
  }
}

static void k_input_embedding(void) {
  const int32_t R = 1000, batch = 3, seq = 701, dim = 97, pos0 = 5, P = pos0 + seq + 4;
  float* tok = frand_buf((size_t)R * dim, 1);
  float* pos = frand_buf((size_t)seq * dim, 1);
  int32_t* ids = uniform_ids(batch * seq, R);
  const size_t n_out = (size_t)batch * seq * dim;
  float* out[2] = {zalloc(n_out * 4), zalloc(n_out * 4)};
  one_thread();
  ek_input_embed_f32(out[0], tok, ids, pos, batch, seq, dim);
  n_threads();
  ek_input_embed_f32(out[1], tok, ids, pos, batch, seq, dim);
  expect_split("input_embed_f32");
  SAME("input_embed_f32", out[0], out[1], n_out * 4);
  // backward, position half
  float* gout = frand_buf(n_out, 1);
  float* g0 = frand_buf((size_t)P * dim, 1);
  float* g[2] = {dup_buf(g0, (size_t)P * dim * 4), dup_buf(g0, (size_t)P * dim * 4)};
  uint8_t* m[2] = {zalloc((size_t)P), zalloc((size_t)P)};
  int32_t* tt[2] = {zalloc((size_t)P * 4), zalloc((size_t)P * 4)};
  int32_t nt[2];
  for (int t = 0; t < 2; t++) {
    m[t][pos0 + 7] = 1;  // one row already touched by an earlier call
    tt[t][0] = pos0 + 7;
    if (t == 0) one_thread();
    else n_threads();
    nt[t] = ek_position_grad_f32(g[t], m[t], tt[t], 1, gout, batch, seq, dim, pos0);
    if (t) expect_split("position_grad_f32");
  }
  CHECK(nt[0] == nt[1] && nt[0] == seq, "position_grad N=%d: n_touched %d vs %d", threads, nt[0], nt[1]);
  SAME("position_grad_f32 grad", g[0], g[1], (size_t)P * dim * 4);
  SAME("position_grad_f32 touched", tt[0], tt[1], (size_t)nt[0] * 4);
  SAME("position_grad_f32 mark", m[0], m[1], (size_t)P);
  free(tok), free(pos), free(ids), free(out[0]), free(out[1]), free(gout), free(g0);
  for (int t = 0; t < 2; t++) free(g[t]), free(m[t]), free(tt[t]);
}

// Sinusoidal tables (both layouts) and a RoPE cache: chunks start at the recurrence's anchors.
static void k_trig(void) {
  const int32_t n_pos = 2600, dim = 64;
  double freqs[32];
  ek_sinusoidal_freqs_f64(freqs, dim, 10000.0);
  for (int layout = 0; layout < 2; layout++) {
    float* o[2] = {zalloc((size_t)n_pos * dim * 4), zalloc((size_t)n_pos * dim * 4)};
    one_thread();
    ek_sinusoidal_f32(o[0], freqs, n_pos, dim, 7.0, layout);
    n_threads();
    ek_sinusoidal_f32(o[1], freqs, n_pos, dim, 7.0, layout);
    expect_split("sinusoidal_f32");
    SAME("sinusoidal_f32", o[0], o[1], (size_t)n_pos * dim * 4);
    free(o[0]), free(o[1]);
  }
  const int32_t rows = 3001, half = 24;
  double inv[24];
  for (int i = 0; i < half; i++) inv[i] = pow(500000.0, -2.0 * i / 48.0);
  float *s[2], *c[2];
  for (int t = 0; t < 2; t++) {
    s[t] = zalloc((size_t)rows * half * 4);
    c[t] = zalloc((size_t)rows * half * 4);
    if (t == 0) one_thread();
    else n_threads();
    ek_sincos_table_f32(s[t], c[t], half, 1, inv, half, 3.0, rows, 0.7);
    if (t) expect_split("sincos_table_f32");
  }
  SAME("sincos_table_f32 sin", s[0], s[1], (size_t)rows * half * 4);
  SAME("sincos_table_f32 cos", c[0], c[1], (size_t)rows * half * 4);
  free(s[0]), free(s[1]), free(c[0]), free(c[1]);
}

static void k_rope(void) {
  const int32_t nb = 2, ns = 301, nh = 4, hd = 64, rot = 48, rows = 400;
  float* cosT = frand_buf((size_t)rows * rot / 2, 2);
  float* sinT = frand_buf((size_t)rows * rot / 2, 2);
  int32_t* pos = uniform_ids(nb * ns, rows);
  const size_t n = (size_t)nb * ns * nh * hd;
  // (layout, interleaved, sign, in place, pos list)
  const int cfg[4][5] = {{EK_ROPE_BSHD, 0, 1, 0, 1}, {EK_ROPE_BHSD, 1, -1, 1, 0}, {EK_ROPE_BSHD, 1, 1, 1, 1}, {EK_ROPE_BHSD, 0, -1, 0, 0}};
  for (int v = 0; v < 4; v++) {
    float* x = frand_buf(n, 3);
    float* o[2];
    for (int t = 0; t < 2; t++) {
      o[t] = cfg[v][3] ? dup_buf(x, n * 4) : zalloc(n * 4);
      const float* in = cfg[v][3] ? o[t] : x;
      if (t == 0) one_thread();
      else n_threads();
      ek_rope_f32(o[t], in, cosT, sinT, cfg[v][4] ? pos : 0, cfg[v][4] ? ns : 0, 50, nb, ns, nh, hd, rot, cfg[v][0],
                  cfg[v][1], (float)cfg[v][2]);
      if (t) expect_split("rope_f32");
    }
    SAME("rope_f32", o[0], o[1], n * 4);
    free(x), free(o[0]), free(o[1]);
  }
  free(cosT), free(sinT), free(pos);
}

// SGD and Adam over a list of distinct rows and over every row, two steps each.
static void k_optim(void) {
  const int32_t R = 2003, dim = 67, nl = 1501;
  const size_t sz = (size_t)R * dim;
  int32_t* rows = distinct_rows(nl, R);
  float* w0 = frand_buf(sz, 1);
  float* g = frand_buf(sz, 1);
  for (int v = 0; v < 4; v++) {
    const int32_t* list = (v & 1) ? 0 : rows;
    float *w[2], *m[2], *vv[2];
    int32_t* steps[2];
    for (int t = 0; t < 2; t++) {
      w[t] = dup_buf(w0, sz * 4);
      m[t] = zalloc(sz * 4);
      vv[t] = zalloc(sz * 4);
      steps[t] = zalloc((size_t)R * 4);
      for (int k = 0; k < 2; k++) {
        if (t == 0) one_thread();
        else n_threads();
        if (v < 2) ek_sgd_rows_f32(w[t], m[t], steps[t], g, list, nl, R, dim, 0.1f, 0.9f, 0.1f, 0.01f, k ^ (v >> 1));
        else ek_adam_rows_f32(w[t], m[t], vv[t], steps[t], g, list, nl, R, dim, 0.01, 0.9, 0.999, 1e-8, 0.1, k, v & 1, k ? 3 : 0);
        if (t) expect_split(v < 2 ? "sgd_rows_f32" : "adam_rows_f32");
      }
    }
    SAME("optim weight", w[0], w[1], sz * 4);
    SAME("optim m / buf", m[0], m[1], sz * 4);
    SAME("optim v", vv[0], vv[1], sz * 4);
    SAME("optim row_steps", steps[0], steps[1], (size_t)R * 4);
    for (int t = 0; t < 2; t++) free(w[t]), free(m[t]), free(vv[t]), free(steps[t]);
  }
  free(rows), free(w0), free(g);
}

// Norms, cosine scores and top-k (parts' lists merged; ties and NaN on purpose).
static void k_neighbors(void) {
  const int32_t R = 5003, dim = 67;
  float* table = frand_buf((size_t)R * dim, 1);
  for (int c = 0; c < dim; c++) table[(size_t)17 * dim + c] = 0;  // an all-zero row
  float *inv[2], *sc[2];
  float* q = frand_buf((size_t)dim, 1);
  for (int t = 0; t < 2; t++) {
    inv[t] = zalloc((size_t)R * 4);
    sc[t] = zalloc((size_t)R * 4);
    if (t == 0) one_thread();
    else n_threads();
    ek_row_inv_norms_f32(inv[t], table, R, dim);
    if (t) {
      expect_split("row_inv_norms_f32");
      n_threads();
    }
    ek_cosine_scores_f32(sc[t], table, inv[0], q, R, dim);
    if (t) expect_split("cosine_scores_f32");
  }
  SAME("row_inv_norms_f32", inv[0], inv[1], (size_t)R * 4);
  SAME("cosine_scores_f32", sc[0], sc[1], (size_t)R * 4);
  const int32_t n = 150001;
  float* s0 = malloc((size_t)n * 4);
  for (int32_t i = 0; i < n; i++) s0[i] = (float)(u32() % 5000) / 5000.0f;  // many ties
  for (int32_t i = 0; i < n; i += 977) s0[i] = NAN;
  s0[n - 1] = 2.0f;  // the best is the last row
  int32_t ex[3] = {5, n / 2, 77};
  s0[n / 2] = 3.0f;  // excluded
  const int32_t ks[3] = {1, 10, 100};
  for (int v = 0; v < 3; v++) {
    const int32_t k = ks[v];
    int32_t idx[2][100];
    float val[2][100];
    int32_t got[2];
    for (int t = 0; t < 2; t++) {
      float* s = dup_buf(s0, (size_t)n * 4);
      if (t == 0) one_thread();
      else n_threads();
      got[t] = ek_topk_f32(idx[t], val[t], s, n, k, ex, 3);
      if (t) expect_split("topk_f32");
      free(s);
    }
    CHECK(got[0] == k && got[1] == k, "topk N=%d k=%d: got %d / %d", threads, k, got[0], got[1]);
    CHECK(idx[0][0] == n - 1, "topk N=%d: best %d", threads, idx[0][0]);
    SAME("topk_f32 index", idx[0], idx[1], (size_t)k * 4);
    SAME("topk_f32 score", val[0], val[1], (size_t)k * 4);
  }
  free(table), free(q), free(s0);
  for (int t = 0; t < 2; t++) free(inv[t]), free(sc[t]);
}

// Storage dtypes: random bytes are valid rows of every format (NaN halves included: compared as bits).
typedef void (*gather_u16)(float*, const uint16_t*, const int32_t*, int32_t, int32_t);
typedef void (*gather_u8)(float*, const uint8_t*, const int32_t*, int32_t, int32_t);
static void k_dtype(void) {
  const int32_t R = 301, dim = 256, n = 1001;
  const struct {
    const char* name;
    gather_u16 f16;
    gather_u8 f8;
    size_t row_bytes;
  } types[6] = {{"gather_rows_f16", ek_gather_rows_f16, 0, 512},  {"gather_rows_bf16", ek_gather_rows_bf16, 0, 512},
                {"gather_rows_q8_0", 0, ek_gather_rows_q8_0, 272}, {"gather_rows_q4_0", 0, ek_gather_rows_q4_0, 144},
                {"gather_rows_q4_k", 0, ek_gather_rows_q4_k, 144}, {"gather_rows_q6_k", 0, ek_gather_rows_q6_k, 210}};
  int32_t* ids = uniform_ids(n, R);
  for (int v = 0; v < 6; v++) {
    const size_t bytes = (size_t)R * types[v].row_bytes;
    uint8_t* table = malloc(bytes + 4);
    for (size_t i = 0; i < bytes; i++) table[i] = (uint8_t)u32();
    float* o[2] = {zalloc((size_t)n * dim * 4), zalloc((size_t)n * dim * 4)};
    for (int t = 0; t < 2; t++) {
      if (t == 0) one_thread();
      else n_threads();
      if (types[v].f16) types[v].f16(o[t], (const uint16_t*)table, ids, n, dim);
      else types[v].f8(o[t], table, ids, n, dim);
      if (t) expect_split(types[v].name);
    }
    SAME(types[v].name, o[0], o[1], (size_t)n * dim * 4);
    free(table), free(o[0]), free(o[1]);
  }
  free(ids);
}

// ---- word2vec --------------------------------------------------------------------------------------

#define W2V_PARTS 8
typedef struct {
  float *syn0, *syn1neg, *syn1;
  double prog[10];
} w2v_result;

// Train with W2V_PARTS parts (ek_w2v_threads) on the pool's current thread count.
// disjoint: part t reads only words of block t, whose hierarchical-softmax paths use only inner
// nodes of block t, with no negatives and a constant learning rate (min_alpha = alpha, so the
// rate does not follow the other parts' progress): no row is shared, the result is exact.
static w2v_result w2v_run(int disjoint, int cbow, int32_t dim) {
  enum { B = 12, V = W2V_PARTS * B, L = 420, N = W2V_PARTS * L };
  static int32_t corpus[N];
  double counts[V] = {0};
  uint64_t saved = rng;
  rng = 0x1234567ull + (uint64_t)disjoint;  // the same corpus for every run of a kind
  int32_t tokens = 0;
  for (int32_t i = 0; i < N; i++) {
    if (i % 13 == 12) {
      corpus[i] = -1;
      continue;
    }
    const int32_t block = i / L;
    const uint32_t u = u32();
    corpus[i] = disjoint ? block * B + (int32_t)((u % B) * ((u >> 8) % B) / B) : (int32_t)((u % V) * ((u >> 8) % V) / V);
    counts[corpus[i]]++;
    tokens++;
  }
  rng = saved;
  for (int i = 0; i < V; i++)
    if (counts[i] == 0) counts[i] = 1;
  // hs paths: a heap-ordered tree per block (inner nodes b*(B-1) .. b*(B-1)+B-2)
  int32_t off[V + 1];
  uint8_t code[V * 8];
  int32_t point[V * 8];
  heap_tree_blocks(V, B, off, code, point);
  w2v_result r;
  ek_w2v* st = aligned_alloc(64, (size_t)ek_w2v_sizeof());
  ek_w2v* parts = aligned_alloc(64, (size_t)ek_w2v_sizeof() * W2V_PARTS);
  r.syn0 = malloc((size_t)V * dim * 4);
  r.syn1neg = disjoint ? 0 : malloc((size_t)V * dim * 4);
  r.syn1 = disjoint ? malloc((size_t)V * dim * 4) : 0;
  int32_t* table = disjoint ? 0 : malloc((1u << 12) * 4);
  float* keep = malloc((size_t)V * 4);
  float* neu1 = malloc((size_t)dim * 4);
  float* neu1e = malloc((size_t)dim * 4);
  int32_t* sen = malloc(EK_W2V_MAX_SENTENCE * 4);
  float* neu = aligned_alloc(64, (size_t)W2V_PARTS * 2 * EK_W2V_VEC_STRIDE(dim) * 4);
  int32_t* sens = aligned_alloc(64, (size_t)W2V_PARTS * EK_W2V_SEN_STRIDE * 4);
  int rc = ek_w2v_init(st, r.syn0, r.syn1neg, table, keep, neu1, neu1e, sen, corpus, N, tokens, counts, V, dim, 3,
                       disjoint ? 0 : 5, cbow, 1e-2, 0.025f, disjoint ? 1.0f : 1e-4f, 2, 12, 11, 0, 0, 0.75, disjoint,
                       r.syn1, off, code, point, 1, 1, 0);
  CHECK(rc == EK_OK, "w2v init rc %d", rc);
  rc = ek_w2v_threads(st, parts, W2V_PARTS, neu, sens);
  CHECK(rc == EK_OK, "w2v threads rc %d", rc);
  for (int i = 0; i < 1000; i++) {
    ek_w2v_step(st, 1500);
    ek_w2v_progress(r.prog, st, 0);
    if (r.prog[9] != 0) break;
  }
  CHECK(r.prog[9] != 0 && r.prog[0] == r.prog[1] && r.prog[1] == 2.0 * tokens && r.prog[2] == 2,
        "w2v N=%d: words %g of %g (expected %d), epoch %g", threads, r.prog[0], r.prog[1], 2 * tokens, r.prog[2]);
  CHECK(r.prog[5] > 0 && isfinite(r.prog[4]), "w2v N=%d: loss %g over %g pairs", threads, r.prog[4], r.prog[5]);
  free(st), free(parts), free(table), free(keep), free(neu1), free(neu1e), free(sen), free(neu), free(sens);
  return r;
}

static int all_finite(const float* p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(p[i])) return 0;
  return 1;
}

static void k_word2vec_disjoint(void) {
  const int32_t dim = 19, V = W2V_PARTS * 12;
  for (int cbow = 0; cbow < 2; cbow++) {
    one_thread();
    w2v_result a = w2v_run(1, cbow, dim);
    n_threads();
    w2v_result b = w2v_run(1, cbow, dim);
    expect_split("word2vec parts");
    SAME("word2vec (disjoint parts) syn0", a.syn0, b.syn0, (size_t)V * dim * 4);
    SAME("word2vec (disjoint parts) syn1", a.syn1, b.syn1, (size_t)(V - 1) * dim * 4);
    SAME("word2vec (disjoint parts) progress", a.prog, b.prog, sizeof a.prog);
    free(a.syn0), free(a.syn1), free(b.syn0), free(b.syn1);
  }
}

static void k_word2vec_hogwild(void) {
  const int32_t dim = 19, V = W2V_PARTS * 12;
  for (int cbow = 0; cbow < 2; cbow++) {
    n_threads();
    w2v_result b = w2v_run(0, cbow, dim);
    expect_split("word2vec parts (hogwild)");
    CHECK(all_finite(b.syn0, (size_t)V * dim) && all_finite(b.syn1neg, (size_t)V * dim), "word2vec hogwild N=%d: non-finite", threads);
    free(b.syn0), free(b.syn1neg);
  }
}

// ---- GloVe -----------------------------------------------------------------------------------------

#define GLOVE_PARTS 8
typedef struct {
  float* params;
  double prog[8];
} glove_result;

// disjoint: block-diagonal co-occurrences (rows and columns of block t only), entries reordered
// so that part t of every epoch holds exactly block t's entries (one step per epoch).
static glove_result glove_run(int disjoint, int32_t parts) {
  enum { B = 40, V = GLOVE_PARTS * B, PER_ROW = 10, NNZ = V * PER_ROW, DIM = 13 };
  const int32_t stride = 2 * ((DIM + 3) & ~3) + 4;
  uint64_t saved = rng;
  rng = 0xABCDEF12ull + (uint64_t)disjoint;
  uint32_t* rowptr = malloc((V + 1) * 4);
  int32_t* cols = malloc(NNZ * 4);
  float* vals = malloc(NNZ * 4);
  rowptr[0] = 0;
  for (int32_t i = 0; i < V; i++) {
    const int32_t base = disjoint ? (i / B) * B : 0, span = disjoint ? B : V;
    int32_t c = (int32_t)(u32() % (uint32_t)span);  // PER_ROW increasing columns in [base, base + span)
    const int32_t step = span / PER_ROW;
    for (int k = 0; k < PER_ROW; k++) cols[i * PER_ROW + k] = base + (c + k * step) % span;
    for (int k = 1; k < PER_ROW; k++)  // sort the row
      for (int q = k; q > 0 && cols[i * PER_ROW + q - 1] > cols[i * PER_ROW + q]; q--) {
        const int32_t t = cols[i * PER_ROW + q];
        cols[i * PER_ROW + q] = cols[i * PER_ROW + q - 1];
        cols[i * PER_ROW + q - 1] = t;
      }
    for (int k = 0; k < PER_ROW; k++) vals[i * PER_ROW + k] = 0.5f + (float)(u32() % 400) / 20.0f;
    rowptr[i + 1] = (uint32_t)((i + 1) * PER_ROW);
  }
  rng = saved;
  glove_result r;
  ek_glove* st = malloc((size_t)ek_glove_sizeof());
  r.params = malloc((size_t)2 * V * stride * 4);
  ek_glove_rec* rec = malloc(NNZ * sizeof(ek_glove_rec));
  CHECK(ek_glove_init(st, r.params, rec, rowptr, cols, vals, V, DIM, 10.0, 0.75, 0.05f, 100.0f, 3, 0, 21, 0, 0) == EK_OK,
        "glove init");
  if (disjoint) {  // stable reorder by block (the shuffled order kept within each block)
    ek_glove_rec* tmp = malloc(NNZ * sizeof(ek_glove_rec));
    int32_t k = 0;
    for (int32_t b = 0; b < GLOVE_PARTS; b++)
      for (int32_t e = 0; e < NNZ; e++)
        if (rec[e].i / B == b) tmp[k++] = rec[e];
    memcpy(rec, tmp, NNZ * sizeof(ek_glove_rec));
    free(tmp);
  }
  ek_glove_threads(st, parts);
  for (int i = 0; i < 100; i++) {
    ek_glove_step(st, disjoint ? NNZ : 777);
    ek_glove_progress(r.prog, st, 0);
    if (r.prog[2] >= 3) break;
  }
  CHECK(r.prog[2] == 3 && r.prog[0] == r.prog[1] && r.prog[1] == 3.0 * NNZ && r.prog[6] == 0,
        "glove N=%d: entries %g of %g, epoch %g, skipped %g", threads, r.prog[0], r.prog[1], r.prog[2], r.prog[6]);
  CHECK(isfinite(r.prog[3]) && r.prog[5] > 0, "glove N=%d: cost %g", threads, r.prog[3]);
  CHECK(all_finite(r.params, (size_t)2 * V * stride), "glove N=%d: non-finite parameter", threads);
  free(st), free(rec), free(rowptr), free(cols), free(vals);
  return r;
}

static void k_glove_disjoint(void) {
  const size_t bytes = (size_t)2 * GLOVE_PARTS * 40 * (2 * 16 + 4) * 4;
  one_thread();
  glove_result a = glove_run(1, GLOVE_PARTS);
  n_threads();
  glove_result b = glove_run(1, GLOVE_PARTS);
  expect_split("glove parts");
  one_thread();
  glove_result c = glove_run(1, 1);  // no parts at all: blocks share nothing, same parameters
  SAME("glove (disjoint parts) params", a.params, b.params, bytes);
  SAME("glove (disjoint parts) progress", a.prog, b.prog, sizeof a.prog);
  SAME("glove (disjoint parts) params vs unsplit", a.params, c.params, bytes);
  free(a.params), free(b.params), free(c.params);
}

static void k_glove_hogwild(void) {
  n_threads();
  glove_result b = glove_run(0, threads);
  expect_split("glove parts (hogwild)");
  free(b.params);
}

// ---- a failing chunk ---------------------------------------------------------------------------------
// In wasm, a trap inside a chunk unwinds that thread's call. A worker reports it and goes back to
// work (worker_main); the calling thread's call then fails too: at once when the failing chunk
// was its own (the job stays `busy` and the next call first waits for the rest of it), or by
// __builtin_trap once every other chunk is done when a worker's failed. Here a failing chunk
// longjmps out, and a SIGILL handler catches the caller's __builtin_trap. Either way the call
// must fail, every other chunk must have run, and the pool must go on giving exact results.
static sigjmp_buf call_escape;
static int32_t fail_at;  // the index whose chunk fails (set before the call)

static void on_sigill(int sig) {
  (void)sig;
  siglongjmp(call_escape, 1);
}

static _Thread_local int on_caller;  // set on the calling thread during k_failing_chunk

static void fill_chunk(void* p, int32_t b, int32_t e) {
  int32_t* out = p;
  if (on_caller) usleep(200);  // give the workers time to take chunks (the failing one too)
  for (int32_t i = b; i < e; i++) out[i] = i * 7 + 1;
  if (b <= fail_at && fail_at < e) longjmp(*chunk_escape, 1);
}

static void k_failing_chunk(void) {
  enum { N = 4099 };
  static int32_t out[N];
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigill;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(SIGILL, &sa, &old) == 0, "sigaction");
  int by_caller = 0, by_worker = 0;
  jmp_buf jb;
  on_caller = 1;
  for (int attempt = 0; attempt < 24 || ((by_worker == 0 || by_caller == 0) && attempt < 400); attempt++) {
    memset(out, 0, sizeof out);
    // the first chunk (ticket 0: most often the caller's, which takes chunks as soon as it posts
    // the job), or anywhere
    fail_at = attempt % 2 ? (int32_t)(u32() % N) : 0;
    n_threads();
    volatile int how = 0;  // 1: the caller's own chunk failed; 2: the call trapped after a worker's
    chunk_escape = &jb;
    if (sigsetjmp(call_escape, 1) != 0) how = 2;
    else if (setjmp(jb) != 0) how = 1;
    else ek_parallel_for(fill_chunk, out, N, 1, 1e30);
    chunk_escape = 0;
    // Before the test touches anything the failed job uses: ek_pool_chunk_counts (here through
    // n_threads) waits for the rest of a job whose chunk failed on this thread.
    n_threads();
    CHECK(how != 0, "N=%d: a failing chunk (index %d) did not fail the call", threads, fail_at);
    by_caller += how == 1;
    by_worker += how == 2;
    if (how == 2)  // every chunk ran before the call failed (the failing one up to its end)
      for (int32_t i = 0; i < N; i++) CHECK(out[i] == i * 7 + 1, "N=%d: index %d not written before the trap", threads, i);
    // The next call (which first waits for the failed job's other chunks) is whole and exact.
    static int32_t again[N];
    memset(again, 0, sizeof again);
    fail_at = -1;
    ek_parallel_for(fill_chunk, again, N, 1, 1e30);
    expect_split("a call after a failed one");
    for (int32_t i = 0; i < N; i++)
      CHECK(out[i] == i * 7 + 1 && again[i] == i * 7 + 1, "N=%d: index %d after a failed call (%s)", threads, i,
            how == 1 ? "caller's chunk" : "worker's chunk");
  }
  on_caller = 0;
  CHECK(sigaction(SIGILL, &old, 0) == 0, "sigaction");
  CHECK(by_worker > 0 && by_caller > 0, "N=%d: failing chunks: %d on the caller, %d on workers (want both)", threads,
        by_caller, by_worker);
  failed_by_caller += by_caller;
  failed_by_worker += by_worker;
}

// ---- rounds ----------------------------------------------------------------------------------------

typedef struct {
  const char* name;
  void (*run)(void);
} kernel;

// One round: the pool with n threads, every kernel `reps` times (fresh inputs each time: more
// interleavings for TSan to see), then the pool stopped and its threads joined.
static int round_of(int n, const kernel* ks, int count, int reps) {
  threads = n;
  worker_chunks = 0;
  split_calls = 0;
  failed_by_caller = failed_by_worker = 0;
  pool_start(n);
  for (int r = 0; r < reps; r++) {
    // The caller spins (a page's main thread) on even reps and sleeps on `done` on odd ones.
    ek_pool_set_can_block(r & 1);
    for (int k = 0; k < count; k++) {
      const int before = failures;
      ks[k].run();
      if (failures != before) fprintf(stderr, "  (in %s, N=%d, caller %s)\n", ks[k].name, n, r & 1 ? "sleeps" : "spins");
    }
  }
  ek_pool_set_can_block(0);
  pool_stop();
  CHECK(worker_chunks > 0, "N=%d: the workers ran no chunk in %ld threaded calls", n, split_calls);
  printf("N=%d: %ld threaded calls checked, %ld chunks run by the %d workers", n, split_calls, worker_chunks, n - 1);
  if (failed_by_caller + failed_by_worker) printf("; failing chunks: %ld on the caller, %ld on workers", failed_by_caller, failed_by_worker);
  printf("\n");
  return failures;
}

// pool_tsan [kernels | hogwild] [reps]
int main(int argc, char** argv) {
  setvbuf(stdout, 0, _IONBF, 0);
  const int hogwild = argc > 1 && strcmp(argv[1], "hogwild") == 0;
  const int reps = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
  const int ns[4] = {2, 3, 4, 8};
  if (hogwild) {
    const kernel ks[] = {{"word2vec (hogwild)", k_word2vec_hogwild}, {"glove (hogwild)", k_glove_hogwild}};
    for (int i = 0; i < 4; i++) round_of(ns[i], ks, 2, reps);
  } else {
    const kernel ks[] = {
        {"gather", k_gather},   {"scatter_add", k_scatter_add}, {"zero_rows", k_zero_rows},
        {"renorm", k_renorm},   {"input_embedding", k_input_embedding}, {"trig", k_trig},
        {"rope", k_rope},       {"optim", k_optim},             {"neighbors", k_neighbors},
        {"dtype", k_dtype},     {"word2vec", k_word2vec_disjoint}, {"glove", k_glove_disjoint},
        {"failing chunk", k_failing_chunk},
    };
    for (int i = 0; i < 4; i++) round_of(ns[i], ks, (int)(sizeof ks / sizeof ks[0]), reps);
    // Fewer threads than running workers: the others must stay out of the jobs.
    threads = 8;
    pool_start(8);
    threads = 3;
    k_gather();
    pool_stop();
  }
  if (failures) {
    printf("%d failure(s)\n", failures);
    return 1;
  }
  printf("ok pool_tsan%s\n", hogwild ? " hogwild" : "");
  return 0;
}
