// heap.js — test-only helpers for calling the C exports directly.
import { alloc, heap } from '../../src/js/memory.js';

/** Copy a typed array into fresh wasm memory (at least 16 bytes); returns the pointer. */
export function put(arr) {
  const p = alloc(Math.max(arr.byteLength, 16));
  new Uint8Array(heap().buffer, p, arr.byteLength).set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
  return p;
}

/** A copy of `n` floats at `p`. */
export const f32 = (p, n) => new Float32Array(heap().buffer, p, n).slice();
