// dtype.js — W6: lookup from tables stored as float32, float16, bfloat16, Q8_0, Q4_0 and Q4_K.
//   8 x 1024 uniform ids into a GPT-2 sized table (50257 x 768); every row writes the same
//   8192 x 768 float32 result (the copy limit's bytes), reading 3072, 1536, 1536, 816, 432 or
//   432 bytes per looked-up row.
// Rows: embedkit resident (ids and out in wasm memory) and e2e (Int32Array in, fresh
// Float32Array out) per dtype; peers: plain JS decode of the looked-up rows (per dtype; the
// float32 one is a plain gather), onnxruntime's GatherBlockQuantized (com.microsoft, 8-bit and
// 4-bit blocks of 32 with float scales: the Q8_0 and Q4_0 data in ONNX Runtime's layout). Each
// row is checked bit for bit against the plain JS decode of its own dtype.
import { onnxModel, ortSessions, randomFloats, rng, uniformIds, compare } from './harness.js';

const ROWS = 50257, DIM = 768, N = 8 * 1024;

// ---- plain JS decoders (the peer rows and the references) ---------------------------------------

const f32 = Math.fround;
const HALF = new Float32Array(65536);
{
  const u = new Uint32Array(HALF.buffer);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
    if (e === 31) u[h] = ((h & 0x8000) << 16 | 0x7f800000 | (m << 13)) >>> 0;
    else HALF[h] = e ? s * (1 + m / 1024) * 2 ** (e - 15) : s * m * 2 ** -24;
  }
}

const decoders = {
  float32(out, table, ids) {
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i] * DIM, o = i * DIM;
      for (let j = 0; j < DIM; j++) out[o + j] = table[s + j];
    }
  },
  float16(out, bytes, ids) {
    const h = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
    const o32 = new Uint32Array(out.buffer), t32 = new Uint32Array(HALF.buffer);
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i] * DIM, o = i * DIM;
      for (let j = 0; j < DIM; j++) o32[o + j] = t32[h[s + j]];
    }
  },
  bfloat16(out, bytes, ids) {
    const h = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
    const o32 = new Uint32Array(out.buffer);
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i] * DIM, o = i * DIM;
      for (let j = 0; j < DIM; j++) o32[o + j] = h[s + j] << 16;
    }
  },
  Q8_0(out, b, ids) {
    const rb = DIM / 32 * 34;
    for (let i = 0; i < ids.length; i++) {
      let p = ids[i] * rb, o = i * DIM;
      for (let k = 0; k < DIM / 32; k++, p += 34, o += 32) {
        const d = HALF[b[p] | (b[p + 1] << 8)];
        for (let j = 0; j < 32; j++) out[o + j] = ((b[p + 2 + j] << 24) >> 24) * d;
      }
    }
  },
  Q4_0(out, b, ids) {
    const rb = DIM / 32 * 18;
    for (let i = 0; i < ids.length; i++) {
      let p = ids[i] * rb, o = i * DIM;
      for (let k = 0; k < DIM / 32; k++, p += 18, o += 32) {
        const d = HALF[b[p] | (b[p + 1] << 8)];
        for (let j = 0; j < 16; j++) {
          out[o + j] = ((b[p + 2 + j] & 15) - 8) * d;
          out[o + j + 16] = ((b[p + 2 + j] >> 4) - 8) * d;
        }
      }
    }
  },
  Q4_K(out, b, ids) {
    const rb = DIM / 256 * 144;
    for (let i = 0; i < ids.length; i++) {
      let p = ids[i] * rb, o = i * DIM;
      for (let k = 0; k < DIM / 256; k++, p += 144) {
        const d = HALF[b[p] | (b[p + 1] << 8)], min = HALF[b[p + 2] | (b[p + 3] << 8)];
        const sc = p + 4;
        let q = p + 16;
        for (let is = 0; is < 8; is += 2, q += 32) {
          const [s1, m1] = scaleMin(b, sc, is), [s2, m2] = scaleMin(b, sc, is + 1);
          const d1 = f32(d * s1), n1 = f32(min * m1), d2 = f32(d * s2), n2 = f32(min * m2);
          for (let l = 0; l < 32; l++) out[o++] = f32(d1 * (b[q + l] & 15)) - n1;
          for (let l = 0; l < 32; l++) out[o++] = f32(d2 * (b[q + l] >> 4)) - n2;
        }
      }
    }
  },
};

function scaleMin(b, p, j) {
  if (j < 4) return [b[p + j] & 63, b[p + j + 4] & 63];
  return [(b[p + j + 4] & 0xf) | ((b[p + j - 4] >> 6) << 4), (b[p + j + 4] >> 4) | ((b[p + j] >> 6) << 4)];
}

/** Random Q4_K blocks with small positive f16 scales (there is no float32 -> Q4_K encoder). */
function randomQ4K() {
  const r = rng(61);
  const b = new Uint8Array(ROWS * DIM / 256 * 144);
  for (let i = 0; i < b.length; i++) b[i] = (r() * 256) | 0;
  for (let p = 0; p < b.length; p += 144) {
    b[p + 1] = 0x1c + ((r() * 4) | 0);  // d, dmin around 2^-3 .. 2^-1 / 64
    b[p + 3] = 0x1c + ((r() * 4) | 0);
  }
  return b;
}

// ---- onnxruntime peers ------------------------------------------------------------------------------

/** GatherBlockQuantized rows over the Q8_0 (bits 8) or Q4_0 (bits 4) table in ORT's layout. */
async function ortBlockRows(dtype, bytes, ids, reference) {
  const nb = DIM / 32, blk = dtype === 'Q8_0' ? 34 : 18, bits = dtype === 'Q8_0' ? 8 : 4;
  const data = new Uint8Array(ROWS * DIM * bits / 8), scales = new Float32Array(ROWS * nb);
  for (let r = 0, p = 0; r < ROWS; r++) {
    for (let k = 0; k < nb; k++, p += blk) {
      scales[r * nb + k] = HALF[bytes[p] | (bytes[p + 1] << 8)];
      const o = (r * DIM + k * 32) * bits / 8;
      if (bits === 8) {
        for (let j = 0; j < 32; j++) data[o + j] = (bytes[p + 2 + j] + 128) & 255;  // zero point 128
      } else {
        // elements 2t, 2t+1 share a byte (low nibble first); Q4_0 pairs j with j + 16
        const q = new Uint8Array(32);
        for (let j = 0; j < 16; j++) { q[j] = bytes[p + 2 + j] & 15; q[j + 16] = bytes[p + 2 + j] >> 4; }
        for (let t = 0; t < 16; t++) data[o + t] = q[2 * t] | (q[2 * t + 1] << 4);  // default zero point 8
      }
    }
  }
  const initializers = [['data', 'uint8', [ROWS, DIM * bits / 8], data], ['scales', 'float', [ROWS, nb], scales]];
  const nodeInputs = ['data', 'ids', 'scales'];
  if (bits === 8) {
    initializers.push(['zero_points', 'uint8', [ROWS, nb], new Uint8Array(ROWS * nb).fill(128)]);
    nodeInputs.push('zero_points');
  }
  const model = onnxModel({
    op: 'GatherBlockQuantized', domain: 'com.microsoft',
    inputs: [['ids', 'int32', ['n']]],
    outputs: [['out', 'float', ['n', DIM]]],
    initializers, nodeInputs,
    attributes: { gather_axis: 0, quantize_axis: 1, block_size: 32, bits },
  });
  return ortRows(model, `GatherBlockQuantized ${bits}-bit (${dtype})`, ids, reference);
}

async function ortRows(model, what, ids, reference) {
  const out = [];
  for (const { name, mode, ort, session, na } of await ortSessions(model)) {
    const label = `${name} ${what}`;
    if (na) { out.push({ name: label, kind: 'peer', mode, na }); continue; }
    let last = null;
    out.push({
      name: label, kind: 'peer', mode,
      async run() {
        const r = await session.run({ ids: new ort.Tensor('int32', ids, [ids.length]) });
        last = r.out.data;
      },
      check: () => compare(last, reference),
      dispose() { session.release?.(); },
    });
  }
  return out;
}

// ---- the workload ------------------------------------------------------------------------------------

export const workloads = [{
  id: 'W6',
  title: `lookup from stored dtypes: ${N} uniform ids into ${ROWS} x ${DIM} (float32 / float16 / bfloat16 / Q8_0 / Q4_0 / Q4_K)`,
  bytes: N * DIM * 4,
  async setup({ ek }) {
    const values = randomFloats(ROWS * DIM, 11, 0.1);
    const ids = uniformIds(N, ROWS, 12);
    const base = new ek.Embedding(ROWS, DIM, { weight: values, requiresGrad: false });
    const tables = { float32: base };
    for (const dtype of ['float16', 'bfloat16', 'Q8_0', 'Q4_0']) tables[dtype] = base.to(dtype);
    tables.Q4_K = new ek.Embedding(ROWS, DIM, { dtype: 'Q4_K', weight: randomQ4K() });
    const idsR = new ek.ResidentArray(Int32Array, N);
    idsR.view.set(ids);
    const outR = new ek.ResidentArray(Float32Array, N * DIM);
    const refs = {}, rows = [], peers = [];
    for (const [dtype, emb] of Object.entries(tables)) {
      const stored = dtype === 'float32' ? values : emb.bytes.slice();
      const ref = new Float32Array(N * DIM);
      decoders[dtype](ref, stored, ids);
      refs[dtype] = ref;
      let e2e = null, js = null;
      rows.push(
        { name: `embedkit ${dtype}`, kind: 'embedkit', mode: 'resident', run() { emb.forward(idsR, outR); }, check: () => compare(outR.view, ref) },
        { name: `embedkit ${dtype}`, kind: 'embedkit', mode: 'e2e', run() { e2e = emb.forward(ids); }, check: () => compare(e2e, ref) },
      );
      peers.push({
        name: `plain JS ${dtype === 'float32' ? 'gather' : `decode ${dtype}`}`, kind: 'peer', mode: 'e2e',
        run() { js = new Float32Array(N * DIM); decoders[dtype](js, stored, ids); }, check: () => compare(js, ref),
      });
    }
    peers.push(...(await ortBlockRows('Q8_0', tables.Q8_0.bytes.slice(), ids, refs.Q8_0)));
    peers.push(...(await ortBlockRows('Q4_0', tables.Q4_0.bytes.slice(), ids, refs.Q4_0)));
    const targets = [];
    for (const mode of ['resident', 'e2e']) {
      for (const [dtype, max] of [['bfloat16', 0.8], ['Q8_0', 0.8], ['Q4_K', 1.0]]) {
        targets.push({ row: `embedkit ${dtype} (${mode})`, vs: `embedkit float32 (${mode})`, max });
      }
    }
    for (const dtype of Object.keys(tables)) targets.push({ row: `embedkit ${dtype} (e2e)`, vs: 'best peer', max: 1.0 });
    return {
      reference: refs.float32,
      rows: [...rows, ...peers],
      targets,
      teardown() { for (const t of Object.values(tables)) t.dispose(); idsR.dispose(); outR.dispose(); },
    };
  },
}];
