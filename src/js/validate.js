// validate.js — argument checks that run before anything is written. Each throws TypeError
// (wrong kind of value) or RangeError (right kind, wrong value/length), naming what was wrong.

import { heap, wasm, ResidentArray, residentPtr } from './memory.js';

export function isIdArray(a) {
  return a instanceof Int32Array || a instanceof Uint32Array || a instanceof BigInt64Array ||
    Array.isArray(a) || (a instanceof ResidentArray && (a.type === Int32Array || a.type === Uint32Array));
}

/** TypeError for a ResidentArray argument that has been disposed (checked before any write). */
export function checkNotDisposed(a, name) {
  if (a instanceof ResidentArray && a.disposed) throw new TypeError(`embedkit: ${name} is a disposed ResidentArray`);
}

/** Throws TypeError unless `ids` is an accepted id container; returns its length. */
export function idsLength(ids, name = 'ids') {
  if (!isIdArray(ids)) {
    const got = ids === null ? 'null' : ArrayBuffer.isView(ids) ? ids.constructor.name : typeof ids;
    throw new TypeError(`embedkit: ${name} must be an Int32Array, Uint32Array, BigInt64Array, ` +
      `ResidentArray(Int32Array) or an array of integers, got ${got}`);
  }
  checkNotDisposed(ids, name);
  if (ids instanceof BigInt64Array && residentPtr(ids)) {
    // It would be read after the call's scratch is reserved, and a growth detaches it.
    throw new TypeError(`embedkit: ${name} is a BigInt64Array in wasm memory; pass int32 ids there ` +
      '(a ResidentArray(Int32Array), used in place) or a BigInt64Array of your own');
  }
  return ids.length;
}

/**
 * Where ids can be read in place: the pointer of a ResidentArray or of an Int32Array /
 * Uint32Array view into wasm memory, else 0 (a BigInt64Array or a plain array is staged as int32).
 * Take it before the call reserves scratch: growth detaches views, and a detached view no
 * longer says where it was.
 */
export function idsResident(ids) {
  return ids instanceof BigInt64Array || Array.isArray(ids) ? 0 : residentPtr(ids);
}

function outOfRange(name, i, v, limit) {
  return new RangeError(`embedkit: ${name}[${i}] = ${v} is out of range [0, ${limit})`);
}

/**
 * Put `ids` as int32 at `dst` in wasm memory (unless it is already resident there, in which
 * case its own pointer is returned) and check every id is in [0, limit). Throws RangeError
 * naming the first bad index and value. Returns the pointer to read the int32 ids from.
 * Writes only into `dst`, which must be scratch space. `resident` is idsResident(ids), taken
 * before the scratch was reserved (then `dst` is not used).
 */
export function stageIds(ids, limit, dst, name = 'ids', resident = idsResident(ids)) {
  const n = ids.length;
  if (ids instanceof Int32Array || ids instanceof Uint32Array || ids instanceof ResidentArray) {
    let ptr = resident;
    if (!ptr) {
      ptr = dst;
      heap().u32.set(ids instanceof Int32Array ? new Uint32Array(ids.buffer, ids.byteOffset, n) : ids, dst >>> 2);
    }
    const bad = wasm().ek_check_ids_i32(ptr, n, limit);
    if (bad >= 0) {
      const unsigned = ids instanceof Uint32Array || (ids instanceof ResidentArray && ids.type === Uint32Array);
      const h = heap();
      throw outOfRange(name, bad, (unsigned ? h.u32 : h.i32)[(ptr >>> 2) + bad], limit);
    }
    return ptr;
  }
  const out = heap().i32;
  const base = dst >>> 2;
  if (ids instanceof BigInt64Array) {
    const big = BigInt(limit);
    for (let i = 0; i < n; i++) {
      const v = ids[i];
      if (v < 0n || v >= big) throw outOfRange(name, i, v, limit);
      out[base + i] = Number(v);
    }
    return dst;
  }
  for (let i = 0; i < n; i++) {
    const v = ids[i];
    if (typeof v !== 'number' && typeof v !== 'bigint') {
      throw new TypeError(`embedkit: ${name}[${i}] is ${v === null ? 'null' : typeof v}, expected an integer`);
    }
    if (typeof v === 'bigint' ? v < 0n || v >= BigInt(limit) : !(Number.isInteger(v) && v >= 0 && v < limit)) {
      throw outOfRange(name, i, v, limit);
    }
    out[base + i] = Number(v);
  }
  return dst;
}

/** Throws unless `a` is a Float32Array (or ResidentArray(Float32Array)) of exactly `len`. */
export function checkFloat32(a, len, name) {
  const ok = a instanceof Float32Array || (a instanceof ResidentArray && a.type === Float32Array);
  if (!ok) {
    const got = a === null ? 'null' : ArrayBuffer.isView(a) ? a.constructor.name : typeof a;
    throw new TypeError(`embedkit: ${name} must be a Float32Array, got ${got}`);
  }
  checkNotDisposed(a, name);
  if (a.length !== len) throw new RangeError(`embedkit: ${name} has length ${a.length}, expected ${len}`);
}

/** Validate an optional `out`; returns true if given. */
export function checkOut(out, len, name = 'out') {
  if (out === undefined || out === null) return false;
  checkFloat32(out, len, name);
  return true;
}

/** A positive integer (RangeError otherwise; TypeError if not a number). */
export function checkPosInt(v, name, { min = 1, max = 2 ** 31 - 1 } = {}) {
  if (typeof v !== 'number') throw new TypeError(`embedkit: ${name} must be a number, got ${typeof v}`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`embedkit: ${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

/** A shape: array of `rank` positive integers (rank may be an array of allowed ranks). */
export function checkShape(shape, rank, name = 'shape') {
  if (!Array.isArray(shape)) throw new TypeError(`embedkit: ${name} must be an array of positive integers`);
  const ranks = Array.isArray(rank) ? rank : [rank];
  if (!ranks.includes(shape.length)) {
    throw new RangeError(`embedkit: ${name} must have ${ranks.join(' or ')} dimensions, got ${shape.length} ([${shape}])`);
  }
  let size = 1;
  shape.forEach((d, i) => {
    checkPosInt(d, `${name}[${i}]`);
    size *= d;
  });
  if (size > 2 ** 32) throw new RangeError(`embedkit: ${name} [${shape}] has more elements than wasm32 memory can hold`);
  return size;
}

/** A finite number (TypeError if not a number, RangeError if not finite or below min). */
export function checkNumber(v, name, { min = -Infinity, exclusiveMin = false, finite = true } = {}) {
  if (typeof v !== 'number') throw new TypeError(`embedkit: ${name} must be a number, got ${typeof v}`);
  if ((finite && !Number.isFinite(v)) || Number.isNaN(v) || v < min || (exclusiveMin && v === min)) {
    throw new RangeError(`embedkit: ${name} must be a ${finite ? 'finite ' : ''}number ${exclusiveMin ? '>' : '>='} ${min}, got ${v}`);
  }
  return v;
}

// ---- option objects ---------------------------------------------------------------------------

/** Edit distance of two short strings (options names), for the "did you mean" hint. */
function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The allowed name closest to `key` (case, `_` and `-` ignored, as in padding_idx -> paddingIdx), or null. */
export function closestName(key, allowed) {
  const norm = (s) => s.toLowerCase().replace(/[_-]/g, '');
  const k = norm(key);
  let best = null, bestD = Infinity;
  for (const name of allowed) {
    const d = editDistance(k, norm(name));
    if (d < bestD) { best = name; bestD = d; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(k.length / 3)) ? best : null;
}

/**
 * Check an options object before anything is done with it: undefined -> {} (when `optional`),
 * anything but a plain object -> TypeError, and every own key must be in `allowed` — an
 * unknown key is a TypeError naming it and the closest allowed name (as Python's "unexpected
 * keyword argument"). `what` names the call in messages, e.g. 'Embedding options'.
 * Every public options object goes through here; a new option is one more name in its list.
 */
export function checkOptions(options, allowed, what, { optional = true } = {}) {
  if (options === undefined && optional) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options;
    throw new TypeError(`embedkit: ${what} must be an object, got ${got}`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const near = closestName(key, allowed);
    throw new TypeError(`embedkit: unknown key '${key}' in ${what}` +
      (near ? ` (did you mean '${near}'?)` : '') + `; valid keys: ${allowed.join(', ')}`);
  }
  return options;
}
