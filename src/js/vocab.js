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
  VocabCounter: ['lowercase'], toVocab: ['minCount', 'maxSize'], update: ['minCount'],
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

const SPACE = /\s/;

/**
 * Where to cut a chunk of a longer text so that tokenising the two parts separately gives the
 * same tokens and sentence ends as tokenising them joined: at the start of the last run of
 * white space (no token, punctuation run or blank line crosses it: the character before it is
 * not white space and every match that could include it is all white space). 0 if the chunk has
 * no white space (then all of it waits for the next chunk).
 */
function cutPoint(s) {
  let j = s.length - 1;
  while (j >= 0 && !SPACE.test(s[j])) j--;
  if (j < 0) return 0;
  while (j > 0 && SPACE.test(s[j - 1])) j--;
  return j;
}

/** Feeds text that arrives in pieces to scan(), a whole number of tokens at a time. */
class Splitter {
  #carry = '';
  #lowercase;
  constructor(lowercase) { this.#lowercase = lowercase; }
  push(text, fn) {
    checkText(text);
    const s = this.#carry + text;
    const p = cutPoint(s);
    this.#carry = s.slice(p);
    scan(s.slice(0, p), this.#lowercase, fn);
  }
  end(fn) {
    const s = this.#carry;
    this.#carry = '';
    scan(s, this.#lowercase, fn);
  }
}

function checkCountOptions(minCount, maxSize) {
  if (typeof minCount !== 'number' || !Number.isInteger(minCount) || minCount < 1) {
    throw new RangeError(`embedkit: minCount must be an integer >= 1, got ${minCount}`);
  }
  if (typeof maxSize !== 'number' || !(maxSize >= 1)) throw new RangeError(`embedkit: maxSize must be >= 1, got ${maxSize}`);
}

/** [word, count] entries with count >= minCount, most frequent first, ties by code units. */
function ranked(counts, minCount, maxSize) {
  const kept = [...counts].filter(([, n]) => n >= minCount);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (kept.length > maxSize) kept.length = maxSize;
  return kept;
}

/**
 * Counts words over text that arrives in pieces (a file read in chunks, a stream), split
 * anywhere, even inside a word: the counts are those of the joined text. Memory: one entry per
 * distinct word, plus the unfinished end of the last piece.
 */
export class VocabCounter {
  #counts = new Map();
  #splitter;
  #lowercase;
  #tokens = 0;
  #ended = false;

  /** @param {{ lowercase?: boolean }} [options] */
  constructor(options) {
    const { lowercase = true } = checkOptions(options, VOCAB_OPTIONS.VocabCounter, 'VocabCounter options');
    this.#lowercase = lowercase;
    this.#splitter = new Splitter(lowercase);
  }

  #add = (w) => {
    if (w === null) return;
    this.#counts.set(w, (this.#counts.get(w) ?? 0) + 1);
    this.#tokens++;
  };

  /** Count the words of the next piece of text. */
  add(text) {
    if (this.#ended) throw new Error('embedkit: this VocabCounter has been turned into a Vocab already');
    this.#splitter.push(text, this.#add);
    return this;
  }

  /** Words counted so far (the unfinished end of the last piece not yet). */
  get tokens() { return this.#tokens; }

  /** The counts, once the input is complete (ends the counting). */
  counts() {
    if (!this.#ended) {
      this.#splitter.end(this.#add);
      this.#ended = true;
    }
    return new Map(this.#counts);
  }

  /** A Vocab as Vocab.fromText would build from the joined text. */
  toVocab(options) {
    const { minCount = 5, maxSize = Infinity } = checkOptions(options, VOCAB_OPTIONS.toVocab, 'toVocab options');
    checkCountOptions(minCount, maxSize);
    const kept = ranked(this.counts(), minCount, maxSize);
    return new Vocab(kept.map((e) => e[0]), kept.map((e) => e[1]), { lowercase: this.#lowercase });
  }
}

/** A sync or async iterable of strings, counted into a VocabCounter. */
async function countChunks(chunks, counter) {
  if (chunks === null || typeof chunks !== 'object' || !(Symbol.asyncIterator in chunks || Symbol.iterator in chunks)) {
    throw new TypeError('embedkit: chunks must be an iterable or async iterable of strings');
  }
  for await (const c of chunks) counter.add(c);
  return counter;
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
    checkCountOptions(minCount, maxSize);
    const counts = new Map();
    scan(text, lowercase, (w) => {
      if (w !== null) counts.set(w, (counts.get(w) ?? 0) + 1);
    });
    const kept = ranked(counts, minCount, maxSize);
    return new Vocab(kept.map((e) => e[0]), kept.map((e) => e[1]), { lowercase });
  }

  /**
   * Vocab.fromText over text that arrives in pieces: `chunks` is a sync or async iterable of
   * strings (e.g. a file stream with an encoding set), split anywhere. Same result as
   * Vocab.fromText(chunks joined).
   * @returns {Promise<Vocab>}
   */
  static async fromChunks(chunks, options) {
    const { minCount = 5, maxSize = Infinity, lowercase = true } = checkOptions(options, VOCAB_OPTIONS.fromText, 'fromChunks options');
    checkCountOptions(minCount, maxSize);
    return (await countChunks(chunks, new VocabCounter({ lowercase }))).toVocab({ minCount, maxSize });
  }

  /**
   * The vocabulary grown by more text, as gensim's build_vocab(update=True): every known word
   * keeps its id and gains its count in the new text; new words seen at least minCount times
   * there are appended (most frequent first, ties by the word; gensim appends them in order of
   * first appearance). `more` is a string, a VocabCounter, or a Map of word -> count.
   */
  update(more, options) {
    const { minCount = 5 } = checkOptions(options, VOCAB_OPTIONS.update, 'update options');
    checkCountOptions(minCount, Infinity);
    let counts;
    if (typeof more === 'string') counts = new VocabCounter({ lowercase: this.#lowercase }).add(more).counts();
    else if (more instanceof VocabCounter) counts = more.counts();
    else if (more instanceof Map) counts = more;
    else throw new TypeError('embedkit: Vocab#update takes a string, a VocabCounter or a Map of word -> count');
    const words = this.#words.slice();
    const c = Array.from(this.#counts);
    const fresh = new Map();
    for (const [w, n] of counts) {
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new RangeError(`embedkit: count of ${JSON.stringify(w)} = ${n} must be a finite number >= 0`);
      const id = this.#index.get(w);
      if (id !== undefined) c[id] += n;
      else fresh.set(w, n);
    }
    for (const [w, n] of ranked(fresh, minCount, Infinity)) {
      words.push(w);
      c.push(n);
    }
    return new Vocab(words, c, { lowercase: this.#lowercase });
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

  /**
   * encode() for text that arrives in pieces: push(text) returns the ids of the words that are
   * complete so far, end() the rest; joined, they equal encode(all the text).
   * @returns {{ push(text: string): Int32Array, end(): Int32Array }}
   */
  encoder(options) {
    const { sentenceBreaks = true } = checkOptions(options, VOCAB_OPTIONS.encode, 'encoder options');
    const splitter = new Splitter(this.#lowercase);
    const index = this.#index;
    let lastBreak = true;  // nothing written yet counts as a break: no -1 at the start
    let out = [];
    const fn = (w) => {
      if (w === null) {
        if (sentenceBreaks && !lastBreak) { out.push(-1); lastBreak = true; }
        return;
      }
      const id = index.get(w);
      if (id !== undefined) { out.push(id); lastBreak = false; }
    };
    const take = () => { const r = Int32Array.from(out); out = []; return r; };
    return {
      push(text) { splitter.push(text, fn); return take(); },
      end() { splitter.end(fn); return take(); },
    };
  }
}
