// npm run train [-- options]: train word vectors on Moby Dick with embedkit's word2vec and
// print words/sec, the loss curve, the final loss and the neighbours of a fixed word list.
//
//   --mode skipgram|cbow   (default skipgram)      --dim N      (default 100)
//   --epochs N             (default 5)             --window N   (default 5)
//   --negative N           (default 5)             --sample X   (default 1e-3)
//   --min-count N          (default 5)             --alpha X    (default per mode)
//   --seed N               (default 1)             --scalar     (non-SIMD kernels)
//   --out FILE             save the vectors + vocabulary in the EKV1 format (README)
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { init, features, Vocab, Word2Vec, Neighbors, saveVectors } from '../../src/js/index.js';
import { mobyDickText } from '../helpers/training-corpus.js';

const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'skipgram' }, dim: { type: 'string', default: '100' },
    epochs: { type: 'string', default: '5' }, window: { type: 'string', default: '5' },
    negative: { type: 'string', default: '5' }, sample: { type: 'string', default: '1e-3' },
    'min-count': { type: 'string', default: '5' }, alpha: { type: 'string' },
    seed: { type: 'string', default: '1' }, scalar: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const WORDS = ['whale', 'ship', 'sea', 'captain', 'ahab', 'harpoon', 'boat', 'queequeg', 'white', 'night'];
const ANALOGIES = [['ahab', 'captain', 'mate'], ['boats', 'boat', 'ship']];

await init();
const text = mobyDickText();
const t0 = performance.now();
const vocab = Vocab.fromText(text, { minCount: Number(a['min-count']) });
const corpus = vocab.encode(text);
const prepMs = performance.now() - t0;
let tokens = 0;
for (const id of corpus) if (id >= 0) tokens++;
console.log(`embedkit word2vec (${features.simd ? 'SIMD' : 'no SIMD'}${a.scalar ? ', scalar kernels' : ''}) on Moby Dick`);
console.log(`  vocabulary ${vocab.size} words (min count ${a['min-count']}), corpus ${tokens} tokens; tokenised in ${prepMs.toFixed(0)} ms`);

const w2v = new Word2Vec({
  vocab, corpus, mode: a.mode, dim: Number(a.dim), epochs: Number(a.epochs), window: Number(a.window),
  negative: Number(a.negative), sample: Number(a.sample), seed: Number(a.seed), scalar: a.scalar,
  ...(a.alpha !== undefined ? { alpha: Number(a.alpha) } : {}),
});
const o = w2v.options;
console.log(`  ${o.mode}, dim ${o.dim}, window ${o.window}, negative ${o.negative}, sample ${o.sample}, alpha ${o.alpha}, epochs ${o.epochs}, seed ${o.seed}`);

let nextReport = 0;
let lossSum = 0, pairs = 0;
const final = await w2v.train({
  chunkWords: 20000,
  onProgress(p) {
    lossSum += (p.loss ?? 0) * p.pairs;
    pairs += p.pairs;
    if (p.fraction >= nextReport || p.done) {
      console.log(`  ${(100 * p.fraction).toFixed(0).padStart(3)}%  epoch ${Math.min(p.epoch + 1, o.epochs)}  lr ${p.lr.toFixed(5)}  ` +
        `loss ${(lossSum / pairs).toFixed(4)}  ${(p.wordsPerSec / 1000).toFixed(0)}k words/s`);
      lossSum = 0;
      pairs = 0;
      nextReport += 0.1;
    }
  },
});
console.log(`words/sec: ${final.wordsPerSec.toFixed(0)}  (${final.wordsDone} words in ${(final.elapsedMs / 1000).toFixed(2)} s)`);
console.log(`final loss (last chunk, per pair): ${final.loss === null ? 'n/a' : final.loss.toFixed(4)}`);

const nb = new Neighbors(w2v, { vocab });
console.log('nearest neighbours (cosine):');
for (const w of WORDS) {
  if (!vocab.has(w)) continue;
  const list = nb.nearest(w, { k: 8 }).map((r) => `${r.word} ${r.score.toFixed(2)}`);
  console.log(`  ${w.padEnd(9)} ${list.join(', ')}`);
}
console.log('analogies (a - b + c):');
for (const [x, y, z] of ANALOGIES) {
  if (![x, y, z].every((w) => vocab.has(w))) continue;
  const list = nb.analogy(x, y, z, { k: 5 }).map((r) => `${r.word} ${r.score.toFixed(2)}`);
  console.log(`  ${x} - ${y} + ${z}: ${list.join(', ')}`);
}
if (a.out) {
  const bytes = saveVectors({ words: [...vocab.words], weight: w2v.weight, dim: w2v.dim, counts: vocab.counts });
  writeFileSync(a.out, bytes);
  console.log(`saved ${vocab.size} x ${w2v.dim} vectors to ${a.out} (${bytes.length} bytes)`);
}
nb.dispose();
w2v.dispose();
