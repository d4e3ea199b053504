// evaluate.js — intrinsic evaluation of word vectors on files the user supplies, with the rules
// of gensim's KeyedVectors.evaluate_word_pairs / evaluate_word_analogies (which follow the
// original tool's compute-accuracy): word-pair similarity against human scores (WordSim-353,
// SimLex-999: "word1<TAB>word2<TAB>score" lines, '#' comments), scored by Pearson's r and
// Spearman's rho; and analogy accuracy by section (Google questions-words: ": section" headers,
// then "a b c d" lines, "a is to b as c is to d"), answered by 3CosAdd over the first
// restrictVocab rows. The package reads no files: the caller passes the text.
//
// Rules kept from gensim: only the first restrictVocab rows count as the vocabulary; with
// caseInsensitive (default) words are compared upper-cased and the first (most frequent) of
// several case variants stands for all; a pair or question with a word outside that vocabulary
// is skipped and counted as out-of-vocabulary (or, with dummy4unknown, scored 0 / counted
// wrong); malformed lines are skipped; an analogy is answered by the best of the top 5 rows
// (a, b, c themselves excluded) that is not a case variant of a, b or c.
// Similarities are computed in float64 (gensim uses float32), so a score can differ from
// gensim's in the last float32 digits, and an analogy whose best two candidates are within
// about 1e-6 of each other can be decided the other way.

import { Neighbors } from './neighbors.js';
import { checkOptions as checkKeys, checkPosInt } from './validate.js';

/** Keys of each function's options (an unknown key is a TypeError). */
export const EVALUATE_OPTIONS = {
  evaluateAnalogies: ['restrictVocab', 'caseInsensitive', 'dummy4unknown', 'vocab', 'words', 'dim'],
  evaluateWordPairs: ['restrictVocab', 'caseInsensitive', 'dummy4unknown', 'vocab', 'words', 'dim', 'delimiter'],
};

function checkText(text, what) {
  if (typeof text !== 'string') throw new TypeError(`embedkit: ${what} takes the file's text as a string, got ${text === null ? 'null' : typeof text}`);
}

function checkOptions(o, what) {
  checkKeys(o, EVALUATE_OPTIONS[what], `${what} options`);
  const { restrictVocab = 300000, caseInsensitive = true, dummy4unknown = false } = o;
  checkPosInt(restrictVocab, 'restrictVocab', { max: Number.MAX_SAFE_INTEGER });
  if (typeof caseInsensitive !== 'boolean') throw new TypeError('embedkit: caseInsensitive must be a boolean');
  if (typeof dummy4unknown !== 'boolean') throw new TypeError('embedkit: dummy4unknown must be a boolean');
  return { restrictVocab, caseInsensitive, dummy4unknown };
}

/**
 * A Neighbors to query (and whether we own it) from: a Neighbors with words; saved vectors
 * { words, weight, dim } (loadVectors, fromWord2VecText, fromWord2VecBinary); or a Word2Vec /
 * Embedding / Float32Array with options.vocab or options.words (and options.dim for an array).
 */
function neighborsOf(source, opts, what) {
  if (source instanceof Neighbors) {
    if (source.words === null) throw new TypeError(`embedkit: ${what} needs a Neighbors built with vocab or words`);
    return { nb: source, owned: false };
  }
  if (source === null || typeof source !== 'object') {
    throw new TypeError(`embedkit: ${what} takes a Neighbors, saved vectors { words, weight, dim }, or a Word2Vec / Embedding with options.vocab or options.words`);
  }
  const isSaved = !ArrayBuffer.isView(source) && Array.isArray(source.words) && source.weight instanceof Float32Array;
  if (isSaved) return { nb: new Neighbors(source.weight, { dim: source.dim, words: source.words }), owned: true };
  if (opts.vocab === undefined && opts.words === undefined) {
    throw new TypeError(`embedkit: ${what} needs options.vocab or options.words to map words to rows`);
  }
  const nbOpts = opts.vocab !== undefined ? { vocab: opts.vocab } : { words: opts.words };
  if (opts.dim !== undefined) nbOpts.dim = opts.dim;
  return { nb: new Neighbors(source, nbOpts), owned: true };
}

/** Word -> row over the first `restrict` rows; the first of equal keys wins (as gensim). */
function okVocab(words, restrict, caseInsensitive) {
  const m = new Map();
  const n = Math.min(restrict, words.length);
  for (let i = 0; i < n; i++) {
    const k = caseInsensitive ? words[i].toUpperCase() : words[i];
    if (!m.has(k)) m.set(k, i);
  }
  return m;
}

/** Python's float(str) for the plain forms (surrounding whitespace allowed); NaN if invalid. */
function pyFloat(s) {
  const t = s.trim();
  return /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i.test(t)
    ? Number(t.replace(/inf(inity)?/i, 'Infinity').replace(/^([+-]?)nan$/i, 'NaN')) : undefined;
}

function pearson(x, y) {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i] - mx, b = y[i] - my;
    sxy += a * b; sxx += a * a; syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Ranks 1..n, ties given their average rank (scipy.stats.rankdata 'average'). */
function ranks(x) {
  const idx = Array.from(x, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]] === x[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) r[idx[t]] = avg;
    i = j + 1;
  }
  return r;
}

/** Spearman's rho: Pearson's r of the average ranks. */
export function spearman(x, y) {
  return pearson(ranks(x), ranks(y));
}

/**
 * Correlation of the vectors' cosine similarities with human judgements, as gensim's
 * evaluate_word_pairs. `text`: lines "word1<delimiter>word2<delimiter>score"; lines starting
 * with '#' and malformed lines are skipped.
 * @returns {{ pearson: number, spearman: number, oovRatio: number, pairs: number, oov: number }}
 *   oovRatio in percent (of all valid lines; of the scored lines with dummy4unknown, as gensim);
 *   pairs: lines scored.
 */
export function evaluateWordPairs(source, text, options = {}) {
  const what = 'evaluateWordPairs';
  checkText(text, what);
  const { restrictVocab, caseInsensitive, dummy4unknown } = checkOptions(options, what);
  const { delimiter = '\t' } = options;
  if (typeof delimiter !== 'string' || delimiter.length === 0) throw new TypeError('embedkit: delimiter must be a non-empty string');
  const { nb, owned } = neighborsOf(source, options, what);
  try {
    const ok = okVocab(nb.words, restrictVocab, caseInsensitive);
    const gold = [], model = [];
    let oov = 0;
    for (const line of text.split(/\r\n|\r|\n/)) {
      if (line.startsWith('#')) continue;
      const parts = line.split(delimiter);
      if (parts.length !== 3) continue;
      const sim = pyFloat(parts[2]);
      if (sim === undefined) continue;
      const [a, b] = caseInsensitive ? [parts[0].toUpperCase(), parts[1].toUpperCase()] : parts;
      const ia = ok.get(a), ib = ok.get(b);
      if (ia === undefined || ib === undefined) {
        oov++;
        if (dummy4unknown) { gold.push(sim); model.push(0); }
        continue;
      }
      gold.push(sim);
      model.push(nb.similarity(ia, ib));
    }
    if (gold.length === 0) {
      throw new RangeError('embedkit: evaluateWordPairs found no valid similarity judgements: the text is in another format or every pair is out of the vocabulary');
    }
    const oovRatio = dummy4unknown ? (oov / gold.length) * 100 : (oov / (gold.length + oov)) * 100;
    return { pearson: pearson(gold, model), spearman: spearman(gold, model), oovRatio, pairs: gold.length, oov };
  } finally {
    if (owned) nb.dispose();
  }
}

/**
 * Analogy accuracy by section, as gensim's evaluate_word_analogies (3CosAdd: the answer to
 * "a : b :: c : ?" is the row nearest to unit(b) - unit(a) + unit(c) among the first
 * restrictVocab rows, a, b and c excluded).
 * @returns {{ score: number, sections: Array<{ section: string, correct: string[][], incorrect: string[][] }>,
 *   total: { section: 'Total accuracy', correct: string[][], incorrect: string[][] }, questions: number,
 *   oov: number, oovRatio: number }}
 *   Quadruples are [a, b, c, expected] as compared (upper-cased with caseInsensitive), score the
 *   overall fraction correct (0 when nothing was scored), oovRatio in percent of all questions.
 */
export function evaluateAnalogies(source, text, options = {}) {
  const what = 'evaluateAnalogies';
  checkText(text, what);
  const { restrictVocab, caseInsensitive, dummy4unknown } = checkOptions(options, what);
  const { nb, owned } = neighborsOf(source, options, what);
  try {
    const ok = okVocab(nb.words, restrictVocab, caseInsensitive);
    const key = caseInsensitive ? (w) => w.toUpperCase() : (w) => w;
    const sections = [];
    let section = null, oov = 0, questions = 0;
    const lines = text.split('\n');
    for (let ln = 0; ln < lines.length; ln++) {
      const line = lines[ln];
      if (line.startsWith(': ')) {
        section = { section: line.replace(/^[: ]+/, '').trim(), correct: [], incorrect: [] };
        sections.push(section);
        continue;
      }
      const q = line.trim().split(/\s+/);
      if (section === null) {
        if (line.trim() === '') continue;
        throw new RangeError(`embedkit: evaluateAnalogies: line ${ln + 1} comes before the first ": section" header`);
      }
      if (q.length !== 4) continue;
      const quad = q.map(key);
      questions++;
      const ids = quad.map((w) => ok.get(w));
      if (ids.some((i) => i === undefined)) {
        oov++;
        if (dummy4unknown) section.incorrect.push(quad);
        continue;
      }
      const [ia, ib, ic] = ids;
      const ignore = new Set(quad.slice(0, 3));
      let predicted = null;
      for (const r of nb.analogy(ib, ia, ic, { k: 5, restrictVocab })) {
        predicted = key(nb.words[r.id]);
        if (ok.has(predicted) && !ignore.has(predicted)) break;
      }
      (predicted === quad[3] ? section.correct : section.incorrect).push(quad);
    }
    if (questions === 0) throw new RangeError('embedkit: evaluateAnalogies found no questions ("a b c d" lines after a ": section" header)');
    const total = { section: 'Total accuracy', correct: sections.flatMap((s) => s.correct), incorrect: sections.flatMap((s) => s.incorrect) };
    const scored = total.correct.length + total.incorrect.length;
    return { score: scored > 0 ? total.correct.length / scored : 0, sections, total, questions, oov, oovRatio: (oov / questions) * 100 };
  } finally {
    if (owned) nb.dispose();
  }
}
