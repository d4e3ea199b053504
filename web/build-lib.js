// build-lib.js — bundle the one library the page cannot import as-is into web/lib/, and train
// the word vectors the explorer opens with (web/lib/moby-skipgram.ekv).
//
// ml-pca ships ES modules that import the bare name 'ml-matrix', which in turn imports more bare
// names; a browser without a bundler cannot resolve those. esbuild (a devDependency) turns it
// into one local ES module, web/lib/ml-pca.js. gpt-tokenizer and uPlot need no bundling: the
// page's import map points at their ES modules under /node_modules/.
// Run by web/serve.js before it listens (and usable alone: `node web/build-lib.js`).

import { stat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, 'web', 'lib', 'ml-pca.js');
const PKG = join(ROOT, 'node_modules', 'ml-pca', 'package.json');

async function mtime(p) {
  try { return (await stat(p)).mtimeMs; } catch { return -1; }
}

export async function buildLib({ quiet = false } = {}) {
  await bundlePca(quiet);
  await buildVectors(quiet);
}

/**
 * Train the tutorial's word2vec run on Moby-Dick once, with embedkit itself in Node, and save
 * the vectors to web/lib/ (saveVectors, EKV1), so the explorer (section 2) shows finished vectors
 * the moment the page opens. The page trains the same run live when asked. Skipped when the
 * file exists for the current settings; about 15 s on one core.
 */
async function buildVectors(quiet) {
  const { SETTINGS, MIN_COUNT, PREBUILT, BOOK } = await import('./w2v-settings.js');
  const out = join(ROOT, PREBUILT);
  const meta = `${out}.json`;
  const want = JSON.stringify({ ...SETTINGS, minCount: MIN_COUNT });
  try {
    if ((await readFile(meta, 'utf8')) === want && (await mtime(out)) > 0) return;
  } catch { /* not built yet */ }
  const { init, Vocab, Word2Vec, saveVectors } = await import('../src/js/index.js');
  await init();
  const text = await readFile(join(ROOT, BOOK), 'utf8');
  const t0 = Date.now();
  const vocab = Vocab.fromText(text, { minCount: MIN_COUNT });
  const trainer = new Word2Vec({ corpus: vocab.encode(text), vocab, ...SETTINGS });
  try {
    while (!trainer.done) trainer.step(200000);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, saveVectors({ words: vocab.words.slice(), weight: trainer.weight, dim: trainer.dim, counts: vocab.counts }));
    await writeFile(meta, want);
  } finally {
    trainer.dispose();
  }
  if (!quiet) console.log(`build-lib: trained ${PREBUILT} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function bundlePca(quiet) {
  const out = await mtime(OUT);
  if (out > 0 && out >= await mtime(PKG) && out >= await mtime(fileURLToPath(import.meta.url))) return;
  const esbuild = await import('esbuild');
  await mkdir(dirname(OUT), { recursive: true });
  await esbuild.build({
    stdin: { contents: "export { PCA } from 'ml-pca';", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    legalComments: 'inline',
    outfile: OUT,
    logLevel: quiet ? 'silent' : 'warning',
  });
  if (!quiet) console.log('build-lib: wrote web/lib/ml-pca.js');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildLib();
