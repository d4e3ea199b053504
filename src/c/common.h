// common.h — shared definitions for every embedkit C file.
//
// EK_EXPORT marks a function the wasm module exports (EMSCRIPTEN_KEEPALIVE under Emscripten,
// nothing in the native SIMDe build used by tests/native). embedkit.h is therefore the single
// list of exports: there is no separate EXPORTED_FUNCTIONS list to drift out of step.
//
// SIMD: under Emscripten with -msimd128 we include <wasm_simd128.h>; the native test build
// defines EK_NATIVE_SIMDE and gets the same intrinsics from SIMDe, so sanitizers, valgrind and
// fuzzers run the exact kernel code. EK_HAVE_SIMD is 1 when the wasm SIMD intrinsics exist.
// EK_FORCE_SCALAR makes every dispatcher take the __scalar reference path.
#ifndef EK_COMMON_H
#define EK_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define EK_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define EK_EXPORT
#endif

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define EK_HAVE_SIMD 1
#elif defined(EK_NATIVE_SIMDE)
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#define EK_HAVE_SIMD 1
#else
#define EK_HAVE_SIMD 0
#endif

#if defined(EK_FORCE_SCALAR)
#undef EK_HAVE_SIMD
#define EK_HAVE_SIMD 0
#endif

// Status codes returned by functions that can fail. Validation helpers instead return the
// index of the first bad element, or -1 when all are good, so JS can name it in its message.
enum {
  EK_OK = 0,
  EK_ERR_NOMEM = -1,   // an allocation failed; nothing was changed
  EK_ERR_ARG = -2,     // an argument broke the contract (JS validates first, so a bug if seen)
};

// Contract checks: compiled in for the native test build (EK_DEBUG), out for release wasm.
#ifdef EK_DEBUG
#include <assert.h>
#define EK_ASSERT(c) assert(c)
#else
#define EK_ASSERT(c) ((void)0)
#endif

// Reference loops must stay scalar even though -msimd128 turns on the autovectoriser.
#if defined(__clang__)
#define EK_NO_VECTORIZE _Pragma("clang loop vectorize(disable) interleave(disable)")
#else
#define EK_NO_VECTORIZE
#endif

// Touched-row tracking, shared by every kernel that writes gradient rows (Embedding backward,
// InputEmbedding's position half): mark [n_rows] u8 is 1 for rows already listed in
// touched[0 .. n_touched); a row seen for the first time is marked and appended. Returns the
// new n_touched. ek_zero_rows_f32 clears exactly these rows and marks.
static inline int32_t ek_track_row(uint8_t* mark, int32_t* touched, int32_t n_touched, int32_t row) {
  if (!mark[row]) {
    mark[row] = 1;
    touched[n_touched++] = row;
  }
  return n_touched;
}

// The ids a gather has met so far in one call (lookup.c, input_embedding.c): a repeated id's row
// is most likely in cache, and those gathers copy a group of eight mostly repeated ids row by row
// instead of interleaving the eight rows to keep their misses in flight (measured in lookup.c).
// A bit set hashed from the id (Fibonacci hashing), 8 bits per id of the call up to 2^18 bits
// (32 KiB on the caller's stack, each thread its own): a false hit only sends a group down the
// other path, which produces the same bits.
#define EK_SEEN_LOG2_MAX 18
typedef struct {
  uint32_t shift;
  uint8_t bits[(1u << EK_SEEN_LOG2_MAX) / 8];
} ek_seen;

static inline void ek_seen_init(ek_seen* s, size_t n_ids) {
  uint32_t log2bits = 10;
  while (log2bits < EK_SEEN_LOG2_MAX && ((uint64_t)1 << log2bits) < 8 * (uint64_t)n_ids) log2bits++;
  memset(s->bits, 0, (1u << log2bits) / 8);
  s->shift = 32 - log2bits;
}

// Marks ids[0..8) as met and returns how many of them had been met before (earlier in the call
// or earlier in the same eight).
static inline int ek_seen_count8(ek_seen* s, const int32_t* ids) {
  int seen = 0;
  for (int r = 0; r < 8; r++) {
    const uint32_t h = ((uint32_t)ids[r] * 2654435761u) >> s->shift;
    seen += (s->bits[h >> 3] >> (h & 7)) & 1;
    s->bits[h >> 3] |= (uint8_t)(1u << (h & 7));
  }
  return seen;
}

#endif  // EK_COMMON_H
