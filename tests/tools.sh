#!/usr/bin/env bash
# tests/tools.sh — make sure the system tools the test suite uses are present (run by `npm test`
# through "pretest"): Debian's chromium (browser tests), libsimde-dev + gcc (native sanitizer
# build of the kernels and the fuzz driver), clang-14 + libclang-rt-14-dev (the fuzz driver's
# libFuzzer build, and ThreadSanitizer for tests/pool-tsan.test.js) and lld-14 (wasm-ld links
# the threaded build). As root with apt-get it installs what is missing; otherwise it names
# what to install and stops.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/include/simde/wasm/simd128.h ] || need+=(libsimde-dev)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v clang-14 >/dev/null 2>&1 || need+=(clang-14)
compgen -G '/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a' >/dev/null || need+=(libclang-rt-14-dev)
command -v wasm-ld-14 >/dev/null 2>&1 || command -v wasm-ld >/dev/null 2>&1 || need+=(lld-14)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tests/tools.sh: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "tests/tools.sh: the tests need: ${need[*]} (Debian/Ubuntu: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
