// rows-native.c — native C references for the lookup (W1) and backward (W2) benches: how close
// plain C gets to a memory copy on this machine, with the tools wasm lacks (prefetch
// instructions, AVX-512, non-temporal stores inside glibc's memcpy). tests/bench/embedding.js
// compiles it with gcc -O3 -march=native at bench time and runs it in its own process.
//
// usage: rows-native MODE IDS_FILE N_ROWS DIM REPS [THREADS]
//   IDS_FILE: the workload's ids as little-endian int32 (the same ids the wasm rows use)
//   MODE gather           out[i] = table[ids[i]], one memcpy per row
//        gather-prefetch  the same, prefetching every line of the row 8 ids ahead
//        gather-huge      memcpy per row, with the table on 2 MiB pages (madvise MADV_HUGEPAGE,
//                         honoured when transparent huge pages are "always" or "madvise"):
//                         what the TLB misses cost, since wasm memory cannot ask for this
//        scatter-f32      zero the touched rows, then grad[ids[i]] += gout[i] in id order, in
//                         float32 (what most frameworks do; not exact with duplicates)
//        copy             one memcpy of the bytes a gather writes (the copy limit itself)
//   THREADS (default 1): the operation and the memcpy are split among that many POSIX threads
//                    (ids, or bytes, in equal contiguous parts; threads started once, released
//                    by a barrier for every repetition): what the machine allows on N cores.
//                    scatter-f32 stays on one thread.
// Before every timed repetition a 256 MiB buffer is read, so caches start cold (and clean), as
// in the wasm bench. Prints "<median ms of the operation> <median ms of memcpy of the same bytes>
// <median ms of that memcpy on one thread>".
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include "native-timing.h"


static void* xalloc(size_t bytes) {
  void* p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
  if (!p) { fprintf(stderr, "rows-native: out of memory\n"); exit(1); }
  memset(p, 1, bytes);  // touch every page now, not inside a timed run
  return p;
}

static volatile float sink;
static volatile uint64_t evict_sink;

static void evict_caches(const char* buf, size_t bytes) {
  uint64_t s = 0;
  for (size_t i = 0; i < bytes; i += 64) s += *(const volatile uint64_t*)(buf + i);
  evict_sink = s;
}

// Work of one repetition, split among the threads: part t of [0, n) is [n t / T, n (t + 1) / T).
typedef struct {
  int op;  // 0: memcpy of the bytes, 1: gather
  int prefetch;
  const int32_t* ids;
  size_t n, dim;
  const float* table;
  float* out;
  const char* src;
  char* dst;
  size_t bytes;
  int threads;
  pthread_barrier_t start, done;
} job_t;

static job_t job;

static void run_part(int t) {
  const int T = job.threads;
  if (job.op == 0) {
    const size_t b = job.bytes * (size_t)t / (size_t)T, e = job.bytes * (size_t)(t + 1) / (size_t)T;
    memcpy(job.dst + b, job.src + b, e - b);
    return;
  }
  const size_t n = job.n, dim = job.dim;
  const size_t b = n * (size_t)t / (size_t)T, e = n * (size_t)(t + 1) / (size_t)T;
  for (size_t i = b; i < e; i++) {
    if (job.prefetch && i + 8 < e) {
      const char* r = (const char*)(job.table + (size_t)job.ids[i + 8] * dim);
      for (size_t off = 0; off < dim * sizeof(float); off += 64) __builtin_prefetch(r + off, 0, 0);
    }
    memcpy(job.out + i * dim, job.table + (size_t)job.ids[i] * dim, dim * sizeof(float));
  }
}

static void* worker(void* arg) {
  const int t = (int)(intptr_t)arg;
  for (;;) {
    pthread_barrier_wait(&job.start);
    run_part(t);
    pthread_barrier_wait(&job.done);
  }
  return NULL;
}

// Run the current job on all threads (this one is thread 0) and return its wall time.
static double timed_job(void) {
  const double t0 = now_ms();
  if (job.threads > 1) pthread_barrier_wait(&job.start);
  run_part(0);
  if (job.threads > 1) pthread_barrier_wait(&job.done);
  return now_ms() - t0;
}

int main(int argc, char** argv) {
  if (argc < 6) { fprintf(stderr, "usage: rows-native MODE IDS_FILE N_ROWS DIM REPS\n"); return 2; }
  const char* mode = argv[1];
  const size_t rows = (size_t)atol(argv[3]), dim = (size_t)atol(argv[4]);
  const int reps = atoi(argv[5]);
  const int threads = argc > 6 ? atoi(argv[6]) : 1;
  if (threads < 1 || threads > 64) { fprintf(stderr, "rows-native: THREADS must be 1..64\n"); return 2; }
  FILE* f = fopen(argv[2], "rb");
  if (!f) { perror("rows-native: ids"); return 1; }
  fseek(f, 0, SEEK_END);
  const size_t n = (size_t)ftell(f) / 4;
  fseek(f, 0, SEEK_SET);
  int32_t* ids = malloc(n * 4);
  if (fread(ids, 4, n, f) != n) { fprintf(stderr, "rows-native: short read\n"); return 1; }
  fclose(f);
  for (size_t i = 0; i < n; i++)
    if (ids[i] < 0 || (size_t)ids[i] >= rows) { fprintf(stderr, "rows-native: bad id\n"); return 1; }

  const int gather = strncmp(mode, "gather", 6) == 0, prefetch = strstr(mode, "prefetch") != NULL;
  const int copy_only = strcmp(mode, "copy") == 0;
  if (!gather && !copy_only && strcmp(mode, "scatter-f32") != 0) { fprintf(stderr, "rows-native: unknown mode %s\n", mode); return 2; }
  const size_t bytes = n * dim * sizeof(float), evict_bytes = (size_t)256 << 20;
  float* table;
  if (strstr(mode, "huge")) {
    const size_t huge = (size_t)2 << 20, len = (rows * dim * sizeof(float) + huge - 1) & ~(huge - 1);
    table = aligned_alloc(huge, len);
    if (!table) { fprintf(stderr, "rows-native: out of memory\n"); return 1; }
    madvise(table, len, MADV_HUGEPAGE);
    memset(table, 1, len);
  } else {
    table = xalloc(rows * dim * sizeof(float));
  }
  float* buf = xalloc(bytes);  // out (gather) or gout (scatter)
  float* a = xalloc(bytes);
  float* b = xalloc(bytes);
  char* evict = xalloc(evict_bytes);
  uint8_t* mark = calloc(rows, 1);
  int32_t* touched = malloc(rows * sizeof(int32_t));
  size_t n_touched = 0;
  for (size_t i = 0; i < n * dim; i++) buf[i] = (float)(i % 1000) * 1e-3f;
  double* t_op = malloc(sizeof(double) * reps);
  double* t_copy = malloc(sizeof(double) * reps);
  double* t_copy1 = malloc(sizeof(double) * reps);
  job.threads = threads;
  job.ids = ids;
  job.n = n;
  job.dim = dim;
  job.table = table;
  job.out = buf;
  job.prefetch = prefetch;
  job.src = (const char*)a;
  job.dst = (char*)b;
  job.bytes = bytes;
  if (threads > 1) {
    pthread_barrier_init(&job.start, NULL, (unsigned)threads);
    pthread_barrier_init(&job.done, NULL, (unsigned)threads);
    for (int t = 1; t < threads; t++) {
      pthread_t th;
      if (pthread_create(&th, NULL, worker, (void*)(intptr_t)t) != 0) { fprintf(stderr, "rows-native: no threads\n"); return 1; }
    }
  }

  for (int k = 0; k < reps; k++) {
    evict_caches(evict, evict_bytes);
    double t0 = now_ms();
    memcpy(b, a, bytes);
    t_copy1[k] = now_ms() - t0;
    sink = b[k];

    evict_caches(evict, evict_bytes);
    job.op = 0;
    t_copy[k] = timed_job();
    sink = b[k];

    evict_caches(evict, evict_bytes);
    t0 = now_ms();
    if (gather || copy_only) {
      job.op = gather ? 1 : 0;
      t_op[k] = timed_job();
    } else {
      for (size_t t = 0; t < n_touched; t++) {  // zeroGrad: the touched rows only
        memset(table + (size_t)touched[t] * dim, 0, dim * sizeof(float));
        mark[touched[t]] = 0;
      }
      n_touched = 0;
      for (size_t i = 0; i < n; i++) {
        const size_t id = (size_t)ids[i];
        if (!mark[id]) { mark[id] = 1; touched[n_touched++] = (int32_t)id; }
        float* g = table + id * dim;
        const float* s = buf + i * dim;
        for (size_t j = 0; j < dim; j++) g[j] += s[j];
      }
      t_op[k] = now_ms() - t0;
    }
    sink = table[(size_t)ids[k % n] * dim] + buf[k];
  }
  printf("%.4f %.4f %.4f\n", median_ms(t_op, reps), median_ms(t_copy, reps), median_ms(t_copy1, reps));
  return 0;
}
