// build-lib.js — bundle the one library the page cannot import as-is into web/lib/.
//
// ml-pca ships ES modules that import the bare name 'ml-matrix', which in turn imports more bare
// names; a browser without a bundler cannot resolve those. esbuild (a devDependency) turns it
// into one local ES module, web/lib/ml-pca.js. gpt-tokenizer and uPlot need no bundling: the
// page's import map points at their ES modules under /node_modules/.
// Run by web/serve.js before it listens (and usable alone: `node web/build-lib.js`).

import { stat, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, 'web', 'lib', 'ml-pca.js');
const PKG = join(ROOT, 'node_modules', 'ml-pca', 'package.json');

async function mtime(p) {
  try { return (await stat(p)).mtimeMs; } catch { return -1; }
}

export async function buildLib({ quiet = false } = {}) {
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
