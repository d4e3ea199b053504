// fuzz.js — build and run the native fuzz driver (tests/native/fuzz.c) over src/c/*.c.
// Used by tests/fuzz.test.js (a fixed budget inside `npm test`) and by `npm run fuzz` (longer):
//
//   node tests/native/fuzz.js [--seconds 240] [--seed S] [--libfuzzer 240] [--scalar 60]
//     --seconds    seeded run of the SIMDe build (gcc, ASan + UBSan), split evenly over the entries
//     --scalar     the same over the EK_FORCE_SCALAR build (the no-SIMD module's dispatch paths)
//     --libfuzzer  coverage-guided run (clang-14 -fsanitize=fuzzer,address,undefined) for this many
//                  seconds; its corpus grows in tests/out/fuzz-corpus, a crashing input is saved in
//                  tests/out/fuzz-crashes (replay: tests/native/build/fuzz-libfuzzer <file>)
// A failure prints the seed and a command that replays the one failing case.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = `${root}/src/c`;
export const buildDir = `${root}/tests/native/build`;
const sources = () => readdirSync(src).filter((f) => f.endsWith('.c')).map((f) => `${src}/${f}`);

// -ffp-contract=off: nothing fused, as in wasm (the references compute the same float32 operations).
const COMMON = ['-std=c11', '-O1', '-g', '-DEK_NATIVE_SIMDE', '-DEK_DEBUG', '-ffp-contract=off', '-fno-omit-frame-pointer',
  '-Wall', '-Wno-unused-function', '-Wno-unknown-pragmas', `-I${src}`];

// ASan: report leaks; let a failed huge malloc return 0 (ek_alloc's contract) instead of aborting.
export const SAN_ENV = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:allocator_may_return_null=1', UBSAN_OPTIONS: 'print_stacktrace=1' };

/** Compile the driver (async: builds can run side by side); resolves to the executable's path.
 *  kind: 'simd' | 'scalar' | 'libfuzzer'. */
export async function build(kind = 'simd') {
  mkdirSync(buildDir, { recursive: true });
  const exe = `${buildDir}/fuzz-${kind}`;
  const args = kind === 'libfuzzer'
    ? ['clang-14', [...COMMON, '-DEK_LIBFUZZER', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all']]
    : ['gcc', [...COMMON, ...(kind === 'scalar' ? ['-DEK_FORCE_SCALAR'] : []), '-fsanitize=address,undefined', '-fno-sanitize-recover=all']];
  try {
    await promisify(execFile)(args[0], [...args[1], `${root}/tests/native/fuzz.c`, ...sources(), '-lm', '-o', exe], { maxBuffer: 16 << 20 });
  } catch (e) {
    throw new Error(`fuzz: ${args[0]} failed to build ${exe}:\n${e.stderr ?? e.message}`);
  }
  return exe;
}

/** The exported names the driver's entries cover (fuzz --list). */
export function covered(exe) {
  const out = execFileSync(exe, ['--list'], { encoding: 'utf8', env: SAN_ENV });
  return new Set(out.split('\n').flatMap((l) => l.split(':')[1]?.trim().split(/\s+/) ?? []).filter(Boolean));
}

/** Every ek_ function the wasm modules export (dist/*.wasm, built by build.sh): the definitive
 *  list, macro-generated declarations included. */
export function exported() {
  const names = new Set();
  for (const f of readdirSync(`${root}/dist`).filter((x) => x.endsWith('.wasm'))) {
    const mod = new WebAssembly.Module(readFileSync(`${root}/dist/${f}`));
    for (const e of WebAssembly.Module.exports(mod)) if (e.name.startsWith('ek_')) names.add(e.name);
  }
  return names;
}

/** A seeded run; returns { status, stdout, stderr, iterations, seed }. */
export function run(exe, { seconds, seed, minIters = 5 } = {}) {
  const args = ['--seconds', String(seconds), '--min-iters', String(minIters)];
  if (seed !== undefined) args.push('--seed', String(seed));
  const r = spawnSync(exe, args, { encoding: 'utf8', env: SAN_ENV, maxBuffer: 64 << 20 });
  const sum = /(\d+) iterations over (\d+) entries in ([\d.]+) s \(seed (\d+)\)/.exec(r.stdout ?? '');
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr,
    iterations: sum ? Number(sum[1]) : 0, seconds: sum ? Number(sum[3]) : 0, seed: sum ? sum[4] : null };
}

/** A libFuzzer run for `seconds`; returns the spawnSync result. */
export function runLibFuzzer(exe, seconds) {
  const corpus = `${root}/tests/out/fuzz-corpus`, crashes = `${root}/tests/out/fuzz-crashes`;
  mkdirSync(corpus, { recursive: true });
  mkdirSync(crashes, { recursive: true });
  return spawnSync(exe, [`-max_total_time=${seconds}`, '-timeout=60', '-rss_limit_mb=4096', '-print_final_stats=1',
    `-artifact_prefix=${crashes}/`, corpus], { encoding: 'utf8', env: SAN_ENV, maxBuffer: 256 << 20 });
}

// ---- npm run fuzz ------------------------------------------------------------------------------
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opt = { seconds: 240, libfuzzer: 240, scalar: 60, seed: undefined };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in opt) || argv[i + 1] === undefined) {
      console.error(`usage: node tests/native/fuzz.js [--seconds N] [--scalar N] [--libfuzzer N] [--seed S]`);
      process.exit(2);
    }
    opt[k] = k === 'seed' ? argv[i + 1] : Number(argv[i + 1]);
  }
  let failed = false;
  const exes = { simd: await build('simd') };
  const have = covered(exes.simd);
  const missing = [...exported()].filter((n) => !have.has(n));
  if (missing.length) {
    console.error(`fuzz: exported but in no entry of tests/native/fuzz.c: ${missing.join(', ')}`);
    failed = true;
  }
  for (const [kind, seconds] of [['simd', opt.seconds], ['scalar', opt.scalar]]) {
    if (!(seconds > 0)) continue;
    console.log(`fuzz: ${kind} build (gcc, ASan + UBSan), ${seconds} s`);
    const r = run(exes[kind] ?? await build(kind), { seconds, seed: opt.seed });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    if (r.status !== 0) failed = true;
  }
  if (opt.libfuzzer > 0) {
    console.log(`fuzz: libFuzzer build (clang-14, ASan + UBSan), ${opt.libfuzzer} s`);
    const r = runLibFuzzer(await build('libfuzzer'), opt.libfuzzer);
    const tail = (r.stderr ?? '').split('\n').filter((l) => /stat::|Done|ERROR|FAIL|reproduce|SUMMARY|artifact/.test(l));
    console.log(tail.join('\n'));
    if (r.status !== 0) {
      process.stderr.write((r.stderr ?? '').slice(-8000));
      failed = true;
    }
  }
  console.log(failed ? 'fuzz: FAILED' : 'fuzz: ok');
  process.exit(failed ? 1 : 0);
}
