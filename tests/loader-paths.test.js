// Where the wasm comes from: init({ wasmPaths }) as a prefix (path, URL string, URL object) or a
// { simd, nosimd } map, the SIMD choice kept, `features` telling what loaded, the logging knob,
// and load failures (missing file, refused connection, HTTP 404, HTML instead of wasm, no
// import.meta.url) as embedkit errors that name the URL or path and point at the option.
// init() is once per process, so each successful load runs in its own child process.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const index = pathToFileURL(join(root, 'src/js/index.js')).href;

/** Run an ES module snippet in a fresh Node; `ek` is embedkit. Returns { out (last JSON line), stdout, stderr }. */
async function child(body) {
  const code = `import * as ek from ${JSON.stringify(index)};\n${body}`;
  const r = await new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 },
      (err, stdout, stderr) => resolve({ err, stdout, stderr }));
  });
  assert.equal(r.err, null, `child failed:\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return { out: JSON.parse(lines.at(-1)), stdout: r.stdout, stderr: r.stderr };
}

// A forward of a known table, compared with a plain JS gather.
const FORWARD = `
  const w = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i));
  const e = new ek.Embedding(10, 4, { weight: w });
  const ids = [7, 0, 7, 3];
  const got = Array.from(e.forward(ids));
  const want = ids.flatMap((i) => Array.from(w.subarray(i * 4, i * 4 + 4)));
  const ok = got.every((v, i) => Object.is(v, want[i]));
  const f = { ...ek.features };`;

function serveDist(handler) {
  const server = createServer(handler ?? ((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const name = path.split('/').pop();
    try {
      if (!path.startsWith('/ok/')) throw new Error('not here');
      const body = readFileSync(join(dist, name));
      res.writeHead(200, { 'content-type': 'application/wasm', 'access-control-allow-origin': '*' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Not found</title>');
    }
  }));
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((c) => { server.closeAllConnections?.(); server.close(c); }),
  })));
}

test('features before init, and a default load fills it in; silent by default', async () => {
  const { out, stdout, stderr } = await child(`
    const before = { ...ek.features };
    await ek.init();${FORWARD}
    console.log(JSON.stringify({ before, f, ok }));`);
  assert.deepEqual(out.before, {
    simd: false, simdSupported: null, version: out.f.version, wasm: null, via: null, threads: 1, threadsReason: 'init() has not run',
  });
  assert.equal(out.ok, true);
  assert.equal(out.f.simd, true);
  assert.equal(out.f.simdSupported, true);
  assert.equal(out.f.via, 'default');
  // The default is one thread per core: the threaded build wherever there are several.
  assert.equal(out.f.wasm, pathToFileURL(join(dist, out.f.threads > 1 ? 'embedkit-threads.wasm' : 'embedkit.wasm')).href);
  assert.equal(stdout.trim().split('\n').length, 1, 'nothing else on stdout');
  assert.equal(stderr, '', 'nothing on stderr with the default logLevel');
});

test('wasmPaths as a directory path without "/" and simd: false: the no-SIMD file from there; logLevel info says so', async () => {
  const { out, stdout } = await child(`
    await ek.init({ wasmPaths: ${JSON.stringify(dist)}, simd: false, logLevel: 'info' });${FORWARD}
    console.log(JSON.stringify({ f, ok, level: ek.getLogLevel() }));`);
  assert.equal(out.ok, true);
  assert.deepEqual({ simd: out.f.simd, simdSupported: out.f.simdSupported, via: out.f.via },
    { simd: false, simdSupported: true, via: 'wasmPaths' });
  assert.equal(out.f.wasm, pathToFileURL(join(dist, 'embedkit-nosimd.wasm')).href);
  assert.equal(out.level, 'info');
  assert.match(stdout, /embedkit: engine supports wasm SIMD; loading the nosimd build from .*embedkit-nosimd\.wasm \(wasmPaths\)/);
  assert.match(stdout, /embedkit: ready in [\d.]+ ms: no-SIMD build, version /);
});

test('wasmPaths as an http URL prefix and as a { simd, nosimd } map (one entry: the no-SIMD build runs anywhere)', async () => {
  const srv = await serveDist();
  try {
    const a = await child(`await ek.init({ wasmPaths: new URL('${srv.url}/ok/assets/') });${FORWARD} console.log(JSON.stringify({ f, ok }));`);
    assert.equal(a.out.ok, true);
    assert.equal(a.out.f.simd, true);
    assert.equal(a.out.f.wasm, `${srv.url}/ok/assets/embedkit${a.out.f.threads > 1 ? '-threads' : ''}.wasm`);
    const b = await child(`await ek.init({ wasmPaths: { simd: undefined, nosimd: '${srv.url}/ok/x/embedkit-nosimd.wasm' } });${FORWARD} console.log(JSON.stringify({ f, ok }));`);
    assert.equal(b.out.ok, true);
    assert.deepEqual([b.out.f.simd, b.out.f.wasm, b.out.f.via], [false, `${srv.url}/ok/x/embedkit-nosimd.wasm`, 'wasmPaths']);
    const c = await child(`
      const bytes = (await import('node:fs')).readFileSync(${JSON.stringify(join(dist, 'embedkit.wasm'))});
      await ek.init({ wasmPaths: { simd: bytes, nosimd: '${srv.url}/nope.wasm' } });${FORWARD} console.log(JSON.stringify({ f, ok }));`);
    assert.deepEqual([c.out.ok, c.out.f.simd, c.out.f.wasm], [true, true, 'bytes']);
  } finally {
    await srv.close();
  }
});

test('load failures name the URL or path and point at wasmPaths; the module stays loadable', async () => {
  const srv = await serveDist();
  const dead = await serveDist();
  const deadUrl = dead.url;
  await dead.close();   // nothing listens there any more: a refused connection
  try {
    const { out } = await child(`
      const errs = {};
      const grab = async (k, o) => { try { await ek.init(o); errs[k] = 'resolved'; } catch (e) {
        errs[k] = { name: e.constructor.name, message: e.message, cause: e.cause?.code ?? e.cause?.cause?.code ?? null }; } };
      await grab('missing', { wasmPaths: '/nonexistent/embedkit-dir/' });
      await grab('refused', { wasmPaths: '${deadUrl}/lib/' });
      await grab('http404', { wasmPaths: '${srv.url}/wrong/place/', simd: true, logLevel: 'error' });
      await grab('html', { wasm: new TextEncoder().encode('<!doctype html>') });
      await grab('noNosimd', { wasmPaths: { simd: '/x/embedkit.wasm' }, simd: false });
      await grab('unknownKey', { wasmPath: '/x/' });
      await grab('mapKey', { wasmPaths: { simd: '/a.wasm', avx: '/b.wasm' } });
      await grab('both', { wasm: '/a.wasm', wasmPaths: '/x/' });
      await grab('badType', { wasmPaths: 5 });
      await grab('badLevel', { logLevel: 'loud' });
      await grab('badSimd', { simd: 'yes' });
      ek.setLogLevel('off');
      await ek.init({ wasmPaths: '${srv.url}/ok/any/' });${FORWARD}
      console.log(JSON.stringify({ errs, ok, f }));`);
    const e = out.errs;
    assert.equal(e.missing.name, 'Error');
    assert.match(e.missing.message, /^embedkit: cannot read the WebAssembly module \/nonexistent\/embedkit-dir\/embedkit\.wasm \(ENOENT: no such file\).*copy dist\/\*\.wasm.*init\(\{ wasmPaths:/);
    assert.equal(e.missing.cause, 'ENOENT');
    assert.match(e.refused.message, new RegExp(`^embedkit: fetching ${deadUrl}/lib/embedkit\\.wasm failed \\(fetch failed: ECONNREFUSED\\).*wasmPaths`));
    assert.equal(e.refused.cause, 'ECONNREFUSED');
    assert.match(e.http404.message, new RegExp(`^embedkit: fetching ${srv.url}/wrong/place/embedkit\\.wasm failed with HTTP 404.*wasmPaths`));
    assert.match(e.html.message, /expected magic word 00 61 73 6d, found 3c 21 64 6f.*wasmPaths.*optimizeDeps/);
    assert.match(e.noNosimd.message, /wasmPaths has no 'nosimd' entry, and simd: false was asked for/);
    assert.deepEqual([e.unknownKey.name, /did you mean 'wasmPaths'\?/.test(e.unknownKey.message)], ['TypeError', true]);
    assert.deepEqual([e.mapKey.name, /unknown key 'avx' in wasmPaths; valid keys: simd, nosimd, threads/.test(e.mapKey.message)], ['TypeError', true]);
    assert.deepEqual([e.both.name, /either wasm or wasmPaths/.test(e.both.message)], ['TypeError', true]);
    assert.deepEqual([e.badType.name, /wasmPaths must be a directory \(URL or string\) or a \{ simd, nosimd \} map, got number/.test(e.badType.message)], ['TypeError', true]);
    assert.deepEqual([e.badLevel.name, /logLevel must be one of off, error, warn, info, debug, got 'loud'/.test(e.badLevel.message)], ['RangeError', true]);
    assert.equal(e.badSimd.name, 'TypeError');
    assert.equal(out.ok, true, 'a later init() with a good location works');
    assert.equal(out.f.wasm, `${srv.url}/ok/any/embedkit${out.f.threads > 1 ? '-threads' : ''}.wasm`);
  } finally {
    await srv.close();
  }
});

test('logLevel error prints the failure once to console.error; wrong MIME type is a warning', async () => {
  const srv = await serveDist((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(readFileSync(join(dist, 'embedkit.wasm')));
  });
  try {
    const { stderr, out } = await child(`
      try { await ek.init({ wasmPaths: '/nonexistent/', logLevel: 'error' }); } catch {}
      await ek.init({ wasmPaths: '${srv.url}/', logLevel: 'warn' });${FORWARD}
      console.log(JSON.stringify({ ok }));`);
    assert.equal(out.ok, true);
    assert.match(stderr, /^embedkit: cannot read the WebAssembly module \/nonexistent\/embedkit\.wasm/m);
    assert.match(stderr, /was served as 'application\/octet-stream', not application\/wasm/);
    assert.equal(stderr.trim().split('\n').length, 2);
  } finally {
    await srv.close();
  }
});

test('no import.meta.url (a CommonJS bundle): an embedkit error naming the option; wasmPaths fixes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'embedkit-cjs-'));
  try {
    const esbuild = join(root, 'node_modules', 'esbuild', 'bin', 'esbuild');
    writeFileSync(join(dir, 'entry.js'), `
      const ek = require(${JSON.stringify(join(root, 'src/js/index.js'))});
      (async () => {
        let message = null;
        try { await ek.init(); } catch (e) { message = e.message; }
        await ek.init({ wasmPaths: process.argv[2] });
        const e = new ek.Embedding(3, 2, { weight: new Float32Array([0, 1, 2, 3, 4, 5]) });
        console.log(JSON.stringify({ message, row: Array.from(e.forward([2])) }));
      })();`);
    execFileSync(esbuild, ['entry.js', '--bundle', '--platform=node', '--format=cjs', '--log-level=error', '--outfile=out.cjs'], { cwd: dir });
    const out = JSON.parse(execFileSync(process.execPath, ['out.cjs', dist], { cwd: dir, encoding: 'utf8' }));
    assert.match(out.message, /^embedkit: cannot locate embedkit\.wasm: import\.meta\.url is undefined in this build \(an iife or CommonJS bundle\?\)\. Say where the \.wasm files are with init\(\{ wasmPaths:/);
    assert.deepEqual(out.row, [4, 5]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an engine without wasm SIMD (probe rejected): the no-SIMD file under the same prefix, or a clear error for a map without it', async () => {
  const { out } = await child(`
    WebAssembly.validate = () => false;   // what an engine without SIMD answers for the probe
    let error = null;
    try { await ek.init({ wasmPaths: { simd: ${JSON.stringify(join(dist, 'embedkit.wasm'))} } }); } catch (e) { error = e.message; }
    await ek.init({ wasmPaths: ${JSON.stringify(dist + '/')} });${FORWARD}
    console.log(JSON.stringify({ error, f, ok }));`);
  assert.match(out.error, /^embedkit: wasmPaths has no 'nosimd' entry, and this engine has no wasm SIMD: give wasmPaths\.nosimd \(the file embedkit-nosimd\.wasm\)\.$/);
  assert.equal(out.ok, true);
  assert.deepEqual([out.f.simd, out.f.simdSupported, out.f.wasm], [false, false, pathToFileURL(join(dist, 'embedkit-nosimd.wasm')).href]);
});
