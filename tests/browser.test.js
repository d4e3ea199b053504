// browser.test.js — the tutorial in web/, driven in headless Chromium (Debian's /usr/bin/chromium
// through playwright-core, launched by helpers/chromium.js; never `npx playwright install`).
// Starts web/serve.js (the server `npm start` runs) on a free port,
// loads the page at desktop and phone widths, and checks that:
//   - every section mounts, with no console error, no page error, no failed or 4xx/5xx request,
//     and no request to any host but the local server;
//   - the tokenizer in the page gives gpt-tokenizer's r50k_base ids (run here in Node), and the
//     vectors on screen equal Embedding.forward for those ids with the same seed (run here);
//   - the backward section's SGD step changes exactly the rows of the ids in the batch, by
//     lr * grad (dense weight decay: every row);
//   - the speed button runs and both sides agree;
//   - the sinusoidal sliders redraw the heatmap with sinusoidal()'s values;
//   - RoPE: the lion/deeply dot products match Node's and stay equal under shifting;
//   - the offset picture equals InputEmbedding.forward (learned and sinusoidal);
//   - a short word2vec run in the Web Worker lowers the loss and changes the neighbours;
// and writes a screenshot of each section at both widths to tests/out/screenshots/ (ignored by git),
// when loaded and after the interaction of its test (at desktop width, then the same page at phone
// width, which must not overflow sideways: shots()).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { launch } from './helpers/chromium.js';
import r50k, { encode } from 'gpt-tokenizer/encoding/r50k_base';
import { init, Embedding, InputEmbedding, Rope, sinusoidal, loadVectors, Vocab, Cooccurrence, GloVe, Neighbors, Word2Vec } from '../src/js/index.js';
import { start } from '../web/serve.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SHOTS = join(ROOT, 'tests', 'out', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SECTIONS = ['lookup', 'space', 'learn', 'glove', 'backprop', 'model', 'offset', 'sinusoidal', 'rope', 'speed', 'precision'];

let server, browser, origin;

before(async () => {
  await init();
  server = await start({ port: 0, host: '127.0.0.1', quiet: true });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
});

/** Open the page with problem tracking; returns { page, problems }. */
async function open(viewport, query = '') {
  const page = await browser.newPage({ viewport });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.origin !== origin) problems.push(`request to another host: ${r.url()}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(`${origin}/web/${query}`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  return { page, problems };
}

const desktop = { width: 1200, height: 900 };
const phone = { width: 390, height: 844 };

/**
 * Screenshots of a section after interaction, at desktop width and then, on the same page with
 * its state kept, at phone width (the section redraws for the new width); the page must not be
 * wider than the phone's viewport then. Files: <name>-desktop-<tag>.png, <name>-phone-<tag>.png.
 */
async function shots(page, name, tag) {
  const size = page.viewportSize();
  const settle = () => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(ok, 50)))));
  await page.locator(`section#${name}`).screenshot({ path: join(SHOTS, `${name}-desktop-${tag}.png`) });
  await page.setViewportSize(phone);
  await settle();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name} (${tag}) at phone width: the page is ${overflow}px wider than the viewport`);
  await page.locator(`section#${name}`).screenshot({ path: join(SHOTS, `${name}-phone-${tag}.png`) });
  await page.setViewportSize(size);
  await settle();
}

test('web: chromium is available', () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
});

test('web: every section loads without errors, offline, and screenshots are written', async () => {
  for (const [label, viewport] of [['desktop', desktop], ['phone', phone]]) {
    const { page, problems } = await open(viewport);
    for (const name of SECTIONS) {
      const state = await page.getAttribute(`section#${name}`, 'data-mounted');
      assert.equal(state, 'true', `section ${name} (${label}) did not mount`);
    }
    // No horizontal overflow at this width.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${label}: page is ${overflow}px wider than the viewport`);
    await page.waitForTimeout(200);
    for (const name of SECTIONS) {
      await page.locator(`section#${name}`).screenshot({ path: join(SHOTS, `${name}-${label}.png`) });
    }
    assert.deepEqual(problems, [], `${label}: ${problems.join('\n')}`);
    await page.close();
  }
});

test('web: typed text shows the tokenizer\'s ids and Embedding.forward rows', async () => {
  const { page, problems } = await open(desktop);
  const text = 'Embeddings turn ids into vectors, even for naïve émigrés 🐋!';
  await page.fill('#lookup-text', text);
  const ids = await page.$$eval('#lookup-chips [data-id]', (els) => els.map((e) => Number(e.dataset.id)));
  const shownIds = await page.$$eval('#lookup-chips .id', (els) => els.map((e) => Number(e.textContent)));
  const expected = encode(text);
  assert.deepEqual(ids, expected);
  assert.deepEqual(shownIds, expected);
  const { vectors, dim } = await page.$eval('#lookup-heat', (c) => ({ vectors: JSON.parse(c.dataset.vectors), dim: Number(c.dataset.dim) }));
  const emb = new Embedding(50257, dim, { seed: 0 });
  const want = emb.forward(expected);
  emb.dispose();
  assert.equal(vectors.length, want.length);
  for (let i = 0; i < want.length; i++) assert.equal(Math.fround(vectors[i]), want[i], `vector entry ${i}`);
  // Changing D re-creates the table and the rows follow.
  await page.locator('#lookup-dim').fill('4');   // index 4 -> D = 64
  const d2 = await page.$eval('#lookup-heat', (c) => ({ vectors: JSON.parse(c.dataset.vectors), dim: Number(c.dataset.dim) }));
  assert.equal(d2.dim, 64);
  const emb64 = new Embedding(50257, 64, { seed: 0 });
  assert.deepEqual(d2.vectors.map(Math.fround), Array.from(emb64.forward(expected)));
  emb64.dispose();
  // Keyboard: Tab from the text box reaches the D slider, and arrow keys move it.
  await page.focus('#lookup-text');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'lookup-dim');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.$eval('#lookup-heat', (c) => Number(c.dataset.dim)), 32);
  // A typed special-token string is read as plain text, not an error.
  await page.fill('#lookup-text', 'end<|endoftext|>');
  const special = await page.$$eval('#lookup-chips [data-id]', (els) => els.map((e) => Number(e.dataset.id)));
  assert.deepEqual(special, encode('end<|endoftext|>', { disallowedSpecial: new Set() }));
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: one-hot x table equals the lookup; byte pieces credit characters; long input is cut at 64', async () => {
  const { page, problems } = await open(desktop);
  const text = 'naïve émigrés 🐋 and the whale';
  await page.fill('#lookup-text', text);
  const ids = encode(text);
  // Each token shows the characters whose last UTF-8 byte it holds. Reference: Node's TextDecoder
  // over the token bytes up to each token (complete characters only), differenced.
  const bytes = ids.map((id) => {
    const t = r50k.bytePairEncodingCoreProcessor.tryDecodeToken(id);
    return typeof t === 'string' ? new TextEncoder().encode(t) : t;
  });
  const complete = (k) => {
    const b = Buffer.concat(bytes.slice(0, k).map((x) => Buffer.from(x)));
    return new TextDecoder().decode(b, { stream: true });
  };
  const credited = ids.map((_, k) => complete(k + 1).slice(complete(k).length));
  const shown = await page.$$eval('#lookup-chips [data-id]', (els) => els.map((e) => e.dataset.text.replace(/‹[^›]*›/g, '')));
  assert.deepEqual(shown, credited);
  assert.ok(credited.some((c) => c === '') && credited.join('') === text, 'the whale emoji is split over tokens');
  const byteNote = await page.textContent('#lookup-space');
  assert.match(byteNote, /F0 9F/, 'the split bytes of the whale are listed');
  // The one-hot product of every token equals Embedding.forward of its id, bit for bit.
  const dim = Number(await page.$eval('#lookup-heat', (c) => c.dataset.dim));
  const emb = new Embedding(50257, dim, { seed: 0 });
  for (const k of [0, ids.length - 1]) {
    await page.selectOption('#onehot-token', String(k));
    const got = await page.$eval('#onehot-product', (e) => ({ id: Number(e.dataset.id), product: JSON.parse(e.dataset.product), diff: Number(e.dataset.maxDiff) }));
    assert.equal(got.id, ids[k]);
    assert.deepEqual(got.product.map(Math.fround), Array.from(emb.forward([ids[k]])));
    assert.equal(got.diff, 0);
  }
  emb.dispose();
  const cost = await page.textContent('#onehot-cost');
  assert.ok(cost.includes((50257 * dim).toLocaleString('en-US')), cost);
  // More than 64 tokens: the page says so and shows 64.
  assert.equal(await page.isVisible('#lookup-cut'), false);
  const long = 'the whale '.repeat(40);
  await page.fill('#lookup-text', long);
  assert.equal(await page.$$eval('#lookup-chips [data-id]', (els) => els.length), 64);
  assert.match(await page.textContent('#lookup-cut'), new RegExp(`${encode(long).length} tokens long`));
  await shots(page, 'lookup', 'cut');
  assert.deepEqual(problems, []);
  await page.close();
});

/** Float64 reference of the backprop section's objective: y = W x + b per position, loss = mean ½|y − t|². */
function backpropRef(ids) {
  const D = 6, O = 3, n = ids.length;
  const head = new Embedding(4, D, { seed: 7, std: 0.6 });
  const W = Array.from(head.weight.subarray(0, O * D)), b = Array.from(head.weight.subarray(O * D, O * D + O));
  head.dispose();
  const tt = new Embedding(16, O, { seed: 42 });
  const t = Array.from(tt.forward(ids.map((_, i) => i)));
  tt.dispose();
  const e0 = new Embedding(50257, D, { seed: 1 });
  const rows = new Map([...new Set(ids)].map((id) => [id, Array.from(e0.weight.subarray(id * D, id * D + D))]));
  e0.dispose();
  const lossAndGrad = () => {
    let loss = 0;
    const g = new Map([...rows.keys()].map((id) => [id, new Float64Array(D)]));
    ids.forEach((id, i) => {
      const x = rows.get(id);
      for (let o = 0; o < O; o++) {
        let y = b[o];
        for (let c = 0; c < D; c++) y += W[o * D + c] * x[c];
        const err = y - t[i * O + o];
        loss += (0.5 * err * err) / n;
        for (let c = 0; c < D; c++) g.get(id)[c] += (W[o * D + c] * err) / n;
      }
    });
    return { loss, g };
  };
  return {
    rows,
    lossAndGrad,
    step(lr) { const { g } = lossAndGrad(); for (const [id, r] of rows) for (let c = 0; c < D; c++) r[c] -= lr * g.get(id)[c]; },
  };
}

test('web: SGD steps on the tiny objective move exactly the batch rows, lower the loss, and diverge past the rate limit', async () => {
  const { page, problems } = await open(desktop);
  const text = 'a rose is a rose is a rose';
  await page.fill('#backprop-text', text);
  const ids = encode(text);
  const ref = backpropRef(ids);
  assert.ok(Math.abs(Number(await page.getAttribute('#backprop-loss', 'data-value')) - ref.lossAndGrad().loss) < 1e-6, 'initial loss');
  await page.click('#backprop-step');
  const changed = JSON.parse(await page.getAttribute('#backprop-result [data-changed]', 'data-changed'));
  const want = [...new Set(ids)].sort((a, b) => a - b);
  assert.deepEqual(changed, want);
  // The moved rows equal E - lr * (sum over positions of Wᵀ(y − t)/n), worked out here in float64.
  const rows = JSON.parse(await page.getAttribute('#backprop-result [data-changed]', 'data-rows'));
  const lr = Number(await page.inputValue('#backprop-lr'));
  ref.step(lr);
  want.forEach((id, k) => {
    for (let c = 0; c < 6; c++) assert.ok(Math.abs(rows[k][c] - ref.rows.get(id)[c]) < 1e-6, `row ${id}[${c}]: ${rows[k][c]} vs ${ref.rows.get(id)[c]}`);
  });
  // Ten more steps: the page's loss curve follows the float64 run and falls.
  await page.click('#backprop-step10');
  for (let k = 0; k < 10; k++) ref.step(lr);
  const losses = JSON.parse(await page.getAttribute('#backprop-loss-chart', 'data-losses'));
  assert.equal(losses.length, 12);
  for (let k = 1; k < losses.length; k++) assert.ok(losses[k] < losses[k - 1], `loss rose at step ${k}: ${losses}`);
  const refLoss = ref.lossAndGrad().loss;
  assert.ok(Math.abs(losses[11] - refLoss) < 1e-5 * Math.max(1, refLoss), `after 11 steps: page ${losses[11]}, float64 ${refLoss}`);
  // The limit shown: just below it the loss falls every step, just above it grows.
  const limit = Number(await page.getAttribute('#backprop-limit', 'data-limit'));
  for (const [f, falls] of [[0.9, true], [1.15, false]]) {
    await page.click('#backprop-reset');
    const rate = Math.round(f * limit / 0.05) * 0.05;
    await page.locator('#backprop-lr').fill(String(rate));
    assert.equal(await page.getAttribute('#backprop-lr', 'aria-valuetext'), rate.toFixed(2));
    await page.click('#backprop-step10');
    await page.click('#backprop-step10');
    const l = JSON.parse(await page.getAttribute('#backprop-loss-chart', 'data-losses'));
    if (falls) assert.ok(l[l.length - 1] < l[0], `lr ${rate} < limit ${limit}: ${l[0]} -> ${l[l.length - 1]}`);
    else assert.ok(l[l.length - 1] > l[0], `lr ${rate} > limit ${limit}: ${l[0]} -> ${l[l.length - 1]}`);
  }
  await shots(page, 'backprop', 'diverged');
  // Dense weight decay rewrites every row; lazy only the batch's.
  await page.click('#backprop-reset');
  await page.locator('#backprop-lr').fill('0.5');
  await page.selectOption('#backprop-opt', 'wd-dense');
  await page.click('#backprop-step');
  assert.equal(await page.getAttribute('#backprop-result [data-changed-count]', 'data-changed-count'), '50257');
  await page.selectOption('#backprop-opt', 'wd-lazy');
  await page.click('#backprop-step');
  assert.equal(await page.getAttribute('#backprop-result [data-changed-count]', 'data-changed-count'), String(want.length));
  const maxDiff = Number(await page.getAttribute('#backprop-sums', 'data-max-diff'));
  assert.ok(maxDiff < 1e-6, `duplicate sums differ by ${maxDiff}`);
  // Phones keep the row ids: the flow picture at phone width still prints them (checked by pixels
  // in the id column being non-white).
  await page.setViewportSize(phone);
  await page.waitForTimeout(300);
  const inked = await page.$eval('#backprop-flow', (c) => {
    const ctx = c.getContext('2d');
    const w = c.width, h = c.height;
    const img = ctx.getImageData(Math.round(w * 0.88), 0, Math.round(w * 0.12), Math.round(h * 0.8)).data;
    let dark = 0;
    for (let i = 0; i < img.length; i += 4) if (img[i + 3] > 0 && img[i] < 100) dark++;
    return dark;
  });
  assert.ok(inked > 20, 'row ids drawn at phone width');
  await page.locator('section#backprop').screenshot({ path: join(SHOTS, 'backprop-phone-stepped.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: the speed button runs every workload and both sides agree', async () => {
  const { page, problems } = await open(desktop);
  await page.click('#speed-run');
  await page.waitForFunction(() => !document.querySelector('#speed-run').disabled &&
    document.querySelectorAll('#speed-results [data-workload]').length > 0, null, { timeout: 60000 });
  const notes = await page.$$eval('#speed-results [data-workload] .note', (els) => els.map((e) => e.textContent));
  assert.ok(notes.length >= 2, 'at least lookup and backward ran');
  for (const n of notes) {
    const m = /largest difference between the two results: ([^\s]+)/.exec(n);
    assert.ok(m && Number(m[1]) < 1e-4, n);
  }
  await shots(page, 'speed', 'results');
  // the other appendix: its numbers opened as a table
  await page.click('#precision-data summary');
  await shots(page, 'precision', 'table');
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: moving the sinusoidal sliders redraws the heatmap with sinusoidal()\'s values', async () => {
  const { page, problems } = await open(desktop);
  const snap = () => page.$eval('#sin-heat', (c) => ({ png: c.toDataURL(), dim: Number(c.dataset.dim), row5: JSON.parse(c.dataset.row5) }));
  const a = await snap();
  await page.locator('#sin-dim').fill('32');
  const b = await snap();
  assert.equal(b.dim, 32);
  assert.notEqual(b.png, a.png, 'heatmap pixels changed with dim');
  assert.deepEqual(b.row5.map(Math.fround), Array.from(sinusoidal(96, 32).subarray(5 * 32, 6 * 32)));
  await page.locator('#sin-base').fill('2');          // base 10^2
  const c = await snap();
  assert.notEqual(c.png, b.png, 'heatmap pixels changed with base');
  assert.deepEqual(c.row5.map(Math.fround), Array.from(sinusoidal(96, 32, { base: 100 }).subarray(5 * 32, 6 * 32)));
  await page.selectOption('#sin-layout', 'concat');
  const d = await snap();
  assert.notEqual(d.png, c.png, 'heatmap pixels changed with layout');
  await page.selectOption('#sin-freqs', 'tensor2tensor');
  const e = await snap();
  assert.deepEqual(e.row5.map(Math.fround),
    Array.from(sinusoidal(96, 32, { base: 100, layout: 'concat', frequencies: 'tensor2tensor' }).subarray(5 * 32, 6 * 32)));
  const spread = Number(await page.getAttribute('#sin-dots', 'data-spread'));
  assert.ok(spread < 1e-5, `dot products vary along a diagonal by ${spread}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: RoPE dot products of lion and deeply match across the shifted sentences', async () => {
  const { page, problems } = await open(desktop);
  // Node: the same vectors, rotated by the same kernels, for both sentences and a shift.
  const sentences = ['The lion slept deeply.', 'After a long day, the lion slept deeply.'];
  const distinct = [...new Set(sentences.flatMap((t) => encode(t)))];   // one seeded row per distinct token
  const tok = new Embedding(distinct.length, 64, { seed: 0 });
  const rope = new Rope({ headDim: 64, maxPositions: 188 });
  const pairDot = (text, offset) => {
    const ids = encode(text);
    const l = ids.findIndex((id) => id === encode(' lion')[0]);
    const d = ids.findIndex((id) => id === encode(' deeply')[0]);
    const y = rope.forward(tok.forward(ids.map((id) => distinct.indexOf(id))), [1, ids.length, 1, 64], { offset });
    let s = 0;
    for (let c = 0; c < 64; c++) s += y[l * 64 + c] * y[d * 64 + c];
    return s;
  };
  const want = pairDot('The lion slept deeply.', 0);
  for (const shift of [0, 25]) {
    await page.locator('#rope-shift').fill(String(shift));
    const a = Number(await page.getAttribute('#rope-table', 'data-rope-a'));
    const b = Number(await page.getAttribute('#rope-table', 'data-rope-b'));
    assert.ok(Math.abs(a - want) <= 1e-9 * Math.max(1, Math.abs(want)), `sentence 1: page ${a}, node ${want}`);
    const wantB = pairDot('After a long day, the lion slept deeply.', shift);
    assert.ok(Math.abs(b - wantB) <= 1e-9 * Math.max(1, Math.abs(wantB)), `sentence 2: page ${b}, node ${wantB}`);
    assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a)), `shift ${shift}: ${a} vs ${b}`);
    const d0 = Number(await page.getAttribute('#rope-read-0', 'data-dot'));
    const d1 = Number(await page.getAttribute('#rope-read-1', 'data-dot'));
    assert.ok(Math.abs(d0 - d1) <= 1e-5, `2-D picture, shift ${shift}: ${d0} vs ${d1}`);
  }
  tok.dispose();
  rope.dispose();
  const cells = await page.$$eval('#rope-precision .mono', (els) => els.map((e) => e.textContent));
  assert.equal(cells.length, 8, 'four position ranges, each with a label and the two errors');
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: the offset picture shows InputEmbedding.forward (learned and sinusoidal)', async () => {
  const { page, problems } = await open(desktop);
  const text = 'one fish two fish red fish';
  await page.fill('#offset-text', text);
  const ids = encode(text);
  for (const mode of ['learned', 'sinusoidal']) {
    await page.check(`input[name=offset-mode][value=${mode}]`);
    const shown = JSON.parse(await page.getAttribute('#offset-plane', 'data-sum'));
    const layer = new InputEmbedding({ vocabSize: 50257, maxPositions: 16, dim: 2, position: mode, seed: 16 });
    assert.deepEqual(shown.map(Math.fround), Array.from(layer.forward(ids, [1, ids.length])), mode);
    layer.dispose();
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: a short word2vec run in the worker lowers the loss and updates the map', async () => {
  const { page, problems } = await open(desktop);
  await page.waitForFunction(() => !document.querySelector('#learn-start').disabled, null, { timeout: 30000 });
  const before = await page.$$eval('#space-neighbours [data-id]', (els) => els.map((e) => Number(e.dataset.id)));
  assert.ok(before.length > 0, 'neighbours listed before training');
  await page.click('#learn-start');
  // Let it read about a third of the book's passes, then pause.
  await page.waitForFunction(() => {
    const l = JSON.parse(document.querySelector('#learn-loss').dataset.losses || '[]');
    return l.length >= 60;
  }, null, { timeout: 60000 });
  await page.click('#learn-start');               // pause
  await page.waitForFunction(() => /Paused|Done/.test(document.querySelector('#learn-status').textContent), null, { timeout: 10000 });
  const losses = JSON.parse(await page.getAttribute('#learn-loss', 'data-losses'));
  const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
  const first = mean(losses.slice(0, 5)), last = mean(losses.slice(-5));
  assert.ok(last < first * 0.9, `loss went from ${first} to ${last}`);
  const wps = Number((await page.textContent('#learn-wps')).replace(/[^0-9]/g, ''));
  assert.ok(wps > 0, 'words per second shown');
  // serve.js sends COOP/COEP: the page is cross-origin isolated and the worker trains on the
  // pool's threads, which did part of the work.
  assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true, 'the tutorial page is cross-origin isolated');
  const threads = Number(await page.getAttribute('#learn-threads', 'data-threads'));
  const workerChunks = Number(await page.getAttribute('#learn-threads', 'data-worker-chunks'));
  assert.ok(threads > 1, `word2vec trained on ${threads} thread(s)`);
  assert.ok(workerChunks > 0, 'the pool\'s other threads did part of the training');
  await page.waitForFunction(() => !/random/.test(document.querySelector('#space-state').textContent), null, { timeout: 10000 });
  const after = await page.$$eval('#space-neighbours [data-id]', (els) => els.map((e) => Number(e.dataset.id)));
  assert.notDeepEqual(after, before, 'the neighbours of the searched word changed');
  // Resume to the end: the button must not keep saying "Pause".
  await page.click('#learn-start');
  await page.waitForFunction(() => document.querySelector('#learn-loss').dataset.done === 'true', null, { timeout: 120000 });
  await page.waitForFunction(() => document.querySelector('#learn-start').textContent === 'Training finished' &&
    document.querySelector('#learn-start').disabled, null, { timeout: 10000 });
  await shots(page, 'learn', 'trained');
  await shots(page, 'space', 'trained');
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: a model file chosen locally shows its real token rows and neighbours (safetensors and GGUF)', async () => {
  const { page, problems } = await open(desktop);
  const dir = join(ROOT, 'tests', 'fixtures', 'model-files');
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  const cases = [
    ['gpt2-tiny.safetensors', 'wte.weight', manifest.safetensors.find((f) => f.file === 'gpt2-tiny.safetensors').tensors['wte.weight'], [512, 64]],
    ['tiny-llama.gguf', 'token_embd.weight', manifest.gguf.find((f) => f.file === 'tiny-llama.gguf').tensors['token_embd.weight'], [300, 256]],
  ];
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const uploads = [];
  page.on('request', (r) => { if (r.method() !== 'GET' || r.postData()) uploads.push(`${r.method()} ${r.url()}`); });
  // Let the page finish its own loading (workers read the book, the explorer its vectors) first.
  await page.waitForSelector('#glove[data-ready=true]', { timeout: 60000 });
  await page.waitForFunction(() => !document.querySelector('#learn-start').disabled, null, { timeout: 60000 });
  await page.waitForLoadState('networkidle');
  for (const [file, name, info, [rows, dim]] of cases) {
    // Reference: the float32 values the fixture generator (Python's safetensors / gguf) wrote beside the file.
    const bin = await readFile(join(dir, file.replace(/\.(safetensors|gguf)$/, '.f32.bin')));
    const ref = new Float32Array(bin.buffer.slice(bin.byteOffset + info.f32Offset, bin.byteOffset + info.f32Offset + rows * dim * 4));
    // (The workers' thread pools start their own workers at any time: not the file's doing.)
    const fetched = () => requests.filter((u) => !u.endsWith('/src/js/pool-worker.js')).length;
    const before = fetched();
    await page.setInputFiles('#model-file', join(dir, file));
    await page.waitForFunction((n) => document.querySelector('#model').dataset.loaded === n, name, { timeout: 20000 });
    assert.equal(fetched(), before, 'loading a local file makes no request');
    await page.fill('#model-text', '3, 17, 255');
    const shown = await page.$eval('#model-heat', (c) => ({ ids: JSON.parse(c.dataset.ids), rows: JSON.parse(c.dataset.rows) }));
    assert.deepEqual(shown.ids, [3, 17, 255]);
    shown.ids.forEach((id, i) => assert.deepEqual(shown.rows.slice(i * dim, i * dim + dim).map(Math.fround), Array.from(ref.subarray(id * dim, id * dim + dim)), `${file} row ${id}`));
    // Neighbours: float64 cosine over the reference table.
    const norm = (r) => Math.hypot(...ref.subarray(r * dim, r * dim + dim));
    const cos = (a, b) => { let s = 0; for (let c = 0; c < dim; c++) s += ref[a * dim + c] * ref[b * dim + c]; return s / (norm(a) * norm(b)); };
    const near = JSON.parse(await page.getAttribute('#model-neighbours [data-id="17"]', 'data-near'));
    const want = Array.from({ length: rows }, (_, r) => r).filter((r) => r !== 17).map((r) => [r, cos(17, r)]).sort((a, b) => b[1] - a[1]).slice(0, 5);
    assert.deepEqual(near.map((n) => n[0]), want.map((n) => n[0]), file);
    near.forEach((n, k) => assert.ok(Math.abs(n[1] - want[k][1]) < 1e-5, `${file}: score ${n[1]} vs ${want[k][1]}`));
    assert.match(await page.textContent('#model-facts'), new RegExp(`${rows} × ${dim}`));
  }
  assert.deepEqual(uploads, [], 'nothing is sent anywhere');
  await shots(page, 'model', 'loaded');
  assert.deepEqual(problems, []);
  await page.close();
});

/** Float64 cosine neighbours over a saved table: the reference for Neighbors in the page. */
function cosineRef({ words, weight, dim }) {
  const n = words.length;
  const unit = new Float64Array(n * dim);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let c = 0; c < dim; c++) s += weight[r * dim + c] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < dim; c++) unit[r * dim + c] = weight[r * dim + c] * inv;
  }
  const rank = (v, exclude, k) => {
    const sc = [];
    for (let r = 0; r < n; r++) {
      if (exclude.includes(r)) continue;
      let s = 0;
      for (let c = 0; c < dim; c++) s += unit[r * dim + c] * v[c];
      sc.push([r, s]);
    }
    return sc.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
  };
  const row = (r) => unit.subarray(r * dim, r * dim + dim);
  return {
    nearest: (r, k) => rank(row(r), [r], k),
    analogy: (a, b, c, k) => {
      const v = new Float64Array(dim);
      for (let j = 0; j < dim; j++) v[j] = row(a)[j] - row(b)[j] + row(c)[j];
      const m = Math.hypot(...v);
      return rank(v.map((x) => x / m), [a, b, c], k);
    },
  };
}

test('web: the explorer opens on prebuilt vectors: neighbours, frequency, analogy, hover/tap, zoom by slider, wheel and pinch around the pointer, rare words', async () => {
  const { page, problems } = await open(desktop);
  await page.waitForSelector('#space[data-source=prebuilt] #space-neighbours [data-id]', { timeout: 30000 });
  const saved = loadVectors(await readFile(join(ROOT, 'web', 'lib', 'moby-skipgram.ekv')));
  const ref = cosineRef(saved);
  const idx = new Map(saved.words.map((w, i) => [w, i]));
  const shownNear = async () => page.$$eval('#space-neighbours [data-id]', (els) => els.map((e) => [Number(e.dataset.id), Number(e.dataset.score)]));
  const check = (got, want, what) => {
    assert.deepEqual(got.map((x) => x[0]), want.map((x) => x[0]), what);
    got.forEach((x, k) => assert.ok(Math.abs(x[1] - want[k][1]) < 1e-5, `${what}: ${x[1]} vs ${want[k][1]}`));
  };
  check(await shownNear(), ref.nearest(idx.get('whale'), 10), 'neighbours of whale');
  // frequency beside each neighbour and in the note
  const firstNote = await page.textContent('#space-neighbours li .note');
  const firstId = (await shownNear())[0][0];
  assert.ok(firstNote.includes(`${saved.counts[firstId].toLocaleString('en-US')}×`), firstNote);
  assert.match(await page.textContent('#space-note'), new RegExp(`used ${saved.counts[idx.get('whale')].toLocaleString('en-US')} times`));
  // analogy box = unit(a) - unit(b) + unit(c), nearest by cosine, a b c left out
  for (const [a, b, c] of [['he', 'his', 'her'], ['ship', 'ships', 'boats']]) {
    await page.fill('#space-a', a); await page.fill('#space-b', b); await page.fill('#space-c', c);
    const got = await page.$$eval('#space-analogy [data-id]', (els) => els.map((e) => [Number(e.dataset.id), Number(e.dataset.score)]));
    check(got, ref.analogy(idx.get(a), idx.get(b), idx.get(c), 5), `${a} - ${b} + ${c}`);
  }
  await page.fill('#space-c', 'notaword');
  assert.match(await page.textContent('#space-analogy-note'), /Not in the vocabulary: “notaword”/);
  // hover shows the word and its count; a tap makes a neighbour the query
  const [[qid, qx, qy], [nid, nx, ny]] = JSON.parse(await page.getAttribute('#space-map', 'data-points'));
  const box = await page.locator('#space-map').boundingBox();
  await page.mouse.move(box.x + qx, box.y + qy);
  assert.equal(await page.textContent('#space-tip'), `whale · used ${saved.counts[qid].toLocaleString('en-US')} times`);
  await page.mouse.click(box.x + nx, box.y + ny);
  assert.equal(await page.inputValue('#space-search'), saved.words[nid]);
  check(await shownNear(), ref.nearest(nid, 10), `neighbours of ${saved.words[nid]}`);
  // zoom redraws around the query
  const png0 = await page.$eval('#space-map', (c) => c.toDataURL());
  await page.locator('#space-zoom').fill('2');
  assert.equal(await page.getAttribute('#space-map', 'data-zoom'), '4');
  assert.notEqual(await page.$eval('#space-map', (c) => c.toDataURL()), png0);
  assert.equal(await page.getAttribute('#space-zoom', 'aria-valuetext'), '4.0×');
  // the mouse wheel zooms around the pointer: one notch is one slider step, the slider follows,
  // the point under the pointer stays put, every labelled dot moves away from it by the zoom ratio
  // and the axis ticks span 1/ratio as much
  const view0 = JSON.parse(await page.getAttribute('#space-map', 'data-view'));
  const [[, qx2, qy2]] = JSON.parse(await page.getAttribute('#space-map', 'data-points'));
  const box2 = await page.locator('#space-map').boundingBox();
  // a whole pixel in the page (mouse events carry integer client coordinates)
  const [px, py] = [Math.round(box2.x + qx2 + 23) - box2.x, Math.round(box2.y + qy2 - 17) - box2.y];
  await page.mouse.move(box2.x + px, box2.y + py);
  await page.mouse.wheel(0, -100);
  await page.waitForFunction(() => document.querySelector('#space-zoom').value === '2.25', null, { timeout: 5000 });
  const view1 = JSON.parse(await page.getAttribute('#space-map', 'data-view'));
  const ratio = 2 ** 2.25 / 4;
  assert.equal(Number(await page.getAttribute('#space-map', 'data-zoom')), 2 ** 2.25);
  assert.equal(await page.getAttribute('#space-zoom', 'aria-valuetext'), '4.8×');
  const before = new Map(view0.labels.map(([w, x, y]) => [w, [x, y]]));
  const both = view1.labels.filter(([w]) => before.has(w));
  assert.ok(both.length >= 1, `no word labelled at both zooms: ${JSON.stringify([view0.labels, view1.labels])}`);
  for (const [w, x, y] of both) {
    const [x0, y0] = before.get(w);
    assert.ok(Math.abs(x - (px + (x0 - px) * ratio)) < 0.01 && Math.abs(y - (py + (y0 - py) * ratio)) < 0.01,
      `label ${w}: (${x0}, ${y0}) -> (${x}, ${y}), zoom ${ratio}x around (${px}, ${py})`);
  }
  for (const axis of ['x', 'y']) {
    const span = (v) => Number(v.ticks[axis].at(-1)) - Number(v.ticks[axis][0]);
    assert.ok(Math.abs(span(view1) - span(view0) / ratio) <= 0.011, `${axis} ticks ${view0.ticks[axis]} -> ${view1.ticks[axis]}`);
  }
  // the slider, by keyboard, zooms back around the same centre; a notch the other way as well
  await page.focus('#space-zoom');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getAttribute('#space-map', 'data-zoom'), '4');
  await page.keyboard.press('ArrowRight');
  await page.mouse.wheel(0, 100);
  await page.waitForFunction(() => document.querySelector('#space-zoom').value === '2', null, { timeout: 5000 });
  const view2 = JSON.parse(await page.getAttribute('#space-map', 'data-view'));
  for (const [w, x, y] of view2.labels.filter(([w]) => before.has(w))) {
    assert.ok(Math.abs(x - before.get(w)[0]) < 0.01 && Math.abs(y - before.get(w)[1]) < 0.01, `label ${w} back in place`);
  }
  // two fingers spread to twice their distance: one doubling more (slider + 1), around their midpoint
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 2 });
  const touch = (dx) => [0, 1].map((id) => ({ x: Math.round(box2.x + px) + (id ? dx : -dx), y: Math.round(box2.y + py), id }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: touch(20) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: touch(30) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: touch(40) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await page.waitForFunction(() => document.querySelector('#space-zoom').value === '3', null, { timeout: 5000 });
  const view3 = JSON.parse(await page.getAttribute('#space-map', 'data-view'));
  for (const [w, x, y] of view3.labels.filter(([w]) => before.has(w))) {
    const [x0, y0] = before.get(w);
    assert.ok(Math.abs(x - (px + (x0 - px) * 2)) < 0.01 && Math.abs(y - (py + (y0 - py) * 2)) < 0.01, `pinch: label ${w}: (${x0}, ${y0}) -> (${x}, ${y}) around (${px}, ${py})`);
  }
  await cdp.detach();
  // rare words: their best neighbours score higher than those of frequent words (measured on the same vectors)
  const rare = Number(await page.getAttribute('#space-rare', 'data-rare'));
  const common = Number(await page.getAttribute('#space-rare', 'data-common'));
  const n = saved.words.length;
  const meanBest = (ids) => ids.reduce((s, r) => s + ref.nearest(r, 1)[0][1], 0) / ids.length;
  assert.ok(Math.abs(rare - meanBest(Array.from({ length: 60 }, (_, i) => n - 1 - i))) < 1e-5);
  assert.ok(Math.abs(common - meanBest(Array.from({ length: 60 }, (_, i) => 40 + i))) < 1e-5);
  assert.ok(rare > common, `rare ${rare} vs common ${common}`);
  await shots(page, 'space', 'explored');
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: positions: order toggle, S x D count and the error past S, the D = 2 wrap-around, the distance chart range', async () => {
  const { page, problems } = await open(desktop);
  // Without positions the two orders give the same multiset of rows; with learned positions they do not.
  const sets = (mode) => ['the dog bit the man', 'the man bit the dog'].map((t) => {
    const ids = encode(t);
    const layer = new InputEmbedding({ vocabSize: 50257, maxPositions: 16, dim: 8, position: mode, seed: 16 });
    const out = layer.forward(ids, [1, ids.length]);
    layer.dispose();
    return Array.from({ length: ids.length }, (_, i) => Array.from(out.subarray(i * 8, i * 8 + 8)).join()).sort();
  });
  const [a0, b0] = sets('none');
  assert.deepEqual(a0, b0, 'reference: no positions, same set');
  assert.equal(await page.getAttribute('#order-result', 'data-same'), 'true');
  await page.check('#order-positions');
  const [a1, b1] = sets('learned');
  assert.notDeepEqual(a1, b1);
  assert.equal(await page.getAttribute('#order-result', 'data-same'), 'false');
  // S x D and the library's refusal past S.
  await page.locator('#limits-s').fill('11');
  await page.locator('#limits-d').fill('9');
  assert.equal(Number(await page.getAttribute('#limits-count', 'data-count')), 2048 * 512);
  assert.equal(await page.getAttribute('#limits-s', 'aria-valuetext'), '2,048');
  const err = await page.getAttribute('#limits-past', 'data-error');
  const layer = new InputEmbedding({ vocabSize: 16, maxPositions: 2048, dim: 8, position: 'learned' });
  assert.throws(() => layer.forward([1], [1, 1], { offset: 2048 }), (e) => `${e.name}: ${e.message}` === err);
  layer.dispose();
  // Sinusoidal: the most similar position to 0, against Math.sin/Math.cos in float64.
  const bestMatch = (dim, base) => {
    let best = 0, bs = -Infinity;
    for (let q = 1; q <= 1000; q++) {
      let s = 0;
      for (let i = 0; i < dim / 2; i++) s += Math.cos(q * base ** (-(2 * i) / dim));   // sin·sin + cos·cos at p = 0
      s /= dim / 2;
      if (s > bs) { bs = s; best = q; }
    }
    return [best, bs];
  };
  for (const [dim, logBase] of [[2, 4], [64, 4], [8, 2]]) {
    await page.locator('#sin-dim').fill(String(dim));
    await page.locator('#sin-base').fill(String(logBase));
    const [q, sim] = bestMatch(dim, 10 ** logBase);
    assert.equal(Number(await page.getAttribute('#sin-notice', 'data-best')), q, `D = ${dim}, base 1e${logBase}`);
    assert.ok(Math.abs(Number(await page.getAttribute('#sin-notice', 'data-similarity')) - sim) < 1e-5);
    // the distance chart shows all of its data (it used to clip below -0.6)
    await page.waitForFunction(() => {
      const d = document.querySelector('#sin-dist').dataset;
      return Number(d.ymin) <= Number(d.datamin);
    }, null, { timeout: 5000 }).catch(() => {});
    const ymin = Number(await page.getAttribute('#sin-dist', 'data-ymin'));
    const dmin = Number(await page.getAttribute('#sin-dist', 'data-datamin'));
    assert.ok(ymin <= dmin, `y axis starts at ${ymin}, data goes down to ${dmin}`);
  }
  await page.locator('#sin-dim').fill('2');
  await page.locator('#sin-base').fill('4');
  await shots(page, 'sinusoidal', 'd2');
  await shots(page, 'offset', 'positions');
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: RoPE on q and k gives score matrices that match Node, equal at equal distances; the scaling chart follows its controls', async () => {
  const { page, problems } = await open(desktop);
  const sentences = ['The lion slept deeply.', 'After a long day, the lion slept deeply.'];
  const distinct = [...new Set(sentences.flatMap((t) => encode(t)))];
  const tok = new Embedding(distinct.length, 64, { seed: 0 });
  const proj = new Embedding(128, 64, { seed: 11, std: 1 / 8 });
  const rope = new Rope({ headDim: 64, maxPositions: 188 });
  const scoresRef = (text, offset) => {
    const ids = encode(text), n = ids.length;
    const x = tok.forward(ids.map((id) => distinct.indexOf(id)));
    const project = (w0) => {
      const out = new Float32Array(n * 64);
      for (let i = 0; i < n; i++) for (let o = 0; o < 64; o++) {
        let s = 0;
        for (let c = 0; c < 64; c++) s += proj.weight[w0 + o * 64 + c] * x[i * 64 + c];
        out[i * 64 + o] = s;
      }
      return out;
    };
    const q = rope.forward(project(0), [1, n, 1, 64], { offset }), k = rope.forward(project(64 * 64), [1, n, 1, 64], { offset });
    const m = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < 64; c++) s += q[i * 64 + c] * k[j * 64 + c];
      m.push(s / 8);
    }
    return m;
  };
  for (const shift of [0, 17]) {
    await page.locator('#rope-shift').fill(String(shift));
    for (const [k, text, off] of [[0, sentences[0], 0], [1, sentences[1], shift]]) {
      const got = JSON.parse(await page.getAttribute(`#rope-scores-${k}`, 'data-scores'));
      const want = scoresRef(text, off);
      assert.equal(got.length, want.length);
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5 * Math.max(1, Math.abs(want[i])), `sentence ${k + 1}, shift ${shift}, entry ${i}: ${v} vs ${want[i]}`));
    }
    assert.ok(Number(await page.getAttribute('#rope-scores-note', 'data-max-diff')) < 1e-4);
    // the current-shift marker: position of "deeply" in sentence 2
    assert.equal(Number(await page.getAttribute('#rope-freqs', 'data-here')), encode(sentences[1]).indexOf(encode(' deeply')[0]) + shift);
  }
  tok.dispose(); proj.dispose(); rope.dispose();
  // Scaling: the chart's wavelengths are 2π / Rope.invFreq for the chosen scheme.
  for (const [type, factor, len] of [['linear', 4, 12], ['yarn', 8, 13], ['llama3', 8, 13], ['dynamic', 2, 10]]) {
    await page.selectOption('#rope-scale-type', type);
    await page.locator('#rope-scale-factor').fill(String(factor));
    await page.locator('#rope-scale-len').fill(String(len));
    const orig = 2 ** len;
    const scaling = type === 'linear' ? { type, factor } : type === 'llama3'
      ? { type, factor, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: orig } : { type, factor, originalMaxPositions: orig };
    const long = type === 'dynamic' ? factor * orig : 2;
    const r = new Rope({ headDim: 128, maxPositions: long, scaling });
    if (type === 'dynamic') r.forward(new Float32Array(128), [1, 1, 1, 128], { positions: [long - 1] });
    const want = Array.from(r.invFreq, (f) => (2 * Math.PI) / f);
    r.dispose();
    const got = JSON.parse(await page.getAttribute('#rope-freqs', 'data-scaled'));
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-9 * want[i], `${type} pair ${i}: ${v} vs ${want[i]}`));
    assert.equal(await page.getAttribute('#rope-scale-factor', 'aria-valuetext'), `×${factor}`);
  }
  await shots(page, 'rope', 'scores');
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: GloVe: the co-occurrence block matches a count in JS, training lowers the cost, neighbours sit beside word2vec\'s', async () => {
  const { page, problems } = await open(desktop);
  await page.waitForSelector('#glove[data-ready=true]', { timeout: 60000 });
  await page.click('#glove-start');
  // Reference counts, worked out here: window 10, both directions, 1/distance, windows stop at sentence ends.
  const text = await readFile(join(ROOT, 'node_modules', '@stdlib', 'datasets-moby-dick', 'data', 'data.txt'), 'utf8');
  const vocab = Vocab.fromText(text, { minCount: 5 });
  const corpus = vocab.encode(text);
  const words = JSON.parse(await page.getAttribute('#glove-matrix', 'data-words'));
  const values = JSON.parse(await page.getAttribute('#glove-matrix', 'data-values'));
  const ids = words.map((w) => vocab.id(w));
  const pos = new Map(ids.map((id, i) => [id, i]));
  const X = new Float64Array(ids.length ** 2);
  for (let p = 0; p < corpus.length; p++) {
    const a = corpus[p];
    if (a < 0) continue;
    for (let k = 1; k <= 10 && p + k < corpus.length; k++) {
      const b = corpus[p + k];
      if (b < 0) break;
      if (pos.has(a) && pos.has(b)) { X[pos.get(a) * ids.length + pos.get(b)] += 1 / k; X[pos.get(b) * ids.length + pos.get(a)] += 1 / k; }
    }
  }
  values.forEach((v, i) => assert.ok(Math.abs(v - X[i]) <= 1e-4 * Math.max(1, X[i]), `X[${words[Math.floor(i / ids.length)]}, ${words[i % ids.length]}]: ${v} vs ${X[i]}`));
  // Train to the end (10 passes): the cost falls; the final neighbours equal those of the same GloVe run in Node.
  await page.waitForSelector('#glove[data-final=true]', { timeout: 120000 });
  const costs = JSON.parse(await page.getAttribute('#glove-cost', 'data-costs'));
  assert.ok(costs[costs.length - 1] < costs[0] * 0.8, `cost ${costs[0]} -> ${costs[costs.length - 1]}`);
  assert.equal(await page.textContent('#glove-start'), 'Training finished');
  const co = new Cooccurrence({ corpus, vocab, window: 10 });
  const g = new GloVe({ cooccurrence: co, dim: 50, epochs: 10, seed: 1 });
  while (!g.step(1000000).done);
  const nb = new Neighbors(g, { vocab });
  for (const word of ['whale', 'captain']) {
    await page.fill('#glove-word', word);
    const got = await page.$$eval('#glove-near-glove [data-id]', (els) => els.map((e) => [Number(e.dataset.id), Number(e.dataset.score)]));
    const want = nb.nearest(word, { k: 8 });
    assert.deepEqual(got.map((x) => x[0]), want.map((x) => x.id), word);
    got.forEach((x, k) => assert.ok(Math.abs(x[1] - want[k].score) < 1e-5));
    assert.equal(await page.$$eval('#glove-near-w2v [data-id]', (els) => els.length), 8, 'word2vec list beside it');
  }
  nb.dispose(); g.dispose(); co.dispose();
  await shots(page, 'glove', 'trained');
  assert.deepEqual(problems, []);
  await page.close();
});

test('web: the word2vec network view shows the trainer\'s next sentence, its own negatives (Word2Vec#peek) and real W_in / W_out scores', async () => {
  // One training thread: the page's run is then bit-reproducible and Node's trainer can follow it.
  const { page, problems } = await open(desktop, '?threads=1');
  const text = await readFile(join(ROOT, 'node_modules', '@stdlib', 'datasets-moby-dick', 'data', 'data.txt'), 'utf8');
  const vocab = Vocab.fromText(text, { minCount: 5 });
  const corpus = vocab.encode(text);
  const settings = { mode: 'skipgram', dim: 50, window: 5, negative: 5, epochs: 5, seed: 2 };
  let shownOuts = null;
  const check = async (trainer) => {
    const st = JSON.parse(await page.getAttribute('#learn', 'data-net-state'));
    // Node's trainer, stepped a sentence at a time to the same point, has the same tables and generator.
    while (trainer.progress.wordsDone < st.wordsDone) trainer.step(1);
    assert.equal(trainer.progress.wordsDone, st.wordsDone, 'the page paused between sentences');
    const next = trainer.peek();
    assert.equal(st.start, next.start, 'the stretch of the book read next starts where Node says');
    // the sentence as the trainer reads it (after subsampling), and the stretch with the dropped words
    const kept = await page.$$eval('#net-sentence button.chip .tok', (els) => els.map((e) => e.textContent));
    assert.deepEqual(kept, Array.from(next.sentence, (id) => vocab.words[id]));
    const all = await page.$$eval('#net-sentence .chip', (els) => els.map((e) => e.querySelector('.tok')?.textContent ?? null));
    assert.deepEqual(all, Array.from(corpus.subarray(next.start, next.end), (id) => (id < 0 ? null : vocab.words[id])));
    // the pair shown: its input and the trainer's own negatives for it
    const ex = next.examples.filter((e) => e.centre === st.centre)[st.pair];
    assert.deepEqual(st.inputs, Array.from(ex.inputs), 'input rows');
    assert.deepEqual(st.outs, [ex.word, ...ex.negatives], 'true word and the negatives the trainer will draw');
    const shownNeg = await page.$$eval('#net-table tbody tr', (trs) => trs.map((tr) => tr.querySelector('th').textContent.replace(/ \(.*$/, '')));
    assert.deepEqual(shownNeg, st.outs.map((id) => vocab.words[id]));
    const D = 50, Win = trainer.weight, Wout = trainer.outputWeight;
    const input = new Float64Array(D);
    for (const id of st.inputs) for (let c = 0; c < D; c++) input[c] += Win[id * D + c] / st.inputs.length;
    st.outs.forEach((o, k) => {
      let s = 0;
      for (let c = 0; c < D; c++) s += input[c] * Wout[o * D + c];
      assert.ok(Math.abs(s - st.scores[k]) < 1e-6, `score ${k}: page ${st.scores[k]}, node ${s}`);
    });
    assert.ok(Math.abs(st.lr - next.lr) < 1e-12);
    assert.ok(st.sigAfter[0] >= 1 / (1 + Math.exp(-st.scores[0])), 'the update raises the true word\'s score');
    shownOuts = st.outs;
  };
  const trainer = new Word2Vec({ corpus, vocab, ...settings });
  // before training: the first sentence that trains something, W_out all zero
  await page.waitForFunction(() => document.querySelector('#learn').dataset.netState, null, { timeout: 30000 });
  await check(trainer);
  // train a little, pause: the view follows the trainer
  await page.click('#learn-start');
  await page.waitForFunction(() => JSON.parse(document.querySelector('#learn-loss').dataset.losses || '[]').length >= 3, null, { timeout: 30000 });
  await page.click('#learn-start');
  await page.waitForFunction(() => JSON.parse(document.querySelector('#learn').dataset.netState).wordsDone > 0 &&
    !document.querySelector('#net-refresh').disabled, null, { timeout: 30000 });
  await check(trainer);
  // another centre word keeps matching
  await page.click('#net-sentence button[data-index="1"]');
  await check(trainer);
  // and the trainer then really updates the W_out rows of the negatives shown
  const before = trainer.outputWeight.slice();
  trainer.step(1);
  const after = trainer.outputWeight;
  for (const o of shownOuts) assert.ok(after.subarray(o * 50, o * 50 + 50).some((v, c) => v !== before[o * 50 + c]), `W_out row ${o} was not updated`);
  trainer.dispose();
  await shots(page, 'learn', 'network');
  assert.deepEqual(problems, []);
  await page.close();
});
