// rows-native.js — bench rows that run tests/bench/lib/rows-native.c (native C, its own
// process) on a workload's ids: how close plain C with prefetch instructions, AVX-512 and
// glibc's memcpy gets to a copy on this machine. Kind 'reference': shown for scale, never a
// "best peer" and never the copy limit.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { median } from '../harness.js';
import { buildNative } from './native.js';

/**
 * A row timing `mode` of rows-native.c on these ids, on `threads` POSIX threads. Each run is a
 * fresh process that times 5 cold repetitions and the same number of cold memcpy calls of the
 * same bytes (on the same threads, and on one), and reports the medians; the row's time is the
 * operation's, and its note gives the ratio to the process's own memcpy (the one comparison
 * free of cross-process effects) and, with threads, what the threads gained on the memcpy.
 */
export function nativeRowsRow(name, mode, ids, rows, dim, threads = 1) {
  const b = buildNative('rows-native.c', ['-O3', '-march=native', '-pthread']);
  if (b.missing) return { name, kind: 'reference', mode: 'native', na: b.missing };
  const idsFile = join(b.dir, `ids-${process.pid}-${mode}.bin`);
  writeFileSync(idsFile, new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength));
  const ratios = [], copies = [], copyGains = [];
  // The harness prints check().note after all samples, so the note object is kept and updated.
  const status = { ok: true, note: '' };
  return {
    name, kind: 'reference', mode: 'native, own process',
    run() {
      const out = execFileSync(b.exe, [mode, idsFile, String(rows), String(dim), '5', String(threads)], { encoding: 'utf8' });
      const [ms, copyMs, copy1Ms] = out.trim().split(' ').map(Number);
      ratios.push(ms / copyMs);
      copies.push(copyMs);
      copyGains.push(copyMs / copy1Ms);
      const own = threads > 1 ? `its own ${threads}-thread memcpy` : 'its own memcpy';
      status.note = mode === 'copy'
        ? `${threads} threads take ${median(copyGains).toFixed(2)}x the time of one thread's memcpy of the same bytes (glibc's memcpy is near the memory's limit on one thread)`
        : `${median(ratios).toFixed(2)}x ${own} of the same bytes (${median(copies).toFixed(2)} ms)`;
      return ms;
    },
    check: () => status,
  };
}
