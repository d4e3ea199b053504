// w2v-synth.js — a small synthetic corpus and a table comparison shared by the word2vec tests.

/** A small corpus with structure: words of group g co-occur within sentences. */
export function synthCorpus(nVocab, nTokens, seed = 7) {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out = [];
  const groups = 4;
  while (out.length < nTokens) {
    const g = Math.floor(rnd() * groups);
    const len = 3 + Math.floor(rnd() * 12);
    for (let i = 0; i < len; i++) {
      // Zipf-ish inside the group
      const r = Math.floor(Math.pow(rnd(), 2) * Math.floor(nVocab / groups));
      out.push(g + groups * r);
    }
    out.push(-1);
  }
  const counts = new Float64Array(nVocab);
  for (const w of out) if (w >= 0) counts[w]++;
  for (let i = 0; i < nVocab; i++) if (counts[i] === 0) counts[i] = 1;
  return { corpus: Int32Array.from(out), counts };
}

export function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
