// Native builds of the exact kernel code (SIMDe provides the wasm SIMD intrinsics on x86) under
// AddressSanitizer + UndefinedBehaviorSanitizer: every tests/native/test_*.c is compiled with all
// of src/c/*.c and run. -ffp-contract=off keeps gcc from fusing a*b+c, as wasm never does.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcs = readdirSync(`${root}/src/c`).filter((f) => f.endsWith('.c')).map((f) => `${root}/src/c/${f}`);
const tests = readdirSync(`${root}/tests/native`).filter((f) => /^test_.*\.c$/.test(f));
const outDir = `${root}/tests/native/build`;
mkdirSync(outDir, { recursive: true });

const FLAGS = ['-std=c11', '-O1', '-g', '-DEK_NATIVE_SIMDE', '-DEK_DEBUG', '-ffp-contract=off', '-fno-omit-frame-pointer',
  '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-Wall', '-Wno-unused-function', `-I${root}/src/c`];

for (const t of tests) {
  test(`native ${t} (SIMDe, ASan + UBSan)`, { timeout: 300_000 }, () => {
    const exe = `${outDir}/${t.replace(/\.c$/, '')}`;
    execFileSync('gcc', [...FLAGS, `${root}/tests/native/${t}`, ...srcs, '-lm', '-o', exe], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out;
    try {
      out = execFileSync(exe, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
    } catch (e) {
      assert.fail(`${t} failed (exit ${e.status}):\n${e.stdout}\n${e.stderr}`);
    }
    assert.match(out, /ok/);
  });
}
