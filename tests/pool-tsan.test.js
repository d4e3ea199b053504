// pool-tsan.test.js — the threaded build's pool (src/c/pool.c) and every kernel that calls
// ek_parallel_for, natively on POSIX threads under ThreadSanitizer (clang-14 -fsanitize=thread,
// SIMDe for the wasm SIMD intrinsics, EK_NATIVE_THREADS for the pool): tests/native/pool_tsan.c
// says what it runs. Two runs of one binary:
//   kernels  N = 2, 3, 4, 8 threads vs one thread, bit for bit, any TSan report fails (no
//            suppressions);
//   hogwild  word2vec's and GloVe's lock-free trainers on shared rows: their intended races are
//            suppressed by tests/native/tsan-hogwild.supp (which says why); counts and finite
//            values are checked.
// Skipped, with the reason, only where clang-14 or its TSan runtime is missing (CI installs
// clang-14 and libclang-rt-14-dev, see .ci/run and tests/tools.sh); under CI it fails instead.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = `${root}/tests/native/build`;
const exe = `${outDir}/pool_tsan`;
const supp = `${root}/tests/native/tsan-hogwild.supp`;
const CC = 'clang-14';
const REPS = 3;  // each kernel on fresh inputs per thread count: ~10 s of TSan time in all

const FLAGS = ['-std=c11', '-O1', '-g', '-fsanitize=thread', '-DEK_NATIVE_SIMDE', '-DEK_NATIVE_THREADS', '-DEK_DEBUG',
  '-ffp-contract=off', '-fno-omit-frame-pointer', '-Wall', '-Wno-unused-function', `-I${root}/src/c`, `-I${root}/tests/native`];

// Why this machine cannot build a TSan binary, or null when it can.
function missing() {
  const probe = spawnSync(CC, ['-fsanitize=thread', '-x', 'c', '-', '-o', `${outDir}/tsan_probe`], {
    input: 'int main(void) { return 0; }\n', encoding: 'utf8',
  });
  if (probe.error?.code === 'ENOENT') return `${CC} not found (Debian: apt-get install clang-14 libclang-rt-14-dev)`;
  if (probe.status !== 0) {
    return `${CC} cannot link -fsanitize=thread (Debian: apt-get install libclang-rt-14-dev): ${probe.stderr.trim().split('\n').at(-1)}`;
  }
  return null;
}

mkdirSync(outDir, { recursive: true });
const why = missing();

// Run the binary; TSan needs a memory layout it knows: where the kernel's ASLR setting gives it
// another one ("unexpected memory mapping"), run again without ASLR.
function runTsan(args, env) {
  const opts = { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 64 << 20 };
  let r = spawnSync(exe, args, opts);
  if (r.status !== 0 && /unexpected memory mapping|FATAL: ThreadSanitizer/.test(r.stderr ?? '')) {
    r = spawnSync('setarch', [process.arch === 'arm64' ? 'aarch64' : 'x86_64', '-R', exe, ...args], opts);
  }
  return r;
}

const skip = why && !process.env.CI ? `ThreadSanitizer unavailable: ${why}` : false;

test('pool + parallel kernels under ThreadSanitizer: builds (clang-14 -fsanitize=thread, EK_NATIVE_THREADS)', { skip, timeout: 300_000 }, () => {
  assert.equal(why, null, why ?? '');
  const srcs = readdirSync(`${root}/src/c`).filter((f) => f.endsWith('.c')).map((f) => `${root}/src/c/${f}`);
  execFileSync(CC, [...FLAGS, `${root}/tests/native/pool_tsan.c`, ...srcs, '-lm', '-lpthread', '-o', exe],
    { stdio: ['ignore', 'pipe', 'pipe'] });
});

test(`pool + parallel kernels under ThreadSanitizer: N = 2, 3, 4, 8 threads bit for bit vs one, no race (${REPS} reps)`, { skip, timeout: 300_000 }, (t) => {
  const r = runTsan(['kernels', String(REPS)], { TSAN_OPTIONS: 'halt_on_error=1 exitcode=66' });
  for (const line of (r.stdout ?? '').trim().split('\n')) t.diagnostic(line);
  assert.equal(r.status, 0, `pool_tsan kernels failed (exit ${r.status}):\n${r.stdout}\n${(r.stderr ?? '').slice(0, 12000)}`);
  assert.doesNotMatch(r.stderr, /ThreadSanitizer/);
  assert.match(r.stdout, /^ok pool_tsan$/m);
});

test('word2vec / GloVe Hogwild trainers on the pool under ThreadSanitizer: only the intended races, right counts', { skip, timeout: 300_000 }, (t) => {
  const r = runTsan(['hogwild', '2'], { TSAN_OPTIONS: `suppressions=${supp} print_suppressions=1 halt_on_error=1 exitcode=66` });
  for (const line of (r.stdout ?? '').trim().split('\n')) t.diagnostic(line);
  const matched = /Matched (\d+) suppressions/.exec(r.stderr ?? '');
  t.diagnostic(`intended (Hogwild) races suppressed: ${matched ? matched[1] : 0}`);
  assert.equal(r.status, 0, `pool_tsan hogwild failed (exit ${r.status}):\n${r.stdout}\n${(r.stderr ?? '').slice(0, 12000)}`);
  assert.doesNotMatch(r.stderr, /WARNING: ThreadSanitizer/);
  assert.match(r.stdout, /^ok pool_tsan hogwild$/m);
});
