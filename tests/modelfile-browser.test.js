// In headless Chromium: model files chosen in an <input type="file"> load through the File
// (a Blob) by Blob.slice reads of the header and the one tensor only, and give the same tables
// as the Python packages read (fixtures of tests/fixtures/model-files); the GGUF table stays
// Q8_0 and its lookups decode as gguf-py does.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { serve, launch } from './helpers/chromium.js';

const dir = new URL('./fixtures/model-files/', import.meta.url).pathname;
const manifest = JSON.parse(await readFile(dir + 'manifest.json', 'utf8'));

/** sha256 of the float32 bytes a fixture's oracle holds for one tensor. */
async function expectedHash(m, name, bin) {
  const b = await readFile(dir + bin);
  const e = m.tensors[name];
  const n = (e.shape ?? e.ne).reduce((a, c) => a * c, 1);
  return createHash('sha256').update(b.subarray(e.f32Offset, e.f32Offset + n * 4)).digest('hex');
}

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>model files</title>
<input type="file" id="f" multiple>
<script type="module">
  import { init, openSafetensors, openGGUF } from '/src/js/index.js';
  await init();
  // Count what is read through Blob.slice, and catch whole-file reads.
  const slice = Blob.prototype.slice;
  let sliced = 0;
  Blob.prototype.slice = function (a, b) { sliced += b - a; return slice.call(this, a, b); };
  const whole = File.prototype.arrayBuffer;
  File.prototype.arrayBuffer = function () { throw new Error('whole-file read'); };
  const hex = async (f32) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)))]
    .map((x) => x.toString(16).padStart(2, '0')).join('');
  const input = document.getElementById('f');
  window.ready = true;
  input.addEventListener('change', async () => {
    try {
      const out = {};
      for (const file of input.files) {
        sliced = 0;
        const gguf = file.name.endsWith('.gguf');
        const model = gguf ? await openGGUF(file) : await openSafetensors(file);
        // GGUF: token_embd.weight stays Q8_0 (its stored type); lookups decode rows.
        const name = gguf ? 'token_embd.weight' : 'wte.weight';
        const emb = await model.loadEmbedding(name, { requiresGrad: false });
        const t = model.tensor(name);
        const all = emb.forward(Int32Array.from({ length: emb.numEmbeddings }, (_, i) => i));
        out[file.name] = { size: file.size, sliced, tensorBytes: t.byteLength, headerEnd: gguf ? model.dataOffset : model.headerBytes,
          rows: emb.numEmbeddings, dim: emb.dim, dtype: emb.dtype, hash: await hex(all),
          tokens: gguf ? model.tokens.length : null };
        emb.dispose();
      }
      window.result = out;
    } catch (e) {
      window.result = { error: String(e && e.stack || e) };
    }
  });
</script>`;

test('browser: a File from <input type=file> loads safetensors and GGUF tables reading only their bytes', { timeout: 120_000 }, async (t) => {
  const srv = await serve({ '/files.html': PAGE });
  const browser = await launch();
  t.after(async () => { await browser.close(); await srv.close(); });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${srv.url}/files.html`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
  await page.setInputFiles('#f', [dir + 'gpt2-tiny.safetensors', dir + 'tiny-llama.gguf']);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
  const res = await page.evaluate(() => window.result);
  assert.equal(res.error, undefined, res.error);
  assert.deepEqual(errors, []);

  const st = res['gpt2-tiny.safetensors'];
  const stm = manifest.safetensors.find((m) => m.file === 'gpt2-tiny.safetensors');
  assert.deepEqual([st.rows, st.dim], stm.tensors['wte.weight'].shape);
  assert.equal(st.dtype, 'float32');
  assert.equal(st.hash, await expectedHash(stm, 'wte.weight', 'gpt2-tiny.f32.bin'));
  assert.equal(st.sliced, st.headerEnd + st.tensorBytes, 'header + wte only');
  assert.ok(st.sliced < st.size);

  const gg = res['tiny-llama.gguf'];
  const ggm = manifest.gguf.find((m) => m.file === 'tiny-llama.gguf');
  assert.deepEqual([gg.dim, gg.rows], ggm.tensors['token_embd.weight'].ne);
  assert.equal(gg.dtype, 'Q8_0');
  assert.equal(gg.hash, await expectedHash(ggm, 'token_embd.weight', 'tiny-llama.f32.bin'), 'every row decoded as gguf-py does');
  assert.equal(gg.tokens, 300);
  // GGUF headers are read as a growing prefix (first 1 MiB, here the whole small file), then the tensor.
  assert.ok(gg.sliced <= Math.min(gg.size, 1 << 20) + gg.tensorBytes, `read ${gg.sliced} bytes`);
});
