// tutorial-a11y.test.js — accessibility and load of the tutorial (web/), in headless Chromium
// (helpers/chromium.js), served by web/serve.js (the server `npm start` runs).
//
// Accessibility, at desktop and phone width, when the page has loaded and again after the
// controls have been used (every slider moved, text typed, buttons pressed, training run, every
// data table opened):
//   - axe-core (pinned devDependency, injected into the page) reports no violation at all, of
//     any impact (minor included: e.g. a table header cell with no text);
//   - every slider carries an aria-valuetext, and it follows the slider's value;
//   - every chart has a text alternative: a canvas is role=img with a name, a uPlot chart is
//     role=img named by a summary of the data it shows;
//   - links have a contrast of at least 4.5:1 against the background behind them (WCAG formula
//     computed here, independently of axe);
//   - every area that scrolls sideways can be reached with the keyboard (it or something in it
//     is focusable).
// Load, on a fresh browser context: the server counts the requests per URL while the page
// loads and both Web Workers (word2vec, GloVe) start and train; each URL must be fetched once
// (page and workers share the HTTP cache). With the CPU throttled 4x (CDP
// Emulation.setCPUThrottlingRate) the time until every section is mounted is measured. The
// figures are printed as test diagnostics.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch } from './helpers/chromium.js';
import { start } from '../web/serve.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const desktop = { width: 1200, height: 900 };
const phone = { width: 390, height: 844 };

let server, browser, origin;
const hits = new Map(); // URL path -> [{ status, bytes }]
let counting = false;

before(async () => {
  server = await start({ port: 0, host: '127.0.0.1', quiet: true });
  // Runs before the server's own handler: note the headers it writes, count the request when sent.
  server.prependListener('request', (req, res) => {
    if (!counting) return;
    let headers = {};
    const writeHead = res.writeHead;
    res.writeHead = function (status, h) { headers = h ?? {}; return writeHead.apply(this, arguments); };
    res.on('finish', () => {
      const list = hits.get(req.url) ?? [];
      list.push({ status: res.statusCode, bytes: Number(headers['content-length'] ?? 0), encoding: headers['content-encoding'] });
      hits.set(req.url, list);
    });
  });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
});

/** A new page (in its own context, so its own HTTP cache) with the tutorial loaded and mounted. */
async function open(viewport, { throttle = 0 } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  if (throttle) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  }
  // Record when the page marks itself ready (every section mounted), in page time.
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.body?.dataset.ready === 'true') { window.__readyAt = performance.now(); obs.disconnect(); }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
  });
  await page.goto(`${origin}/web/`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 120_000 });
  return { context, page, problems };
}

async function axe(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ content: AXE });
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  // every impact counts, minor included (the page had none left; a new one is a regression)
  assert.deepEqual(violations.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`), [],
    `axe (${label})`);
  return violations;
}

/** The checks axe does not make (or that the issue names explicitly); returns the list of problems. */
function ownChecks(page) {
  return page.evaluate(() => {
    const out = [];
    const name = (el) => (el.getAttribute('aria-label') ?? '').trim() ||
      (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
    for (const r of document.querySelectorAll('input[type=range]')) {
      if (!(r.getAttribute('aria-valuetext') ?? '').trim()) out.push(`slider #${r.id} has no aria-valuetext`);
    }
    for (const c of document.querySelectorAll('canvas')) {
      const u = c.closest('.uplot');
      const holder = u ? u.parentElement : c;
      if (holder.getAttribute('role') !== 'img' || !name(holder)) out.push(`chart ${holder.id || holder.className} has no text alternative`);
    }
    // WCAG 2 relative luminance and contrast of a link against the first opaque background behind it.
    const rgb = (s) => (s.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
      .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
    const bg = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    for (const a of document.querySelectorAll('a[href]')) {
      if (!a.getClientRects().length) continue;
      const f = lum(rgb(getComputedStyle(a).color)), b = lum(bg(a));
      const ratio = (Math.max(f, b) + 0.05) / (Math.min(f, b) + 0.05);
      if (ratio < 4.5) out.push(`link "${a.textContent.trim()}" contrast ${ratio.toFixed(2)}:1`);
    }
    const focusable = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    for (const el of document.querySelectorAll('body *')) {
      const st = getComputedStyle(el);
      const scrolls = (el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(st.overflowX)) ||
        (el.scrollHeight > el.clientHeight + 1 && /auto|scroll/.test(st.overflowY));
      if (!scrolls || !el.getClientRects().length) continue;
      if (!el.matches(focusable) && !el.querySelector(focusable)) out.push(`scroll area ${el.id || el.className} is not keyboard-reachable`);
    }
    return out;
  });
}

/** Use the page: move every slider to both ends and back, type, press buttons, train, open the data tables. */
async function interact(page) {
  const sliders = await page.$$eval('input[type=range]', (rs) => rs.map((r) => r.id));
  for (const id of sliders) {
    const texts = await page.evaluate(async (id) => {
      const r = document.getElementById(id);
      const seen = [];
      const set = async (v) => {
        r.value = v;
        r.dispatchEvent(new Event('input', { bubbles: true }));
        r.dispatchEvent(new Event('change', { bubbles: true }));
        await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 30)));
        seen.push([r.value, r.getAttribute('aria-valuetext')]);
      };
      const start = r.value;
      await set(r.min);
      await set(r.max);
      await set(start);
      return seen;
    }, id);
    // The spoken value follows the slider: the two ends read differently, and the start reads as before.
    assert.notEqual(texts[0][1], texts[1][1], `slider #${id}: aria-valuetext ${JSON.stringify(texts)}`);
  }
  for (const input of await page.$$('input[type=text], input:not([type]), textarea')) {
    if (await input.isVisible() && await input.isEditable()) await input.fill('the white whale');
  }
  for (const id of ['backprop-step', 'backprop-step10', 'net-refresh']) {
    if (await page.$(`#${id}:not([disabled])`)) await page.click(`#${id}`);
  }
  await page.waitForFunction(() => !document.querySelector('#learn-start')?.disabled, null, { timeout: 60_000 });
  await page.click('#learn-start');
  await page.waitForTimeout(1500);
  // pause, unless training already finished (with threads the whole run can take under 1.5 s)
  await page.evaluate(() => { const b = document.querySelector('#learn-start'); if (!b.disabled) b.click(); }); // atomic: the run may end at any moment
  await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
  await page.waitForTimeout(300);
}

test('tutorial a11y: axe finds no violation of any impact, sliders speak their values, charts have text, links 4.5:1, scroll areas reachable — desktop and phone, before and after use', async (t) => {
  for (const [label, viewport] of [['desktop', desktop], ['phone', phone]]) {
    const { context, page, problems } = await open(viewport);
    try {
      const first = await axe(page, `${label}, loaded`);
      assert.deepEqual(await ownChecks(page), [], `${label}, loaded`);
      await interact(page);
      const second = await axe(page, `${label}, after use`);
      assert.deepEqual(await ownChecks(page), [], `${label}, after use`);
      assert.deepEqual(problems, [], `${label}: console or page errors`);
      t.diagnostic(`${label}: axe ${first.length} / ${second.length} violations before / after use (any impact)`);
    } finally {
      await context.close();
    }
  }
});

test('tutorial load: each module and wasm fetched once by page and workers; time to interactive on a 4x-throttled CPU', async (t) => {
  hits.clear();
  counting = true;
  const { context, page, problems } = await open(desktop);
  try {
    // Let both workers load: word2vec (started by the learn section) and GloVe; train a moment.
    await page.waitForFunction(() => !document.querySelector('#learn-start')?.disabled &&
      !document.querySelector('#glove-start')?.disabled, null, { timeout: 60_000 });
    await page.click('#learn-start');
    await page.waitForTimeout(1000);
    // on threads the whole run can end within the wait (the button is then disabled)
    await page.evaluate(() => { const b = document.querySelector('#learn-start'); if (!b.disabled) b.click(); }); // atomic: the run may end at any moment
    await page.reload(); // the page again, as a returning visitor: only revalidations of the HTML
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
    await page.waitForFunction(() => !document.querySelector('#learn-start')?.disabled, null, { timeout: 60_000 });
    counting = false;
    assert.deepEqual(problems, []);
    const paths = [...hits.keys()];
    for (const must of ['/web/', '/src/js/index.js', '/web/w2v-worker.js', '/web/glove-worker.js']) {
      assert.ok(paths.includes(must), `${must} was not requested: ${paths.join(' ')}`);
    }
    assert.ok(paths.some((p) => /^\/dist\/embedkit[-a-z]*\.wasm$/.test(p)), 'no wasm was fetched');
    const twice = [...hits].filter(([p, list]) => p !== '/web/' && list.length > 1);
    assert.deepEqual(twice.map(([p, l]) => `${p} x${l.length} (${l.map((x) => x.status).join(',')})`), [],
      'fetched more than once although page and workers share the HTTP cache');
    // The HTML, always revalidated, came back 304 the second time.
    assert.deepEqual(hits.get('/web/').map((x) => x.status), [200, 304]);
    const all = [...hits.values()].flat().filter((x) => x.status === 200);
    const wire = all.reduce((a, x) => a + x.bytes, 0);
    const compressedCount = all.filter((x) => x.encoding).length;
    const wasm = [...hits].filter(([p]) => p.endsWith('.wasm')).map(([p, l]) => `${p} ${l[0].encoding ?? 'identity'} ${(l[0].bytes / 1024).toFixed(0)} KiB`);
    const biggest = [...hits].map(([p, l]) => [p, l[0]]).sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 4)
      .map(([p, x]) => `${p} ${(x.bytes / 1024).toFixed(0)} KiB ${x.encoding ?? 'identity'}`);
    t.diagnostic(`largest: ${biggest.join('; ')}`);
    t.diagnostic(`requests: ${paths.length} URLs, ${[...hits.values()].flat().length} requests (each URL once; the page's HTML twice: 200 then 304 on reload); ` +
      `${(wire / 1024).toFixed(0)} KiB on the wire, ${compressedCount} of ${all.length} responses compressed; wasm: ${wasm.join('; ')}`);
  } finally {
    counting = false;
    await context.close();
  }

  // Time to interactive with the CPU throttled 4x, on a cold cache: navigation start until every
  // section has mounted (body[data-ready]); then how long the main thread stays blocked afterwards.
  const figures = [];
  for (const [label, viewport] of [['desktop', desktop], ['phone', phone]]) {
    const t0 = Date.now();
    const { context, page } = await open(viewport, { throttle: 4 });
    try {
      const readyAt = await page.evaluate(() => window.__readyAt);
      const nav = await page.evaluate(() => {
        const n = performance.getEntriesByType('navigation')[0];
        return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd };
      });
      // Main thread responsiveness right after ready: the delay of a 0 ms timer.
      const lag = await page.evaluate(() => new Promise((ok) => { const s = performance.now(); setTimeout(() => ok(performance.now() - s), 0); }));
      figures.push(`${label}: DOMContentLoaded ${nav.dcl.toFixed(0)} ms, all sections mounted ${readyAt.toFixed(0)} ms, ` +
        `timer lag after that ${lag.toFixed(0)} ms (wall ${Date.now() - t0} ms)`);
      // Generous ceiling: a regression guard on a shared machine, not a benchmark.
      assert.ok(readyAt < 30_000, `${label}: interactive after ${readyAt} ms at 4x CPU throttling`);
    } finally {
      await context.close();
    }
  }
  t.diagnostic(`4x CPU throttling, cold cache: ${figures.join('; ')}`);
});
