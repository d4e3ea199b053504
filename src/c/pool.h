// pool.h — the thread pool behind every parallel kernel (threaded build only; see pool.c).
//
// A kernel splits its work into index ranges and calls ek_parallel_for. In the two
// single-thread builds (and the native test build) that is one call fn(ctx, 0, n) on the calling
// thread. In the threaded build (dist/embedkit-threads.wasm, compiled with -matomics) the range
// is cut into chunks that the calling thread and the pool's workers (other instances of the same
// module on the same shared memory, started by src/js/threads.js) take one at a time.
//
// Determinism: chunk boundaries fall on multiples of `align` (counted from 0), and a kernel
// makes the result of every index depend only on the index, never on which thread ran it or
// where its chunk started. Kernels whose method carries state along the range (the sin/cos
// recurrence restarts at anchors every 1024 rows) pass that period as `align`. So results are
// bit for bit those of one thread, whatever the thread count.
//
// Small jobs stay on the calling thread: below EK_PAR_MIN_WORK (work is the caller's estimate
// in bytes read + written) or when fewer than two chunks would result.
//
// Native builds (tests/native) have no pool unless EK_NATIVE_THREADS is defined: then pool.c is
// the same pool on POSIX threads (tests/native/test_pool_tsan.c runs it under ThreadSanitizer),
// the caller starting a pthread per worker that runs ek_pool_worker(id).
#ifndef EK_POOL_H
#define EK_POOL_H

#include "common.h"

typedef void (*ek_range_fn)(void* ctx, int32_t begin, int32_t end);

// Work (bytes) below which a call stays on the calling thread: waking a sleeping worker costs
// tens of microseconds, about what copying 512 KiB takes.
#define EK_PAR_MIN_WORK (512.0 * 1024.0)

#if (defined(__wasm_atomics__) && !defined(EK_NATIVE_SIMDE)) || defined(EK_NATIVE_THREADS)
#define EK_THREADS 1
void ek_parallel_for(ek_range_fn fn, void* ctx, int32_t n, int32_t align, double work);
// Threads that take part in ek_parallel_for (the caller included); 1 without a pool.
int32_t ek_pool_threads(void);
// Wait until no chunk of a failed job (one whose chunk on the calling thread trapped) is still
// running on a worker; allocation calls this before they hand out or take back memory.
void ek_pool_settle(void);
#else
#define EK_THREADS 0
static inline void ek_parallel_for(ek_range_fn fn, void* ctx, int32_t n, int32_t align, double work) {
  (void)align;
  (void)work;
  if (n > 0) fn(ctx, 0, n);
}
static inline int32_t ek_pool_threads(void) { return 1; }
static inline void ek_pool_settle(void) {}
#endif

// ---- exported pool control (threaded build; the single-thread builds export stubs) -------------

// Worker `id` (1 .. n-1) of the pool: runs chunks until ek_pool_stop. Called by the worker's JS
// once its instance has its own stack; returns when the pool stops.
EK_EXPORT void ek_pool_worker(int32_t id);
// Use `n` threads from now on (1 = the caller alone); workers 1 .. n-1 must be running.
EK_EXPORT void ek_pool_set_threads(int32_t n);
// Ask every worker to leave ek_pool_worker (used before terminating them).
EK_EXPORT void ek_pool_stop(void);
// A worker's chunk trapped (its JS caught the RuntimeError): count the chunk as finished so
// the caller does not wait for it, and make the caller's ek_parallel_for trap too.
EK_EXPORT void ek_pool_worker_trapped(int32_t id);
// Whether the calling thread may sleep in memory.atomic.wait32 while workers finish a job
// (yes in Node and in workers; no on a browser page's main thread, where it traps). Default no:
// the caller spins.
EK_EXPORT void ek_pool_set_can_block(int32_t yes);
// The address of the pool's flag that stays nonzero after a chunk on the calling thread trapped
// while workers may still run the rest of that job (0 in the single-thread builds): JS reads it
// before it touches memory (memory.js heap()) and then settles the pool (ek_pool_chunk_counts).
EK_EXPORT int32_t* ek_pool_busy_flag(void);
// Chunks each thread ran since the last call (out [n] i32, thread 0 = the caller); resets them.
EK_EXPORT void ek_pool_chunk_counts(int32_t* out, int32_t n);

#endif  // EK_POOL_H
