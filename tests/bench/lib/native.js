// native.js — compile a C file of tests/bench/lib/ with gcc at bench time (once per process and
// file), for the bench's native C rows. Returns { exe, dir } or { missing: reason }.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const built = new Map();

export function buildNative(file, flags) {
  if (built.has(file)) return built.get(file);
  const src = fileURLToPath(new URL(`./${file}`, import.meta.url));
  const dir = join(tmpdir(), 'embedkit-bench');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, file.replace(/\.c$/, ''));
  let r;
  try {
    execFileSync('gcc', [...flags, src, '-lm', '-o', exe], { stdio: ['ignore', 'pipe', 'pipe'] });
    r = { exe, dir };
  } catch (e) {
    r = { missing: `gcc failed or missing (${String(e.message).split('\n')[0].slice(0, 80)})` };
  }
  built.set(file, r);
  return r;
}
