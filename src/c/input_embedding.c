// input_embedding.c — the GPT input layer (token embedding + position embedding).
//
//   forward   out[b, s, :] = tok[ids[b, s], :] + pos[offset + s, :]
//   backward  tok_grad[ids[b, s], :] += g[b, s, :]        (ek_scatter_add_rows_f32, scatter_add.c)
//             pos_grad[offset + s, :] += sum_b g[b, s, :]  (here: a sum over the batch)
//
// The forward is fused: a lookup followed by a separate add would write out and read it back
// (three passes over batch*seq*dim floats); here each output row is written once from its two
// source rows. The position rows are shared by the whole batch, so they stay in cache while the
// token rows stream in.
// The position gradient is a plain column sum over the batch. It goes through a float64
// accumulator and one float32 rounding per row, like the token scatter-add, so a position's
// gradient does not depend on the batch order beyond float64 rounding.
// Does not validate: JS checks ids, shapes and offset + seq <= table rows first.
#include <string.h>

#include "embedkit.h"

// ---- forward -----------------------------------------------------------------------------------

EK_EXPORT void ek_input_embed_f32__scalar(float* out, const float* tok, const int32_t* ids,
                                          const float* pos, int32_t batch, int32_t seq,
                                          int32_t dim) {
  for (int32_t b = 0; b < batch; b++) {
    for (int32_t s = 0; s < seq; s++) {
      const size_t i = (size_t)b * (size_t)seq + (size_t)s;
      const float* t = tok + (size_t)ids[i] * (size_t)dim;
      float* o = out + i * (size_t)dim;
      if (pos) {
        const float* p = pos + (size_t)s * (size_t)dim;
        EK_NO_VECTORIZE
        for (int32_t j = 0; j < dim; j++) o[j] = t[j] + p[j];
      } else {
        EK_NO_VECTORIZE
        for (int32_t j = 0; j < dim; j++) o[j] = t[j];
      }
    }
  }
}

#if EK_HAVE_SIMD
static inline void add_rows_v128(float* o, const float* t, const float* p, int32_t dim) {
  int32_t j = 0;
  for (; j + 16 <= dim; j += 16) {
    v128_t a = wasm_f32x4_add(wasm_v128_load(t + j), wasm_v128_load(p + j));
    v128_t b = wasm_f32x4_add(wasm_v128_load(t + j + 4), wasm_v128_load(p + j + 4));
    v128_t c = wasm_f32x4_add(wasm_v128_load(t + j + 8), wasm_v128_load(p + j + 8));
    v128_t d = wasm_f32x4_add(wasm_v128_load(t + j + 12), wasm_v128_load(p + j + 12));
    wasm_v128_store(o + j, a);
    wasm_v128_store(o + j + 4, b);
    wasm_v128_store(o + j + 8, c);
    wasm_v128_store(o + j + 12, d);
  }
  for (; j + 4 <= dim; j += 4)
    wasm_v128_store(o + j, wasm_f32x4_add(wasm_v128_load(t + j), wasm_v128_load(p + j)));
  for (; j < dim; j++) o[j] = t[j] + p[j];
}

// Eight output rows at a time, 64 bytes of each per step: the token rows are scattered over a
// large table, and working on eight at once keeps eight streams of cache misses in flight (the
// same reason as the lookup's gather_group8 in lookup.c). Same bits as add_rows_v128.
static void add_rows8_v128(float* out, const float* const* t, const float* const* p, int32_t dim) {
  const size_t d = (size_t)dim;
  int32_t j = 0;
  for (; j + 16 <= dim; j += 16) {
#pragma clang loop unroll(full)
    for (int r = 0; r < 8; r++) {
      const float* tr = t[r] + j;
      const float* pr = p[r] + j;
      float* o = out + (size_t)r * d + j;
      v128_t a = wasm_f32x4_add(wasm_v128_load(tr), wasm_v128_load(pr));
      v128_t b = wasm_f32x4_add(wasm_v128_load(tr + 4), wasm_v128_load(pr + 4));
      v128_t c = wasm_f32x4_add(wasm_v128_load(tr + 8), wasm_v128_load(pr + 8));
      v128_t e = wasm_f32x4_add(wasm_v128_load(tr + 12), wasm_v128_load(pr + 12));
      wasm_v128_store(o, a);
      wasm_v128_store(o + 4, b);
      wasm_v128_store(o + 8, c);
      wasm_v128_store(o + 12, e);
    }
  }
  if (j < dim)
    for (int r = 0; r < 8; r++) add_rows_v128(out + (size_t)r * d + j, t[r] + j, p[r] + j, dim - j);
}
#endif

// Flat output rows [i0, i1) (row i = b * seq + s uses position row i % seq): the SIMD kernel, in
// eight-row groups from i0 (a multiple of 8 for every caller). A group of mostly repeated tokens
// (ek_seen, common.h) goes row by row instead of interleaved, as in the lookup (lookup.c): GPT-2
// tokens of Moby-Dick, 8 x 1024 into 50257 x 768, one thread, 1.81-1.95 ms -> 1.55-1.68 ms;
// uniform ids unchanged (2.31-2.48 ms, 2.33-2.46 after). The no-SIMD loop is __scalar's.
static void input_rows(float* out, const float* tok, const int32_t* ids, const float* pos,
                       int32_t seq, int32_t dim, size_t i0, size_t i1) {
  const size_t d = (size_t)dim;
  size_t i = i0;
#if EK_HAVE_SIMD
  if (dim >= 128) {
    ek_seen seen;
    ek_seen_init(&seen, i1 - i0);
    for (; i + 8 <= i1; i += 8) {
      const float* t[8];
      const float* p[8];
      for (int r = 0; r < 8; r++) {
        t[r] = tok + (size_t)ids[i + r] * d;
        p[r] = pos + ((i + r) % (size_t)seq) * d;
      }
      if (ek_seen_count8(&seen, ids + i) >= 4) {  // mostly repeated tokens: rows in cache
        for (int r = 0; r < 8; r++) add_rows_v128(out + (i + r) * d, t[r], p[r], dim);
        continue;
      }
      add_rows8_v128(out + i * d, t, p, dim);
    }
  }
  for (; i < i1; i++) add_rows_v128(out + i * d, tok + (size_t)ids[i] * d, pos + (i % (size_t)seq) * d, dim);
#else
  for (; i < i1; i++) {
    const float* t = tok + (size_t)ids[i] * d;
    const float* p = pos + (i % (size_t)seq) * d;
    float* o = out + i * d;
    for (int32_t j = 0; j < dim; j++) o[j] = t[j] + p[j];
  }
#endif
}

EK_EXPORT void ek_input_embed_f32__wasmsimd(float* out, const float* tok, const int32_t* ids,
                                            const float* pos, int32_t batch, int32_t seq,
                                            int32_t dim) {
#if EK_HAVE_SIMD
  if (!pos) {
    ek_gather_rows_f32(out, tok, ids, batch * seq, dim);
    return;
  }
  input_rows(out, tok, ids, pos, seq, dim, 0, (size_t)batch * (size_t)seq);
#else
  ek_input_embed_f32__scalar(out, tok, ids, pos, batch, seq, dim);
#endif
}

typedef struct {
  float* out;
  const float* tok;
  const int32_t* ids;
  const float* pos;
  int32_t seq, dim;
} input_job;

static void input_chunk(void* p, int32_t b, int32_t e) {
  const input_job* j = p;
  input_rows(j->out, j->tok, j->ids, j->pos, j->seq, j->dim, (size_t)b, (size_t)e);
}

// Threads split the output rows (whole eight-row groups); each row is the same sum wherever it
// is computed.
EK_EXPORT void ek_input_embed_f32(float* out, const float* tok, const int32_t* ids,
                                  const float* pos, int32_t batch, int32_t seq, int32_t dim) {
  if (!pos) {
    ek_gather_rows_f32(out, tok, ids, batch * seq, dim);
    return;
  }
  input_job j = {out, tok, ids, pos, seq, dim};
  const int32_t n = batch * seq;
  ek_parallel_for(input_chunk, &j, n, 8, 12.0 * (double)n * (double)dim);
}

// ---- backward: the position half ---------------------------------------------------------------

static int32_t mark_rows(uint8_t* mark, int32_t* touched, int32_t n_touched, int32_t pos0,
                         int32_t seq) {
  for (int32_t s = 0; s < seq; s++) n_touched = ek_track_row(mark, touched, n_touched, pos0 + s);
  return n_touched;
}

EK_EXPORT int32_t ek_position_grad_f32__scalar(float* grad, uint8_t* mark, int32_t* touched,
                                               int32_t n_touched, const float* gout,
                                               int32_t batch, int32_t seq, int32_t dim,
                                               int32_t pos0) {
  const size_t row = (size_t)seq * (size_t)dim;  // stride between batch entries in gout
  for (int32_t s = 0; s < seq; s++) {
    float* g = grad + (size_t)(pos0 + s) * (size_t)dim;
    const float* src = gout + (size_t)s * (size_t)dim;
    EK_NO_VECTORIZE
    for (int32_t j = 0; j < dim; j++) {
      double acc = 0.0;
      for (int32_t b = 0; b < batch; b++) acc += (double)src[(size_t)b * row + (size_t)j];
      g[j] = (float)((double)g[j] + acc);
    }
  }
  return mark_rows(mark, touched, n_touched, pos0, seq);
}

// One position: g[j] += sum over the batch of src[b * row + j], in float64 in batch order, one
// float32 rounding. SIMD: 8 columns at a time with four f64x2 accumulators in registers; the
// scalar tail (and the no-SIMD build) use the same expression as __scalar.
static void posgrad_row(float* g, const float* src, int32_t batch, size_t row, int32_t dim) {
  int32_t j = 0;
#if EK_HAVE_SIMD
  for (; j + 8 <= dim; j += 8) {
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0;
    for (int32_t b = 0; b < batch; b++) {
      const float* x = src + (size_t)b * row + (size_t)j;
      const v128_t lo = wasm_v128_load(x), hi = wasm_v128_load(x + 4);
      // promote_low takes lanes 0,1; the shuffle moves lanes 2,3 down first.
      a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(lo));
      a1 = wasm_f64x2_add(a1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(lo, lo, 2, 3, 2, 3)));
      a2 = wasm_f64x2_add(a2, wasm_f64x2_promote_low_f32x4(hi));
      a3 = wasm_f64x2_add(a3, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(hi, hi, 2, 3, 2, 3)));
    }
    const v128_t g0 = wasm_v128_load(g + j), g1 = wasm_v128_load(g + j + 4);
    const v128_t r0 = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(g0), a0);
    const v128_t r1 = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(g0, g0, 2, 3, 2, 3)), a1);
    const v128_t r2 = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(g1), a2);
    const v128_t r3 = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(g1, g1, 2, 3, 2, 3)), a3);
    wasm_v128_store(g + j, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(r0),
                                              wasm_f32x4_demote_f64x2_zero(r1), 0, 1, 4, 5));
    wasm_v128_store(g + j + 4, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(r2),
                                                  wasm_f32x4_demote_f64x2_zero(r3), 0, 1, 4, 5));
  }
#endif
  for (; j < dim; j++) {
    double acc = 0.0;
    for (int32_t b = 0; b < batch; b++) acc += (double)src[(size_t)b * row + (size_t)j];
    g[j] = (float)((double)g[j] + acc);
  }
}

EK_EXPORT int32_t ek_position_grad_f32__wasmsimd(float* grad, uint8_t* mark, int32_t* touched,
                                                 int32_t n_touched, const float* gout,
                                                 int32_t batch, int32_t seq, int32_t dim,
                                                 int32_t pos0) {
#if EK_HAVE_SIMD
  const size_t row = (size_t)seq * (size_t)dim;
  for (int32_t s = 0; s < seq; s++)
    posgrad_row(grad + (size_t)(pos0 + s) * (size_t)dim, gout + (size_t)s * (size_t)dim, batch, row, dim);
  return mark_rows(mark, touched, n_touched, pos0, seq);
#else
  return ek_position_grad_f32__scalar(grad, mark, touched, n_touched, gout, batch, seq, dim, pos0);
#endif
}

typedef struct {
  float* grad;
  const float* gout;
  int32_t batch, seq, dim, pos0;
} posgrad_job;

// Positions [b, e): each position's sum over the batch is computed here, by one thread, in batch
// order, exactly as on one thread (the __wasmsimd kernel on a slice of positions; gout keeps its
// full stride through `seq`).
static void posgrad_chunk(void* p, int32_t b, int32_t e) {
  const posgrad_job* j = p;
  const size_t d = (size_t)j->dim;
  const size_t row = (size_t)j->seq * d;
  for (int32_t s = b; s < e; s++)
    posgrad_row(j->grad + (size_t)(j->pos0 + s) * d, j->gout + (size_t)s * d, j->batch, row, j->dim);
}

EK_EXPORT int32_t ek_position_grad_f32(float* grad, uint8_t* mark, int32_t* touched,
                                       int32_t n_touched, const float* gout, int32_t batch,
                                       int32_t seq, int32_t dim, int32_t pos0) {
  posgrad_job j = {grad, gout, batch, seq, dim, pos0};
  ek_parallel_for(posgrad_chunk, &j, seq, 1, 4.0 * (double)batch * (double)seq * (double)dim);
  return mark_rows(mark, touched, n_touched, pos0, seq);
}
