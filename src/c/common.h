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

#endif  // EK_COMMON_H
