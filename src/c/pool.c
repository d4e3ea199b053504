// pool.c — the thread pool of the threaded build (contract: pool.h).
//
// Threads are instances of this same module on one shared memory: the caller's (the instance
// the JS API talks to, "thread 0") and workers 1 .. n-1, each in a Web Worker / worker_thread of
// its own with a stack of its own (src/js/threads.js). The pool's state below is a static, so
// it lives in the shared memory and every instance sees the same one.
//
// A job: the caller writes fn, ctx and the chunking, resets the ticket counter, bumps `gen` and
// wakes the workers (memory.atomic.notify). Everyone, the caller included, takes chunks by
// fetch-and-add on `ticket`, whose high 16 bits name the job (a worker that arrives late for
// one job can never take a chunk of the next one that it does not then run). The caller
// waits for `done` to reach the chunk count by spinning; where it may block (Node's main thread,
// any worker; not a browser page's main thread, where memory.atomic.wait traps: threads.js
// tells, ek_pool_set_can_block), it then sleeps in memory.atomic.wait32 on `done` after a
// spin of about as long as a worker's, and the worker that finishes a chunk wakes it. Spinning
// on would take a core from the very worker it waits for when the machine is oversubscribed
// (more threads than free cores: other processes, or threads > cores). Workers sleep in
// memory.atomic.wait32 on `gen` between jobs, after a short spin.
//
// Only the caller allocates (JS calls ek_alloc on it alone), kernels never call malloc, and
// nothing here needs thread-local storage: libc is used by no worker except its pure math.
// Kernels call ek_parallel_for only from their exported dispatcher, never from a chunk, so
// jobs do not nest.
//
// Errors: a chunk that traps in a worker unwinds that worker's ek_pool_worker; its JS catches the
// RuntimeError, calls ek_pool_worker_trapped (the chunk counts as done, the job as failed) and
// enters ek_pool_worker again. The caller then traps too, after every other chunk has finished,
// so the JS call throws as it would on one thread. A trap in the caller's own chunk leaves
// `busy` set; the next ek_parallel_for or ek_pool_chunk_counts first waits for the rest of that
// job to finish (settle).
//
// Native (EK_NATIVE_THREADS, tests/native/pool_tsan.c): the same code on POSIX threads;
// only the sleep/wake and spin primitives below differ, and memory growth is libc's.
#if defined(EK_NATIVE_THREADS) && defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE  // syscall(): must come before the first system header
#endif
#include "embedkit.h"

#if EK_THREADS

// ---- sleeping, waking, spinning ------------------------------------------------------------------
// EK_WAIT32_MS(addr, v, ms): sleep while *addr == v, for at most ms milliseconds (ms < 0: no
// limit); it may return early, so callers re-check in a loop. EK_WAIT32(addr, v): with no limit;
// EK_NOTIFY(addr, n): wake up to n sleepers on addr; EK_SPIN_PAUSE(): the body of a spin loop;
// EK_WORKER_SPIN: a worker's checks of `gen` before it sleeps, and the caller's of `done`.
// wasm: memory.atomic.wait32 / notify on the shared memory, a bare spin. Native: Linux futex
// (elsewhere sched_yield as the wait), and sched_yield in spins, since the tests run more threads
// than cores. Neither gives ThreadSanitizer a happens-before edge (it does not model futex), so
// the ordering it checks comes from the atomics on the pool's fields alone, as in wasm.
#if defined(__wasm__)
#define EK_WAIT32_MS(addr, v, ms) \
  __builtin_wasm_memory_atomic_wait32((addr), (v), (ms) < 0 ? -1 : (int64_t)(ms) * 1000000)
#define EK_NOTIFY(addr, n) __builtin_wasm_memory_atomic_notify((addr), (n))
#define EK_SPIN_PAUSE() ((void)0)
#define EK_WORKER_SPIN 20000
#else
#include <sched.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>
static void ek_wait32_ms(int32_t* addr, int32_t v, int ms) {
  const struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
  syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, v, ms < 0 ? NULL : &t, NULL, 0);
}
static void ek_notify(int32_t* addr, uint32_t n) {
  syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n > 0x7fffffffu ? 0x7fffffff : (int)n, NULL, NULL, 0);
}
#else
static void ek_wait32_ms(int32_t* addr, int32_t v, int ms) {
  (void)ms;
  if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) == v) sched_yield();
}
static void ek_notify(int32_t* addr, uint32_t n) {
  (void)addr;
  (void)n;
}
#endif
#define EK_WAIT32_MS(addr, v, ms) ek_wait32_ms((addr), (v), (ms))
#define EK_NOTIFY(addr, n) ek_notify((addr), (n))
#define EK_SPIN_PAUSE() sched_yield()
#define EK_WORKER_SPIN 200
#endif
#define EK_WAIT32(addr, v) EK_WAIT32_MS((addr), (v), -1)

#define EK_POOL_MAX 256
#define EK_MAX_CHUNKS 4096
#define SEQ __ATOMIC_SEQ_CST

typedef struct {
  int32_t gen;       // bumped for every job and for stop; workers sleep on it
  uint32_t ticket;   // (job << 16) | next chunk to take
  uint32_t limit;    // (job << 16) | number of chunks
  int32_t done;      // chunks finished in the current job
  int32_t failed;    // a worker's chunk trapped in the current job
  int32_t stop;      // workers leave ek_pool_worker
  int32_t threads;   // taking part, the caller included
  int32_t busy;      // the caller is inside a job (stays set if its own chunk trapped)
  int32_t main_open;  // the caller is running a chunk (stays set if that chunk trapped)
  int32_t can_block;  // the caller may sleep in memory.atomic.wait32 (not a page's main thread)
  int32_t waiting;    // the caller sleeps on `done`: a worker that finishes a chunk wakes it
  int32_t runs[EK_POOL_MAX];  // chunks run by thread i since the last ek_pool_chunk_counts
  ek_range_fn fn;
  void* ctx;
  int32_t n, chunk;
  uint32_t job;
} pool_t;

static pool_t pool = {.threads = 1};

// A chunk is finished: count it, and wake the caller if it sleeps.
static void chunk_done(void) {
  __atomic_fetch_add(&pool.done, 1, SEQ);
  if (__atomic_load_n(&pool.waiting, SEQ)) EK_NOTIFY(&pool.done, 1);
}

int32_t ek_pool_threads(void) { return pool.threads; }

// Take and run chunks of the current job until none is left.
static void run_chunks(int32_t id) {
  for (;;) {
    const uint32_t t = __atomic_fetch_add(&pool.ticket, 1u, SEQ);
    const uint32_t lim = __atomic_load_n(&pool.limit, SEQ);
    if ((t >> 16) != (lim >> 16) || (t & 0xffffu) >= (lim & 0xffffu)) return;
    const int32_t b = (int32_t)(t & 0xffffu) * pool.chunk;
    const int32_t e = pool.n - b < pool.chunk ? pool.n : b + pool.chunk;
    if (id == 0) __atomic_store_n(&pool.main_open, 1, SEQ);
    pool.fn(pool.ctx, b, e);
    if (id == 0) __atomic_store_n(&pool.main_open, 0, SEQ);
    pool.runs[id]++;
    chunk_done();
  }
}

// Wait until `target` chunks of the current job are done: spin, then (where the caller may
// block) sleep on `done`. The caller publishes `waiting` before it reads `done` for the last
// time and a worker bumps `done` before it reads `waiting` (all sequentially consistent), so
// one of them sees the other: no wake-up is lost; the timeout is a second safety net.
static void wait_done(int32_t target) {
  for (int32_t spin = 0;; spin++) {
    const int32_t d = __atomic_load_n(&pool.done, SEQ);
    if (d >= target) return;
    if (spin < EK_WORKER_SPIN || !__atomic_load_n(&pool.can_block, SEQ)) {
      EK_SPIN_PAUSE();
      continue;
    }
    __atomic_store_n(&pool.waiting, 1, SEQ);
    const int32_t d2 = __atomic_load_n(&pool.done, SEQ);
    if (d2 < target) EK_WAIT32_MS(&pool.done, d2, 1);  // 1 ms at most
    __atomic_store_n(&pool.waiting, 0, SEQ);
  }
}

// If the previous job's own chunk trapped on this thread (busy still set), wait until the
// workers have finished the rest of that job: its chunks still write the job's outputs and count
// themselves in runs[]. Called before anything else touches what a job may touch: every
// ek_parallel_for (small jobs on the calling thread included) and ek_pool_chunk_counts (whose
// reset raced with a leftover chunk's count, found by tests/native/pool_tsan.c).
static void settle(void) {
  if (!pool.busy) return;
  wait_done((int32_t)(pool.limit & 0xffffu) - __atomic_load_n(&pool.main_open, SEQ));
  __atomic_store_n(&pool.main_open, 0, SEQ);
  pool.busy = 0;
}

void ek_pool_settle(void) { settle(); }

EK_EXPORT int32_t* ek_pool_busy_flag(void) { return &pool.busy; }

void ek_parallel_for(ek_range_fn fn, void* ctx, int32_t n, int32_t align, double work) {
  settle();
  if (n <= 0) return;
  if (align < 1) align = 1;
  const int32_t threads = pool.threads;
  const int32_t units = (n + align - 1) / align;
  if (threads <= 1 || work < EK_PAR_MIN_WORK || units < 2) {
    fn(ctx, 0, n);
    return;
  }
  // Four chunks per thread balance the load when a core is shared with other work; chunks are
  // whole multiples of `align`.
  int32_t n_chunks = threads * 4;
  if (n_chunks > units) n_chunks = units;
  if (n_chunks > EK_MAX_CHUNKS) n_chunks = EK_MAX_CHUNKS;
  const int32_t per = (units + n_chunks - 1) / n_chunks;
  const int32_t chunk = per * align;
  n_chunks = (n + chunk - 1) / chunk;

  pool.busy = 1;
  pool.fn = fn;
  pool.ctx = ctx;
  pool.n = n;
  pool.chunk = chunk;
  pool.failed = 0;
  const uint32_t job = (pool.job + 1u) & 0xffffu;
  pool.job = job;
  __atomic_store_n(&pool.done, 0, SEQ);
  __atomic_store_n(&pool.limit, (job << 16) | (uint32_t)n_chunks, SEQ);
  __atomic_store_n(&pool.ticket, job << 16, SEQ);
  __atomic_fetch_add(&pool.gen, 1, SEQ);
  EK_NOTIFY(&pool.gen, (uint32_t)(threads - 1));

  run_chunks(0);
  wait_done(n_chunks);
  pool.busy = 0;
  if (__atomic_load_n(&pool.failed, SEQ)) {
    pool.failed = 0;
    __builtin_trap();  // a worker's chunk trapped: fail this call too
  }
}

EK_EXPORT void ek_pool_worker(int32_t id) {
  if (id < 1 || id >= EK_POOL_MAX) return;
  int32_t seen = __atomic_load_n(&pool.gen, SEQ);
  for (;;) {
    int32_t g;
    // A short spin catches back-to-back jobs without a futex round trip, then sleep.
    for (int spin = 0; spin < EK_WORKER_SPIN; spin++) {
      g = __atomic_load_n(&pool.gen, SEQ);
      if (g != seen) break;
      EK_SPIN_PAUSE();
    }
    while ((g = __atomic_load_n(&pool.gen, SEQ)) == seen) EK_WAIT32(&pool.gen, seen);
    seen = g;
    if (__atomic_load_n(&pool.stop, SEQ)) return;
    if (id < __atomic_load_n(&pool.threads, SEQ)) run_chunks(id);
  }
}

EK_EXPORT void ek_pool_set_threads(int32_t n) {
  if (n < 1) n = 1;
  if (n > EK_POOL_MAX) n = EK_POOL_MAX;
  __atomic_store_n(&pool.threads, n, SEQ);
  __atomic_store_n(&pool.stop, 0, SEQ);
}

EK_EXPORT void ek_pool_stop(void) {
  __atomic_store_n(&pool.threads, 1, SEQ);
  __atomic_store_n(&pool.stop, 1, SEQ);
  __atomic_fetch_add(&pool.gen, 1, SEQ);
  EK_NOTIFY(&pool.gen, 0xffffffffu);
}

// A worker can only trap inside a chunk (its own loop touches nothing but the pool's fields).
EK_EXPORT void ek_pool_worker_trapped(int32_t id) {
  if (id < 1 || id >= EK_POOL_MAX) return;
  __atomic_store_n(&pool.failed, 1, SEQ);
  chunk_done();
}

EK_EXPORT void ek_pool_set_can_block(int32_t yes) { __atomic_store_n(&pool.can_block, yes != 0, SEQ); }

EK_EXPORT void ek_pool_chunk_counts(int32_t* out, int32_t n) {
  settle();
  for (int32_t i = 0; i < n && i < EK_POOL_MAX; i++) {
    out[i] = pool.runs[i];
    pool.runs[i] = 0;
  }
}

// sbrk (libc) grows memory through this hook; the single-thread builds get it from Emscripten's
// standalone runtime. Only the caller's instance allocates. (Native: libc's malloc, no hook.)
#if defined(__wasm__)
int emscripten_resize_heap(size_t size) {
  const size_t page = 65536;
  const size_t have = __builtin_wasm_memory_size(0) * page;
  if (size <= have) return 1;
  const size_t grow = (size - have + page - 1) / page;
  return __builtin_wasm_memory_grow(0, grow) != (size_t)-1;
}
#endif

#else  // single-thread builds: the same exports, doing nothing

EK_EXPORT void ek_pool_worker(int32_t id) { (void)id; }
EK_EXPORT void ek_pool_set_threads(int32_t n) { (void)n; }
EK_EXPORT void ek_pool_stop(void) {}
EK_EXPORT void ek_pool_worker_trapped(int32_t id) { (void)id; }
EK_EXPORT void ek_pool_set_can_block(int32_t yes) { (void)yes; }
EK_EXPORT int32_t* ek_pool_busy_flag(void) { return 0; }
EK_EXPORT void ek_pool_chunk_counts(int32_t* out, int32_t n) {
  for (int32_t i = 0; i < n; i++) out[i] = 0;
}

#endif
