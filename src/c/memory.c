// memory.c — allocation and build facts exported to the JS shim.
// The shim owns the policy (scratch arena, per-object tables, RangeError on failure); this file
// only wraps the allocator so that a failed grow returns 0 instead of aborting.
#include <stdlib.h>

#include "embedkit.h"

EK_EXPORT void* ek_alloc(uint32_t bytes) {
  ek_pool_settle();  // a failed job's chunks may still write where a freed block was
  // 64-byte (cache-line) alignment for every block. Row copies between two blocks run at full
  // speed only when source and destination share their offset within a cache line: V8's
  // memory.copy is the host's memmove, and on the machines we measured, gathering 3 KiB rows
  // between blocks 48 bytes apart mod 64 took 1.9x as long as between aligned blocks. Rows of
  // a multiple of 16 floats then stay aligned too.
  if (bytes == 0) bytes = 64;
  // aligned_alloc wants a size that is a multiple of the alignment.
  uint32_t rounded = (bytes + 63u) & ~63u;
  if (rounded < bytes) return 0;  // wrapped past 4 GiB
  return aligned_alloc(64, rounded);
}

EK_EXPORT void ek_free(void* p) {
  ek_pool_settle();
  free(p);
}

EK_EXPORT int32_t ek_simd_enabled(void) { return EK_HAVE_SIMD; }

EK_EXPORT int32_t ek_check_ids_i32(const int32_t* ids, int32_t n, int32_t n_rows) {
  // One unsigned compare catches negatives too. The common case is all-valid, so scan in blocks
  // with a branch-free OR and only look closer at a block that has a bad id.
  const uint32_t lim = (uint32_t)n_rows;
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint32_t bad = 0;
    for (int32_t k = 0; k < 16; k++) bad |= (uint32_t)((uint32_t)ids[i + k] >= lim);
    if (bad) break;
  }
  for (; i < n; i++)
    if ((uint32_t)ids[i] >= lim) return i;
  return -1;
}
