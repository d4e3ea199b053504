// In headless Chromium: the word2vec trainer runs in a module Web Worker in chunks, posts
// progress, stops and resumes on messages, and ends with the same vector bits as Node.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { init, Word2Vec } from '../src/js/index.js';
import { serve, launch, runPage } from './helpers/chromium.js';

await init();

// A small deterministic corpus: 4 topics, Zipf-ish words inside each, -1 between sentences.
const V = 120;
const ids = [];
let s = 99;
const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
while (ids.length < 20000) {
  const g = Math.floor(rnd() * 4);
  for (let i = 0, n = 4 + Math.floor(rnd() * 10); i < n; i++) ids.push(g + 4 * Math.floor(rnd() ** 2 * (V / 4)));
  ids.push(-1);
}
const counts = new Array(V).fill(0);
for (const w of ids) if (w >= 0) counts[w]++;
const OPTS = { dim: 24, epochs: 3, seed: 7, tableBits: 14, window: 4 };

const WORKER = `
  // The handler is installed before any await: messages that arrive while the module loads
  // would otherwise be dropped.
  const ready = import(OriginURL + '/src/js/index.js').then(async (m) => { await m.init(); return m; });
  let ek = null;
  let w2v = null;
  self.onmessage = async ({ data }) => {
    ek = await ready;
    if (data.type === 'start') {
      w2v = new ek.Word2Vec({ corpus: data.corpus, counts: data.counts, ...data.opts });
      run();
    } else if (data.type === 'stop') w2v.stop();
    else if (data.type === 'resume') run();
  };
  async function run() {
    const p = await w2v.train({ chunkWords: 2000, onProgress: (q) => self.postMessage({ type: 'progress', p: q }) });
    self.postMessage({ type: p.done ? 'done' : 'stopped', p, simd: ek.features.simd,
      weight: p.done ? Array.from(new Uint8Array(w2v.weight.slice().buffer)) : null });
  }
`;

const PAGE = (corpus, counts, opts) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>w2v worker</title>
<script type="module">
  const src = ${JSON.stringify(WORKER)}.replace('OriginURL', JSON.stringify(location.origin));
  const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
  const log = { progress: [], stopped: null };
  worker.onerror = (e) => { window.result = { error: String(e.message || e) }; };
  worker.onmessage = ({ data }) => {
    if (data.type === 'progress') {
      log.progress.push(data.p);
      if (log.progress.length === 3 && !log.stopped) worker.postMessage({ type: 'stop' });
    } else if (data.type === 'stopped') {
      log.stopped = data.p;
      worker.postMessage({ type: 'resume' });
    } else if (data.type === 'done') window.result = { ...log, final: data.p, simd: data.simd, weight: data.weight };
  };
  worker.postMessage({ type: 'start', corpus: new Int32Array(${JSON.stringify(corpus)}), counts: ${JSON.stringify(counts)}, opts: ${JSON.stringify(opts)} });
</script>`;

test('browser: word2vec in a module Web Worker, stop/resume, same bits as Node', { timeout: 120_000 }, async (t) => {
  const srv = await serve({ '/w2v.html': PAGE(ids, counts, OPTS) });
  const browser = await launch();
  t.after(async () => { await browser.close(); await srv.close(); });
  const { result: res, errors } = await runPage(browser, `${srv.url}/w2v.html`, { timeout: 90_000 });
  assert.equal(res.error, undefined, res.error);
  assert.deepEqual(errors, []);
  assert.equal(res.simd, true);
  assert.ok(res.stopped && !res.stopped.done && res.stopped.wordsDone >= 6000, 'stopped after the third chunk');
  assert.ok(res.progress.length > 5);
  for (let i = 1; i < res.progress.length; i++) assert.ok(res.progress[i].wordsDone > res.progress[i - 1].wordsDone);
  assert.equal(res.final.done, true);
  assert.ok(res.progress.at(-1).loss < res.progress[0].loss, 'loss fell');

  const node = new Word2Vec({ corpus: Int32Array.from(ids), counts, ...OPTS });
  while (!node.step(1e9).done);
  const hash = (b) => createHash('sha256').update(b).digest('hex');
  assert.equal(hash(Uint8Array.from(res.weight)), hash(new Uint8Array(node.weight.slice().buffer)), 'vector bits differ between the Chromium worker and Node');
  node.dispose();
});
