// load.js — locate, compile and instantiate the wasm module. The only file that knows about
// environments (Node file URLs vs browser fetch); everything else receives the instance.
//
// - Node: a file: URL is read with node:fs/promises (Node's fetch rejects file: URLs).
// - Browsers: WebAssembly.compileStreaming(fetch(url)), falling back to arrayBuffer() when the
//   server sends the wrong MIME type.
// - Bundlers: the two `new URL('../../dist/…', import.meta.url)` literals in defaultUrl() are
//   what Vite and webpack rewrite (keep them literal). esbuild and Rollup leave them alone, so
//   their users copy the two .wasm files and say where with init({ wasmPaths }) (README
//   "Bundlers"); `wasm` takes one binary as a URL, path, bytes or module.
// - SIMD: a 31-byte probe module (an i8x16.popcnt) is validated first; engines without SIMD get
//   embedkit-nosimd.wasm, and features.simd says which binary actually loaded.
// - Threads: with init({ threads }) > 1 (the default where the machine has several cores) and
//   shared memory available, embedkit-threads.wasm is instantiated on a shared memory and a pool
//   of workers is started (threads.js); otherwise one of the single-thread builds, with the
//   reason in features.threadsReason. threads: 1 loads exactly the single-thread build.
// - Every failure to find or fetch the file is an Error whose message names the URL or path
//   and the option that fixes it; the original error is its `cause`.
//
// Adding a build variant: give it a file name in FILES, pick it in chooseVariant(), and its
// location follows from `wasmPaths` like the others.

import { setInstance } from './memory.js';
import { VERSION } from './version.js';
import { checkOptions } from './validate.js';
import { log, setLogLevel } from './log.js';
import { attach, hardwareThreads, isThreadedModule, setThreads, sharedMemory, stopThreads, threadsUnavailable } from './threads.js';

/** Keys of init()'s options (an unknown key is a TypeError). */
export const INIT_OPTIONS = ['wasm', 'wasmPaths', 'simd', 'logLevel', 'threads'];

/** File names of the builds, as shipped in dist/ and as looked up under a `wasmPaths` prefix. */
const FILES = { simd: 'embedkit.wasm', nosimd: 'embedkit-nosimd.wasm', threads: 'embedkit-threads.wasm' };

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)) — wasm-feature-detect's probe.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/**
 * What loaded, filled in by init(): `simd` is true when the SIMD build is running,
 * `simdSupported` whether the engine validates SIMD at all (null before init), `wasm` where the
 * binary came from (a URL, or 'bytes' / 'WebAssembly.Module' when handed over), `via` which
 * option chose it ('default' = next to the package, 'wasm', 'wasmPaths'), `threads` the number of
 * threads kernels run on (1: the calling thread alone, and then `threadsReason` says why).
 */
export const features = {
  simd: false, simdSupported: null, version: VERSION, wasm: null, via: null, threads: 1, threadsReason: 'init() has not run',
};

const MAX_DEFAULT_THREADS = 8;  // memory-bound kernels gain little beyond this
const MAX_THREADS = 256;

const HINT = 'Say where the .wasm files are with init({ wasmPaths: \'<directory URL or path>/\' }) ' +
  '(or { simd, nosimd } URLs), or pass one binary with init({ wasm }); see README "Bundlers".';

let pending = null;
let threaded = false;  // the threaded build is loaded

function defaultUrl(variant) {
  try {
    if (variant === 'threads') return new URL('../../dist/embedkit-threads.wasm', import.meta.url);
    return variant === 'simd'
      ? new URL('../../dist/embedkit.wasm', import.meta.url)
      : new URL('../../dist/embedkit-nosimd.wasm', import.meta.url);
  } catch (err) {
    // iife / CommonJS bundles leave import.meta empty: there is no module URL to start from.
    throw new Error('embedkit: cannot locate embedkit.wasm: import.meta.url is ' +
      `${JSON.stringify(import.meta.url)} in this build (an iife or CommonJS bundle?). ${HINT}`, { cause: err });
  }
}

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;

function checkMagic(bytes, where) {
  const b = new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, Math.min(4, bytes.byteLength));
  if (b.length < 4 || b[0] !== 0x00 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`embedkit: ${where} is not a WebAssembly module (expected magic word ` +
      `00 61 73 6d, found ${hex || 'nothing'}). If a server answered with an HTML page (a 404 ` +
      `page or a dev server's index.html), the file is not where it was looked for: ${HINT} ` +
      `(Vite 6 dev server: add optimizeDeps: { exclude: ['embedkit'] }.)`);
  }
}

async function nodeImport(spec) {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ spec);
}

/** A URL, a path string (Node) or a URL string, as a URL object; relative strings resolve against the page/cwd. */
async function toUrl(source) {
  if (source instanceof URL) return source;
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) return new URL(source);
  if (isNode()) return (await nodeImport('node:url')).pathToFileURL(source);
  const base = globalThis.location?.href;
  if (base === undefined) throw new TypeError(`embedkit: cannot resolve the relative wasm location '${source}' here (no page URL); give a full URL`);
  return new URL(source, base);
}

async function readFileUrl(url) {
  const fs = await nodeImport('node:fs/promises');
  try {
    return await fs.readFile(url);
  } catch (err) {
    const path = (await nodeImport('node:url')).fileURLToPath(url);
    const why = err.code === 'ENOENT' ? 'ENOENT: no such file' : err.code ?? err.message;
    throw new Error(`embedkit: cannot read the WebAssembly module ${path} (${why}). A bundled app ` +
      `no longer sits next to embedkit's dist/ folder: copy dist/*.wasm beside it. ${HINT}`, { cause: err });
  }
}

async function fetchUrl(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`embedkit: fetching ${url.href} failed (${err.message}${err.cause?.code ? `: ${err.cause.code}` : ''}): ` +
      `the server is unreachable or refused the request (CORS?). ${HINT}`, { cause: err });
  }
  if (!response.ok) {
    throw new Error(`embedkit: fetching ${url.href} failed with HTTP ${response.status}: the file is not ` +
      `served there. ${HINT}`);
  }
  return response;
}

async function compileFrom(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    checkMagic(source, 'the bytes passed to init()');
    return WebAssembly.compile(source);
  }
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new TypeError('embedkit: a wasm location must be a URL, a path string, bytes or a WebAssembly.Module, ' +
      `got ${source === null ? 'null' : typeof source}`);
  }
  const url = await toUrl(source);
  if (url.protocol === 'file:') {
    if (!isNode()) throw new Error(`embedkit: cannot read ${url.href} outside Node (browsers fetch http(s) URLs). ${HINT}`);
    const bytes = await readFileUrl(url);
    checkMagic(bytes, url.href);
    return WebAssembly.compile(bytes);
  }
  const response = await fetchUrl(url);
  const type = response.headers.get('content-type') || '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  log('warn', `${url.href} was served as '${type}', not application/wasm: compiling from a buffer instead of streaming`);
  const bytes = await response.arrayBuffer();
  checkMagic(bytes, url.href);
  return WebAssembly.compile(bytes);
}

function checkLocation(v, name) {
  const ok = typeof v === 'string' || v instanceof URL || v instanceof ArrayBuffer || ArrayBuffer.isView(v) || v instanceof WebAssembly.Module;
  if (!ok) throw new TypeError(`embedkit: ${name} must be a URL, a path string, bytes or a WebAssembly.Module, got ${v === null ? 'null' : typeof v}`);
}

/** Check init()'s options before anything happens (TypeError / RangeError). */
function checkInitOptions(options) {
  const o = checkOptions(options, INIT_OPTIONS, 'init options');
  if (o.wasm !== undefined) checkLocation(o.wasm, 'wasm');
  if (o.wasmPaths !== undefined) {
    const p = o.wasmPaths;
    if (o.wasm !== undefined) throw new TypeError('embedkit: give init() either wasm or wasmPaths, not both');
    if (typeof p !== 'string' && !(p instanceof URL)) {
      if (p === null || typeof p !== 'object') {
        throw new TypeError(`embedkit: wasmPaths must be a directory (URL or string) or a { simd, nosimd } map, got ${p === null ? 'null' : typeof p}`);
      }
      checkOptions(p, Object.keys(FILES), 'wasmPaths', { optional: false });
      for (const k of Object.keys(p)) if (p[k] !== undefined) checkLocation(p[k], `wasmPaths.${k}`);
    }
  }
  if (o.simd !== undefined && typeof o.simd !== 'boolean') throw new TypeError(`embedkit: simd must be a boolean, got ${typeof o.simd}`);
  if (o.threads !== undefined) {
    if (typeof o.threads !== 'number') throw new TypeError(`embedkit: threads must be a number, got ${typeof o.threads}`);
    if (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > MAX_THREADS) {
      throw new RangeError(`embedkit: threads must be an integer in [1, ${MAX_THREADS}], got ${o.threads}`);
    }
  }
  return o;
}

/** A prefix (directory) plus a file name; a missing trailing '/' is added. */
function underPrefix(prefix, file) {
  if (prefix instanceof URL) return new URL(file, prefix.href.endsWith('/') ? prefix : `${prefix.href}/`);
  return /[\\/]$/.test(prefix) || prefix === '' ? prefix + file : `${prefix}/${file}`;
}

/** Which binary to load and from where: { variant, source, via }. */
function chooseVariant(o, simdSupported, threads) {
  if (o.wasm !== undefined) return { variant: null, source: o.wasm, via: 'wasm' };
  const p = o.wasmPaths;
  let variant = o.simd !== false && simdSupported ? 'simd' : 'nosimd';
  if (threads && variant === 'simd' && (p === undefined || typeof p === 'string' || p instanceof URL || p.threads !== undefined)) {
    variant = 'threads';
  }
  if (p !== undefined && typeof p !== 'string' && !(p instanceof URL)) {
    // A map may name one build: the no-SIMD one runs everywhere, the SIMD one only with SIMD.
    if (p[variant] === undefined && variant === 'simd' && p.nosimd !== undefined) variant = 'nosimd';
    if (p[variant] === undefined) {
      throw new Error(`embedkit: wasmPaths has no 'nosimd' entry, and ${o.simd === false ? 'simd: false was asked for' : 'this engine has no wasm SIMD'}: ` +
        `give wasmPaths.nosimd (the file ${FILES.nosimd}).`);
    }
    return { variant, source: p[variant], via: 'wasmPaths' };
  }
  if (p !== undefined) return { variant, source: underPrefix(p, FILES[variant]), via: 'wasmPaths' };
  return { variant, source: defaultUrl(variant), via: 'default' };
}

function describe(source) {
  if (source instanceof WebAssembly.Module) return 'WebAssembly.Module';
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return 'bytes';
  return source instanceof URL ? source.href : String(source);
}

async function load(o) {
  const simdSupported = WebAssembly.validate(SIMD_PROBE);
  const want = o.threads ?? Math.min(await hardwareThreads(), MAX_DEFAULT_THREADS);
  let reason = null;
  if (want === 1) reason = o.threads === 1 ? 'init() was asked for threads: 1' : 'the platform reports one hardware thread';
  else if (o.simd === false || !simdSupported) reason = 'the threaded build needs wasm SIMD (this engine lacks it, or simd: false was asked)';
  else reason = threadsUnavailable();
  let chosen = chooseVariant(o, simdSupported, reason === null);
  if (reason === null && chosen.variant !== null && chosen.variant !== 'threads') reason = 'wasmPaths has no threads entry';
  const t0 = performance.now();
  let source, module;
  try {
    source = typeof chosen.source === 'string' ? await toUrl(chosen.source) : chosen.source;
    log('info', `engine ${simdSupported ? 'supports' : 'lacks'} wasm SIMD; loading ${chosen.variant ? `the ${chosen.variant} build` : 'the given binary'} from ${describe(source)} (${chosen.via})`);
    module = await compileFrom(source);
  } catch (err) {
    if (chosen.variant !== 'threads') throw err;
    // A directory with only the two single-thread files (as before threads existed): run on one.
    reason = `${FILES.threads} could not be loaded (${err.message.replace(/^embedkit: /, '')})`;
    log('warn', `${reason}; falling back to one thread`);
    chosen = chooseVariant(o, simdSupported, false);
    source = typeof chosen.source === 'string' ? await toUrl(chosen.source) : chosen.source;
    log('info', `loading the ${chosen.variant} build from ${describe(source)} (${chosen.via})`);
    module = await compileFrom(source);
  }
  const { via } = chosen;
  let ex;
  let memory = null;
  if (isThreadedModule(module)) {
    const why = threadsUnavailable();
    if (why !== null) throw new Error(`embedkit: ${describe(source)} is the threaded build, but ${why}`);
    memory = sharedMemory();
    // The memory is imported, not exported: the rest of the shim finds it as ex.memory.
    ex = { ...(await WebAssembly.instantiate(module, { env: { memory } })).exports, memory };
    ex.__wasm_call_ctors?.();
  } else {
    if (reason === null) reason = 'the binary passed to init({ wasm }) is a single-thread build';
    const imports = { env: { emscripten_notify_memory_growth: () => {} } };
    ex = (await WebAssembly.instantiate(module, imports)).exports;
    if (typeof ex._initialize === 'function') ex._initialize();
  }
  setInstance(ex);
  Object.assign(features, { simd: ex.ek_simd_enabled() === 1, simdSupported, wasm: describe(source), via, threads: 1, threadsReason: reason });
  threaded = memory !== null;
  if (threaded) {
    await attach(ex, module, memory);
    if (want > 1) await resize(want);
  }
  log('info', `ready in ${(performance.now() - t0).toFixed(1)} ms: ${features.simd ? 'SIMD' : 'no-SIMD'} build, version ${VERSION}, ` +
    `${features.threads} thread${features.threads > 1 ? 's' : ` (${features.threadsReason})`}`);
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
    log('warn', features.threadsReason);
  }
}

/**
 * Load and instantiate the wasm module. Idempotent: later calls return the same promise.
 * A failed load is not cached, so init() can be called again (e.g. with another `wasm`).
 * Bad options reject with a TypeError before anything is loaded.
 * @param {{ wasm?: URL|string|ArrayBuffer|ArrayBufferView|WebAssembly.Module,
 *           wasmPaths?: URL|string|{ simd?: URL|string|ArrayBuffer|ArrayBufferView|WebAssembly.Module, nosimd?: URL|string|ArrayBuffer|ArrayBufferView|WebAssembly.Module },
 *           simd?: boolean, logLevel?: 'off'|'error'|'warn'|'info'|'debug', threads?: number }} [options]
 */
export function init(options) {
  let o;
  try {
    o = checkInitOptions(options);
    if (o.logLevel !== undefined) setLogLevel(o.logLevel);
  } catch (err) {
    return Promise.reject(err);
  }
  if (!pending) {
    pending = load(o).catch((err) => {
      pending = null;
      log('error', err.message.replace(/^embedkit: /, ''));
      throw err;
    });
  } else if (o.threads !== undefined) {
    // A later init({ threads }) resizes the pool of the threaded build.
    const next = pending.then(() => resize(o.threads));
    pending = next.catch(() => {});
    return next;
  } else if (o.wasm !== undefined || o.wasmPaths !== undefined || o.simd !== undefined) {
    log('debug', 'init() was already called: these wasm/wasmPaths/simd options are ignored');
  }
  return pending;
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
