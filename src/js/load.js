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

import { setInstance } from './memory.js';
import { VERSION } from './version.js';
import { checkOptions } from './validate.js';

/** Keys of init()'s options (an unknown key is a TypeError). */
export const INIT_OPTIONS = ['wasm', 'simd'];

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)) — wasm-feature-detect's probe.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** What loaded: `simd` is true when the SIMD build is running. Filled in by init(). */
export const features = { simd: false, version: VERSION };

let pending = null;

function defaultUrl(simd) {
  return simd
    ? new URL('../../dist/embedkit.wasm', import.meta.url)
    : new URL('../../dist/embedkit-nosimd.wasm', import.meta.url);
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
  const module = await compileFrom(options.wasm ?? defaultUrl(simdWanted));
  const imports = { env: { emscripten_notify_memory_growth: () => {} } };
  const instance = await WebAssembly.instantiate(module, imports);
  const ex = instance.exports;
  if (typeof ex._initialize === 'function') ex._initialize();
  setInstance(ex);
  features.simd = ex.ek_simd_enabled() === 1;
}

/**
 * Load and instantiate the wasm module. Idempotent: later calls return the same promise.
 * A failed load is not cached, so init() can be called again (e.g. with another `wasm`).
 * @param {{ wasm?: URL|string|ArrayBuffer|ArrayBufferView|WebAssembly.Module, simd?: boolean }} [options]
 */
export function init(options) {
  try {
    options = checkOptions(options, INIT_OPTIONS, 'init options');
  } catch (err) {
    return Promise.reject(err);
  }
  if (!pending) {
    pending = load(options).catch((err) => {
      pending = null;
      throw err;
    });
  }
  return pending;
}
