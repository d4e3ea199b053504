// word2vec.h — skip-gram and CBOW with negative sampling and/or hierarchical softmax, the
// method of Mikolov et al.'s word2vec tool (2013), as a resumable single-threaded trainer whose
// whole state lives in wasm memory. The JS shim (src/js/word2vec.js) allocates every buffer and calls ek_w2v_step in
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
// Options beyond the tool's defaults: hierarchical softmax (hs: the tool's Huffman tree, built by
// the caller as code/point lists in CSR form; for each inner node on the word's path
// g = (1 - code - sigmoid(f)) * alpha, skipped when |f| >= MAX_EXP, as the tool and gensim do;
// with negative > 0 as well, both losses update the same error vector, hs first, as the tool);
// cbow_mean = 0, gensim's summed context: h = sum of the context vectors, and the error is
// multiplied by 1/count before it is added to each of them (gensim's cbow_mean=0; the tool's
// first release added it undivided); ns_exponent (gensim's; the tool's 0.75 is the default):
// the noise table follows count^ns_exponent (words with count 0 get no slots); shrink_window = 0
// keeps the full window for every word (gensim's shrink_windows=False; no generator draw then).
// Differences: the unigram table has 2^table_bits entries (the tool uses 1e8), and sentence
// breaks come as -1 entries in the corpus instead of newline tokens.
//
// Determinism: the result depends only on the inputs and the seed. ek_w2v_step stops only
// between sentences and keeps the sentence, its position and the generator in the state, so
// any sequence of chunk sizes gives the same bits as one call. __scalar and SIMD paths give
// the same bits (see vec_f32.h for the fixed order of the dot product).
//
// Streaming (stream != 0): the corpus arrives in pieces through ek_w2v_feed. When the trainer
// reaches the end of a piece that is not flagged last, ek_w2v_step returns early with
// need_input set and keeps the sentence being read (subsampling draws included); it goes on
// with the next piece as if the pieces were one array, so any split of an epoch's ids gives the
// same bits as the whole array. The piece flagged last ends the epoch; the next epoch's pieces
// then start from the beginning of the corpus again. Training ends after `epochs` epochs or
// n_tokens * epochs words, whichever comes first.
#ifndef EK_WORD2VEC_H
#define EK_WORD2VEC_H

#include "common.h"

#define EK_W2V_MAX_SENTENCE 1000
#define EK_W2V_SIGMOID_TABLE 1000
#define EK_W2V_MAX_EXP 6

typedef struct ek_w2v {
  // configuration (fixed by ek_w2v_init)
  int32_t n_vocab, dim, window, negative, cbow, table_bits, force_scalar, epochs;
  int32_t hs, cbow_mean, shrink_window, stream;
  float alpha0, min_alpha;
  // buffers owned by the caller
  float* syn0;             // [n_vocab, dim] input vectors (the embedding table)
  float* syn1neg;          // [n_vocab, dim] output vectors (negative sampling), or 0
  float* syn1;             // [n_vocab - 1, dim] inner-node vectors (hierarchical softmax), or 0
  const int32_t* hs_off;   // [n_vocab + 1] word w's path is entries hs_off[w] .. hs_off[w+1]-1
  const uint8_t* hs_code;  // [hs_off[n_vocab]] branch taken at each inner node (0/1), root first
  const int32_t* hs_point; // [hs_off[n_vocab]] inner node ids in [0, n_vocab - 1), root first
  int32_t* table;          // [1 << table_bits] unigram^ns_exponent table
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
  double loss_sum;  // sum of the loss over (input, target) pairs since the last reset
  int64_t loss_pairs;
  // streaming
  int32_t last;        // the current piece ends the epoch
  int32_t need_input;  // ek_w2v_step stopped at the end of a piece that is not the last
  int32_t fill;        // words of the sentence being read when it stopped there
  int32_t loading;     // a sentence is being read across pieces (no stop until it is complete)
  // threads (ek_w2v_threads): the trainer's state then only sums up its parts
  int32_t n_threads;       // parts trained side by side (0 or 1: this state trains itself)
  struct ek_w2v* parts;    // [n_threads] one state per part, or 0
  int64_t* shared_done;    // in a part: the words read by all parts (for the learning rate)
  int64_t all_done;        // in the trainer: what shared_done points to
} __attribute__((aligned(64))) ek_w2v;  // whole cache lines: parts side by side share none

// Per-part buffers of a parallel trainer start on cache lines of their own (a part writes its
// error vector for every pair; sharing a line with the next part's vector cost about 10% of the
// speed of two threads): each vector takes EK_W2V_VEC_STRIDE(dim) floats, each sentence buffer
// EK_W2V_SEN_STRIDE ints.
#define EK_W2V_VEC_STRIDE(dim) ((((size_t)(dim)) + 15u) & ~(size_t)15u)
#define EK_W2V_SEN_STRIDE 1008

// Bytes to allocate for an ek_w2v state.
EK_EXPORT int32_t ek_w2v_sizeof(void);

// Set up a trainer in `st` (ek_w2v_sizeof() bytes): fills syn0 from the seed, zeroes syn1neg
// and syn1, builds the unigram table (when negative > 0) from counts and, when sample > 0, the
// subsampling thresholds. counts [n_vocab] f64 (word frequencies); corpus [n_corpus] i32 in
// [-1, n_vocab) (validated by the caller), kept by pointer: it must stay alive and unchanged
// while training (with stream != 0, pass n_corpus 0 and give pieces with ek_w2v_feed).
// n_tokens: number of non-negative corpus entries (one epoch's words). syn1neg and table may
// be 0 when negative = 0; syn1, hs_off, hs_code, hs_point may be 0 when hs = 0.
// Returns EK_OK, or EK_ERR_ARG when a size is out of range (nothing is written then).
EK_EXPORT int32_t ek_w2v_init(ek_w2v* st, float* syn0, float* syn1neg, int32_t* table,
                              float* keep, float* neu1, float* neu1e, int32_t* sen,
                              const int32_t* corpus, int32_t n_corpus, int32_t n_tokens,
                              const double* counts, int32_t n_vocab, int32_t dim,
                              int32_t window, int32_t negative, int32_t cbow, double sample,
                              float alpha, float min_alpha_ratio, int32_t epochs,
                              int32_t table_bits, uint32_t seed_lo, uint32_t seed_hi,
                              int32_t force_scalar, double ns_exponent, int32_t hs, float* syn1,
                              const int32_t* hs_off, const uint8_t* hs_code,
                              const int32_t* hs_point, int32_t cbow_mean,
                              int32_t shrink_window, int32_t stream);

// Streaming: the next piece of the corpus (ids in [-1, n_vocab), validated by the caller, kept
// by pointer until the trainer asks for more); last != 0 marks the end of the epoch.
EK_EXPORT void ek_w2v_feed(ek_w2v* st, const int32_t* corpus, int32_t n_corpus, int32_t last);

// Train until at least n_words more corpus words have been read (finishing the sentence in
// progress) or all epochs are done, or (streaming) until the trainer needs the next piece.
// Returns the number of words read by this call.
EK_EXPORT int32_t ek_w2v_step(ek_w2v* st, int32_t n_words);

// Lock-free parallel training (Hogwild, as the original tool's -threads and gensim's workers):
// split the corpus of an initialised trainer `st` into n_threads parts of about equal length,
// each trained by its own state (parts [n_threads], ek_w2v_sizeof() bytes each) with its own
// buffers (neu [n_threads * 2 * EK_W2V_VEC_STRIDE(dim)] f32, sens [n_threads *
// EK_W2V_SEN_STRIDE] i32, both 64-byte aligned, as ek_alloc gives them) and its
// own generator (seed + part index), all updating the same tables without locks. The learning
// rate follows the words read by all parts. ek_w2v_step(st, n) then trains about n / n_threads
// words in each part at once (on the thread pool), and ek_w2v_progress(st) reports the sums.
// Not bit-reproducible (the interleaving of updates varies between runs), as in the original
// tool; n_threads = 1 keeps the deterministic trainer. Needs the whole corpus in memory (not
// streamed). Returns EK_OK or EK_ERR_ARG.
EK_EXPORT int32_t ek_w2v_threads(ek_w2v* st, ek_w2v* parts, int32_t n_threads, float* neu,
                                 int32_t* sens);

// What the next ek_w2v_step(st, 1) will train, without training it: st and everything it points
// to are only read (the work is done on a copy of the state, generator included), and the ids
// are the exact ones that step then uses. Writes, for the sentence that step reads:
//   sen [EK_W2V_MAX_SENTENCE] the words kept after subsampling, at [same] the corpus index of
//   each, win [same] each centre word's window radius after the dynamic shrink;
//   ex [3 * ex_cap] per (input, centre) example, in training order: centre position in sen,
//   input position in sen (skip-gram: the context word whose input vector is trained; CBOW: -1,
//   the whole window), number of negatives; neg [neg_cap] those negatives' ids, example after
//   example (a draw equal to the centre word is skipped, as in training; repeats are kept);
//   info [9] f64: sentence length, examples, negatives, corpus words read (before subsampling),
//   learning rate, epoch, corpus index of the first and one past the last word read (-1 if
//   none), and 1 when nothing is left to train (done).
// Returns EK_OK, or EK_ERR_ARG when ex_cap or neg_cap is too small (info holds the counts
// needed then: call with 0 and 0 first) or for a trainer it cannot follow: a streamed corpus,
// the parent of parallel parts (peek a part: st = &parts[t]), or mid-sentence.
EK_EXPORT int32_t ek_w2v_peek(const ek_w2v* st, int32_t* sen, int32_t* at, int32_t* win, int32_t* ex,
                              int32_t ex_cap, int32_t* neg, int32_t neg_cap, double* info);

// out [10] f64: words_done, words_total, epoch, alpha, loss_sum, loss_pairs, corpus_pos,
// sen_pos, need_input, done. With reset_loss != 0 the loss sums are cleared after reading.
EK_EXPORT void ek_w2v_progress(double* out, ek_w2v* st, int32_t reset_loss);

#endif  // EK_WORD2VEC_H
