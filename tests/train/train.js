// npm run train [-- options]: train word vectors with embedkit's word2vec (Moby-Dick by default)
// and print the loss as it falls, words/sec, and the neighbours of a fixed word list.
// On a terminal the progress is one bar with an ETA; otherwise (a pipe, a log file, CI) it is a
// plain line every 10%. Bad arguments print one line and the hint to --help, exit code 2; an
// error while training prints its message, exit code 1. No stack traces for either.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { init, features, Vocab, Word2Vec, Neighbors, saveVectors } from '../../src/js/index.js';
import { closestName } from '../../src/js/validate.js';
import { mobyDickText } from '../helpers/training-corpus.js';

const HELP = `Usage: npm run train [-- options]

Train word vectors (word2vec: skip-gram or CBOW with negative sampling) with embedkit and print
the loss, words per second and the nearest neighbours of a few words.

Options:
  --text FILE          train on this UTF-8 text file (default: Moby-Dick)
  --words N            use only the first N words of the text (default: all)
  --mode skipgram|cbow (default skipgram)
  --dim N              vector length (default 100)
  --epochs N           passes over the text (default 5)
  --window N           maximum context distance (default 5)
  --negative N         negative samples per pair (default 5)
  --sample X           subsampling threshold, 0 = off (default 1e-3)
  --min-count N        drop words seen fewer times (default 5)
  --alpha X            starting learning rate (default 0.025 skip-gram, 0.05 CBOW)
  --seed N             generator seed (default 1)
  --scalar             use the non-SIMD kernels (same vectors, slower)
  --out FILE           save the vectors and vocabulary (EKV1 format, README "Saving vectors")
  -h, --help           show this help
`;

const OPTIONS = {
  text: { type: 'string' }, words: { type: 'string' }, mode: { type: 'string', default: 'skipgram' },
  dim: { type: 'string', default: '100' }, epochs: { type: 'string', default: '5' },
  window: { type: 'string', default: '5' }, negative: { type: 'string', default: '5' },
  sample: { type: 'string', default: '1e-3' }, 'min-count': { type: 'string', default: '5' },
  alpha: { type: 'string' }, seed: { type: 'string', default: '1' }, scalar: { type: 'boolean', default: false },
  out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
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
  if (a.mode !== 'skipgram' && a.mode !== 'cbow') throw new UsageError(`--mode must be skipgram or cbow, got '${a.mode}'`);
  return {
    text: a.text, words: a.words === undefined ? Infinity : int(a, 'words', 1), mode: a.mode,
    dim: int(a, 'dim', 1), epochs: int(a, 'epochs', 1), window: int(a, 'window', 1), negative: int(a, 'negative', 1),
    sample: num(a, 'sample'), minCount: int(a, 'min-count', 1), seed: int(a, 'seed', 0), scalar: a.scalar,
    alpha: a.alpha === undefined ? undefined : num(a, 'alpha', { positive: true }), out: a.out,
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

async function main(o) {
  await init();
  let text;
  try {
    text = o.text === undefined ? mobyDickText() : readFileSync(o.text, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --text ${o.text}: ${err.code ?? err.message}`);
  }
  text = firstWords(text, o.words);
  const t0 = performance.now();
  const vocab = Vocab.fromText(text, { minCount: o.minCount });
  if (vocab.size === 0) throw new UsageError(`no word occurs --min-count ${o.minCount} times in the text`);
  const corpus = vocab.encode(text);
  const prepMs = performance.now() - t0;
  let tokens = 0;
  for (const id of corpus) if (id >= 0) tokens++;
  console.log(`embedkit word2vec (${features.simd ? 'SIMD' : 'no SIMD'}${o.scalar ? ', scalar kernels' : ''}) on ${o.text ?? 'Moby-Dick'}`);
  console.log(`  vocabulary ${vocab.size} words (min count ${o.minCount}), corpus ${tokens} tokens; tokenised in ${prepMs.toFixed(0)} ms`);

  const w2v = new Word2Vec({
    vocab, corpus, mode: o.mode, dim: o.dim, epochs: o.epochs, window: o.window, negative: o.negative,
    sample: o.sample, seed: o.seed, scalar: o.scalar, ...(o.alpha !== undefined ? { alpha: o.alpha } : {}),
  });
  const w = w2v.options;
  console.log(`  ${w.mode}, dim ${w.dim}, window ${w.window}, negative ${w.negative}, sample ${w.sample}, alpha ${w.alpha}, epochs ${w.epochs}, seed ${w.seed}`);

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
