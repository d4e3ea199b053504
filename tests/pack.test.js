// Packaging: `npm pack`, install the tarball into a fresh project, import 'embedkit' by name,
// check the TypeScript declarations compile against a usage file, and bundle with esbuild.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('npm pack -> npm install -> import "embedkit" works in a fresh project', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'embedkit-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = run('npm', ['pack', '--json', '--pack-destination', dir], root);
  const info = JSON.parse(out.slice(out.indexOf('[')))[0];
  const files = info.files.map((f) => f.path);
  for (const must of ['dist/embedkit.wasm', 'dist/embedkit-nosimd.wasm', 'src/js/index.js', 'src/index.d.ts', 'package.json']) {
    assert.ok(files.includes(must), `tarball lacks ${must}`);
  }
  assert.ok(!files.some((f) => f.startsWith('tests/') || f.startsWith('web/') || f.startsWith('src/c/')), 'only runtime files are packed');
  assert.ok(info.size < 380_000, `packed size ${info.size} bytes`);  // three .wasm builds (SIMD, no-SIMD, threads)
  // README's "Small." sizes stay true (within 15%) as the kernels change.
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const f of ['embedkit.wasm', 'embedkit-nosimd.wasm']) {
    const m = new RegExp('`' + f.replace('.', '\\.') + '` \\((\\d+) kB').exec(readme);
    assert.ok(m, `README states the size of ${f}`);
    const actual = info.files.find((x) => x.path === `dist/${f}`).size / 1000;
    assert.ok(Math.abs(Number(m[1]) - actual) <= 0.15 * actual, `README says ${f} is ${m[1]} kB, it is ${actual.toFixed(0)} kB`);
  }
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  const app = join(dir, 'app');
  run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(dir, tgz)], app);
  writeFileSync(join(app, 'main.js'), `
    import { init, features, Embedding } from 'embedkit';
    await init();
    const e = new Embedding(10, 3, { weight: Float32Array.from({ length: 30 }, (_, i) => i) });
    console.log(JSON.stringify({ simd: features.simd, row: Array.from(e.forward([7])) }));
  `);
  const res = JSON.parse(run('node', ['main.js'], app));
  assert.deepEqual(res, { simd: true, row: [21, 22, 23] });
  // CommonJS: require(esm) works from Node 20.19 / 22.12 on (the package has no top-level await).
  const [major, minor] = process.versions.node.split('.').map(Number);
  if ((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23) {
    writeFileSync(join(app, 'main.cjs'), `
      const ek = require('embedkit');
      ek.init().then(() => console.log(JSON.stringify(Array.from(new ek.Embedding(3, 2, { weight: new Float32Array([0, 1, 2, 3, 4, 5]) }).forward([1])))));
    `);
    assert.deepEqual(JSON.parse(run('node', ['main.cjs'], app)), [2, 3]);
  }

  // TypeScript users: the declarations type-check a usage file (strict) and catch a misuse.
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  writeFileSync(join(app, 'use.ts'), `
    import { init, Embedding, ResidentArray, Vocab, Word2Vec, type Word2VecPeek } from 'embedkit';
    await init();
    const e = new Embedding(10, 4, { seed: 1, paddingIdx: 0 });
    const out: Float32Array = e.forward(new Int32Array([1, 2]));
    e.backward([1, 2], out);
    const r = new ResidentArray(Float32Array, 8);
    const same: ResidentArray<Float32Array> = e.forward([1, 2], r);
    const pad: number | null = e.paddingIdx;
    e.zeroGrad(); e.dispose(); void same; void pad;
    const v = Vocab.fromText('a b c. a b.');
    const w = new Word2Vec({ vocab: v, corpus: v.encode('a b c. a b.'), dim: 4 });
    const next: Word2VecPeek | null = w.peek({ thread: 0 });
    const negs: Int32Array | undefined = next?.examples[0]?.negatives;
    w.dispose(); void negs;
  `);
  const tsArgs = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,esnext.disposable,dom'];
  run('node', [tsc, ...tsArgs, 'use.ts'], app);
  writeFileSync(join(app, 'bad.ts'), `import { Embedding } from 'embedkit'; new Embedding(10, 4).forward(new Float32Array(2));`);
  assert.throws(() => run('node', [tsc, ...tsArgs, 'bad.ts'], app), (e) => /Float32Array/.test(e.stdout));

  // A browser-only project: lib es2022 + dom, no @types/node (types: []), skipLibCheck off, with
  // the bundler and the node16 resolutions; the .wasm asset subpaths have types too.
  writeFileSync(join(app, 'browser.ts'), `
    import { init, features, setLogLevel, Embedding } from 'embedkit';
    import simd from 'embedkit/embedkit.wasm';
    import nosimd from 'embedkit/embedkit-nosimd.wasm';
    const s: string = simd;
    setLogLevel('info');
    await init({ wasmPaths: { simd: s, nosimd }, logLevel: 'warn' });
    await init({ wasmPaths: new URL('./', import.meta.url) });
    const where: string | null = features.wasm;
    using e = new Embedding(4, 2);
    e.forward([1]);
    void where;
  `);
  const browserOnly = (mod, res, file) => {
    const config = `tsconfig.browser-${res}.json`;
    writeFileSync(join(app, config), JSON.stringify({ files: [file], compilerOptions: {
      strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['es2022', 'dom'], target: 'es2022', module: mod, moduleResolution: res } }));
    return () => run('node', [tsc, '-p', config], app);
  };
  for (const [mod, res] of [['esnext', 'bundler'], ['node16', 'node16'], ['nodenext', 'nodenext']]) {
    try {
      browserOnly(mod, res, 'browser.ts')();
    } catch (e) {
      assert.fail(`tsc (lib es2022+dom, no @types/node, moduleResolution ${res}) browser.ts:\n${e.stdout}`);
    }
  }
  writeFileSync(join(app, 'bad-init.ts'), `import { init } from 'embedkit'; await init({ wasmPaths: { avx: '/x.wasm' } });`);
  assert.throws(browserOnly('esnext', 'bundler', 'bad-init.ts'), (e) => /avx/.test(e.stdout));

  // esbuild bundles it; esbuild does not rewrite new URL(..., import.meta.url), so the bundle
  // passes the .wasm itself, as README tells esbuild users to.
  const esbuild = join(root, 'node_modules', 'esbuild', 'bin', 'esbuild');
  writeFileSync(join(app, 'entry.js'), `
    import { readFileSync } from 'node:fs';
    import { init, Embedding } from 'embedkit';
    await init({ wasm: readFileSync(process.argv[2]) });
    console.log(new Embedding(4, 2, { weight: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]) }).forward([3]).join(','));
  `);
  run(esbuild, ['entry.js', '--bundle', '--format=esm', '--platform=node', '--outfile=bundle.mjs'], app);
  assert.equal(run('node', ['bundle.mjs', join(app, 'node_modules', 'embedkit', 'dist', 'embedkit.wasm')], app).trim(), '6,7');
});
