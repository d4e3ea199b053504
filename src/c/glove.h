// glove.h — GloVe (Pennington, Socher and Manning 2014): word-word co-occurrence counting and
// the weighted least-squares trainer, as Stanford's C tool (cooccur.c, shuffle.c, glove.c) does
// them, with the whole state in wasm memory and resumable chunked calls, like word2vec.h.
//
// ---- Co-occurrence counting ------------------------------------------------------------------
// Corpus: int32 word ids in [0, n_vocab), -1 = sentence break. For every token t at position p
// and every earlier token c at p - k (1 <= k <= window, same sentence: the window stops at a -1,
// as the tool's stops at a newline), X[c, t] += w(k), and with `symmetric` also X[t, c] += w(k),
// where w(k) = 1/k (distance weighting, the tool's default) or 1. One-sided (symmetric = 0):
// rows are the left word, columns the right word, as the tool's `-symmetric 0`.
// Storage while counting (sums in float64, rounded to float32 once at the end):
// - a dense block for frequent pairs: ids come most frequent first (Vocab), and row i keeps
//   columns j < dense_len(i) = off[i+1] - off[i] densely (JS chooses the rank-product rule of the
//   tool, dense_len(i) = min(n_vocab, P / (i + 1)));
// - an open-addressing hash (linear probing, 16-byte slots) for every other pair. When it is
//   about to pass 70% load, ek_cooc_count returns early and JS allocates a larger table (twice
//   as large, or as large as its memory budget allows, else RangeError) and calls ek_cooc_rehash.
// Result: CSR, rows sorted by column, float32 values (ek_cooc_finish).
//
// ---- Training ---------------------------------------------------------------------------------
// Entries (i, j, X_ij) of the matrix, each as {i, j, log X_ij, f(X_ij)} with
// f(x) = min(1, (x / x_max)^alpha), in CSR order, shuffled once with a seeded Fisher-Yates (the
// tool shuffles the file once; `reshuffle` shuffles again before every later epoch).
// Per entry, exactly the update of glove.c (current master, one thread):
//   diff  = w_i . w~_j + b_i + b~_j - log X_ij;   fdiff = f(X_ij) diff;   cost += fdiff diff / 2
//   t1[d] = eta clip(fdiff w~_j[d]);  t2[d] = eta clip(fdiff w_i[d])      clip to +-grad_clip
//   w_i[d] -= t1[d] / sqrt(G_i[d]);   G_i[d] += t1[d]^2   (same for w~_j with t2, G~_j)
//   b_i -= fdiff / sqrt(Gb_i);  b~_j -= fdiff / sqrt(Gb~_j);  Gb_i += fdiff^2;  Gb~_j += fdiff^2
// (the tool's bias step carries no eta), with G = 1 at the start and every parameter
// ~ U(-0.5/dim, 0.5/dim). An entry whose diff is not finite is skipped, as the tool does.
// Precision: vectors and G in float32 (the tool: float64); the dot product in float32 in
// vec_f32.h's fixed order (__scalar and SIMD give the same bits); diff, fdiff, the cost and the
// bias steps in float64. (Tried: G in float64, with sqrt(G) in float64 rounded to float32 for
// the division: on the State of the Union benchmark the scores and the final cost came out the
// same to the printed digits, and training took twice the CPU time, so G stays float32.)
// Layout: one block per word and side, stride = 2 * dpad + 4 floats (dpad = dim rounded up to 4):
// [w (dpad, zero padding)] [G (dpad, padding 1)] [b, Gb, 0, 0]: the entry's whole working set
// is two contiguous blocks. Word rows first (n_vocab blocks), then context rows.
// Generator: r = r * 25214903917 + 11 (mod 2^64) from seed ^ 0x5DEECE66D; init draws
// u = (r >> 40) / 2^24 per parameter in the order (word 0: w[0..dim), b), (word 1 ...), ...,
// then the context blocks likewise; the shuffle continues the same generator: for k = n-1
// down to 1, r = next, swap(k, ((r >> 32) * (k + 1)) >> 32).
//
// Determinism: results depend only on the inputs and the seed; chunk sizes do not matter.
#ifndef EK_GLOVE_H
#define EK_GLOVE_H

#include "common.h"

// One hash slot: the pair (i, j) and its float64 sum; i = 0xFFFFFFFF marks an empty slot.
typedef struct ek_cooc_slot {
  uint32_t i, j;
  double x;
} ek_cooc_slot;

typedef struct ek_cooc {
  int32_t n_vocab, window, symmetric, weighting;
  double* dense;          // [off[n_vocab]] f64 dense block
  const uint32_t* off;    // [n_vocab + 1] start of row i in dense
  ek_cooc_slot* hash;     // [hash_cap]
  uint32_t hash_cap;      // slots, 64 .. 2^31
  uint32_t hash_used;     // occupied slots
  uint32_t hash_limit;    // ek_cooc_count stops before hash_used could pass it
  double weights[1001];   // w(k), k = 1..window
} ek_cooc;

// Bytes to allocate for an ek_cooc state.
EK_EXPORT int32_t ek_cooc_sizeof(void);

// Set up a counter: zeroes dense [off[n_vocab]] and marks the hash [hash_cap] empty.
// hash_cap: 64 .. 2^31 slots. Returns EK_OK or EK_ERR_ARG (nothing written then).
EK_EXPORT int32_t ek_cooc_init(ek_cooc* st, double* dense, const uint32_t* off, int32_t n_vocab,
                               int32_t window, int32_t symmetric, int32_t weighting,
                               ek_cooc_slot* hash, uint32_t hash_cap);

// Count tokens at positions [pos, end) of corpus (ids validated by the caller). Returns the
// position reached: end, or earlier when the hash needs to grow first (then call
// ek_cooc_rehash and continue from the returned position). The window looks back into corpus
// itself, so counting can stop and resume at any position.
EK_EXPORT int32_t ek_cooc_count(ek_cooc* st, const int32_t* corpus, int32_t pos, int32_t end);

// Move every entry into a new empty table hash [hash_cap] (64 .. 2^31, > hash_used / 0.7);
// the old table is no longer used (the caller frees it).
EK_EXPORT int32_t ek_cooc_rehash(ek_cooc* st, ek_cooc_slot* hash, uint32_t hash_cap);

// Nonzeros per row: rownnz [n_vocab] u32 (dense part + hash part). Returns the total
// as a double; JS checks it fits). __scalar / __wasmsimd differ only in the dense scan.
EK_EXPORT double ek_cooc_row_nnz(uint32_t* rownnz, const ek_cooc* st);
EK_EXPORT double ek_cooc_row_nnz__scalar(uint32_t* rownnz, const ek_cooc* st);
EK_EXPORT double ek_cooc_row_nnz__wasmsimd(uint32_t* rownnz, const ek_cooc* st);

// Write the CSR result: rowptr [n_vocab + 1] u32 (from rownnz of ek_cooc_row_nnz), cols [nnz]
// i32, vals [nnz] f32 (each the float32 rounding of the float64 sum), every row sorted by
// column. cursor [n_vocab] u32 is scratch. The state's dense block and hash are read only.
EK_EXPORT void ek_cooc_finish(uint32_t* rowptr, int32_t* cols, float* vals, uint32_t* cursor,
                              const uint32_t* rownnz, const ek_cooc* st);

// ---- training -----------------------------------------------------------------------------

typedef struct ek_glove_rec {
  int32_t i, j;
  float logx, fx;
} ek_glove_rec;

typedef struct ek_glove {
  int32_t n_vocab, dim, dpad, stride, epochs, reshuffle, force_scalar, epoch;
  uint32_t n_rec, pos;  // entries, position in the current epoch
  float eta, grad_clip;
  float* params;        // [2 * n_vocab * stride]
  ek_glove_rec* rec;    // [n_rec]
  uint64_t rng;
  double cost_sum;      // since the last progress reset
  double epoch_cost;    // running sum of the current epoch
  double last_epoch_cost;  // mean cost of the last finished epoch (the tool's figure)
  int64_t cost_n, done, skipped;
  int32_t n_threads;    // > 1: each step's entries are cut into that many parts trained side by side
} ek_glove;

EK_EXPORT int32_t ek_glove_sizeof(void);

// Set up a trainer: params [2 n_vocab stride] f32 (filled from the seed), rec [nnz] from the CSR
// matrix (rowptr [n_vocab + 1], cols, vals > 0) with f and log precomputed in float64, then
// shuffled. Returns EK_OK or EK_ERR_ARG (nothing written then).
EK_EXPORT int32_t ek_glove_init(ek_glove* st, float* params, ek_glove_rec* rec,
                                const uint32_t* rowptr, const int32_t* cols, const float* vals,
                                int32_t n_vocab, int32_t dim, double x_max, double alpha,
                                float eta, float grad_clip, int32_t epochs, int32_t reshuffle,
                                uint32_t seed_lo, uint32_t seed_hi, int32_t force_scalar);

// Train at most n entries (stops at the end of training). Returns the number trained.
EK_EXPORT int32_t ek_glove_step(ek_glove* st, int32_t n);

// Lock-free parallel training, as the original tool's -threads: from now on every step cuts its
// entries into n contiguous parts trained side by side on the thread pool, all updating the same
// parameters without locks (not bit-reproducible; n = 1, the default, is deterministic).
EK_EXPORT void ek_glove_threads(ek_glove* st, int32_t n);

// out [8] f64: done (entries over all epochs), total, epoch, cost_sum, cost_n, last epoch's
// mean cost (or -1 before the first epoch ends), skipped, pos. reset != 0 clears cost_sum/n.
EK_EXPORT void ek_glove_progress(double* out, ek_glove* st, int32_t reset);

// out [n_vocab dim] f32 <- which = 0: w, 1: w~, 2: w + w~ (the tool's model 2); biases: out
// [n_vocab] with which = 3: b, 4: b~.
EK_EXPORT void ek_glove_export(float* out, const ek_glove* st, int32_t which);

#endif  // EK_GLOVE_H
