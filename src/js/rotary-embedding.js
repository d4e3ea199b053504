// rotary-embedding.js — rotaryEmbedding: the ONNX RotaryEmbedding operator (opset 23, domain
// ai.onnx) on caller-supplied cos/sin caches, run by the same kernel as Rope (src/c/rope.c).
//
// Semantics followed: the operator spec (onnx/docs/Operators.md "RotaryEmbedding-23") and its
// reference onnx/reference/ops/op_rotary_embedding.py, checked against onnxruntime's CPU kernel
// (onnxruntime/core/providers/cpu/llm/rotary_embedding.cc and rotary_embedding_helper.h):
//   x 4-D [batch, numHeads, seq, headSize]  (bhsd; numHeads is read from the shape)
//   x 3-D [batch, seq, hidden]              (bshd; numHeads required, headSize = hidden / numHeads)
//   with positionIds [batch, seq]:    caches [maxPositionId + 1, rot / 2]; token (b, s) uses row
//                                     positionIds[b, s]
//   without positionIds:              caches [batch, seq, rot / 2]; token (b, s) uses row b*seq+s
//   rot = rotaryEmbeddingDim, or headSize when 0; features >= rot pass through.
//   interleaved 0: pairs (i, i + rot/2); 1: pairs (2i, 2i + 1). No scaling of cos/sin.
// Stricter than onnxruntime where it would silently go on: a 4-D call with a numHeads that
// disagrees with shape[1] is a RangeError here (onnxruntime ignores the attribute).

import { residentPtr, heap } from './memory.js';
import { checkFloat32, checkOut, checkPosInt, checkShape, idsLength, idsResident, stageIds } from './validate.js';
import { optionsObject, runRope } from './rope.js';

/** `p`: the cache's pointer when resident (taken before the scratch was reserved), else 0. */
function stageCache(a, p, s, bytes) {
  if (p) return p;
  const dst = s.take(bytes);
  heap().f32.set(a, dst >>> 2);
  return dst;
}

/**
 * ONNX RotaryEmbedding-23. Returns `out` or a new Float32Array of x's length.
 * @param {Float32Array} x
 * @param {number[]} shape [batch, numHeads, seq, headSize] or [batch, seq, hidden]
 * @param {Float32Array} cosCache
 * @param {Float32Array} sinCache
 * @param {{ positionIds?, interleaved?: boolean|0|1, numHeads?: number, rotaryEmbeddingDim?: number, out?: Float32Array }} [options]
 */
export function rotaryEmbedding(x, shape, cosCache, sinCache, options) {
  const o = optionsObject(options, 'rotaryEmbedding');
  const { positionIds, interleaved = false, numHeads, rotaryEmbeddingDim = 0, out } = o;
  const total = checkShape(shape, [3, 4]);
  if (interleaved !== true && interleaved !== false && interleaved !== 0 && interleaved !== 1) {
    throw new TypeError(`embedkit: interleaved must be a boolean (or 0/1), got ${interleaved}`);
  }
  let B, S, H, D, layout;
  if (shape.length === 4) {
    [B, H, S, D] = shape;
    layout = 1;  // bhsd
    if (numHeads !== undefined && numHeads !== null && numHeads !== 0) {
      checkPosInt(numHeads, 'numHeads');
      if (numHeads !== H) throw new RangeError(`embedkit: numHeads = ${numHeads} does not match shape[1] = ${H} of the 4-D input`);
    }
  } else {
    let hidden;
    [B, S, hidden] = shape;
    if (numHeads === undefined || numHeads === null || numHeads === 0) {
      throw new RangeError('embedkit: numHeads is required for a 3-D input [batch, seq, hidden]');
    }
    checkPosInt(numHeads, 'numHeads');
    if (hidden % numHeads !== 0) throw new RangeError(`embedkit: hidden = ${hidden} is not divisible by numHeads = ${numHeads}`);
    H = numHeads;
    D = hidden / numHeads;
    layout = 0;  // bshd
  }
  checkPosInt(rotaryEmbeddingDim, 'rotaryEmbeddingDim', { min: 0 });
  const rot = rotaryEmbeddingDim === 0 ? D : rotaryEmbeddingDim;
  if (rot % 2 !== 0) throw new RangeError(`embedkit: the rotary dimension must be even, got ${rot}${rotaryEmbeddingDim === 0 ? ' (headSize)' : ''}`);
  if (rot > D) throw new RangeError(`embedkit: rotaryEmbeddingDim = ${rot} exceeds headSize = ${D}`);
  const half = rot / 2;
  checkFloat32(x, total, 'x');
  const hasPos = positionIds !== undefined && positionIds !== null;
  let rows;
  if (hasPos) {
    const n = idsLength(positionIds, 'positionIds');
    if (n !== B * S) throw new RangeError(`embedkit: positionIds has length ${n}, expected batch * seq = ${B * S}`);
    checkFloat32(cosCache, cosCache?.length, 'cosCache');
    if (cosCache.length === 0 || cosCache.length % half !== 0) {
      throw new RangeError(`embedkit: cosCache has length ${cosCache.length}, expected a positive multiple of rot / 2 = ${half} ([maxPositionId + 1, ${half}])`);
    }
    rows = cosCache.length / half;
  } else {
    rows = B * S;
    checkFloat32(cosCache, rows * half, 'cosCache');
  }
  checkFloat32(sinCache, rows * half, 'sinCache');
  checkOut(out, total);
  const posRes = hasPos ? idsResident(positionIds) : 0;
  const cosRes = residentPtr(cosCache), sinRes = residentPtr(sinCache);
  const cacheBytes = rows * half * 4;
  const plan = {
    B, S, H, D, total, rot, layout, interleaved: interleaved === true || interleaved === 1, sign: 1,
    offset: 0, posBStride: S,
  };
  const extra = [hasPos && !posRes ? B * S * 4 : 0, cosRes ? 0 : cacheBytes, sinRes ? 0 : cacheBytes];
  return runRope(plan, x, out, extra, (s) => {
    const posPtr = hasPos ? stageIds(positionIds, rows, posRes || s.take(B * S * 4), 'positionIds', posRes) : 0;
    const cosPtr = stageCache(cosCache, cosRes, s, cacheBytes);
    const sinPtr = stageCache(sinCache, sinRes, s, cacheBytes);
    return { cosPtr, sinPtr, posPtr };
  });
}
