// glove-run.js — one embedkit GloVe run for tests/bench/glove-vs-c.js, in its own process:
// read the corpus file, build the vocabulary, count, train, save the vectors (W + W~, EKV1).
// Prints { vocab, count, train } CPU seconds (process.cpuUsage) and wall seconds as JSON.
//   node glove-run.js CORPUS OUT.ekv '{"minCount":5,"window":15,"dim":50,"epochs":15,"xMax":10,"seed":1}'
import { writeFileSync } from 'node:fs';
import { init, Cooccurrence, GloVe, saveVectors } from '../../../src/js/index.js';
import { readVocabCorpus, stage } from './word-vectors.js';

const [corpusFile, outFile, json] = process.argv.slice(2);
const o = JSON.parse(json);
await init();
const [{ vocab, corpus }, tVocab] = readVocabCorpus(corpusFile, o.minCount);
const [co, tCount] = stage(() => new Cooccurrence({ corpus, vocab, window: o.window }));
const [glove, tTrain] = stage(() => {
  const g = new GloVe({ cooccurrence: co, dim: o.dim, epochs: o.epochs, xMax: o.xMax, seed: o.seed });
  while (!g.step(1 << 22).done);
  return g;
});
writeFileSync(outFile, saveVectors({ words: [...vocab.words], weight: glove.weight, dim: glove.dim }));
process.stdout.write(JSON.stringify({ vocab: tVocab, count: tCount, train: tTrain, words: vocab.size, nonzeros: co.nonzeros, costs: glove.costs, peakBytes: co.stats.peakBytes }));
