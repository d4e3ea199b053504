// pcg.js — an independent JS implementation of embedkit's documented initialiser (embedkit.h,
// ek_init_normal_f32): PCG32 (pcg32_srandom_r(seed, 0x454b)), 53-bit uniforms, Box-Muller in
// float64. Written from the published algorithms with BigInt, not from src/c/init.c's code.
const M64 = (1n << 64n) - 1n;
const MULT = 6364136223846793005n;

export class Pcg32 {
  constructor(initstate, initseq) {
    this.state = 0n;
    this.inc = ((BigInt(initseq) << 1n) | 1n) & M64;
    this.next();
    this.state = (this.state + BigInt(initstate)) & M64;
    this.next();
  }
  next() {
    const old = this.state;
    this.state = (old * MULT + this.inc) & M64;
    const xorshifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
  }
  uniform53() {
    const a = this.next() >>> 5;
    const b = this.next() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

export function normalTable(n, seed, std = 1, mean = 0) {
  const g = new Pcg32(BigInt(seed), 0x454bn);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = g.uniform53();
    const u2 = g.uniform53();
    const r = Math.sqrt(-2 * Math.log(1 - u1));
    const t = 6.283185307179586 * u2;
    out[i] = mean + std * (r * Math.cos(t));
    if (i + 1 < n) out[i + 1] = mean + std * (r * Math.sin(t));
  }
  return out;
}
