// vocab.js — tokeniser and vocabulary for training word vectors. Pure JS, no wasm: it takes
// text as a string (reading a corpus from disk or the network is the caller's business).
//
// Tokens are runs of letters and digits, with inner apostrophes kept ("whale's", "don't");
// everything else separates words. Lower-cased by default. A sentence ends at '.', '!', '?' or
// a blank line; encode() marks it with -1 so a training window never spans two sentences.

import { checkOptions } from './validate.js';

/** Keys of each options object here (an unknown key is a TypeError). */
export const VOCAB_OPTIONS = {
  tokenize: ['lowercase'], Vocab: ['lowercase'], fromText: ['minCount', 'maxSize', 'lowercase'], encode: ['sentenceBreaks'],
};

const TOKEN = /([\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*)|([.!?]+|\n[ \t\r]*\n)/gu;

function checkText(text) {
  if (typeof text !== 'string') throw new TypeError(`embedkit: text must be a string, got ${text === null ? 'null' : typeof text}`);
}

function norm(w, lowercase) {
  const t = w.replace(/\u2019/g, "'");
  return lowercase ? t.toLowerCase() : t;
}

/**
 * Split text into words (no sentence marks).
 * @param {string} text
 * @param {{ lowercase?: boolean }} [options]
 * @returns {string[]}
 */
export function tokenize(text, options) {
  const { lowercase = true } = checkOptions(options, VOCAB_OPTIONS.tokenize, 'tokenize options');
  checkText(text);
  const out = [];
  for (const m of text.matchAll(TOKEN)) if (m[1] !== undefined) out.push(norm(m[1], lowercase));
  return out;
}

/** Calls fn(word) for each word and fn(null) at each sentence end. */
function scan(text, lowercase, fn) {
  for (const m of text.matchAll(TOKEN)) fn(m[1] !== undefined ? norm(m[1], lowercase) : null);
}

export class Vocab {
  #words; #counts; #index;
  #lowercase;

  /**
   * A vocabulary from parallel lists of words and counts (kept in the given order; ids are
   * positions). Words must be unique strings, counts finite and >= 0.
   * @param {string[]} words
   * @param {ArrayLike<number>} counts
   * @param {{ lowercase?: boolean }} [options] how encode() normalises text (default true)
   */
  constructor(words, counts, options) {
    const { lowercase = true } = checkOptions(options, VOCAB_OPTIONS.Vocab, 'Vocab options');
    if (!Array.isArray(words)) throw new TypeError('embedkit: Vocab words must be an array of strings');
    if (counts === undefined || counts === null || typeof counts.length !== 'number') {
      throw new TypeError('embedkit: Vocab counts must be an array of numbers');
    }
    if (counts.length !== words.length) {
      throw new RangeError(`embedkit: Vocab counts has length ${counts.length}, expected ${words.length} (one per word)`);
    }
    const index = new Map();
    const c = new Float64Array(words.length);
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (typeof w !== 'string' || w.length === 0) throw new TypeError(`embedkit: Vocab words[${i}] must be a non-empty string`);
      if (index.has(w)) throw new RangeError(`embedkit: Vocab words[${i}] = ${JSON.stringify(w)} repeats words[${index.get(w)}]`);
      const n = counts[i];
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new RangeError(`embedkit: Vocab counts[${i}] = ${n} must be a finite number >= 0`);
      index.set(w, i);
      c[i] = n;
    }
    this.#words = Object.freeze(words.slice());
    this.#counts = c;
    this.#index = index;
    this.#lowercase = lowercase;
  }

  /**
   * Count the words of `text`, keep those seen at least minCount times (at most maxSize of
   * them), most frequent first; ties in code-unit order of the word, so the ids are the same
   * on every host.
   * @param {string} text
   * @param {{ minCount?: number, maxSize?: number, lowercase?: boolean }} [options]
   */
  static fromText(text, options) {
    const { minCount = 5, maxSize = Infinity, lowercase = true } = checkOptions(options, VOCAB_OPTIONS.fromText, 'fromText options');
    checkText(text);
    if (typeof minCount !== 'number' || !Number.isInteger(minCount) || minCount < 1) {
      throw new RangeError(`embedkit: minCount must be an integer >= 1, got ${minCount}`);
    }
    if (typeof maxSize !== 'number' || !(maxSize >= 1)) throw new RangeError(`embedkit: maxSize must be >= 1, got ${maxSize}`);
    const counts = new Map();
    scan(text, lowercase, (w) => {
      if (w !== null) counts.set(w, (counts.get(w) ?? 0) + 1);
    });
    const kept = [...counts].filter(([, n]) => n >= minCount);
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (kept.length > maxSize) kept.length = maxSize;
    return new Vocab(kept.map((e) => e[0]), kept.map((e) => e[1]), { lowercase });
  }

  get size() { return this.#words.length; }
  /** The words, by id (frozen). */
  get words() { return this.#words; }
  /** Counts by id (a copy). */
  get counts() { return this.#counts.slice(); }
  get lowercase() { return this.#lowercase; }

  /** Id of `word` (normalised as encode() does), or -1 if it is not in the vocabulary. */
  id(word) {
    if (typeof word !== 'string') throw new TypeError(`embedkit: word must be a string, got ${typeof word}`);
    return this.#index.get(norm(word, this.#lowercase)) ?? -1;
  }

  /** The word with id `i`. */
  word(i) {
    if (!Number.isInteger(i) || i < 0 || i >= this.#words.length) {
      throw new RangeError(`embedkit: word id ${i} is out of range [0, ${this.#words.length})`);
    }
    return this.#words[i];
  }

  has(word) { return this.id(word) >= 0; }

  /**
   * Text -> Int32Array of ids, words outside the vocabulary dropped. With sentenceBreaks
   * (default true) each sentence end becomes -1 (never two in a row, none at the start).
   * This is the corpus format Word2Vec takes.
   */
  encode(text, options) {
    const { sentenceBreaks = true } = checkOptions(options, VOCAB_OPTIONS.encode, 'encode options');
    checkText(text);
    const out = [];
    scan(text, this.#lowercase, (w) => {
      if (w === null) {
        if (sentenceBreaks && out.length > 0 && out[out.length - 1] !== -1) out.push(-1);
        return;
      }
      const id = this.#index.get(w);
      if (id !== undefined) out.push(id);
    });
    return Int32Array.from(out);
  }
}
