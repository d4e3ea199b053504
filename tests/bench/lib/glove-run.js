// glove-run.js — one embedkit GloVe run for tests/bench/glove-vs-c.js, in its own process:
// read the corpus file, build the vocabulary, count, train, save the vectors (W + W~, EKV1).
// Prints { vocab, count, train } CPU seconds (process.cpuUsage) and wall seconds as JSON.
//   node glove-run.js CORPUS OUT.ekv '{"minCount":5,"window":15,"dim":50,"epochs":15,"xMax":10,"seed":1}'
import { readFileSync, writeFileSync } from 'node:fs';
import { init, Vocab, Cooccurrence, GloVe, saveVectors } from '../../../src/js/index.js';

const [corpusFile, outFile, json] = process.argv.slice(2);
const o = JSON.parse(json);
await init();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const stage = (fn) => { const c0 = cpu(), w0 = performance.now(); const r = fn(); return [r, { cpu: cpu() - c0, wall: (performance.now() - w0) / 1000 }]; };

const [{ vocab, corpus }, tVocab] = stage(() => {
  const text = readFileSync(corpusFile, 'utf8');
  const vocab = Vocab.fromText(text, { minCount: o.minCount });
  return { vocab, corpus: vocab.encode(text) };
});
const [co, tCount] = stage(() => new Cooccurrence({ corpus, vocab, window: o.window }));
const [glove, tTrain] = stage(() => {
  const g = new GloVe({ cooccurrence: co, dim: o.dim, epochs: o.epochs, xMax: o.xMax, seed: o.seed });
  while (!g.step(1 << 22).done);
  return g;
});
writeFileSync(outFile, saveVectors({ words: [...vocab.words], weight: glove.weight, dim: glove.dim }));
process.stdout.write(JSON.stringify({ vocab: tVocab, count: tCount, train: tTrain, words: vocab.size, nonzeros: co.nonzeros, costs: glove.costs, peakBytes: co.stats.peakBytes }));
