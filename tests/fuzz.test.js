// fuzz.test.js — the native fuzz driver (tests/native/fuzz.c, built by tests/native/fuzz.js) inside
// `npm test`, on a fixed time budget:
//   - every ek_ function the wasm module exports is exercised by some entry of the driver;
//   - the SIMDe build under ASan + UBSan runs FUZZ_SECONDS split over its entries, with a fresh
//     seed each run (printed; a failure prints the command that replays it);
//   - the libFuzzer build (clang-14) compiles and runs a short coverage-guided smoke run.
// `npm run fuzz` runs the same for longer (and the no-SIMD build). EK_FUZZ_SECONDS overrides the
// budget, EK_FUZZ_SEED the seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, covered, exported, run, runLibFuzzer } from './native/fuzz.js';

const FUZZ_SECONDS = Number(process.env.EK_FUZZ_SECONDS ?? 16);
const LIBFUZZER_SECONDS = 4;

// both builds side by side (two compilers, two cores)
const builds = { simd: build('simd'), libfuzzer: build('libfuzzer') };
for (const b of Object.values(builds)) b.catch(() => {});  // reported by the test that awaits it
let simd;

test('fuzz driver: builds (gcc, SIMDe, ASan + UBSan) and covers every exported C function', { timeout: 600_000 }, async () => {
  simd = await builds.simd;
  const have = covered(simd);
  const missing = [...exported()].filter((n) => !have.has(n));
  assert.ok(exported().size >= 50, `found ${exported().size} exports`);
  assert.deepEqual(missing, [], `exported but fuzzed by no entry: add an entry to ENTRIES in tests/native/fuzz.c for ${missing.join(', ')}`);
  const unknown = [...have].filter((n) => !exported().has(n));
  assert.deepEqual(unknown, [], 'names in fuzz.c ENTRIES that the module does not export');
});

test(`fuzz: every entry, ${FUZZ_SECONDS} s in all, SIMD vs scalar twins and references, under ASan + UBSan`, { timeout: 600_000 }, (t) => {
  assert.ok(simd, 'the build test ran first');
  const r = run(simd, { seconds: FUZZ_SECONDS, seed: process.env.EK_FUZZ_SEED });
  t.diagnostic(r.stdout.trim().split('\n').at(-1) ?? '');
  assert.equal(r.status, 0, `fuzz failed (seed ${r.seed}):\n${r.stdout}\n${r.stderr.slice(-6000)}`);
  assert.ok(r.iterations > 0);
});

test(`fuzz: libFuzzer build (clang-14) runs ${LIBFUZZER_SECONDS} s`, { timeout: 600_000 }, async (t) => {
  const r = runLibFuzzer(await builds.libfuzzer, LIBFUZZER_SECONDS);
  const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(r.stderr ?? '');
  t.diagnostic(`libFuzzer: ${runs ? runs[1] : '?'} inputs in ${LIBFUZZER_SECONDS} s`);
  assert.equal(r.status, 0, `libFuzzer failed:\n${(r.stderr ?? '').slice(-6000)}`);
  assert.ok(runs && Number(runs[1]) > 0);
});
