// Unknown option keys: every options object of the API rejects a key it does not know with a
// TypeError that names the key and the closest valid one, before anything is changed.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as ek from '../src/js/index.js';
import { closestName } from '../src/js/validate.js';

await ek.init();

test('closestName: snake_case, case and small typos map to the option; far-off names do not', () => {
  const names = ['weight', 'paddingIdx', 'seed', 'std', 'scaleGradByFreq', 'maxNorm', 'normType'];
  assert.equal(closestName('padding_idx', names), 'paddingIdx');
  assert.equal(closestName('PaddingIdx', names), 'paddingIdx');
  assert.equal(closestName('scale_grad_by_freq', names), 'scaleGradByFreq');
  assert.equal(closestName('max_norm', names), 'maxNorm');
  assert.equal(closestName('weigth', names), 'weight');
  assert.equal(closestName('sed', names), 'seed');
  assert.equal(closestName('learningRate', names), null);
  assert.equal(closestName('x', []), null);
});

// [what, call with extra options merged in, a typo, the name it should suggest]
const emb = new ek.Embedding(6, 4, { seed: 1 });
const rope = new ek.Rope({ headDim: 4, maxPositions: 8 });
const inp = new ek.InputEmbedding({ vocabSize: 6, maxPositions: 4, dim: 4 });
const vocab = new ek.Vocab(['a', 'b'], [3, 2]);
const nb = new ek.Neighbors(new Float32Array([1, 0, 0, 1]), { dim: 2, words: ['a', 'b'] });
const x = new Float32Array(4);
const cooc = new ek.Cooccurrence({ corpus: [0, 1, 0, 1], numWords: 2 });
const saved = { words: ['a', 'b', 'c'], weight: new Float32Array([1, 0, 0, 1, 1, 1]), dim: 2 };
const stBytes = ek.saveSafetensors({ 'wte.weight': { data: new Float32Array(8), shape: [4, 2] } });
const stFile = await ek.openSafetensors(stBytes);
const ggufFile = await ek.openGGUF(await (await import('node:fs/promises')).readFile(new URL('./fixtures/model-files/qwen2-yarn-align64.gguf', import.meta.url)));
const llamaConfig = { hidden_size: 64, num_attention_heads: 4, max_position_embeddings: 32, rope_theta: 10000 };
const cases = [
  ['init', (o) => ek.init({ ...o }), 'wams', 'wasm'],
  ['Embedding', (o) => new ek.Embedding(4, 2, { ...o }), 'padding_idx', 'paddingIdx'],
  ['InputEmbedding', (o) => new ek.InputEmbedding({ vocabSize: 4, maxPositions: 4, dim: 2, ...o }), 'max_positions', 'maxPositions'],
  ['InputEmbedding#forward', (o) => inp.forward([1], [1, 1], { ...o }), 'ofset', 'offset'],
  ['InputEmbedding#backward', (o) => inp.backward([1], [1, 1], new Float32Array(4), { ...o }), 'Offset', 'offset'],
  ['sinusoidal', (o) => ek.sinusoidal(2, 4, { ...o }), 'layot', 'layout'],
  ['Rope', (o) => new ek.Rope({ headDim: 4, ...o }), 'rotary_dim', 'rotaryDim'],
  ['Rope scaling', (o) => new ek.Rope({ headDim: 4, scaling: { type: 'linear', factor: 2, ...o } }), 'factr', 'factor'],
  ['Rope scaling (llama3)', (o) => new ek.Rope({ headDim: 4, scaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8, ...o } }), 'low_freq_factor', 'lowFreqFactor'],
  ['Rope#forward', (o) => rope.forward(x, [1, 1, 1, 4], { ...o }), 'position', 'positions'],
  ['Rope#backward', (o) => rope.backward(x, [1, 1, 1, 4], { ...o }), 'layuot', 'layout'],
  ['Rope#shift', (o) => rope.shift(x, [1, 1, 1, 4], 1, { ...o }), 'outt', 'out'],
  ['rotaryEmbedding', (o) => ek.rotaryEmbedding(x, [1, 1, 1, 4], new Float32Array(2), new Float32Array(2), { positionIds: [0], ...o }), 'num_heads', 'numHeads'],
  ['ropePermutation', (o) => ek.ropePermutation(4, { to: 'halfSplit', ...o }), 'rotary_dim', 'rotaryDim'],
  ['permuteRopeWeight', (o) => ek.permuteRopeWeight(x, [4, 1], { headDim: 4, to: 'halfSplit', ...o }), 'head_dim', 'headDim'],
  ['permuteRopeFeatures', (o) => ek.permuteRopeFeatures(x, [1, 4], { headDim: 4, to: 'halfSplit', ...o }), 'To', 'to'],
  ['ropePrecisionReport', (o) => ek.ropePrecisionReport({ samples: 2, ranges: [[0, 4]], ...o }), 'inv_freq', 'invFreq'],
  ['tokenize', (o) => ek.tokenize('A b', { ...o }), 'lowerCase', 'lowercase'],
  ['Vocab', (o) => new ek.Vocab(['a'], [1], { ...o }), 'lower_case', 'lowercase'],
  ['Vocab.fromText', (o) => ek.Vocab.fromText('a a b', { ...o }), 'min_count', 'minCount'],
  ['Vocab#encode', (o) => vocab.encode('a b.', { ...o }), 'sentence_breaks', 'sentenceBreaks'],
  ['Vocab#encoder', (o) => vocab.encoder({ ...o }), 'sentence_breaks', 'sentenceBreaks'],
  ['Vocab#update', (o) => vocab.update('a b', { ...o }), 'min_count', 'minCount'],
  ['Vocab.fromChunks', (o) => ek.Vocab.fromChunks(['a a', ' b'], { ...o }), 'min_count', 'minCount'],
  ['VocabCounter', (o) => new ek.VocabCounter({ ...o }), 'lower_case', 'lowercase'],
  ['VocabCounter#toVocab', (o) => new ek.VocabCounter().add('a').toVocab({ ...o }), 'max_size', 'maxSize'],
  ['Word2Vec (hs)', (o) => new ek.Word2Vec({ corpus: [0, 1, 0], counts: [2, 1], dim: 2, ...o }), 'ns_exponent', 'nsExponent'],
  ['Word2Vec (window)', (o) => new ek.Word2Vec({ corpus: [0, 1, 0], counts: [2, 1], dim: 2, ...o }), 'shrink_windows', 'shrinkWindows'],
  ['Word2Vec (cbow)', (o) => new ek.Word2Vec({ corpus: [0, 1, 0], counts: [2, 1], dim: 2, ...o }), 'cbow_mean', 'cbowMean'],
  ['Word2Vec', (o) => new ek.Word2Vec({ corpus: [0, 1, 0], counts: [2, 1], dim: 2, ...o }), 'epoch', 'epochs'],
  ['Word2Vec#train', (o) => new ek.Word2Vec({ corpus: [0, 1, 0], counts: [2, 1], dim: 2 }).train({ ...o }), 'chunk_words', 'chunkWords'],
  ['Neighbors', (o) => new ek.Neighbors(new Float32Array(4), { dim: 2, ...o }), 'word', 'words'],
  ['Neighbors#nearest', (o) => nb.nearest('a', { ...o }), 'K', 'k'],
  ['Neighbors#analogy', (o) => nb.analogy('a', 'b', 'a', { ...o }), 'excludes', 'exclude'],
  ['saveVectors', (o) => ek.saveVectors({ words: ['a'], weight: new Float32Array(2), dim: 2, ...o }), 'count', 'counts'],
  ['toWord2VecText', (o) => ek.toWord2VecText({ words: ['a'], weight: new Float32Array(2), dim: 2, ...o }), 'dims', 'dim'],
  ['toWord2VecBinary (vectors)', (o) => ek.toWord2VecBinary({ ...saved, ...o }), 'word', 'words'],
  ['toWord2VecBinary', (o) => ek.toWord2VecBinary(saved, { ...o }), 'line_breaks', 'lineBreaks'],
  ['fromWord2VecBinary', (o) => ek.fromWord2VecBinary(ek.toWord2VecBinary(saved), { ...o }), 'limt', 'limit'],
  ['evaluateWordPairs', (o) => ek.evaluateWordPairs(saved, 'a\tb\t1\na\tc\t2\nb\tc\t3\n', { ...o }), 'restrict_vocab', 'restrictVocab'],
  ['evaluateAnalogies', (o) => ek.evaluateAnalogies(saved, ': s\na b c a\n', { ...o }), 'case_insensitive', 'caseInsensitive'],
  ['Cooccurrence', (o) => new ek.Cooccurrence({ corpus: [0, 1, 0], numWords: 2, ...o }), 'distance_weighting', 'distanceWeighting'],
  ['Cooccurrence#top', (o) => cooc.top(0, { ...o }), 'K', 'k'],
  ['GloVe', (o) => new ek.GloVe({ cooccurrence: cooc, dim: 2, ...o }), 'x_max', 'xMax'],
  ['GloVe#train', (o) => new ek.GloVe({ cooccurrence: cooc, dim: 2, epochs: 1 }).train({ ...o }), 'chunk_entries', 'chunkEntries'],
  ['GloVe#toEmbedding', (o) => new ek.GloVe({ cooccurrence: cooc, dim: 2, epochs: 1 }).toEmbedding({ ...o }), 'vector', 'vectors'],
  ['Rope (invFreq)', (o) => new ek.Rope({ headDim: 4, invFreq: [1, 0.5], ...o }), 'attention_factor', 'attentionFactor'],
  ['Rope scaling (proportional)', (o) => new ek.Rope({ headDim: 4, scaling: { type: 'proportional', ...o } }), 'partial_rotary_factor', 'partialRotaryFactor'],
  ['Rope.fromConfig', (o) => ek.Rope.fromConfig(llamaConfig, { ...o }).dispose(), 'layer_type', 'layerType'],
  ['openSafetensors', (o) => ek.openSafetensors(stBytes, { ...o }), 'max_header_bytes', 'maxHeaderBytes'],
  ['saveSafetensors', (o) => ek.saveSafetensors({ a: new Float32Array(1) }, { ...o }), 'meta_data', 'metadata'],
  ['SafetensorsFile#loadEmbedding', async (o) => (await stFile.loadEmbedding('wte.weight', { ...o })).dispose(), 'padding_idx', 'paddingIdx'],
  ['openGGUF', (o) => ek.openGGUF(new Uint8Array(0), { ...o }).catch((e) => { if (e instanceof TypeError) throw e; }), 'MaxHeaderBytes', 'maxHeaderBytes'],
  ['GGUFFile#loadEmbedding', async (o) => (await ggufFile.loadEmbedding('token_embd.weight', { dtype: 'float32', ...o })).dispose(), 'max_norm', 'maxNorm'],
  ['SGD', (o) => new ek.SGD(emb, { ...o }), 'weight_decay', 'weightDecay'],
  ['Adam', (o) => new ek.Adam(emb, { ...o }), 'beta', 'betas'],
];

async function outcome(fn) {
  try { await fn(); return null; } catch (e) { return e; }
}

test('every options object: valid keys pass, a typo is a TypeError naming it and the closest key', async () => {
  for (const [what, call, typo, near] of cases) {
    assert.equal(await outcome(() => call({})), null, `${what} with valid options`);
    const w0 = emb.weight.slice();
    const err = await outcome(() => call({ [typo]: 1 }));
    assert.ok(err instanceof TypeError, `${what}: expected a TypeError, got ${err}`);
    assert.match(err.message, new RegExp(`unknown key '${typo}'.*did you mean '${near}'\\?`), what);
    assert.match(err.message, /valid keys: /, what);
    // a key nothing resembles: still an error, with the list but no guess
    const far = await outcome(() => call({ zzzzzzzzzzzz: 1 }));
    assert.ok(far instanceof TypeError && !/did you mean/.test(far.message) && /zzzzzzzzzzzz/.test(far.message), `${what}: ${far}`);
    assert.deepEqual(emb.weight, w0, `${what} changed nothing`);
  }
});

test('a rejected options object changes nothing and the API stays usable', () => {
  const before = emb.weight.slice();
  const opt = new ek.SGD(emb, { lr: 0.5 });
  emb.backward([1, 2], new Float32Array(8).fill(1));
  assert.throws(() => new ek.SGD(emb, { learningRate: 1 }), TypeError);
  opt.step();
  const after = emb.weight;
  for (let i = 0; i < 24; i++) {
    const row = Math.floor(i / 4);
    assert.equal(after[i], row === 1 || row === 2 ? Math.fround(before[i] - 0.5) : before[i]);
  }
  opt.dispose();
});

test('options that are not objects are TypeErrors too', () => {
  assert.throws(() => new ek.Embedding(4, 2, null), /Embedding options must be an object, got null/);
  assert.throws(() => new ek.Embedding(4, 2, [1]), /must be an object, got an array/);
  assert.throws(() => ek.sinusoidal(2, 4, 'concat'), /sinusoidal options must be an object, got string/);
  assert.throws(() => new ek.Rope(), /Rope options must be an object/);
  assert.throws(() => ek.saveVectors(), /saveVectors argument must be an object/);
});
