// run.js — `npm run bench [-- W1 W2 ...] [--quick] [--samples N] [--json FILE]`
//
// Imports every workload file tests/bench/*.js (all but run.js and harness.js; the shape they
// export is documented at the top of harness.js), runs the selected workloads one after another
// (all rows of one workload interleaved in this process) and prints one table per workload.
//   W1 W2 ...     run only these workloads (case-insensitive; an id with no exact match picks
//                 the ids that extend it with letters: 'W4' -> W4a, W4b)
//   --quick       fewer samples (7) and shorter samples: a smoke run, not for the README
//   --samples N   timed samples per row (median is printed; at least 7)
//   --json FILE   also write the results as JSON
//   --list        list the workloads and exit
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

import * as ek from '../../src/js/index.js';
import { wasm } from '../../src/js/memory.js';
import { runWorkload } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opts = { quick: false, samples: undefined, json: null, list: false };
const wanted = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--quick' || a === 'quick') opts.quick = true;
  else if (a === '--samples') opts.samples = Number(args[++i]);
  else if (a === '--json') opts.json = args[++i];
  else if (a === '--list') opts.list = true;
  else if (a.startsWith('-')) throw new Error(`run.js: unknown option ${a}`);
  else wanted.push(a.toLowerCase());
}

await ek.init();

const files = readdirSync(here).filter((f) => f.endsWith('.js') && f !== 'run.js' && f !== 'harness.js').sort();
const all = [];
for (const f of files) {
  const mod = await import(pathToFileURL(join(here, f)).href);
  if (!Array.isArray(mod.workloads)) continue;
  for (const w of mod.workloads) all.push({ ...w, file: f });
}
// W1, W1b, W2, ..., W10 in natural order.
const key = (id) => id.replace(/\d+/g, (d) => d.padStart(4, '0'));
all.sort((a, b) => (key(a.id) < key(b.id) ? -1 : key(a.id) > key(b.id) ? 1 : 0));

if (opts.list) {
  for (const w of all) console.log(`${w.id.padEnd(6)} ${w.title}   (${w.file})`);
  process.exit(0);
}
// An exact id wins ('W1' is W1 only); otherwise a prefix followed by a letter ('W4' -> W4a, W4b).
const matches = (w, x) => {
  const id = w.id.toLowerCase();
  if (all.some((v) => v.id.toLowerCase() === x)) return id === x;
  return id.startsWith(x) && /^[a-z]/.test(id.slice(x.length));
};
const chosen = wanted.length ? all.filter((w) => wanted.some((x) => matches(w, x))) : all;
if (wanted.length && chosen.length === 0) {
  console.error(`run.js: no workload matches ${wanted.join(' ')}; have: ${all.map((w) => w.id).join(' ')}`);
  process.exit(2);
}

const cpu = (os.cpus()[0]?.model ?? 'unknown CPU').trim();
console.log(`embedkit ${ek.features.version} (simd: ${ek.features.simd}) | node ${process.version} | ${os.cpus().length} CPUs: ${cpu}`);
console.log('time/call: median; GB/s: workload bytes / time; x copy: time / in-process copy of the same bytes; ' +
  'x best peer: time / fastest correct peer');

const results = [];
for (const w of chosen) {
  results.push(await runWorkload(w, { ek, memory: wasm().memory, quick: opts.quick, samples: opts.samples }));
}
if (opts.json) {
  writeFileSync(opts.json, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpu, cpus: os.cpus().length,
    simd: ek.features.simd, version: ek.features.version, quick: opts.quick, results,
  }, null, 2));
  console.log(`\nwrote ${opts.json}`);
}
