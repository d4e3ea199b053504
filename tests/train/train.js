// npm run train [-- options]: train word vectors with embedkit's word2vec (Moby-Dick by default)
// and print the loss as it falls, words/sec, and the neighbours of a fixed word list.
// On a terminal the progress is one bar with an ETA; otherwise (a pipe, a log file, CI) it is a
// plain line every 10%. Bad arguments print one line and the hint to --help, exit code 2; an
// error while training prints its message, exit code 1. No stack traces for either.
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  init, features, Vocab, Word2Vec, Neighbors, saveVectors, toWord2VecBinary, evaluateWordPairs, evaluateAnalogies,
} from '../../src/js/index.js';
import { closestName } from '../../src/js/validate.js';
import { mobyDickText } from '../helpers/training-corpus.js';

const HELP = `Usage: npm run train [-- options]

Train word vectors (word2vec: skip-gram or CBOW with negative sampling and/or hierarchical
softmax) with embedkit and print the loss, words per second and the nearest neighbours of a few
words.

Options:
  --text FILE          train on this UTF-8 text file (default: Moby-Dick)
  --words N            use only the first N words of the text (default: all)
  --mode skipgram|cbow (default skipgram)
  --dim N              vector length (default 100)
  --epochs N           passes over the text (default 5)
  --window N           maximum context distance (default 5)
  --negative N         negative samples per pair (default 5; 0 with --hs)
  --hs                 hierarchical softmax (the tool's Huffman tree)
  --ns-exponent X      noise distribution count^X (default 0.75)
  --cbow-sum           CBOW sums the context instead of averaging it (gensim cbow_mean=0)
  --fixed-window       the full window for every word (no random shrinking)
  --sample X           subsampling threshold, 0 = off (default 1e-3)
  --min-count N        drop words seen fewer times (default 5)
  --alpha X            starting learning rate (default 0.025 skip-gram, 0.05 CBOW)
  --seed N             generator seed (default 1)
  --scalar             use the non-SIMD kernels (same vectors, slower)
  --stream             read --text in pieces for every epoch instead of holding it whole
  --out FILE           save the vectors and vocabulary (EKV1 format, README "Saving vectors")
  --bin FILE           save the vectors in the word2vec binary format (the tool's, gensim's)
  --eval-pairs FILE    score on a word-pair file (WordSim-353 / SimLex-999 format): Spearman
  --eval-analogies FILE  score on an analogy file (Google questions-words format): accuracy
  -h, --help           show this help
`;

const OPTIONS = {
  text: { type: 'string' }, words: { type: 'string' }, mode: { type: 'string', default: 'skipgram' },
  dim: { type: 'string', default: '100' }, epochs: { type: 'string', default: '5' },
  window: { type: 'string', default: '5' }, negative: { type: 'string', default: '5' },
  sample: { type: 'string', default: '1e-3' }, 'min-count': { type: 'string', default: '5' },
  alpha: { type: 'string' }, seed: { type: 'string', default: '1' }, scalar: { type: 'boolean', default: false },
  out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
  hs: { type: 'boolean', default: false }, 'ns-exponent': { type: 'string', default: '0.75' },
  'cbow-sum': { type: 'boolean', default: false }, 'fixed-window': { type: 'boolean', default: false },
  stream: { type: 'boolean', default: false }, bin: { type: 'string' }, 'eval-pairs': { type: 'string' },
  'eval-analogies': { type: 'string' },
};

class UsageError extends Error {}

function int(a, name, min) {
  const v = Number(a[name]);
  if (!/^\d+$/.test(a[name]) || !Number.isSafeInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${a[name]}'`);
  return v;
}
function num(a, name, { positive = false } = {}) {
  const v = Number(a[name]);
  if (a[name].trim() === '' || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new UsageError(`--${name} must be a number ${positive ? '> 0' : '>= 0'}, got '${a[name]}'`);
  }
  return v;
}

function signed(a, name) {
  const v = Number(a[name]);
  if (a[name].trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got '${a[name]}'`);
  return v;
}

function parse(argv) {
  let a;
  try {
    a = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    let msg = err.message.replace(/\. To specify a positional argument.*$/, '').replace(/\n/g, ' ');
    const unknown = /^Unknown option '--?([^']+)'/.exec(msg);
    const near = unknown && closestName(unknown[1], Object.keys(OPTIONS));
    if (near) msg += ` (did you mean --${near}?)`;
    throw new UsageError(msg);
  }
  if (a.help) return { help: true };
  if (a.stream && a.text === undefined) throw new UsageError('--stream reads --text FILE in pieces: give --text');
  if (a.stream && a.words !== undefined) throw new UsageError('--stream reads the whole --text: drop --words');
  if (a.mode !== 'skipgram' && a.mode !== 'cbow') throw new UsageError(`--mode must be skipgram or cbow, got '${a.mode}'`);
  return {
    text: a.text, words: a.words === undefined ? Infinity : int(a, 'words', 1), mode: a.mode,
    dim: int(a, 'dim', 1), epochs: int(a, 'epochs', 1), window: int(a, 'window', 1), negative: int(a, 'negative', a.hs ? 0 : 1),
    sample: num(a, 'sample'), minCount: int(a, 'min-count', 1), seed: int(a, 'seed', 0), scalar: a.scalar,
    alpha: a.alpha === undefined ? undefined : num(a, 'alpha', { positive: true }), out: a.out,
    hs: a.hs, nsExponent: signed(a, 'ns-exponent'), cbowMean: !a['cbow-sum'], shrinkWindows: !a['fixed-window'],
    stream: a.stream, bin: a.bin, evalPairs: a['eval-pairs'], evalAnalogies: a['eval-analogies'],
  };
}

/** The first `n` words of `text` (whitespace-separated), keeping the text as it is up to there. */
function firstWords(text, n) {
  if (!Number.isFinite(n)) return text;
  const re = /\S+/g;
  let m, count = 0, end = text.length;
  while ((m = re.exec(text)) !== null) {
    if (++count === n) { end = m.index + m[0].length; break; }
  }
  return text.slice(0, end);
}

const clock = (s) => {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
};

/** Progress on a terminal: one redrawn line with a bar and an ETA. */
function barReporter(out, epochs) {
  const t0 = performance.now();
  return {
    update(p, loss) {
      const width = 24;
      const filled = Math.round(p.fraction * width);
      const elapsed = (performance.now() - t0) / 1000;
      const eta = p.fraction > 0 ? (elapsed / p.fraction) * (1 - p.fraction) : NaN;
      out.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * p.fraction).toFixed(0).padStart(3)}%  ` +
        `epoch ${Math.min(p.epoch + 1, epochs)}/${epochs}  loss ${loss}  ${(p.wordsPerSec / 1000).toFixed(0)}k words/s  ` +
        `${p.done ? `done in ${clock(elapsed)}` : `ETA ${Number.isFinite(eta) ? clock(eta) : '--:--'}`}\x1b[K`);
      if (p.done) out.write('\n');
    },
  };
}

/** Progress elsewhere: a plain line at every 10%. */
function lineReporter(out, epochs) {
  let next = 0;
  return {
    update(p, loss) {
      if (p.fraction < next && !p.done) return;
      out.write(`  ${(100 * p.fraction).toFixed(0).padStart(3)}%  epoch ${Math.min(p.epoch + 1, epochs)}  lr ${p.lr.toFixed(5)}  ` +
        `loss ${loss}  ${(p.wordsPerSec / 1000).toFixed(0)}k words/s\n`);
      while (next <= p.fraction) next += 0.1;
    },
  };
}

const WORDS = ['whale', 'ship', 'sea', 'captain', 'ahab', 'harpoon', 'boat', 'queequeg', 'white', 'night'];
const ANALOGIES = [['ahab', 'captain', 'mate'], ['boats', 'boat', 'ship']];

function readText(file, option) {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${option} ${file}: ${err.code ?? err.message}`);
  }
}

async function main(o) {
  await init();
  // evaluation files first: a wrong path should not cost a training run
  const pairsText = o.evalPairs === undefined ? null : readText(o.evalPairs, '--eval-pairs');
  const analogiesText = o.evalAnalogies === undefined ? null : readText(o.evalAnalogies, '--eval-analogies');
  const t0 = performance.now();
  let vocab, corpus, tokens = 0;
  if (o.stream) {
    // the file in 1 MiB pieces, read once to count and again for every epoch
    const pieces = () => createReadStream(o.text, { encoding: 'utf8', highWaterMark: 1 << 20 });
    try {
      vocab = await Vocab.fromChunks(pieces(), { minCount: o.minCount });
    } catch (err) {
      throw new UsageError(`cannot read --text ${o.text}: ${err.code ?? err.message}`);
    }
    corpus = pieces;
    tokens = vocab.counts.reduce((x, y) => x + y, 0);
  } else {
    const text = firstWords(o.text === undefined ? mobyDickText() : readText(o.text, '--text'), o.words);
    vocab = Vocab.fromText(text, { minCount: o.minCount });
    corpus = vocab.encode(text);
    for (const id of corpus) if (id >= 0) tokens++;
  }
  if (vocab.size === 0) throw new UsageError(`no word occurs --min-count ${o.minCount} times in the text`);
  const prepMs = performance.now() - t0;
  console.log(`embedkit word2vec (${features.simd ? 'SIMD' : 'no SIMD'}${o.scalar ? ', scalar kernels' : ''}) on ${o.text ?? 'Moby-Dick'}`);
  console.log(`  vocabulary ${vocab.size} words (min count ${o.minCount}), corpus ${tokens} tokens; ${o.stream ? 'counted (streamed)' : 'tokenised'} in ${prepMs.toFixed(0)} ms`);

  const w2v = new Word2Vec({
    vocab, corpus, mode: o.mode, dim: o.dim, epochs: o.epochs, window: o.window, negative: o.negative,
    sample: o.sample, seed: o.seed, scalar: o.scalar, ...(o.alpha !== undefined ? { alpha: o.alpha } : {}),
    hs: o.hs, nsExponent: o.nsExponent, cbowMean: o.cbowMean, shrinkWindows: o.shrinkWindows,
  });
  const w = w2v.options;
  const extras = [w.hs && 'hierarchical softmax', w.nsExponent !== 0.75 && `ns exponent ${w.nsExponent}`,
    !w.cbowMean && 'summed context', !w.shrinkWindows && 'fixed window'].filter(Boolean);
  console.log(`  ${w.mode}, dim ${w.dim}, window ${w.window}, negative ${w.negative}, sample ${w.sample}, alpha ${w.alpha}, epochs ${w.epochs}, seed ${w.seed}` +
    extras.map((x) => `, ${x}`).join(''));

  const report = (process.stdout.isTTY ? barReporter : lineReporter)(process.stdout, w.epochs);
  let lossSum = 0, pairs = 0;
  const final = await w2v.train({
    chunkWords: 20000,
    onProgress(p) {
      lossSum += (p.loss ?? 0) * p.pairs;
      pairs += p.pairs;
      report.update(p, pairs > 0 ? (lossSum / pairs).toFixed(4) : 'n/a');
      lossSum = 0;
      pairs = 0;
    },
  });
  console.log(`words/sec: ${final.wordsPerSec.toFixed(0)}  (${final.wordsDone} words in ${(final.elapsedMs / 1000).toFixed(2)} s)`);
  console.log(`final loss (last chunk, per pair): ${final.loss === null ? 'n/a' : final.loss.toFixed(4)}`);

  const nb = new Neighbors(w2v, { vocab });
  console.log('nearest neighbours (cosine):');
  for (const word of WORDS) {
    if (!vocab.has(word)) continue;
    const list = nb.nearest(word, { k: 8 }).map((r) => `${r.word} ${r.score.toFixed(2)}`);
    console.log(`  ${word.padEnd(9)} ${list.join(', ')}`);
  }
  const analogies = ANALOGIES.filter((q) => q.every((x) => vocab.has(x)));
  if (analogies.length) console.log('analogies (a - b + c):');
  for (const [x, y, z] of analogies) {
    const list = nb.analogy(x, y, z, { k: 5 }).map((r) => `${r.word} ${r.score.toFixed(2)}`);
    console.log(`  ${x} - ${y} + ${z}: ${list.join(', ')}`);
  }
  if (o.out) {
    const bytes = saveVectors({ words: [...vocab.words], weight: w2v.weight, dim: w2v.dim, counts: vocab.counts });
    writeFileSync(o.out, bytes);
    console.log(`saved ${vocab.size} x ${w2v.dim} vectors to ${o.out} (${bytes.length} bytes)`);
  }
  if (o.bin) {
    const bytes = toWord2VecBinary({ words: [...vocab.words], weight: w2v.weight, dim: w2v.dim });
    writeFileSync(o.bin, bytes);
    console.log(`saved ${vocab.size} x ${w2v.dim} vectors to ${o.bin} (word2vec binary, ${bytes.length} bytes)`);
  }
  if (pairsText !== null) {
    const r = evaluateWordPairs(nb, pairsText);
    console.log(`word pairs ${o.evalPairs}: Spearman ${r.spearman.toFixed(4)}, Pearson ${r.pearson.toFixed(4)}, ${r.pairs} pairs, ${r.oovRatio.toFixed(1)}% out of vocabulary`);
  }
  if (analogiesText !== null) {
    const r = evaluateAnalogies(nb, analogiesText);
    const scored = r.total.correct.length + r.total.incorrect.length;
    console.log(`analogies ${o.evalAnalogies}: ${(100 * r.score).toFixed(1)}% (${r.total.correct.length}/${scored}), ${r.oovRatio.toFixed(1)}% out of vocabulary`);
    for (const sec of r.sections) {
      const n = sec.correct.length + sec.incorrect.length;
      if (n > 0) console.log(`  ${sec.section.padEnd(28)} ${(100 * sec.correct.length / n).toFixed(1).padStart(5)}% (${sec.correct.length}/${n})`);
    }
  }
  nb.dispose();
  w2v.dispose();
}

try {
  const o = parse(process.argv.slice(2));
  if (o.help) process.stdout.write(HELP);
  else await main(o);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`train: ${err.message}\nRun 'npm run train -- --help' for the options.\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`train: ${err.message}\n`);
    process.exitCode = 1;
  }
}
