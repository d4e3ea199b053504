// word2vec.c — resumable skip-gram / CBOW trainer with negative sampling and hierarchical
// softmax (see word2vec.h for the method and what matches the original tool).
//
// Hot loop per (input, target) pair: f = dot(h, o); g = (label - sigmoid(f)) * alpha;
// e += g * o; o += g * h — one dot product and one fused pass over the output row
// (vec_f32.h), SIMD along dim. The scalar path (force_scalar) runs the same code with the
// scalar twins, same bits.
#include <math.h>
#include <string.h>

#include "embedkit.h"
#include "vec_f32.h"

// sigmoid(x) and the two losses -log sigmoid(x), -log(1 - sigmoid(x)) at
// x_i = (2 i / T - 1) * MAX_EXP, i = 0 .. T-1 (T = EK_W2V_SIGMOID_TABLE), filled once.
static float sig_table[EK_W2V_SIGMOID_TABLE];
static float lpos_table[EK_W2V_SIGMOID_TABLE];
static float lneg_table[EK_W2V_SIGMOID_TABLE];
static int tables_ready = 0;

static void fill_tables(void) {
  if (tables_ready) return;
  for (int i = 0; i < EK_W2V_SIGMOID_TABLE; i++) {
    const double x = (2.0 * i / EK_W2V_SIGMOID_TABLE - 1.0) * EK_W2V_MAX_EXP;
    const double e = exp(x);
    sig_table[i] = (float)(e / (e + 1.0));
    lpos_table[i] = (float)log1p(exp(-x));  // -log sigmoid(x)
    lneg_table[i] = (float)log1p(e);        // -log(1 - sigmoid(x))
  }
  tables_ready = 1;
}

static inline uint64_t lcg(uint64_t r) { return r * (uint64_t)25214903917ULL + 11u; }

// The draws of training, shared by step_impl/train_pair and ek_w2v_peek (which must make the same
// ones): a negative sample from the unigram table (it may be the word itself, which callers skip),
// and the window around `pos` (its random shrink when shrink_window, then clipped to the sentence
// [0, len)); returns the shrink b.
static inline int32_t draw_negative(const ek_w2v* st, uint64_t* rng) {
  *rng = lcg(*rng);
  return st->table[(*rng >> 16) & ((1u << st->table_bits) - 1u)];
}
static inline int32_t draw_window(const ek_w2v* st, uint64_t* rng, int32_t pos, int32_t len, int32_t* lo,
                                  int32_t* hi) {
  const int32_t window = st->window;
  int32_t b = 0;
  if (st->shrink_window) {
    *rng = lcg(*rng);
    b = (int32_t)(*rng % (uint64_t)window);
  }
  *lo = pos - window + b < 0 ? 0 : pos - window + b;
  *hi = pos + window - b >= len ? len - 1 : pos + window - b;
  return b;
}

// A word's weight in the noise distribution: count^ns_exponent, 0 for a word never seen.
static double ns_weight(double count, double ns_exponent) {
  return count > 0 ? pow(count, ns_exponent) : 0;
}

EK_EXPORT int32_t ek_w2v_sizeof(void) { return (int32_t)sizeof(ek_w2v); }

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
                              int32_t shrink_window, int32_t stream) {
  if (n_vocab < 1 || dim < 1 || window < 1 || negative < 0 || epochs < 1 || table_bits < 1 ||
      table_bits > 30 || n_corpus < 0 || n_tokens < 0 || (negative > 0 && (!syn1neg || !table)) ||
      (hs && (!syn1 || !hs_off || !hs_code || !hs_point)))
    return EK_ERR_ARG;
  fill_tables();
  memset(st, 0, sizeof *st);
  st->n_vocab = n_vocab;
  st->dim = dim;
  st->window = window;
  st->negative = negative;
  st->cbow = cbow != 0;
  st->table_bits = table_bits;
  st->force_scalar = force_scalar != 0;
  st->epochs = epochs;
  st->alpha0 = alpha;
  st->min_alpha = alpha * min_alpha_ratio;
  st->alpha = alpha;
  st->hs = hs != 0;
  st->cbow_mean = cbow_mean != 0;
  st->shrink_window = shrink_window != 0;
  st->stream = stream != 0;
  st->last = !st->stream;
  st->syn0 = syn0;
  st->syn1neg = negative > 0 ? syn1neg : 0;
  st->syn1 = st->hs ? syn1 : 0;
  st->hs_off = hs_off;
  st->hs_code = hs_code;
  st->hs_point = hs_point;
  st->table = negative > 0 ? table : 0;
  st->keep = sample > 0 ? keep : 0;
  st->neu1 = neu1;
  st->neu1e = neu1e;
  st->sen = sen;
  st->corpus = corpus;
  st->n_corpus = n_corpus;
  st->words_total = (int64_t)n_tokens * epochs;

  // syn0 ~ U(-0.5/dim, 0.5/dim) from the same generator family as training, seeded apart:
  // u = (24 high bits of r) / 2^24.
  uint64_t r = ((uint64_t)seed_hi << 32 | seed_lo) ^ 0x5DEECE66DULL;
  const size_t n = (size_t)n_vocab * (size_t)dim;
  for (size_t i = 0; i < n; i++) {
    r = lcg(r);
    const float u = (float)((r >> 40) & 0xFFFFFFu) * (1.0f / 16777216.0f);
    syn0[i] = (u - 0.5f) / (float)dim;
  }
  if (st->syn1neg) memset(syn1neg, 0, n * sizeof(float));
  if (st->syn1 && n_vocab > 1) memset(syn1, 0, (size_t)(n_vocab - 1) * (size_t)dim * sizeof(float));
  st->rng = (uint64_t)seed_hi << 32 | seed_lo;

  // Unigram^ns_exponent table: word i fills a share of the slots proportional to
  // counts[i]^ns_exponent (0 for a word never seen).
  double total_pow = 0, total = 0;
  for (int32_t i = 0; i < n_vocab; i++) {
    total_pow += ns_weight(counts[i], ns_exponent);
    total += counts[i];
  }
  if (st->table) {
    const uint32_t size = 1u << table_bits;
    int32_t w = 0;
    double d1 = total_pow > 0 ? ns_weight(counts[0], ns_exponent) / total_pow : 1.0;
    for (uint32_t a = 0; a < size; a++) {
      table[a] = w;
      if ((double)a / size > d1 && w < n_vocab - 1) {
        w++;
        d1 += total_pow > 0 ? ns_weight(counts[w], ns_exponent) / total_pow : 0;
      }
    }
  }
  if (sample > 0) {
    const double t = sample * total;
    for (int32_t i = 0; i < n_vocab; i++) {
      const double c = counts[i];
      keep[i] = c > 0 ? (float)((sqrt(c / t) + 1.0) * t / c) : 1e30f;
    }
  }
  return EK_OK;
}

// Read the next sentence into st->sen (subsampling as it goes); wraps to the next epoch at the
// end of the corpus (the last piece, when streaming), which also ends the sentence. Returns 0
// when it reached the end of a streamed piece that is not the last: the words read so far stay
// in st->sen (st->fill of them) and the next call, after ek_w2v_feed, goes on from there.
// `at` (ek_w2v_peek only; 0 when training) receives the corpus index of each word kept.
static int load_sentence(ek_w2v* st, int32_t* at) {
  int32_t len = st->fill;
  int complete = 0;
  const float* keep = st->keep;
  const int64_t read0 = st->words_done;
  while (st->corpus_pos < st->n_corpus) {
    const int32_t w = st->corpus[st->corpus_pos++];
    if (w < 0) {
      if (len > 0) {
        complete = 1;
        break;
      }
      continue;
    }
    st->words_done++;
    if (keep) {
      st->rng = lcg(st->rng);
      if (keep[w] < (float)(st->rng & 0xFFFF) / 65536.0f) continue;
    }
    if (at) at[len] = st->corpus_pos - 1;
    st->sen[len++] = w;
    if (len >= EK_W2V_MAX_SENTENCE) {
      complete = 1;
      break;
    }
  }
  if (st->corpus_pos >= st->n_corpus) {
    if (!st->last) {
      if (!complete) {
        st->fill = len;
        st->need_input = 1;
        st->loading = 1;
        return 0;
      }
    } else {
      st->corpus_pos = 0;
      st->epoch++;
      if (st->stream) {
        st->n_corpus = 0;
        st->last = 0;
      }
    }
  }
  st->fill = 0;
  st->loading = 0;
  st->sen_len = len;
  st->sen_pos = 0;
  double done = (double)st->words_done, total = (double)st->words_total;
  if (st->shared_done) {  // a part of a parallel trainer: the rate follows all parts' words
    done = (double)__atomic_add_fetch(st->shared_done, st->words_done - read0, __ATOMIC_RELAXED);
    total = (double)st->all_done;  // in a part, all_done holds the trainer's words_total
  }
  float a = st->alpha0 * (1.0f - (float)(done / (total + 1)));
  if (a < st->min_alpha) a = st->min_alpha;
  st->alpha = a;
  return 1;
}

EK_EXPORT void ek_w2v_feed(ek_w2v* st, const int32_t* corpus, int32_t n_corpus, int32_t last) {
  st->corpus = corpus;
  st->n_corpus = n_corpus < 0 ? 0 : n_corpus;
  st->corpus_pos = 0;
  st->last = last != 0;
  st->need_input = 0;
}

// g = (label - sigmoid(f)) * alpha, and the pair's loss, as the tool's table lookup.
static inline float grad_and_loss(float f, int label, float alpha, double* loss) {
  if (f > EK_W2V_MAX_EXP) {
    if (!label) *loss += f;
    return (float)(label - 1) * alpha;
  }
  if (f < -EK_W2V_MAX_EXP) {
    if (label) *loss -= f;
    return (float)label * alpha;
  }
  if (f != f) return 0.0f;  // NaN (only after a divergent run): no update, and no float->int UB
  int i = (int)((f + EK_W2V_MAX_EXP) * (EK_W2V_SIGMOID_TABLE / (2.0f * EK_W2V_MAX_EXP)));
  if (i >= EK_W2V_SIGMOID_TABLE) i = EK_W2V_SIGMOID_TABLE - 1;
  *loss += label ? lpos_table[i] : lneg_table[i];
  return ((float)label - sig_table[i]) * alpha;
}

// Targets trained together: their dots are computed first (four at a time, independent chains,
// loads in flight together) and the updates of all rows made in one pass that reads e and h
// once (vec_f32.h: ek_dot_rows, ek_sgns_rows). The rows of a batch are distinct, so no dot of a
// batch depends on another's update, and the error adds up in the order of the targets: the
// same operations in the same order as training the targets one by one, the same bits.
#define EK_W2V_BATCH 16

// Train h against k distinct rows (labels in order): sigmoid and gradient per row (skipped
// outside (-MAX_EXP, MAX_EXP) when hs_rule, as the tool does for hierarchical softmax), then the
// update of the rows with g != 0; the error is accumulated into e.
static inline __attribute__((always_inline)) void train_rows_impl(ek_w2v* st, const float* h, float* e,
                                                                  float* const* rows,
                                                                  const uint8_t* labels, int32_t k,
                                                                  int hs_rule, double* loss,
                                                                  const int simd) {
  float f[EK_W2V_BATCH], g[EK_W2V_BATCH];
  float* upd[EK_W2V_BATCH];
  int32_t m = 0;
  EK_DOT_ROWS(simd, f, h, rows, k, st->dim);
  st->loss_pairs += k;
  for (int32_t r = 0; r < k; r++) {
    const int label = labels[r];
    if (hs_rule) {
      if (f[r] <= -EK_W2V_MAX_EXP) {
        if (label) *loss -= f[r];
        continue;
      }
      if (f[r] >= EK_W2V_MAX_EXP) {
        if (!label) *loss += f[r];
        continue;
      }
    }
    const float gr = grad_and_loss(f[r], label, st->alpha, loss);
    if (gr != 0.0f) {
      upd[m] = rows[r];
      g[m++] = gr;
    }
  }
  if (m > 0) EK_SGNS_ROWS(simd, e, upd, g, m, h, st->dim);
}

// One copy of the batch kernels per path (inlined at every call site they would add 30 kB to
// the module for no measurable speed: a call per batch of up to 16 rows is noise).
static __attribute__((noinline)) void train_rows_s(ek_w2v* st, const float* h, float* e,
                                                   float* const* rows, const uint8_t* labels,
                                                   int32_t k, int hs_rule, double* loss) {
  train_rows_impl(st, h, e, rows, labels, k, hs_rule, loss, 0);
}

#if EK_HAVE_SIMD
static __attribute__((noinline)) void train_rows_v(ek_w2v* st, const float* h, float* e,
                                                   float* const* rows, const uint8_t* labels,
                                                   int32_t k, int hs_rule, double* loss) {
  train_rows_impl(st, h, e, rows, labels, k, hs_rule, loss, 1);
}
#define train_rows(st, h, e, rows, labels, k, hs_rule, loss, simd) \
  ((simd) ? train_rows_v(st, h, e, rows, labels, k, hs_rule, loss)  \
          : train_rows_s(st, h, e, rows, labels, k, hs_rule, loss))
#else
#define train_rows(st, h, e, rows, labels, k, hs_rule, loss, simd) \
  ((void)(simd), train_rows_s(st, h, e, rows, labels, k, hs_rule, loss))
#endif

// One (hidden vector h, centre word) update: hierarchical softmax along the word's path (when
// hs; the nodes of a path are distinct), then the positive and `negative` sampled rows (when
// negative > 0; a batch ends early when a sampled row repeats one in it, so the repeat sees the
// update before it, as one by one); the error is accumulated into e (which the caller zeroed).
static inline __attribute__((always_inline)) void train_pair(ek_w2v* st, const float* h,
                                                             float* e, int32_t word, uint64_t* rng,
                                                             double* loss, const int simd) {
  const size_t dim = (size_t)st->dim;
  float* rows[EK_W2V_BATCH];
  uint8_t labels[EK_W2V_BATCH];
  int32_t k = 0;
  if (st->hs) {
    const int32_t end = st->hs_off[word + 1];
    for (int32_t a = st->hs_off[word]; a < end; a++) {
      rows[k] = st->syn1 + (size_t)st->hs_point[a] * dim;
      labels[k++] = (uint8_t)(1 - st->hs_code[a]);
      if (k == EK_W2V_BATCH || a + 1 == end) {
        train_rows(st, h, e, rows, labels, k, 1, loss, simd);
        k = 0;
      }
    }
  }
  if (st->negative == 0) return;
  rows[0] = st->syn1neg + (size_t)word * dim;
  labels[0] = 1;
  k = 1;
  for (int32_t d = 1; d <= st->negative; d++) {
    const int32_t target = draw_negative(st, rng);
    if (target == word) continue;
    float* o = st->syn1neg + (size_t)target * dim;
    int dup = 0;
    for (int32_t r = 0; r < k; r++) dup |= rows[r] == o;
    if (dup || k == EK_W2V_BATCH) {
      train_rows(st, h, e, rows, labels, k, 0, loss, simd);
      k = 0;
    }
    rows[k] = o;
    labels[k++] = 0;
  }
  train_rows(st, h, e, rows, labels, k, 0, loss, simd);
}

static inline __attribute__((always_inline)) int32_t step_impl(ek_w2v* st, int32_t n_words,
                                                               const int simd) {
  const int64_t start = st->words_done;
  const int64_t stop = start + (int64_t)n_words;
  const int32_t dim = st->dim;
  float* syn0 = st->syn0;
  float* neu1 = st->neu1;
  float* neu1e = st->neu1e;
  int32_t* sen = st->sen;
  double loss = 0;
  uint64_t rng = st->rng;
  for (;;) {
    if (st->sen_pos >= st->sen_len) {
      if (!st->loading &&
          (st->words_done >= stop || st->words_done >= st->words_total || st->epoch >= st->epochs))
        break;
      st->rng = rng;
      const int loaded = load_sentence(st, 0);
      rng = st->rng;
      if (!loaded) break;
      continue;
    }
    const int32_t pos = st->sen_pos++;
    const int32_t len = st->sen_len;
    const int32_t word = sen[pos];
    int32_t lo, hi;
    draw_window(st, &rng, pos, len, &lo, &hi);
    if (st->cbow) {
      EK_ZERO(simd, neu1, dim);
      int32_t cw = 0;
      for (int32_t c = lo; c <= hi; c++) {
        if (c == pos) continue;
        EK_ADD(simd, neu1, syn0 + (size_t)sen[c] * (size_t)dim, dim);
        cw++;
      }
      if (cw == 0) continue;
      if (st->cbow_mean) EK_DIV(simd, neu1, (float)cw, dim);
      EK_ZERO(simd, neu1e, dim);
      train_pair(st, neu1, neu1e, word, &rng, &loss, simd);
      if (!st->cbow_mean) EK_SCALE(simd, neu1e, 1.0f / (float)cw, dim);
      for (int32_t c = lo; c <= hi; c++) {
        if (c == pos) continue;
        EK_ADD(simd, syn0 + (size_t)sen[c] * (size_t)dim, neu1e, dim);
      }
    } else {
      for (int32_t c = lo; c <= hi; c++) {
        if (c == pos) continue;
        float* h = syn0 + (size_t)sen[c] * (size_t)dim;
        EK_ZERO(simd, neu1e, dim);
        train_pair(st, h, neu1e, word, &rng, &loss, simd);
        EK_ADD(simd, h, neu1e, dim);
      }
    }
  }
  st->rng = rng;
  st->loss_sum += loss;
  return (int32_t)(st->words_done - start);
}

static int32_t step_one(ek_w2v* st, int32_t n_words) {
#if EK_HAVE_SIMD
  if (!st->force_scalar) return step_impl(st, n_words, 1);
#endif
  return step_impl(st, n_words, 0);
}

EK_EXPORT int32_t ek_w2v_threads(ek_w2v* st, ek_w2v* parts, int32_t n_threads, float* neu,
                                 int32_t* sens) {
  if (n_threads < 2 || st->stream || st->n_threads > 1 || st->words_done > 0) return EK_ERR_ARG;
  const size_t d = EK_W2V_VEC_STRIDE(st->dim);
  for (int32_t t = 0; t < n_threads; t++) {
    ek_w2v* p = &parts[t];
    *p = *st;
    // Part t reads corpus entries [b, e): the original tool's threads start at t / n of the file.
    const int32_t b = (int32_t)((int64_t)st->n_corpus * t / n_threads);
    const int32_t e = (int32_t)((int64_t)st->n_corpus * (t + 1) / n_threads);
    int64_t tokens = 0;
    for (int32_t i = b; i < e; i++) tokens += st->corpus[i] >= 0;
    p->corpus = st->corpus + b;
    p->n_corpus = e - b;
    p->words_total = tokens * st->epochs;
    p->neu1 = neu + 2 * (size_t)t * d;
    p->neu1e = neu + (2 * (size_t)t + 1) * d;
    p->sen = sens + (size_t)t * EK_W2V_SEN_STRIDE;
    p->rng = st->rng + (uint64_t)t;
    p->n_threads = 0;
    p->parts = 0;
    p->shared_done = &st->all_done;
    p->all_done = st->words_total;
  }
  st->all_done = 0;
  st->n_threads = n_threads;
  st->parts = parts;
  return EK_OK;
}

typedef struct {
  ek_w2v* parts;
  int32_t per;
} w2v_job;

static void w2v_chunk(void* p, int32_t b, int32_t e) {
  const w2v_job* j = p;
  for (int32_t t = b; t < e; t++) step_one(&j->parts[t], j->per);
}

// Every part trains its share at once; the trainer's state then sums them up.
static int32_t step_threads(ek_w2v* st, int32_t n_words) {
  const int32_t n = st->n_threads;
  const int64_t before = st->words_done;
  w2v_job j = {st->parts, n_words / n + (n_words % n != 0)};
  ek_parallel_for(w2v_chunk, &j, n, 1, 1e30);  // always worth threads: each part is long
  int64_t done = 0;
  int32_t epoch = st->epochs;
  for (int32_t t = 0; t < n; t++) {
    ek_w2v* p = &st->parts[t];
    done += p->words_done;
    if (p->epoch < epoch) epoch = p->epoch;
    st->loss_sum += p->loss_sum;
    st->loss_pairs += p->loss_pairs;
    p->loss_sum = 0;
    p->loss_pairs = 0;
  }
  st->words_done = done;
  st->epoch = epoch;
  st->alpha = st->parts[0].alpha;
  return (int32_t)(done - before);
}

EK_EXPORT int32_t ek_w2v_step(ek_w2v* st, int32_t n_words) {
  if (st->n_threads > 1) return step_threads(st, n_words);
  return step_one(st, n_words);
}

// What ek_w2v_peek records: examples (centre position, input position or -1 for CBOW's whole
// window, number of negatives) and the negatives' ids, counted past the capacities.
typedef struct {
  int32_t *ex, *neg;
  int32_t ex_cap, neg_cap, n_ex, n_neg;
} peek_out;

// One (input, centre) example: the negatives train_pair draws for the centre word, recorded
// instead of trained (the same generator steps; a draw equal to the word is skipped, a repeat kept).
static void peek_example(const ek_w2v* st, peek_out* o, int32_t pos, int32_t input, uint64_t* rng) {
  const int32_t word = st->sen[pos], n0 = o->n_neg;
  for (int32_t d = 1; d <= st->negative; d++) {
    const int32_t target = draw_negative(st, rng);
    if (target == word) continue;
    if (o->n_neg < o->neg_cap) o->neg[o->n_neg] = target;
    o->n_neg++;
  }
  if (o->n_ex < o->ex_cap) {
    o->ex[3 * o->n_ex] = pos;
    o->ex[3 * o->n_ex + 1] = input;
    o->ex[3 * o->n_ex + 2] = o->n_neg - n0;
  }
  o->n_ex++;
}

// What ek_w2v_step(st, 1) will train, worked out on a copy of the state (st and every buffer it
// points to are only read). It follows step_impl's control flow draw for draw: the sentence
// loads of that call (load_sentence itself, subsampling included), then per kept word the
// window draw and, per (input, centre) example, the negative draws; nothing is trained.
EK_EXPORT int32_t ek_w2v_peek(const ek_w2v* st, int32_t* sen, int32_t* at, int32_t* win, int32_t* ex,
                              int32_t ex_cap, int32_t* neg, int32_t neg_cap, double* info) {
  if (st->stream || st->n_threads > 1 || st->loading || st->sen_pos < st->sen_len || ex_cap < 0 || neg_cap < 0)
    return EK_ERR_ARG;
  ek_w2v c = *st;
  int64_t shared = 0;
  if (c.shared_done) {  // a part of a parallel trainer: count into a copy of the shared total
    shared = __atomic_load_n(st->shared_done, __ATOMIC_RELAXED);
    c.shared_done = &shared;
  }
  c.sen = sen;
  c.sen_len = 0;
  c.sen_pos = 0;
  const int64_t start = c.words_done;
  int32_t epoch = c.epoch, first = -1, last = -1;
  // step_impl's loop with n_words = 1: load until a sentence has read a word (or training is done)
  while (!(c.words_done >= start + 1 || c.words_done >= c.words_total || c.epoch >= c.epochs)) {
    const int32_t p0 = c.corpus_pos, e0 = c.epoch;
    epoch = c.epoch;
    load_sentence(&c, at);
    const int32_t p1 = c.epoch != e0 ? c.n_corpus : c.corpus_pos;
    first = last = -1;
    for (int32_t i = p0; i < p1; i++) {
      if (c.corpus[i] < 0) continue;
      if (first < 0) first = i;
      last = i;
    }
  }
  const int32_t len = c.sen_len, window = c.window;
  peek_out o = {ex, neg, ex_cap, neg_cap, 0, 0};
  uint64_t rng = c.rng;
  for (int32_t pos = 0; pos < len; pos++) {
    int32_t lo, hi;
    win[pos] = window - draw_window(&c, &rng, pos, len, &lo, &hi);
    if (c.cbow) {
      if (hi > lo) peek_example(&c, &o, pos, -1, &rng);  // hi == lo: no context (step_impl's cw == 0)
    } else {
      for (int32_t k = lo; k <= hi; k++)
        if (k != pos) peek_example(&c, &o, pos, k, &rng);
    }
  }
  info[0] = len;
  info[1] = o.n_ex;
  info[2] = o.n_neg;
  info[3] = (double)(c.words_done - start);
  info[4] = c.alpha;
  info[5] = epoch;
  info[6] = first;
  info[7] = last < 0 ? -1 : last + 1;
  info[8] = c.words_done == start ? 1 : 0;  // nothing left to read: training is done
  return o.n_ex <= ex_cap && o.n_neg <= neg_cap ? EK_OK : EK_ERR_ARG;
}

EK_EXPORT void ek_w2v_progress(double* out, ek_w2v* st, int32_t reset_loss) {
  out[0] = (double)st->words_done;
  out[1] = (double)st->words_total;
  out[2] = (double)st->epoch;
  out[3] = (double)st->alpha;
  out[4] = st->loss_sum;
  out[5] = (double)st->loss_pairs;
  out[6] = (double)st->corpus_pos;
  out[7] = (double)st->sen_pos;
  out[8] = (double)st->need_input;
  out[9] = !st->loading && (st->words_done >= st->words_total || st->epoch >= st->epochs) ? 1.0 : 0.0;
  if (reset_loss) {
    st->loss_sum = 0;
    st->loss_pairs = 0;
  }
}
