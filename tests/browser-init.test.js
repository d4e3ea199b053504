// In a real browser (headless Chromium): embedkit loads with no bundler from a plain module
// script, picks the SIMD build, and the same seed gives the same table bit for bit as in Node.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { init, Embedding } from '../src/js/index.js';
import { serve, launch, runPage } from './helpers/chromium.js';

await init();

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>embedkit init</title>
<script type="importmap">{"imports":{"embedkit":"/src/js/index.js"}}</script>
<script type="module">
  import { init, features, Embedding } from 'embedkit';
  try {
    await init();
    const e = new Embedding(1000, 64, { seed: 2024 });
    const w = e.weight.slice();
    const out = e.forward([999, 0, 17]);
    e.backward([3, 3], new Float32Array(128).fill(0.25));
    window.result = { simd: features.simd, bytes: Array.from(new Uint8Array(w.buffer)), row: Array.from(out), g: e.grad[3 * 64] };
  } catch (err) { window.result = { error: String(err && err.stack || err) }; }
</script>`;

test('browser: same seed, same table bits as Node; lookup and backward run', { timeout: 120_000 }, async (t) => {
  const srv = await serve({ '/init.html': PAGE });
  const browser = await launch();
  t.after(async () => { await browser.close(); await srv.close(); });
  const { result: res, errors } = await runPage(browser, `${srv.url}/init.html`, { timeout: 60_000 });
  assert.equal(res.error, undefined, res.error);
  assert.deepEqual(errors, []);
  assert.equal(res.simd, true);
  const node = new Embedding(1000, 64, { seed: 2024 });
  const hash = (b) => createHash('sha256').update(b).digest('hex');
  assert.equal(hash(Uint8Array.from(res.bytes)), hash(new Uint8Array(node.weight.slice().buffer)), 'table bits differ between Chromium and Node');
  assert.deepEqual(res.row, Array.from(node.forward([999, 0, 17])));
  assert.equal(res.g, 0.5);
  node.dispose();
});
