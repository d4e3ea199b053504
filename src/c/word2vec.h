// word2vec.h — skip-gram and CBOW with negative sampling, the method of Mikolov et al.'s
// word2vec tool (2013), as a resumable single-threaded trainer whose whole state lives in wasm
// memory. The JS shim (src/js/word2vec.js) allocates every buffer and calls ek_w2v_step in
// chunks, so a page can train in a Web Worker and draw progress between chunks.
//
// What matches the original tool: input vectors syn0 ~ U(-0.5/dim, 0.5/dim), output vectors
// syn1neg = 0; the 64-bit linear congruential generator r = r * 25214903917 + 11; subsampling
// keep test (sqrt(c / (s T)) + 1) (s T) / c >= (r & 0xFFFF) / 65536 with T the total count;
// dynamic window b = r % window (effective window window - b); negatives drawn from a unigram^0.75
// table at (r >> 16); a negative equal to the positive word is skipped; sigmoid from a
// 1000-entry table over [-6, 6] (clamped outside; index (f + 6) * 1000/12, where the tool's
// integer division gives the scale 83 instead of 83.33); sentences of at most 1000 kept words;
// learning rate alpha0 * (1 - words_done / (total + 1)), floored at alpha0 * min_alpha_ratio,
// recomputed whenever a sentence is loaded; skip-gram trains each context word's input vector
// to predict the centre word (as the tool does); CBOW averages the context (cbow_mean, as the
// tool's later versions and gensim do) and adds the same error to every context vector.
// Differences: the unigram table has 2^table_bits entries (the tool uses 1e8), and sentence
// breaks come as -1 entries in the corpus instead of newline tokens.
//
// Determinism: the result depends only on the inputs and the seed. ek_w2v_step stops only
// between sentences and keeps the sentence, its position and the generator in the state, so
// any sequence of chunk sizes gives the same bits as one call. __scalar and SIMD paths give
// the same bits (see vec_f32.h for the fixed order of the dot product).
#ifndef EK_WORD2VEC_H
#define EK_WORD2VEC_H

#include "common.h"

#define EK_W2V_MAX_SENTENCE 1000
#define EK_W2V_SIGMOID_TABLE 1000
#define EK_W2V_MAX_EXP 6

typedef struct ek_w2v {
  // configuration (fixed by ek_w2v_init)
  int32_t n_vocab, dim, window, negative, cbow, table_bits, force_scalar, epochs;
  float alpha0, min_alpha;
  // buffers owned by the caller
  float* syn0;             // [n_vocab, dim] input vectors (the embedding table)
  float* syn1neg;          // [n_vocab, dim] output vectors
  int32_t* table;          // [1 << table_bits] unigram^0.75 table
  float* keep;             // [n_vocab] subsampling thresholds, or 0 for no subsampling
  float* neu1;             // [dim] hidden (CBOW)
  float* neu1e;            // [dim] error accumulator
  int32_t* sen;            // [EK_W2V_MAX_SENTENCE] current sentence
  const int32_t* corpus;   // [n_corpus] word ids in [0, n_vocab), -1 = sentence break
  int32_t n_corpus;
  // progress
  int32_t corpus_pos, epoch, sen_len, sen_pos;
  uint64_t rng;
  int64_t words_done, words_total;  // words read (before subsampling), over all epochs
  float alpha;
  double loss_sum;  // sum of the negative-sampling loss over pairs since the last reset
  int64_t loss_pairs;
} ek_w2v;

// Bytes to allocate for an ek_w2v state.
EK_EXPORT int32_t ek_w2v_sizeof(void);

// Set up a trainer in `st` (ek_w2v_sizeof() bytes): fills syn0 from the seed, zeroes syn1neg,
// builds the unigram table from counts and, when sample > 0, the subsampling thresholds.
// counts [n_vocab] f64 (word frequencies); corpus [n_corpus] i32 in [-1, n_vocab) (validated
// by the caller), kept by pointer: it must stay alive and unchanged while training.
// n_tokens: number of non-negative corpus entries (one epoch's words).
// Returns EK_OK, or EK_ERR_ARG when a size is out of range (nothing is written then).
EK_EXPORT int32_t ek_w2v_init(ek_w2v* st, float* syn0, float* syn1neg, int32_t* table,
                              float* keep, float* neu1, float* neu1e, int32_t* sen,
                              const int32_t* corpus, int32_t n_corpus, int32_t n_tokens,
                              const double* counts, int32_t n_vocab, int32_t dim,
                              int32_t window, int32_t negative, int32_t cbow, double sample,
                              float alpha, float min_alpha_ratio, int32_t epochs,
                              int32_t table_bits, uint32_t seed_lo, uint32_t seed_hi,
                              int32_t force_scalar);

// Train until at least n_words more corpus words have been read (finishing the sentence in
// progress) or all epochs are done. Returns the number of words read by this call.
EK_EXPORT int32_t ek_w2v_step(ek_w2v* st, int32_t n_words);

// out [8] f64: words_done, words_total, epoch, alpha, loss_sum, loss_pairs, corpus_pos,
// sen_pos. With reset_loss != 0 the loss sums are cleared after reading.
EK_EXPORT void ek_w2v_progress(double* out, ek_w2v* st, int32_t reset_loss);

#endif  // EK_WORD2VEC_H
