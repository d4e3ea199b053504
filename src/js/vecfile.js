// vecfile.js — save and load a table of word vectors with its vocabulary. Pure JS, no wasm.
//
// Format "EKV1" (all numbers little-endian), one file, no compression:
//   offset  size            field
//   0       4               magic: the ASCII bytes "EKV1"
//   4       4   u32         flags: bit 0 = a counts block is present
//   8       4   u32         rows (number of words)
//   12      4   u32         dim
//   16      4   u32         wordsBytes: length of the words block
//   20      wordsBytes      the words, UTF-8, joined with "\n" (so a word cannot contain "\n")
//   ...     0-7             zero bytes up to the next multiple of 8
//   ...     rows * 8  f64   counts (only when flags bit 0)
//   ...     rows*dim*4 f32  the vectors, row-major (row i belongs to word i)
// Nothing follows. A reader must reject a wrong magic, unknown flag bits, or a size mismatch.
// toWord2VecText() writes the original word2vec tool's text format instead
// ("rows dim" line, then "word v1 v2 ..." per line) for other tools.

import { checkOptions } from './validate.js';

const MAGIC = [0x45, 0x4b, 0x56, 0x31];  // "EKV1"
/** Keys of the object saveVectors / toWord2VecText take (loadVectors' result fits both; the text format drops counts). */
export const VECTORS_KEYS = ['words', 'weight', 'dim', 'counts'];

function checkWords(words, rows) {
  if (!Array.isArray(words)) throw new TypeError('embedkit: words must be an array of strings');
  if (words.length !== rows) throw new RangeError(`embedkit: words has ${words.length} entries, expected ${rows} (one per row)`);
  words.forEach((w, i) => {
    if (typeof w !== 'string' || w.length === 0) throw new TypeError(`embedkit: words[${i}] must be a non-empty string`);
    if (/[\n]/.test(w)) throw new RangeError(`embedkit: words[${i}] contains a newline`);
  });
}

function checkTable(weight, dim) {
  if (!(weight instanceof Float32Array)) throw new TypeError('embedkit: weight must be a Float32Array');
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) throw new RangeError(`embedkit: dim must be a positive integer, got ${dim}`);
  if (weight.length % dim !== 0) throw new RangeError(`embedkit: weight has length ${weight.length}, not a multiple of dim = ${dim}`);
  return weight.length / dim;
}

/**
 * Serialise vectors and their words to the EKV1 format.
 * @param {{ words: string[], weight: Float32Array, dim: number, counts?: ArrayLike<number> }} v
 * @returns {Uint8Array}
 */
export function saveVectors(v) {
  const { words, weight, dim, counts } = checkOptions(v, VECTORS_KEYS, 'saveVectors argument', { optional: false });
  const rows = checkTable(weight, dim);
  checkWords(words, rows);
  if (counts !== undefined && counts !== null) {
    if (typeof counts.length !== 'number' || counts.length !== rows) throw new RangeError(`embedkit: counts must have ${rows} entries`);
  }
  const wordBytes = new TextEncoder().encode(words.join('\n'));
  const head = 20 + wordBytes.length;
  const pad = (8 - (head % 8)) % 8;
  const hasCounts = counts !== undefined && counts !== null;
  const total = head + pad + (hasCounts ? rows * 8 : 0) + rows * dim * 4;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(4, hasCounts ? 1 : 0, true);
  dv.setUint32(8, rows, true);
  dv.setUint32(12, dim, true);
  dv.setUint32(16, wordBytes.length, true);
  out.set(wordBytes, 20);
  let off = head + pad;
  if (hasCounts) {
    for (let i = 0; i < rows; i++, off += 8) dv.setFloat64(off, Number(counts[i]), true);
  }
  for (let i = 0; i < weight.length; i++, off += 4) dv.setFloat32(off, weight[i], true);
  return out;
}

/**
 * Parse an EKV1 file.
 * @param {Uint8Array|ArrayBuffer} bytes
 * @returns {{ words: string[], weight: Float32Array, dim: number, counts: Float64Array | null }}
 */
export function loadVectors(bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw new TypeError('embedkit: loadVectors takes a Uint8Array or an ArrayBuffer');
  const bad = (why) => new RangeError(`embedkit: not a valid EKV1 vector file: ${why}`);
  if (bytes.length < 20 || MAGIC.some((m, i) => bytes[i] !== m)) throw bad('wrong magic (expected "EKV1")');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = dv.getUint32(4, true), rows = dv.getUint32(8, true), dim = dv.getUint32(12, true), wb = dv.getUint32(16, true);
  if (flags & ~1) throw bad(`unknown flags ${flags}`);
  if (rows < 1 || dim < 1) throw bad(`rows = ${rows}, dim = ${dim}`);
  const head = 20 + wb;
  const pad = (8 - (head % 8)) % 8;
  const hasCounts = (flags & 1) === 1;
  const expected = head + pad + (hasCounts ? rows * 8 : 0) + rows * dim * 4;
  if (bytes.length !== expected) throw bad(`length ${bytes.length}, expected ${expected} for ${rows} x ${dim}`);
  const words = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(20, head)).split('\n');
  if (words.length !== rows) throw bad(`${words.length} words for ${rows} rows`);
  let off = head + pad;
  let counts = null;
  if (hasCounts) {
    counts = new Float64Array(rows);
    for (let i = 0; i < rows; i++, off += 8) counts[i] = dv.getFloat64(off, true);
  }
  const weight = new Float32Array(rows * dim);
  for (let i = 0; i < weight.length; i++, off += 4) weight[i] = dv.getFloat32(off, true);
  return { words, weight, dim, counts };
}

/** The original word2vec tool's text format: "rows dim\n" then "word v1 ... vdim\n" per row. */
export function toWord2VecText(v) {
  const { words, weight, dim } = checkOptions(v, VECTORS_KEYS, 'toWord2VecText argument', { optional: false });
  const rows = checkTable(weight, dim);
  checkWords(words, rows);
  if (words.some((w) => /\s/.test(w))) throw new RangeError('embedkit: the word2vec text format cannot hold words with spaces');
  const lines = [`${rows} ${dim}`];
  for (let i = 0; i < rows; i++) {
    const r = [];
    for (let j = 0; j < dim; j++) r.push(String(weight[i * dim + j]));
    lines.push(`${words[i]} ${r.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

// A decimal number as the word2vec tool and gensim write them (no hex, no "Infinity", no "NaN").
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parse the word2vec tool's text format (a "rows dim" header, then one "word v1 ... vdim" line
 * per row), e.g. vectors trained elsewhere. The file is untrusted: the header is checked against
 * the text actually present before anything sized by it is allocated, and every value must be a
 * decimal number that fits float32. Throws RangeError naming the first bad line.
 * @param {string} text
 * @returns {{ words: string[], weight: Float32Array, dim: number, counts: null }}
 */
export function fromWord2VecText(text) {
  if (typeof text !== 'string') throw new TypeError('embedkit: fromWord2VecText takes a string');
  const lines = text.split('\n');
  const headLine = lines[0].trim();
  const m = /^(\d{1,15})\s+(\d{1,15})$/.exec(headLine);
  const rows = m ? Number(m[1]) : NaN, dim = m ? Number(m[2]) : NaN;
  if (!m || rows < 1 || dim < 1) {
    throw new RangeError(`embedkit: word2vec text line 1 must be "rows dim", got ${JSON.stringify(headLine.slice(0, 40))}`);
  }
  // Each row is a line of at least 2 * dim + 1 characters (a word, then dim separated numbers).
  const body = text.length - lines[0].length - 1;
  if (lines.length - 1 < rows || body < rows * (2 * dim + 1)) {
    throw new RangeError(`embedkit: word2vec text line 1 announces ${rows} rows of ${dim} numbers, but the ` +
      `${lines.length - 1} lines and ${Math.max(body, 0)} characters after it are too short to reach line ${rows + 1}`);
  }
  const words = [];
  const weight = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    const parts = lines[i + 1].trim().split(/\s+/);
    if (parts.length !== dim + 1 || parts[0] === '') {
      throw new RangeError(`embedkit: word2vec text line ${i + 2} has ${Math.max(parts.length - 1, 0)} numbers, expected ${dim}`);
    }
    words.push(parts[0]);
    for (let j = 0; j < dim; j++) {
      const t = parts[j + 1];
      if (!DECIMAL.test(t)) throw new RangeError(`embedkit: word2vec text line ${i + 2}: ${JSON.stringify(t.slice(0, 40))} is not a number`);
      const v = Math.fround(Number(t));
      if (!Number.isFinite(v)) {
        throw new RangeError(`embedkit: word2vec text line ${i + 2}: ${t} overflows float32 (largest finite value 3.4028235e38)`);
      }
      weight[i * dim + j] = v;
    }
  }
  for (let k = rows + 1; k < lines.length; k++) {
    if (lines[k].trim() !== '') throw new RangeError(`embedkit: word2vec text line ${k + 1}: text after the ${rows} rows the header announces`);
  }
  return { words, weight, dim, counts: null };
}

/**
 * The original word2vec tool's binary format (its -binary 1 output, gensim's
 * save_word2vec_format(binary=True)): an ASCII "rows dim\n" header, then per row the word in
 * UTF-8, a space, and dim little-endian float32 values. lineBreaks (default true) ends every
 * row with "\n" as the tool does; false writes gensim's layout (no separator). Both read back in
 * either program and in fromWord2VecBinary.
 * @param {{ words: string[], weight: Float32Array, dim: number }} v
 * @param {{ lineBreaks?: boolean }} [options]
 * @returns {Uint8Array}
 */
export function toWord2VecBinary(v, options) {
  const { words, weight, dim } = checkOptions(v, VECTORS_KEYS, 'toWord2VecBinary argument', { optional: false });
  const { lineBreaks = true } = checkOptions(options, ['lineBreaks'], 'toWord2VecBinary options');
  const rows = checkTable(weight, dim);
  checkWords(words, rows);
  if (typeof lineBreaks !== 'boolean') throw new TypeError('embedkit: lineBreaks must be a boolean');
  words.forEach((w, i) => {
    if (/[ \t\r\n\v\f]/.test(w)) throw new RangeError(`embedkit: words[${i}] = ${JSON.stringify(w)} contains white space, which the word2vec formats cannot hold`);
  });
  const enc = new TextEncoder();
  const head = enc.encode(`${rows} ${dim}\n`);
  const wb = words.map((w) => enc.encode(w));
  const total = head.length + wb.reduce((s, b) => s + b.length + 1, 0) + rows * (dim * 4 + (lineBreaks ? 1 : 0));
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(head, 0);
  let off = head.length;
  for (let i = 0; i < rows; i++) {
    out.set(wb[i], off);
    off += wb[i].length;
    out[off++] = 0x20;
    for (let j = 0; j < dim; j++, off += 4) dv.setFloat32(off, weight[i * dim + j], true);
    if (lineBreaks) out[off++] = 0x0a;
  }
  return out;
}

/**
 * Parse the word2vec binary format (either layout, as toWord2VecBinary describes; newlines
 * before a word are skipped, as both the tool and gensim do). Like gensim's
 * load_word2vec_format: limit reads only the first rows; a repeated word keeps its first row
 * (later ones are dropped); unicodeErrors 'strict' (default) rejects a word that is not valid
 * UTF-8, 'replace' puts U+FFFD instead (the tool cuts long words at 100 bytes, which can split
 * a character). Anything after the last row other than newlines is an error.
 * @param {Uint8Array|ArrayBuffer} bytes
 * @param {{ limit?: number, unicodeErrors?: 'strict'|'replace' }} [options]
 * @returns {{ words: string[], weight: Float32Array, dim: number, counts: null }}
 */
export function fromWord2VecBinary(bytes, options) {
  const { limit, unicodeErrors = 'strict' } = checkOptions(options, ['limit', 'unicodeErrors'], 'fromWord2VecBinary options');
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw new TypeError('embedkit: fromWord2VecBinary takes a Uint8Array or an ArrayBuffer');
  if (unicodeErrors !== 'strict' && unicodeErrors !== 'replace') throw new RangeError(`embedkit: unicodeErrors must be 'strict' or 'replace', got ${String(unicodeErrors)}`);
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(`embedkit: limit must be a positive integer, got ${limit}`);
  }
  const bad = (why) => new RangeError(`embedkit: not a valid word2vec binary file: ${why}`);
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) throw bad('no header line');
  const headText = new TextDecoder().decode(bytes.subarray(0, nl)).trim();
  const m = /^(\d+)\s+(\d+)$/.exec(headText);
  if (!m) throw bad(`header must be "rows dim", got ${JSON.stringify(headText.slice(0, 40))}`);
  const fileRows = Number(m[1]), dim = Number(m[2]);
  if (fileRows < 1 || dim < 1 || !Number.isSafeInteger(fileRows)) throw bad(`rows = ${fileRows}, dim = ${dim}`);
  const rows = limit === undefined ? fileRows : Math.min(limit, fileRows);
  if ((bytes.length - nl - 1) / (dim * 4 + 2) < rows) throw bad(`${bytes.length} bytes cannot hold ${rows} rows of ${dim} values`);
  const dec = new TextDecoder('utf-8', { fatal: unicodeErrors === 'strict' });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = [];
  const seen = new Set();
  const weight = new Float32Array(rows * dim);
  let off = nl + 1, kept = 0;
  for (let i = 0; i < rows; i++) {
    while (off < bytes.length && bytes[off] === 0x0a) off++;
    const sp = bytes.indexOf(0x20, off);
    if (sp < 0 || sp + 1 + dim * 4 > bytes.length) throw bad(`the file ends inside row ${i + 1} of ${rows}`);
    let w;
    try {
      w = dec.decode(bytes.subarray(off, sp));
    } catch {
      throw bad(`row ${i + 1}: the word is not valid UTF-8 (unicodeErrors: 'replace' accepts it)`);
    }
    if (w.length === 0) throw bad(`row ${i + 1} has an empty word`);
    off = sp + 1;
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
      for (let j = 0; j < dim; j++) weight[kept * dim + j] = dv.getFloat32(off + 4 * j, true);
      kept++;
    }
    off += dim * 4;
  }
  if (limit === undefined) {
    while (off < bytes.length && bytes[off] === 0x0a) off++;
    if (off !== bytes.length) throw bad(`${bytes.length - off} unexpected bytes after the last of ${rows} rows`);
  }
  return { words, weight: kept === rows ? weight : weight.slice(0, kept * dim), dim, counts: null };
}
