// load.js — locate, compile and instantiate the wasm module. The only file that knows about
// environments (Node file URLs vs browser fetch); everything else receives the instance.
//
// - Node: a file: URL is read with node:fs/promises (Node's fetch rejects file: URLs).
// - Browsers: WebAssembly.compileStreaming(fetch(url)), falling back to arrayBuffer() when the
//   server sends the wrong MIME type.
// - Bundlers: the two `new URL('../../dist/…', import.meta.url)` literals below are what Vite
//   and webpack rewrite; with esbuild, or when the .wasm is served elsewhere, pass init({ wasm }).
// - SIMD: a 31-byte probe module (an i8x16.popcnt) is validated first; engines without SIMD get
//   embedkit-nosimd.wasm, and features.simd says which binary actually loaded.
// - Threads: with init({ threads }) > 1 (the default where the machine has several cores) and
//   shared memory available, embedkit-threads.wasm is instantiated on a shared memory and a pool
//   of workers is started (threads.js); otherwise one of the single-thread builds, with the
//   reason in features.threadsReason. threads: 1 loads exactly the single-thread build.

import { setInstance } from './memory.js';
import { VERSION } from './version.js';
import { attach, hardwareThreads, isThreadedModule, setThreads, sharedMemory, stopThreads, threadsUnavailable } from './threads.js';

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)) — wasm-feature-detect's probe.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/**
 * What loaded: `simd` is true when the SIMD build is running; `threads` is the number of threads
 * kernels run on (1: the calling thread alone, and `threadsReason` says why). Filled in by init().
 */
export const features = { simd: false, version: VERSION, threads: 1, threadsReason: 'init() has not run' };

const MAX_DEFAULT_THREADS = 8;  // memory-bound kernels gain little beyond this
const MAX_THREADS = 256;

let pending = null;
let threaded = false;  // the threaded build is loaded

function defaultUrl(simd, threads) {
  if (threads) return new URL('../../dist/embedkit-threads.wasm', import.meta.url);
  return simd
    ? new URL('../../dist/embedkit.wasm', import.meta.url)
    : new URL('../../dist/embedkit-nosimd.wasm', import.meta.url);
}

function checkThreads(threads) {
  if (threads === undefined) return;
  if (typeof threads !== 'number') throw new TypeError(`embedkit: init({ threads }) must be a number, got ${typeof threads}`);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`embedkit: init({ threads }) must be an integer in [1, ${MAX_THREADS}], got ${threads}`);
  }
}

function checkMagic(bytes, where) {
  const b = new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, Math.min(4, bytes.byteLength));
  if (b.length < 4 || b[0] !== 0x00 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`embedkit: ${where} is not a WebAssembly module (expected magic word ` +
      `00 61 73 6d, found ${hex || 'nothing'}). If a bundler's dev server answered with an HTML ` +
      `page, exclude 'embedkit' from dependency pre-bundling (Vite: optimizeDeps.exclude) or ` +
      `pass the .wasm yourself: init({ wasm: urlOrBytes }).`);
  }
}

async function readFileUrl(url) {
  const spec = 'node:fs/promises';
  const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ spec);
  return fs.readFile(url);
}

async function compileFrom(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    checkMagic(source, 'the bytes passed to init()');
    return WebAssembly.compile(source);
  }
  let url = source;
  if (typeof source === 'string') {
    // A path string (Node) or a URL string; relative strings resolve against the page/cwd.
    if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) url = new URL(source);
    else if (typeof process !== 'undefined' && process.versions?.node) {
      const spec = 'node:url';
      const { pathToFileURL } = await import(/* webpackIgnore: true */ /* @vite-ignore */ spec);
      url = pathToFileURL(source);
    } else url = new URL(source, globalThis.location?.href);
  }
  if (!(url instanceof URL)) {
    throw new TypeError('embedkit: init({ wasm }) takes a URL, a path string, bytes or a WebAssembly.Module');
  }
  if (url.protocol === 'file:') {
    const bytes = await readFileUrl(url);
    checkMagic(bytes, url.href);
    return WebAssembly.compile(bytes);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`embedkit: fetching ${url.href} failed with HTTP ${response.status}`);
  if (typeof WebAssembly.compileStreaming === 'function' &&
      (response.headers.get('content-type') || '').startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  const bytes = await response.arrayBuffer();
  checkMagic(bytes, url.href);
  return WebAssembly.compile(bytes);
}

async function load(options) {
  const simdWanted = options.simd !== false && WebAssembly.validate(SIMD_PROBE);
  const hw = await hardwareThreads();
  const want = options.threads ?? Math.min(hw, MAX_DEFAULT_THREADS);
  let reason = null;
  if (want === 1) reason = options.threads === 1 ? 'init() was asked for threads: 1' : 'the platform reports one hardware thread';
  else if (!simdWanted) reason = 'the threaded build needs wasm SIMD, which this engine lacks (or init({ simd: false }) was asked)';
  else reason = threadsUnavailable();
  const module = await compileFrom(options.wasm ?? defaultUrl(simdWanted, reason === null));
  let ex;
  let memory = null;
  if (isThreadedModule(module)) {
    const why = reason === null ? threadsUnavailable() : reason;
    if (why !== null && want > 1) throw new Error(`embedkit: the module passed to init({ wasm }) is the threaded build, but ${why}`);
    memory = sharedMemory();
    // The memory is imported, not exported: the rest of the shim finds it as ex.memory.
    ex = { ...(await WebAssembly.instantiate(module, { env: { memory } })).exports, memory };
    ex.__wasm_call_ctors?.();
  } else {
    if (reason === null) reason = 'the module passed to init({ wasm }) is a single-thread build';
    const imports = { env: { emscripten_notify_memory_growth: () => {} } };
    ex = (await WebAssembly.instantiate(module, imports)).exports;
    if (typeof ex._initialize === 'function') ex._initialize();
  }
  setInstance(ex);
  features.simd = ex.ek_simd_enabled() === 1;
  features.threads = 1;
  features.threadsReason = reason;
  threaded = memory !== null;
  if (threaded) {
    await attach(ex, module, memory);
    if (want > 1) await resize(want);
  }
}

async function resize(n) {
  if (!threaded) {
    if (n > 1) throw new Error(`embedkit: embedkit runs on one thread (${features.threadsReason}); threads can only be started by the first init()`);
    return;
  }
  try {
    features.threads = await setThreads(n);
    features.threadsReason = n === 1 ? 'init() was asked for threads: 1' : null;
  } catch (e) {
    // Workers that did start keep working; say why there are fewer.
    features.threads = await setThreads(1);
    features.threadsReason = `worker threads could not start: ${e.message}`;
  }
}

/**
 * Load and instantiate the wasm module. Idempotent: later calls return the same promise. With
 * `threads` on a later call, the pool of the threaded build is resized to that many threads.
 * A failed load is not cached, so init() can be called again (e.g. with another `wasm`).
 * @param {{ wasm?: URL|string|ArrayBuffer|ArrayBufferView|WebAssembly.Module, simd?: boolean, threads?: number }} [options]
 */
export function init(options = {}) {
  try {
    if (options === null || typeof options !== 'object') throw new TypeError('embedkit: init() options must be an object');
    checkThreads(options.threads);
  } catch (e) {
    return Promise.reject(e);
  }
  if (!pending) {
    pending = load(options).catch((err) => {
      pending = null;
      throw err;
    });
    return pending;
  }
  if (options.threads === undefined) return pending;
  const next = pending.then(() => resize(options.threads));
  pending = next.catch(() => {});
  return next;
}

/**
 * Stop and terminate the worker threads; kernels then run on the calling thread until
 * init({ threads }) starts workers again. Objects (tables, arrays) stay valid.
 */
export async function terminate() {
  if (!pending) return;
  await pending;
  if (!threaded) return;
  await stopThreads();
  features.threads = 1;
  features.threadsReason = 'terminate() stopped the worker threads';
}
