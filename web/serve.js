// serve.js — the tutorial's static file server (`npm start`). Dependency-free: node:http only.
//
// Serves the repository root, so that the page's import map can point `embedkit` at
// /src/js/index.js, the loader finds /dist/embedkit.wasm next to it, and vendored libraries are
// read straight from /node_modules/... on this machine. Nothing is fetched from any other host.
// `/` redirects to `/web/`. PORT (default 8080) and HOST (default 127.0.0.1) come from the env.
//
// Before listening it makes sure web/lib/ holds the locally bundled libraries (see
// web/build-lib.js); that step runs once and is skipped when the bundles are current.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Map a URL path to a file under ROOT, or null when it would leave ROOT. */
function resolvePath(urlPath) {
  let p;
  try { p = decodeURIComponent(urlPath); } catch { return null; }
  if (p.includes('\0')) return null;
  const full = normalize(join(ROOT, p));
  if (full !== ROOT && !full.startsWith(ROOT + sep)) return null;
  return full;
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (url.pathname === '/' || url.pathname === '/web') {
    res.writeHead(302, { location: '/web/' }).end();
    return;
  }
  let file = resolvePath(url.pathname);
  if (!file) { res.writeHead(403).end('forbidden'); return; }
  let st;
  try {
    st = await stat(file);
    if (st.isDirectory()) {
      if (!url.pathname.endsWith('/')) { res.writeHead(301, { location: url.pathname + '/' }).end(); return; }
      file = join(file, 'index.html');
      st = await stat(file);
    }
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${url.pathname}`);
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': st.size,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') { res.end(); return; }
  createReadStream(file).pipe(res);
}

/** Start the server; resolves with the http.Server once it listens. */
export async function start({ port = Number(process.env.PORT ?? 8080), host = process.env.HOST ?? '127.0.0.1', quiet = false } = {}) {
  const { buildLib } = await import(pathToFileURL(join(ROOT, 'web', 'build-lib.js')).href);
  await buildLib({ quiet });
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  if (!quiet) {
    const a = server.address();
    console.log(`embedkit tutorial: http://${a.address === '::' ? 'localhost' : a.address}:${a.port}/web/`);
  }
  return server;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  start().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
