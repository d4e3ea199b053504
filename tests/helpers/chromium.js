// chromium.js — headless Debian Chromium through playwright-core, and a tiny static server of the
// repository root on a free loopback port. Shared by the browser tests.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css' };

/**
 * Serve files under `dir` (default: the repo root); extra: { '/path': 'html text' } for inline
 * pages; headers: sent with every response (e.g. COOP/COEP for a cross-origin isolated page).
 */
export async function serve(extra = {}, dir = root, headers = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (extra[path] !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html', ...headers });
      return res.end(extra[path]);
    }
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir)) { res.writeHead(403); return res.end(); }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', ...headers });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

/**
 * Open `url` in a new page of `browser`, collecting page errors, console errors and failed
 * requests, then wait until the page sets `window.result` and return { result, errors }.
 */
export async function runPage(browser, url, { timeout = 60_000 } = {}) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('requestfailed', (r) => errors.push(`failed request ${r.url()}`));
  await page.goto(url);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout });
  return { result: await page.evaluate(() => window.result), errors };
}
