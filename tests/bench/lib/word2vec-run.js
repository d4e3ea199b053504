// word2vec-run.js — one embedkit Word2Vec run for tests/bench/word2vec-vs-c.js, in its own process:
// read the corpus file, build the vocabulary, train, save the input vectors (EKV1).
// Prints { vocab, train } CPU seconds (process.cpuUsage) and wall seconds, and the word count, as JSON.
//   node word2vec-run.js CORPUS OUT.ekv '{"minCount":5,"window":5,"dim":100,"negative":5,"sample":1e-3,"epochs":5,"seed":1}'
import { writeFileSync } from 'node:fs';
import { init, Word2Vec, saveVectors } from '../../../src/js/index.js';
import { readVocabCorpus, stage } from './word-vectors.js';

const [corpusFile, outFile, json] = process.argv.slice(2);
const o = JSON.parse(json);
await init();
const [{ vocab, corpus }, tVocab] = readVocabCorpus(corpusFile, o.minCount);
const [w2v, tTrain] = stage(() => {
  const w = new Word2Vec({ vocab, corpus, mode: 'skipgram', dim: o.dim, window: o.window, negative: o.negative, sample: o.sample, epochs: o.epochs, seed: o.seed });
  while (!w.step(1 << 22).done);
  return w;
});
writeFileSync(outFile, saveVectors({ words: [...vocab.words], weight: w2v.weight, dim: o.dim }));
process.stdout.write(JSON.stringify({ vocab: tVocab, train: tTrain, words: vocab.size }));
