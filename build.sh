#!/usr/bin/env bash
# build.sh — compile src/c/*.c into the three standalone .wasm files the JS shim loads.
#
#   dist/embedkit.wasm         -O3 -msimd128 (every current browser and Node >= 16)
#   dist/embedkit-nosimd.wasm  -O3, no SIMD: the fallback for engines without wasm SIMD;
#                              the loader picks it after a WebAssembly.validate() probe and
#                              features.simd says which one loaded.
#   dist/embedkit-threads.wasm -O3 -msimd128 + atomics on an imported shared memory: the
#                              threaded build (init({ threads }) > 1, src/js/threads.js).
#   dist/meta.json             version + sha256 of each output (features.version, tests)
#
# Standalone wasm, no Emscripten JS glue (its EXPORT_ES6 glue breaks under Node ESM in 3.1.6):
# --no-entry turns on STANDALONE_WASM; src/js/load.js is the loader.
# The threaded build cannot go through emcc's link (Emscripten 3.1.6 refuses -pthread with
# STANDALONE_WASM): its objects are compiled by emcc -c with -matomics and linked by wasm-ld
# (Debian's lld-14) with --shared-memory --import-memory against Emscripten's single-thread libc,
# of which it uses only the allocator (called on the main instance alone) and pure libm.
# Re-running with nothing changed is a no-op. Set EK_FORCE=1 to rebuild anyway.
set -euo pipefail
cd "$(dirname "$0")"

# ---- toolchain --------------------------------------------------------------------------------
if ! command -v emcc >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "build.sh: emcc not found; installing Debian's emscripten package" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq emscripten >/dev/null
  else
    echo "build.sh: emcc not found. Install Emscripten (Debian/Ubuntu: sudo apt-get install emscripten," >&2
    echo "          or the emsdk from emscripten.org) and run again." >&2
    exit 1
  fi
fi
WASM_LD=$(command -v wasm-ld-14 || command -v wasm-ld || true)
if [ -z "$WASM_LD" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "build.sh: wasm-ld not found; installing Debian's lld-14 package" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lld-14 >/dev/null
    WASM_LD=$(command -v wasm-ld-14)
  else
    echo "build.sh: wasm-ld not found (the threaded build links with it). Install lld (Debian/Ubuntu:" >&2
    echo "          sudo apt-get install lld-14) and run again." >&2
    exit 1
  fi
fi
# Debian's emscripten runs its JS optimizer with the system node; it needs acorn from here.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
# Keep Emscripten's cache out of read-only system folders when not root.
if [ "$(id -u)" != 0 ]; then export EM_CACHE="${EM_CACHE:-$HOME/.cache/embedkit-emscripten}"; fi

# ---- inputs and the up-to-date check ------------------------------------------------------------
SRC=(src/c/*.c)
OUT=dist
mkdir -p "$OUT"
stamp="$OUT/meta.json"
if [ "${EK_FORCE:-0}" != 1 ] && [ -f "$stamp" ] && [ -f "$OUT/embedkit.wasm" ] && [ -f "$OUT/embedkit-nosimd.wasm" ] &&
   [ -f "$OUT/embedkit-threads.wasm" ]; then
  newer=$(find src/c build.sh -newer "$stamp" -print -quit)
  if [ -z "$newer" ]; then echo "build.sh: dist/ is up to date"; exit 0; fi
fi

# ---- flags ---------------------------------------------------------------------------------------
COMMON=(
  -O3
  -std=c11 -Wall -Wextra -Werror=implicit-function-declaration
  --no-entry                      # library, no main(); implies STANDALONE_WASM
  -sSTANDALONE_WASM=1
  -sALLOW_MEMORY_GROWTH=1         # tables of any size up to the wasm32 limit
  -sMAXIMUM_MEMORY=4GB
  -sINITIAL_MEMORY=16MB
  -sTOTAL_STACK=1MB
  -sERROR_ON_UNDEFINED_SYMBOLS=1
  -sEXPORTED_FUNCTIONS=_malloc,_free
  -mbulk-memory                   # memcpy/memset become memory.copy/memory.fill (row copies)
  -mnontrapping-fptoint
  -fno-math-errno
)
SIMD=(-msimd128)

build() {  # build OUT FLAGS...
  local out=$1; shift
  emcc "${COMMON[@]}" "$@" "${SRC[@]}" -o "$out"
}

build "$OUT/embedkit.wasm" "${SIMD[@]}"
build "$OUT/embedkit-nosimd.wasm"

# ---- the threaded build ---------------------------------------------------------------------------
# Same C, same optimisation; -matomics turns on src/c/pool.c (EK_THREADS). The memory is imported
# (shared, created by src/js/load.js) and __stack_pointer exported so that every worker instance
# gets a stack of its own.
SYSLIB=$(NODE_PATH="$NODE_PATH" em-config CACHE)/sysroot/lib/wasm32-emscripten
OBJ=$(mktemp -d)
trap 'rm -rf "$OBJ"' EXIT
for f in "${SRC[@]}"; do
  emcc -c -O3 -std=c11 -Wall -Wextra -Werror=implicit-function-declaration -msimd128 -matomics \
    -mbulk-memory -mmutable-globals -mnontrapping-fptoint -fno-math-errno "$f" -o "$OBJ/$(basename "$f" .c).o"
done
"$WASM_LD" -o "$OBJ/threads.wasm" "$OBJ"/*.o -L"$SYSLIB" -lc -ldlmalloc -lcompiler_rt \
  --no-entry --shared-memory --import-memory --initial-memory=16777216 --max-memory=4294967296 \
  -z stack-size=1048576 --export=__stack_pointer --export-if-defined=__wasm_call_ctors \
  --export=ek_alloc --strip-debug
wasm-opt -O3 --enable-simd --enable-threads --enable-bulk-memory --enable-mutable-globals \
  --enable-nontrapping-float-to-int --strip-producers "$OBJ/threads.wasm" -o "$OUT/embedkit-threads.wasm"

# ---- report, size budget, meta.json -------------------------------------------------------------
BUDGET=262144   # bytes per .wasm; the package is meant to stay small
version=$(node -p "require('./package.json').version")
entries=()
for f in "$OUT/embedkit.wasm" "$OUT/embedkit-nosimd.wasm" "$OUT/embedkit-threads.wasm"; do
  size=$(stat -c %s "$f"); sha=$(sha256sum "$f" | cut -c1-64)
  printf 'build.sh: %-28s %7d bytes  sha256 %s\n' "$f" "$size" "$sha"
  if [ "$size" -gt "$BUDGET" ]; then echo "build.sh: $f is over the $BUDGET byte budget" >&2; exit 1; fi
  entries+=("\"$(basename "$f")\": {\"bytes\": $size, \"sha256\": \"$sha\"}")
done
( IFS=,; printf '{"version": "%s", "files": {%s}}\n' "$version" "${entries[*]}" ) > "$stamp"
