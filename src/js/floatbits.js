// floatbits.js — exact widening of stored float formats to float32/float64 in plain JS, for
// reading model-file tensors as Float32Array (readFloat32). Every f16 and bf16 value is exactly
// representable in float32, so these conversions round nothing; float64 -> float32 rounds to
// nearest even (Float32Array assignment). Little-endian input bytes, any byte offset.

const F16 = new Float32Array(65536);
let f16Ready = false;

function f16Table() {
  if (f16Ready) return F16;
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    F16[h] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1024 + m) * 2 ** (e - 25);
  }
  // Keep the NaN payloads of f16 visible as float32 quiet NaNs with the same sign and top bits.
  const u = new Uint32Array(F16.buffer);
  for (let h = 0; h < 65536; h++) {
    if (((h >> 10) & 0x1f) === 31 && (h & 0x3ff)) u[h] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
  }
  f16Ready = true;
  return F16;
}

/**
 * Widen `n` stored values of `dtype` ('F32' | 'F16' | 'BF16' | 'F64', little-endian) starting
 * at bytes[0] into a new Float32Array.
 */
export function toFloat32(bytes, dtype, n) {
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      if (bytes.byteOffset % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, n));
      else for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    case 'F16': {
      const t = f16Table();
      for (let i = 0; i < n; i++) out[i] = t[bytes[2 * i] | (bytes[2 * i + 1] << 8)];
      return out;
    }
    case 'BF16': {
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = (bytes[2 * i] << 16) | (bytes[2 * i + 1] << 24);
      return out;
    }
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
      return out;
  }
  throw new RangeError(`embedkit: cannot read dtype ${dtype} as float32 (F32, F16, BF16 and F64 can be)`);
}
