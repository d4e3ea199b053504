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
//   --markdown    also print a summary table in Markdown (the README's "Benchmarks" table)
//   --cpu         time with this process's CPU time instead of wall time (steadier on a machine
//                 shared with other jobs; charges multi-threaded peers for all their threads)
//   --threads N   init({ threads: N }) (default: one per core, at most 8); with N > 1 every
//                 embedkit row also runs on N threads, side by side with its one-thread run
//                 (--threads 1 times the single-thread build, as before threads existed)
//   --load N      keep N CPU-bound processes running meanwhile (a busy machine: how the pool
//                 fares when its threads do not get a core each)
//   --list        list the workloads and exit
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

import * as ek from '../../src/js/index.js';
import { wasm } from '../../src/js/memory.js';
import { runWorkload, useCpuClock } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opts = { quick: false, samples: undefined, json: null, list: false, markdown: false, cpu: false, threads: undefined, load: 0 };
const wanted = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--quick' || a === 'quick') opts.quick = true;
  else if (a === '--samples') opts.samples = Number(args[++i]);
  else if (a === '--json') opts.json = args[++i];
  else if (a === '--list') opts.list = true;
  else if (a === '--markdown') opts.markdown = true;
  else if (a === '--cpu') opts.cpu = true;
  else if (a === '--threads') opts.threads = Number(args[++i]);
  else if (a === '--load') opts.load = Number(args[++i]);
  else if (a.startsWith('-')) throw new Error(`run.js: unknown option ${a}`);
  else wanted.push(a.toLowerCase());
}

await ek.init({ threads: opts.threads });
// Busy loops in processes of their own, killed when this process exits.
const hogs = Array.from({ length: opts.load }, () => {
  const h = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  h.unref();  // they must not keep this process alive
  return h;
});
process.on('exit', () => { for (const h of hogs) h.kill(); });
if (opts.cpu) useCpuClock();

// Only workload files: scripts that run on their own (glove-vs-c.js, word2vec-threads.js) would
// start their work when imported.
const files = readdirSync(here).filter((f) => f.endsWith('.js') && f !== 'run.js' && f !== 'harness.js' &&
  /export const workloads = \[\s*\S/.test(readFileSync(join(here, f), 'utf8'))).sort();
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
console.log(`embedkit ${ek.features.version} (simd: ${ek.features.simd}, threads: ${ek.features.threads}` +
  `${ek.features.threads > 1 ? '' : ` (${ek.features.threadsReason})`}) | node ${process.version} | ${os.cpus().length} CPUs: ${cpu}`);
console.log(`clock: ${opts.cpu ? 'CPU time of this process' : 'wall time'}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}${opts.load ? `; ${opts.load} busy processes alongside (--load)` : ''}`);
console.log('time/call: median; GB/s: workload bytes / time; x copy: time / in-process copy of the same bytes; ' +
  'x best peer: time / fastest correct peer');

const results = [];
let failed = 0;
for (const w of chosen) {
  try {
    const setThreads = ek.features.threads > 1 ? (n) => wasm().ek_pool_set_threads(n) : null;
    results.push(await runWorkload(w, { ek, memory: wasm().memory, quick: opts.quick, samples: opts.samples, setThreads }));
  } catch (e) {
    // One broken workload file should not hide the others' results.
    failed++;
    console.log(`${w.id}: setup or run failed: ${e.stack ?? e}`);
  }
}
if (opts.markdown) console.log(`\n${markdown(results)}`);
if (opts.json) {
  writeFileSync(opts.json, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpu, cpus: os.cpus().length,
    simd: ek.features.simd, threads: ek.features.threads, version: ek.features.version, quick: opts.quick, clock: opts.cpu ? 'cpu' : 'wall',
    loadavg: os.loadavg(), results,
  }, null, 2));
  console.log(`\nwrote ${opts.json}`);
}
if (failed) process.exitCode = 1;

/**
 * One line per workload: the first resident and first end-to-end embedkit rows, the fastest
 * correct peer, the copy limit, and the workload's first target.
 */
function markdown(results) {
  const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x >= 0.01 ? x.toFixed(3) : x.toFixed(4));
  const t = (r) => (r ? `${ms(r.ms)} ms (${r.xCopy.toFixed(2)}x)` : '-');
  const esc = (x) => x.replace(/\|/g, '\\|');
  const lines = [
    '| workload | embedkit resident | embedkit e2e | best peer | copy limit | target |',
    '|---|---|---|---|---|---|',
  ];
  for (const w of results) {
    const ok = w.rows.filter((r) => r.kind === 'embedkit' && r.ms !== undefined);
    const res = ok.find((r) => /resident/.test(r.row));
    const e2e = ok.find((r) => /\(e2e/.test(r.row));
    const peer = w.rows.find((r) => r.row === w.bestPeer);
    const x = w.targets[0];
    const target = x ? `${x.row} <= ${x.max}x ${x.vs}: ${Number.isFinite(x.ratio) ? x.ratio.toFixed(2) + 'x' : 'n/a'} ` +
      `${x.pass ? 'pass' : '**miss**'}` : '';
    lines.push(`| ${w.id} | ${t(res)} | ${t(e2e)} | ${peer ? `${esc(peer.row)}: ${t(peer)}` : '-'} | ` +
      `${ms(w.copyMs)} ms | ${esc(target)} |`);
  }
  return lines.join('\n');
}
