// In headless Chromium, on a cross-origin isolated page (COOP/COEP, as web/serve.js sends): every
// parallel kernel of tests/helpers/parallel-cases.js on 3 threads, from the page's main thread
// (which may not block: the pool's caller spins) and from a module Web Worker with a pool of its
// own, gives the bits of the single-thread build in Node; the pool's workers did part of the work.
// Without the headers the page falls back to one thread and says why.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { ISOLATION } from '../web/serve.js';
import { serve, launch, runPage } from './helpers/chromium.js';
import { digest } from './helpers/parallel-cases.js';

// Reference: the single-thread build in a worker_thread of this process.
const single = await new Promise((resolve, reject) => {
  const w = new Worker(new URL('./helpers/threads-worker.js', import.meta.url), { workerData: { threads: 1, names: null } });
  w.once('message', resolve);
  w.once('error', reject);
});

const RUN = `
  const ek = await import(ORIGIN + '/src/js/index.js');
  const { threadChunkCounts } = await import(ORIGIN + '/src/js/threads.js');
  const { cases, digest } = await import(ORIGIN + '/tests/helpers/parallel-cases.js');
  await ek.init({ threads: 3 });
  threadChunkCounts();
  const digests = {};
  for (const [name, f] of Object.entries(cases)) digests[name] = digest(f(ek));
  const r = { isolated: globalThis.crossOriginIsolated, threads: ek.features.threads, reason: ek.features.threadsReason,
    digests, chunks: threadChunkCounts() };
`;
const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>threads</title>
<script type="module">
  const ORIGIN = location.origin;
  const src = ${JSON.stringify(`const ORIGIN = OriginURL;${RUN} self.postMessage(r);`)}.replace('OriginURL', JSON.stringify(ORIGIN));
  ${RUN}
  const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
  worker.onerror = (e) => { window.result = { error: String(e.message || e) }; };
  worker.onmessage = ({ data }) => { window.result = { main: r, worker: data }; };
</script>`;

test('browser: every parallel kernel on 3 threads, from the main thread and from a worker, has the single-thread bits', { timeout: 300_000 }, async (t) => {
  const srv = await serve({ '/threads.html': PAGE }, undefined, ISOLATION);
  const browser = await launch();
  t.after(async () => { await browser.close(); await srv.close(); });
  const { result, errors } = await runPage(browser, `${srv.url}/threads.html`, { timeout: 240_000 });
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(errors, []);
  const expected = Object.fromEntries(Object.entries(single.results).map(([k, v]) => [k, digest(v)]));
  for (const where of ['main', 'worker']) {
    const r = result[where];
    assert.equal(r.isolated, true, `${where}: crossOriginIsolated`);
    assert.equal(r.threads, 3, `${where}: ${r.reason}`);
    assert.deepEqual(r.digests, expected, `${where}: bits differ from the single-thread build`);
    assert.ok(r.chunks.slice(1).reduce((a, b) => a + b, 0) > 0, `${where}: the pool's workers ran no chunk (${r.chunks})`);
  }
});

test('browser: a page that is not cross-origin isolated runs on one thread and says why', { timeout: 120_000 }, async (t) => {
  const page = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
    const ek = await import(location.origin + '/src/js/index.js');
    await ek.init({ threads: 4 });
    const e = new ek.Embedding(10, 4, { seed: 1 });
    window.result = { threads: ek.features.threads, reason: ek.features.threadsReason, row: Array.from(e.forward([3])) };
  </script>`;
  const srv = await serve({ '/plain.html': page });
  const browser = await launch();
  t.after(async () => { await browser.close(); await srv.close(); });
  const { result, errors } = await runPage(browser, `${srv.url}/plain.html`);
  assert.deepEqual(errors, []);
  assert.equal(result.threads, 1);
  assert.match(result.reason, /cross-origin isolated/);
  assert.equal(result.row.length, 4);
});
