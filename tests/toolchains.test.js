// Toolchains, as a new user meets them: the packed tarball installed into a fresh project and
// bundled with each recipe of README "Bundlers" — esbuild (esm, iife, --platform=node), Rollup +
// node-resolve, Vite 6 (build.target es2022), and Vite 8 and webpack 5 with no embedkit setup —
// then served on a random port and run in headless Chromium (or Node for the node bundle):
// a forward must equal a plain JS gather of the same table, bit for bit. Unconfigured esbuild
// bundles must fail with embedkit's error naming the option. attw (esm-only profile) and
// publint must find nothing in the tarball.
//
// The builds run in parallel child processes, and are cached under tests/out/toolchains/<key>,
// key = hash of the packed files, this file and the bundler versions: a rerun with nothing
// changed only serves and checks (set EMBEDKIT_TOOLCHAINS_REBUILD=1 to force a build).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, runPage, serve } from './helpers/chromium.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const entry = (name) => fileURLToPath(import.meta.resolve(name));
const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const TOOLS = ['esbuild', 'rollup', '@rollup/plugin-node-resolve', 'vite', 'vite6', 'webpack', '@arethetypeswrong/cli', 'publint'];

function run(cmd, args, cwd, { allowFail = false } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 240_000 }, (err, stdout, stderr) => {
      if (err && !allowFail) reject(new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stderr}\n${stdout}`));
      else resolve({ code: err ? err.code ?? 1 : 0, stdout, stderr });
    });
  });
}

// The app every toolchain builds: a known table, a forward, the same rows gathered in plain JS.
function appSource(start) {
  return `import { init, features, Embedding } from 'embedkit';
function report(r) {
  if (typeof window !== 'undefined') window.result = r;
  else console.log(JSON.stringify(r));
}
function run() {
  const w = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i + 0.5) * 1e3);
  const e = new Embedding(16, 4, { weight: w });
  const ids = [3, 15, 0, 3, 7];
  const got = Array.from(e.forward(new Int32Array(ids)));
  const want = ids.flatMap((i) => Array.from(w.subarray(i * 4, i * 4 + 4)));
  report({ ok: got.length === want.length && got.every((v, i) => Object.is(v, want[i])), n: got.length,
    simd: features.simd, wasm: features.wasm, via: features.via });
}
function fail(e) { report({ error: String(e && e.message || e) }); }
${start}
`;
}
const TLA = (opts) => `try { await init(${opts}); run(); } catch (e) { fail(e); }`;
const MODULE_PAGE = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./main.js"></script>';
const SCRIPT_PAGE = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script src="./main.js"></script>';

// name -> { src: main.js, build: (dir) => Promise, page?: index.html to add to out/, copyWasm, node }
const APPS = {
  'esbuild-esm': {
    src: appSource(TLA("{ wasmPaths: new URL('./', import.meta.url) }")), page: MODULE_PAGE, copyWasm: true,
    build: (dir) => run(bin('esbuild'), ['main.js', '--bundle', '--format=esm', '--outfile=out/main.js', '--log-level=error'], dir),
  },
  'esbuild-iife': {
    src: appSource("init({ wasmPaths: './' }).then(run, fail);"), page: SCRIPT_PAGE, copyWasm: true,
    build: (dir) => run(bin('esbuild'), ['main.js', '--bundle', '--format=iife', '--outfile=out/main.js', '--log-level=error'], dir),
  },
  'esbuild-iife-unconfigured': {
    src: appSource('init().then(run, fail);'), page: SCRIPT_PAGE,
    build: (dir) => run(bin('esbuild'), ['main.js', '--bundle', '--format=iife', '--outfile=out/main.js', '--log-level=error'], dir),
  },
  'esbuild-node': {
    src: appSource(TLA("{ wasmPaths: new URL('./', import.meta.url) }")), copyWasm: true, node: true,
    build: (dir) => run(bin('esbuild'), ['main.js', '--bundle', '--platform=node', '--format=esm', '--outfile=out/main.mjs', '--log-level=error'], dir),
  },
  'esbuild-node-external': {
    src: appSource(TLA('')), node: true,
    build: (dir) => run(bin('esbuild'), ['main.js', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--outfile=out/main.mjs', '--log-level=error'], dir),
  },
  'esbuild-node-unconfigured': {
    src: appSource(TLA('')), node: true,
    build: (dir) => run(bin('esbuild'), ['main.js', '--bundle', '--platform=node', '--format=esm', '--outfile=out/main.mjs', '--log-level=error'], dir),
  },
  'rollup': {
    src: appSource(TLA("{ wasmPaths: new URL('./', import.meta.url) }")), page: MODULE_PAGE, copyWasm: true,
    build: (dir) => buildScript(dir, `
      const { rollup } = await import(${JSON.stringify(entry('rollup'))});
      const { nodeResolve } = await import(${JSON.stringify(entry('@rollup/plugin-node-resolve'))});
      const bundle = await rollup({ input: 'main.js', plugins: [nodeResolve({ browser: true })] });
      await bundle.write({ dir: 'out', format: 'es' });`),
  },
  'vite6': {
    src: appSource(TLA('')), html: MODULE_PAGE,
    build: (dir) => buildScript(dir, `
      const { build } = await import(${JSON.stringify(entry('vite6'))});
      await build({ root: '.', base: './', configFile: false, logLevel: 'error', build: { target: 'es2022', outDir: 'out' } });`),
  },
  'vite6-default-target': {   // the reason for the Vite 6 recipe: without es2022 the build fails
    src: appSource(TLA('')), html: MODULE_PAGE, buildFails: true,
    build: (dir) => buildScript(dir, `
      const { build } = await import(${JSON.stringify(entry('vite6'))});
      await build({ root: '.', base: './', configFile: false, logLevel: 'silent', build: { outDir: 'out' } });`),
  },
  'vite8': {
    src: appSource(TLA('')), html: MODULE_PAGE,
    build: (dir) => buildScript(dir, `
      const { build } = await import(${JSON.stringify(entry('vite'))});
      await build({ root: '.', base: './', configFile: false, logLevel: 'error', build: { outDir: 'out' } });`),
  },
  'webpack5': {
    src: appSource(TLA('')), page: SCRIPT_PAGE,
    build: (dir) => buildScript(dir, `
      const webpack = (await import(${JSON.stringify(entry('webpack'))})).default;
      const stats = await new Promise((resolve, reject) => webpack({ mode: 'production', context: process.cwd(),
        entry: './main.js', output: { path: process.cwd() + '/out', filename: 'main.js' }, optimization: { minimize: false } },
        (err, s) => (err ? reject(err) : resolve(s))));
      if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));`),
  },
};

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function buildScript(dir, body) {
  writeFileSync(join(dir, 'build.mjs'), body);
  return run(process.execPath, ['build.mjs'], dir);
}

function cacheKey(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update(readFileSync(join(root, f)));
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  for (const t of TOOLS) h.update(`${t}@${version(t)}`);
  return h.digest('hex').slice(0, 16);
}

async function packAndBuild(t) {
  const packList = JSON.parse((await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root)).stdout)[0].files.map((f) => f.path).sort();
  const base = join(root, 'tests', 'out', 'toolchains');
  const dir = join(base, cacheKey(packList));
  if (existsSync(join(dir, 'done')) && !process.env.EMBEDKIT_TOOLCHAINS_REBUILD) return { dir, cached: true };
  rmSync(base, { recursive: true, force: true });
  mkdirSync(join(dir, 'apps'), { recursive: true });
  const t0 = performance.now();
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], root);
  const tgz = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')));
  writeFileSync(join(dir, 'apps', 'package.json'), JSON.stringify({ name: 'apps', version: '1.0.0', type: 'module', private: true }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts', tgz], join(dir, 'apps'));
  const wasmDir = join(dir, 'apps', 'node_modules', 'embedkit', 'dist');
  await Promise.all(Object.entries(APPS).map(async ([name, app]) => {
    const appDir = join(dir, 'apps', name);
    mkdirSync(join(appDir, 'out'), { recursive: true });
    writeFileSync(join(appDir, 'main.js'), app.src);
    if (app.html) writeFileSync(join(appDir, 'index.html'), app.html.replace('./main.js', '/main.js'));
    if (app.buildFails) {
      const failure = await app.build(appDir).then(() => 'the build succeeded', (e) => e.message);
      writeFileSync(join(appDir, 'out', 'build-error.txt'), failure);
      return;
    }
    await app.build(appDir);
    if (app.page) writeFileSync(join(appDir, 'out', 'index.html'), app.page);
    if (app.copyWasm) for (const f of ['embedkit.wasm', 'embedkit-nosimd.wasm']) cpSync(join(wasmDir, f), join(appDir, 'out', f));
  }));
  t.diagnostic(`packed, installed and built ${Object.keys(APPS).length} apps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  writeFileSync(join(dir, 'done'), '');
  return { dir, cached: false };
}

test('bundler recipes: each app gives the plain JS gather, bit for bit; attw and publint find nothing', { timeout: 600_000 }, async (t) => {
  const { dir, cached } = await packAndBuild(t);
  t.diagnostic(cached ? `reused the builds in ${dir}` : `built into ${dir}`);
  const apps = join(dir, 'apps');
  const tgz = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')));

  // Node bundles, the lint tools and the browser pages, side by side.
  const node = (name) => run(process.execPath, [join(apps, name, 'out', 'main.mjs')], join(apps, name)).then((r) => JSON.parse(r.stdout));
  const attw = run(bin('attw'), [tgz, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'json'], dir, { allowFail: true });
  const publint = run(bin('publint'), ['run', tgz, '--level', 'suggestion'], dir, { allowFail: true });
  const server = await serve({}, apps);
  const browser = await launch();
  try {
    assert.match(readFileSync(join(apps, 'vite6-default-target', 'out', 'build-error.txt'), 'utf8'),
      /Top-level await is not available in the configured target environment/, 'Vite 6 without build.target es2022');
    const pages = Object.entries(APPS).filter(([, a]) => !a.node && !a.buildFails).map(async ([name]) =>
      [name, await runPage(browser, `${server.url}/${name}/out/index.html`)]);
    const results = Object.fromEntries(await Promise.all(pages));
    const expectWasm = {
      'esbuild-esm': `${server.url}/esbuild-esm/out/embedkit.wasm`,
      'esbuild-iife': `${server.url}/esbuild-iife/out/embedkit.wasm`,
      'rollup': `${server.url}/rollup/out/embedkit.wasm`,
    };
    for (const [name, { result, errors }] of Object.entries(results)) {
      assert.deepEqual(errors, [], `${name}: no page errors or failed requests`);
      if (name === 'esbuild-iife-unconfigured') {
        assert.match(result.error ?? '', /^embedkit: cannot locate embedkit\.wasm: import\.meta\.url is undefined in this build \(an iife or CommonJS bundle\?\)\. Say where the \.wasm files are with init\(\{ wasmPaths:/, name);
        continue;
      }
      assert.equal(result.error, undefined, `${name}: ${result.error}`);
      assert.equal(result.ok, true, `${name}: forward equals the plain JS gather`);
      assert.equal(result.n, 20);
      assert.equal(result.simd, true, `${name}: the SIMD build loaded`);
      if (expectWasm[name]) assert.deepEqual([result.wasm, result.via], [expectWasm[name], 'wasmPaths'], name);
      else {
        assert.equal(result.via, 'default', name);
        assert.match(result.wasm, new RegExp(`^${server.url}/${name}/out/.*\\.wasm$`), `${name}: the bundler emitted the .wasm into its output`);
      }
    }
    // Dev servers: Vite 8 needs nothing; Vite 6 pre-bundles embedkit away from its .wasm unless
    // it is excluded from optimizeDeps, and then embedkit's error says so.
    const dev = [['vite', {}], ['vite6', { exclude: ['embedkit'] }], ['vite6', {}]];
    for (const [pkg, optimizeDeps] of dev) {
      const { createServer } = await import(entry(pkg));
      const what = `${pkg} dev server, optimizeDeps ${JSON.stringify(optimizeDeps)}`;
      const vite = await createServer({ root: join(apps, 'vite6'), configFile: false, logLevel: 'error', optimizeDeps,
        cacheDir: join(dir, `vite-cache-${pkg}-${Object.keys(optimizeDeps).length}`), server: { host: '127.0.0.1', port: await freePort(), strictPort: true } });
      try {
        await vite.listen();
        const { result, errors } = await runPage(browser, vite.resolvedUrls.local[0]);
        assert.deepEqual(errors, [], what);
        if (pkg === 'vite6' && !optimizeDeps.exclude) {
          assert.match(result.error, /is not a WebAssembly module \(expected magic word 00 61 73 6d, found 3c 21 64 6f\).*optimizeDeps: \{ exclude: \['embedkit'\] \}/, what);
        } else {
          assert.deepEqual([result.error, result.ok, result.simd], [undefined, true, true], what);
        }
      } finally {
        await vite.close();
      }
    }

    const good = await node('esbuild-node');
    assert.deepEqual([good.ok, good.simd, good.via], [true, true, 'wasmPaths'], JSON.stringify(good));
    const ext = await node('esbuild-node-external');
    assert.deepEqual([ext.ok, ext.simd, ext.via], [true, true, 'default'], JSON.stringify(ext));
    const bad = await node('esbuild-node-unconfigured');
    assert.match(bad.error, /^embedkit: cannot read the WebAssembly module \/.*\/dist\/embedkit\.wasm \(ENOENT: no such file\)\. A bundled app .* copy dist\/\*\.wasm beside it\. Say where the \.wasm files are with init\(\{ wasmPaths:/);

    const a = await attw;
    const problems = JSON.parse(a.stdout).analysis.problems ?? [];
    const counted = problems.filter((p) => !['node10', 'node16-cjs'].includes(p.resolutionKind));
    assert.deepEqual(counted, [], 'attw --profile esm-only: no problems');
    assert.equal(a.code, 0, a.stderr);
    const p = await publint;
    assert.equal(p.code, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /All good!/, `publint: ${p.stdout}`);
  } finally {
    await browser.close();
    await server.close();
  }
});
