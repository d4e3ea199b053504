// memory.js — the one place that touches wasm linear memory.
//
// Rules (also in README "Memory"):
// 1. Linear memory belongs to the module. Views are never cached across a call that may
//    allocate; heap() rebuilds them when memory.buffer has changed (it is replaced on growth).
// 2. Take views *after* every allocation of the same step.
// 3. Objects (Embedding, ResidentArray, ...) own their allocations and free them in dispose().
// 4. Per-call inputs/outputs go through one scratch arena that grows on demand and is reused,
//    not freed, between calls. A call takes all it needs with one scratch() call.
// 5. Allocation failure throws RangeError before any state changes; the module stays usable.

let ex = null;
let views = null;
let busyIdx = 0;  // int32 index of the pool's "a failed job may still run" flag (threaded build)

/** @internal Called by load.js once the instance exists. */
export function setInstance(exports) {
  ex = exports;
  views = null;
  busyIdx = (exports.ek_pool_busy_flag?.() ?? 0) >>> 2;
  arenaPtr = 0;
  arenaBytes = 0;
}

/** The wasm exports; throws if init() has not resolved yet. */
export function wasm() {
  if (ex === null) throw new Error('embedkit: call `await init()` before using embedkit');
  return ex;
}

/** Current typed-array views over linear memory (rebuilt after growth). */
export function heap() {
  const buf = wasm().memory.buffer;
  if (views === null || views.buffer !== buf) {
    views = {
      buffer: buf,
      u8: new Uint8Array(buf),
      i32: new Int32Array(buf),
      u32: new Uint32Array(buf),
      f32: new Float32Array(buf),
      f64: new Float64Array(buf),
    };
  }
  // A kernel call that trapped in its own chunk on this thread (only raw exports can make one:
  // the API validates first) returns while workers may still run the rest of that job: let them
  // finish before JS writes into memory they may still write.
  if (busyIdx !== 0 && views.i32[busyIdx] !== 0) ex.ek_pool_chunk_counts(0, 0);
  return views;
}

/**
 * The largest block embedkit allocates in one piece — a table, a gradient, a ResidentArray, a
 * Rope cache, or the working memory of one call — in every state of the module: 2 GiB - 1 MiB.
 * Emscripten's allocator (dlmalloc) grows memory by less than 2 GiB at a time, so a larger block
 * would be refused in a fresh module and accepted only when earlier, freed blocks happen to have
 * left room at the end of memory; below this size a block is refused only when wasm32's 4 GiB is
 * used up. All blocks together share the 4 GiB (README "Memory rules").
 */
export const MAX_BLOCK_BYTES = 2 ** 31 - 2 ** 20;

function fmtBytes(n) {
  if (n >= 2 ** 30 && n % 2 ** 20 === 0 && n % 2 ** 30 !== 0) return `${n / 2 ** 20} MiB`;
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${n} bytes`;
}

/** RangeError for a block over MAX_BLOCK_BYTES, naming what needed it. */
export function blockTooLarge(what, bytes, hint = '') {
  return new RangeError(`embedkit: ${what} needs ${bytes} bytes (${fmtBytes(bytes)}), more than the largest block ` +
    `embedkit allocates, ${MAX_BLOCK_BYTES} bytes (${fmtBytes(MAX_BLOCK_BYTES)})${hint}`);
}

/**
 * Allocate `bytes` in wasm memory (64-byte aligned). Throws RangeError naming `what` if the
 * block is larger than MAX_BLOCK_BYTES or wasm32 memory cannot grow to hold it; nothing is
 * changed then. Returns the pointer as an unsigned number.
 */
export function alloc(bytes, what = 'buffer') {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`embedkit: ${what} size ${bytes} is not a valid byte count`);
  if (bytes > MAX_BLOCK_BYTES) throw blockTooLarge(what, bytes);
  const p = wasm().ek_alloc(bytes) >>> 0;
  if (p === 0) {
    const used = wasm().memory.buffer.byteLength;
    throw new RangeError(`embedkit: cannot allocate ${fmtBytes(bytes)} for ${what}: wasm memory ` +
      `(${fmtBytes(used)} in use, 4 GiB at most) cannot grow that far`);
  }
  return p;
}

export function free(ptr) {
  if (ptr) wasm().ek_free(ptr);
}

// ---- scratch arena -------------------------------------------------------------------------
let arenaPtr = 0;
let arenaBytes = 0;

/** `n` bytes rounded up to a whole number of 64-byte lines (exact for any safe integer). */
const lines64 = (n) => Math.ceil(n / 64) * 64;

/**
 * Reserve the per-call scratch area of at least `bytes` and return a bump allocator over it:
 * `take(bytes)` returns 64-byte (cache-line) aligned pointers. Call it once per operation, with
 * the total (use scratchSize() to add up parts). Growing frees and reallocates, so pointers from an
 * earlier scratch() call are invalid afterwards. A total over MAX_BLOCK_BYTES is a RangeError.
 * All sizes here are plain JS numbers (exact to 2^53): no 32-bit integer operators, which would
 * wrap sizes of 2 GiB and more.
 */
export function scratch(bytes) {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`embedkit internal: scratch size ${bytes}`);
  if (bytes > MAX_BLOCK_BYTES) {
    throw blockTooLarge('this call', bytes, ' for its working memory; split the call, or pass its ' +
      'inputs and out as ResidentArrays (used in place, no working copy)');
  }
  if (bytes > arenaBytes) {
    const want = Math.min(Math.max(bytes, arenaBytes * 2, 1 << 16), MAX_BLOCK_BYTES);
    // Allocate the new area before freeing the old one so that a failure leaves it intact.
    let size = want;
    let p;
    try {
      p = alloc(want, 'scratch');
    } catch (e) {
      if (want === bytes) throw e;
      size = bytes;
      p = alloc(bytes, 'scratch');
    }
    free(arenaPtr);
    arenaPtr = p;
    arenaBytes = size;
  }
  let off = 0;
  return {
    take(n) {
      const p = arenaPtr + off;
      off += lines64(n);
      if (!(off <= arenaBytes)) throw new Error('embedkit internal: scratch overrun');
      return p;
    },
  };
}

/** @internal Bytes the scratch arena holds now (tests use it to make a call grow memory). */
export function scratchCapacity() { return arenaBytes; }

/** Bytes scratch() needs for parts of the given byte sizes (each rounded up to 64). */
export function scratchSize(...parts) {
  let s = 0;
  for (const n of parts) s += lines64(n);
  return s;
}

// ---- resident arrays (zero-copy path) ---------------------------------------------------------

const TYPES = new Map([
  [Float32Array, 'float32'], [Int32Array, 'int32'], [Uint32Array, 'uint32'], [Float64Array, 'float64'],
  [Uint8Array, 'uint8'],
]);

/**
 * A typed array that lives in wasm memory, for loops that should pay no copy in or out.
 * Pass it wherever an API takes ids, a Float32Array input or `out`: embedkit then reads and
 * writes it in place. `view` returns a fresh typed-array view on every access (memory growth
 * replaces the buffer, so never keep a view across a call that may allocate).
 */
export class ResidentArray {
  #ptr;
  #length;
  #Type;
  constructor(Type, length) {
    if (!TYPES.has(Type)) throw new TypeError('embedkit: ResidentArray type must be Float32Array, Int32Array, Uint32Array, Float64Array or Uint8Array');
    if (typeof length !== 'number') throw new TypeError(`embedkit: ResidentArray length must be a number, got ${typeof length}`);
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`embedkit: ResidentArray length must be a non-negative integer, got ${length}`);
    this.#Type = Type;
    this.#length = length;
    this.#ptr = alloc(length * Type.BYTES_PER_ELEMENT, `a ResidentArray of ${length} elements`);
  }
  get ptr() {
    if (this.#ptr === 0) throw new Error('ResidentArray: disposed');
    return this.#ptr;
  }
  get length() { return this.#length; }
  get type() { return this.#Type; }
  get disposed() { return this.#ptr === 0; }
  get view() {
    return new this.#Type(heap().buffer, this.ptr, this.#length);
  }
  dispose() {
    free(this.#ptr);
    this.#ptr = 0;
  }
  [Symbol.dispose]() { this.dispose(); }
}

/**
 * Hand back a float32 result of `len` elements that a kernel wrote at `dst`: when `outPtr` is
 * set the kernel wrote straight into a resident `out`, which is returned (when `out` is a view
 * into wasm memory and the call grew memory, that view is detached — not with the threaded
 * build's shared memory — and a fresh view of the same elements is returned instead); otherwise it is copied into `out` (if given) or into a fresh
 * array the caller owns (never a view into wasm memory).
 */
export function deliverF32(dst, len, out, outPtr) {
  if (outPtr) return out instanceof ResidentArray || out.length === len ? out : new Float32Array(heap().buffer, outPtr, len);
  const res = heap().f32.subarray(dst >>> 2, (dst >>> 2) + len);
  if (out) {
    out.set(res);
    return out;
  }
  // The typed-array constructor copies into fresh, not pre-zeroed memory: in Node 20 it takes
  // 0.9 ms for 25 MB and 4 us for 128 KB, where slice() takes 1.45 ms and 8-13 us, and
  // new Float32Array(len) + set() 1.5-2 ms and ~15 us.
  return new Float32Array(res);
}

/**
 * Where an array lives: { ptr, resident: true } when it is a ResidentArray or a typed-array
 * view into current wasm memory (used in place), else { resident: false }.
 */
export function residentPtr(a) {
  if (a instanceof ResidentArray) return a.ptr;
  if (ArrayBuffer.isView(a) && ex !== null && a.buffer === ex.memory.buffer) return a.byteOffset;
  return 0;
}
