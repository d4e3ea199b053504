// optim.c — SGD and Adam/AdamW row updates (see optim.h). One row at a time; the SIMD kernels
// vectorise along dim with the same elementwise expression as the scalar loops (bit-exact).
#include <math.h>

#include "embedkit.h"

// ---- SGD ----------------------------------------------------------------------------------------

static inline void sgd_row_s(float* w, float* b, const float* g, int32_t dim, float lr, float mom,
                             float damp, float wd, int32_t nesterov, int first) {
  if (mom == 0.0f) {
    EK_NO_VECTORIZE
    for (int32_t j = 0; j < dim; j++) w[j] = w[j] - lr * (g[j] + wd * w[j]);
    return;
  }
  const float keep = 1.0f - damp;
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < dim; j++) {
    const float d = g[j] + wd * w[j];
    const float nb = first ? d : mom * b[j] + keep * d;
    b[j] = nb;
    w[j] = w[j] - lr * (nesterov ? d + mom * nb : nb);
  }
}

#if EK_HAVE_SIMD
static inline void sgd_row_v(float* w, float* b, const float* g, int32_t dim, float lr, float mom,
                             float damp, float wd, int32_t nesterov, int first) {
  const v128_t vlr = wasm_f32x4_splat(lr), vwd = wasm_f32x4_splat(wd), vm = wasm_f32x4_splat(mom);
  const float keep = 1.0f - damp;
  const v128_t vk = wasm_f32x4_splat(keep);
  int32_t j = 0;
  if (mom == 0.0f) {
    for (; j + 4 <= dim; j += 4) {
      const v128_t wj = wasm_v128_load(w + j);
      const v128_t d = wasm_f32x4_add(wasm_v128_load(g + j), wasm_f32x4_mul(vwd, wj));
      wasm_v128_store(w + j, wasm_f32x4_sub(wj, wasm_f32x4_mul(vlr, d)));
    }
    for (; j < dim; j++) w[j] = w[j] - lr * (g[j] + wd * w[j]);
    return;
  }
  for (; j + 4 <= dim; j += 4) {
    const v128_t wj = wasm_v128_load(w + j);
    const v128_t d = wasm_f32x4_add(wasm_v128_load(g + j), wasm_f32x4_mul(vwd, wj));
    const v128_t nb = first ? d : wasm_f32x4_add(wasm_f32x4_mul(vm, wasm_v128_load(b + j)), wasm_f32x4_mul(vk, d));
    wasm_v128_store(b + j, nb);
    const v128_t step = nesterov ? wasm_f32x4_add(d, wasm_f32x4_mul(vm, nb)) : nb;
    wasm_v128_store(w + j, wasm_f32x4_sub(wj, wasm_f32x4_mul(vlr, step)));
  }
  for (; j < dim; j++) {
    const float d = g[j] + wd * w[j];
    const float nb = first ? d : mom * b[j] + keep * d;
    b[j] = nb;
    w[j] = w[j] - lr * (nesterov ? d + mom * nb : nb);
  }
}
#endif

static inline __attribute__((always_inline)) void sgd_impl(
    float* weight, float* buf, int32_t* row_steps, const float* grad, const int32_t* rows,
    int32_t n_list, int32_t n_rows, int32_t dim, float lr, float mom, float damp, float wd,
    int32_t nesterov, const int simd) {
  const int32_t n = rows ? n_list : n_rows;
  for (int32_t i = 0; i < n; i++) {
    const int32_t r = rows ? rows[i] : i;
    const size_t off = (size_t)r * (size_t)dim;
    const int first = row_steps[r] == 0;
    row_steps[r]++;
    float* b = buf ? buf + off : 0;
#if EK_HAVE_SIMD
    if (simd) {
      sgd_row_v(weight + off, b, grad + off, dim, lr, mom, damp, wd, nesterov, first);
      continue;
    }
#endif
    (void)simd;
    sgd_row_s(weight + off, b, grad + off, dim, lr, mom, damp, wd, nesterov, first);
  }
}

EK_EXPORT void ek_sgd_rows_f32__scalar(float* weight, float* buf, int32_t* row_steps,
                                       const float* grad, const int32_t* rows, int32_t n_list,
                                       int32_t n_rows, int32_t dim, float lr, float momentum,
                                       float dampening, float weight_decay, int32_t nesterov) {
  sgd_impl(weight, buf, row_steps, grad, rows, n_list, n_rows, dim, lr, momentum, dampening,
           weight_decay, nesterov, 0);
}

EK_EXPORT void ek_sgd_rows_f32__wasmsimd(float* weight, float* buf, int32_t* row_steps,
                                         const float* grad, const int32_t* rows, int32_t n_list,
                                         int32_t n_rows, int32_t dim, float lr, float momentum,
                                         float dampening, float weight_decay, int32_t nesterov) {
  sgd_impl(weight, buf, row_steps, grad, rows, n_list, n_rows, dim, lr, momentum, dampening,
           weight_decay, nesterov, EK_HAVE_SIMD);
}

typedef struct {
  float* weight;
  float* buf;
  int32_t* row_steps;
  const float* grad;
  const int32_t* rows;
  int32_t n_rows, dim, nesterov;
  float lr, a, b, weight_decay;
} optim_job;

// A row's update reads and writes that row alone (rows in a list are distinct), so threads can
// take any share of the list.
static void sgd_chunk(void* p, int32_t b, int32_t e) {
  const optim_job* j = p;
  if (j->rows)
    sgd_impl(j->weight, j->buf, j->row_steps, j->grad, j->rows + b, e - b, j->n_rows, j->dim, j->lr,
             j->a, j->b, j->weight_decay, j->nesterov, EK_HAVE_SIMD);
  else  // dense: rows b .. e-1, as a list with offsets folded into the pointers
    sgd_impl(j->weight + (size_t)b * (size_t)j->dim, j->buf ? j->buf + (size_t)b * (size_t)j->dim : 0,
             j->row_steps + b, j->grad + (size_t)b * (size_t)j->dim, 0, 0, e - b, j->dim, j->lr, j->a,
             j->b, j->weight_decay, j->nesterov, EK_HAVE_SIMD);
}

EK_EXPORT void ek_sgd_rows_f32(float* weight, float* buf, int32_t* row_steps, const float* grad,
                               const int32_t* rows, int32_t n_list, int32_t n_rows, int32_t dim,
                               float lr, float momentum, float dampening, float weight_decay,
                               int32_t nesterov) {
  optim_job j = {weight, buf, row_steps, grad, rows, n_rows, dim, nesterov, lr, momentum, dampening,
                 weight_decay};
  const int32_t n = rows ? n_list : n_rows;
  ek_parallel_for(sgd_chunk, &j, n, 1, 16.0 * (double)n * (double)dim);
}

// ---- Adam / AdamW ------------------------------------------------------------------------------

typedef struct {
  float b1, b2, omb1, omb2, eps, wd, decay, step_size, bc2s;
  int decoupled, sparse;
} adam_k;

// One element of either formula (see optim.h); the SIMD kernel runs the same operations per lane.
static inline void adam_elem(float* w, float* m, float* v, float g, const adam_k* k) {
  float wj = *w, gj = g;
  if (k->decoupled) wj = wj * k->decay; else gj = gj + k->wd * wj;
  if (k->sparse) {  // torch SparseAdam: old += (1 - b) * (new - old); eps before the correction
    const float mj = *m + (gj - *m) * k->omb1;
    const float vj = *v + (gj * gj - *v) * k->omb2;
    *m = mj;
    *v = vj;
    *w = wj + k->step_size * (mj / (sqrtf(vj) + k->eps));
  } else {  // torch Adam: eps after the bias correction
    const float mj = k->b1 * *m + k->omb1 * gj;
    const float vj = k->b2 * *v + k->omb2 * (gj * gj);
    *m = mj;
    *v = vj;
    *w = wj - k->step_size * (mj / (sqrtf(vj) / k->bc2s + k->eps));
  }
}

static inline void adam_row_s(float* w, float* m, float* v, const float* g, int32_t dim,
                              const adam_k* k) {
  EK_NO_VECTORIZE
  for (int32_t j = 0; j < dim; j++) adam_elem(w + j, m + j, v + j, g[j], k);
}

#if EK_HAVE_SIMD
static inline void adam_row_v(float* w, float* m, float* v, const float* g, int32_t dim,
                              const adam_k* k) {
  const v128_t b1 = wasm_f32x4_splat(k->b1), b2 = wasm_f32x4_splat(k->b2);
  const v128_t o1 = wasm_f32x4_splat(k->omb1), o2 = wasm_f32x4_splat(k->omb2);
  const v128_t wd = wasm_f32x4_splat(k->wd), decay = wasm_f32x4_splat(k->decay);
  const v128_t bc2s = wasm_f32x4_splat(k->bc2s), eps = wasm_f32x4_splat(k->eps);
  const v128_t ss = wasm_f32x4_splat(k->step_size);
  int32_t j = 0;
  for (; j + 4 <= dim; j += 4) {
    v128_t wj = wasm_v128_load(w + j), gj = wasm_v128_load(g + j);
    if (k->decoupled) wj = wasm_f32x4_mul(wj, decay); else gj = wasm_f32x4_add(gj, wasm_f32x4_mul(wd, wj));
    const v128_t m0 = wasm_v128_load(m + j), v0 = wasm_v128_load(v + j);
    if (k->sparse) {
      const v128_t mj = wasm_f32x4_add(m0, wasm_f32x4_mul(wasm_f32x4_sub(gj, m0), o1));
      const v128_t vj = wasm_f32x4_add(v0, wasm_f32x4_mul(wasm_f32x4_sub(wasm_f32x4_mul(gj, gj), v0), o2));
      wasm_v128_store(m + j, mj);
      wasm_v128_store(v + j, vj);
      const v128_t denom = wasm_f32x4_add(wasm_f32x4_sqrt(vj), eps);
      wasm_v128_store(w + j, wasm_f32x4_add(wj, wasm_f32x4_mul(ss, wasm_f32x4_div(mj, denom))));
    } else {
      const v128_t mj = wasm_f32x4_add(wasm_f32x4_mul(b1, m0), wasm_f32x4_mul(o1, gj));
      const v128_t vj = wasm_f32x4_add(wasm_f32x4_mul(b2, v0), wasm_f32x4_mul(o2, wasm_f32x4_mul(gj, gj)));
      wasm_v128_store(m + j, mj);
      wasm_v128_store(v + j, vj);
      const v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(vj), bc2s), eps);
      wasm_v128_store(w + j, wasm_f32x4_sub(wj, wasm_f32x4_mul(ss, wasm_f32x4_div(mj, denom))));
    }
  }
  if (j < dim) adam_row_s(w + j, m + j, v + j, g + j, dim - j, k);
}
#endif

static inline __attribute__((always_inline)) void adam_impl(
    float* weight, float* m, float* v, int32_t* row_steps, const float* grad, const int32_t* rows,
    int32_t n_list, int32_t n_rows, int32_t dim, double lr, double beta1, double beta2,
    double eps, double weight_decay, int32_t decoupled, int32_t eps_mode, int32_t global_step,
    const int simd) {
  // Constants rounded to float32 from their double values, where torch's tensor ops round them.
  adam_k k;
  k.b1 = (float)beta1;
  k.b2 = (float)beta2;
  k.omb1 = (float)(1.0 - beta1);
  k.omb2 = (float)(1.0 - beta2);
  k.eps = (float)eps;
  k.wd = (float)weight_decay;
  k.decay = (float)(1.0 - lr * weight_decay);
  k.decoupled = decoupled != 0;
  k.sparse = eps_mode == EK_ADAM_EPS_SPARSE;
  k.step_size = 0.0f;  // set per step number below
  k.bc2s = 1.0f;
  int32_t t_prev = -1;
  const int32_t n = rows ? n_list : n_rows;
  for (int32_t i = 0; i < n; i++) {
    const int32_t r = rows ? rows[i] : i;
    const size_t off = (size_t)r * (size_t)dim;
    const int32_t t = global_step > 0 ? global_step : row_steps[r] + 1;
    row_steps[r]++;
    if (t != t_prev) {  // bias corrections in double, as PyTorch computes them in Python floats
      const double bc1 = 1.0 - pow(beta1, (double)t);
      const double bc2 = 1.0 - pow(beta2, (double)t);
      if (k.sparse) {
        k.step_size = (float)(-(lr * sqrt(bc2) / bc1));  // added: SparseAdam's -step_size
      } else {
        k.step_size = (float)(lr / bc1);
        k.bc2s = (float)sqrt(bc2);
      }
      t_prev = t;
    }
#if EK_HAVE_SIMD
    if (simd) {
      adam_row_v(weight + off, m + off, v + off, grad + off, dim, &k);
      continue;
    }
#endif
    (void)simd;
    adam_row_s(weight + off, m + off, v + off, grad + off, dim, &k);
  }
}

#define EK_ADAM_ARGS                                                                             \
  float *weight, float *m, float *v, int32_t *row_steps, const float *grad, const int32_t *rows, \
      int32_t n_list, int32_t n_rows, int32_t dim, double lr, double beta1, double beta2,        \
      double eps, double weight_decay, int32_t decoupled, int32_t eps_mode, int32_t global_step
#define EK_ADAM_PASS                                                                          \
  weight, m, v, row_steps, grad, rows, n_list, n_rows, dim, lr, beta1, beta2, eps, weight_decay, \
      decoupled, eps_mode, global_step

EK_EXPORT void ek_adam_rows_f32__scalar(EK_ADAM_ARGS) { adam_impl(EK_ADAM_PASS, 0); }

EK_EXPORT void ek_adam_rows_f32__wasmsimd(EK_ADAM_ARGS) { adam_impl(EK_ADAM_PASS, EK_HAVE_SIMD); }

typedef struct {
  float *weight, *m, *v;
  int32_t* row_steps;
  const float* grad;
  const int32_t* rows;
  int32_t n_rows, dim, decoupled, eps_mode, global_step;
  double lr, beta1, beta2, eps, weight_decay;
} adam_job;

static void adam_chunk(void* p, int32_t b, int32_t e) {
  const adam_job* j = p;
  if (j->rows) {
    adam_impl(j->weight, j->m, j->v, j->row_steps, j->grad, j->rows + b, e - b, j->n_rows, j->dim, j->lr,
              j->beta1, j->beta2, j->eps, j->weight_decay, j->decoupled, j->eps_mode, j->global_step, EK_HAVE_SIMD);
  } else {  // dense: rows b .. e-1
    const size_t off = (size_t)b * (size_t)j->dim;
    adam_impl(j->weight + off, j->m + off, j->v + off, j->row_steps + b, j->grad + off, 0, 0, e - b, j->dim,
              j->lr, j->beta1, j->beta2, j->eps, j->weight_decay, j->decoupled, j->eps_mode, j->global_step,
              EK_HAVE_SIMD);
  }
}

// Rows are distinct and their bias corrections depend only on the step number, so a row gets the
// same bits on any thread.
EK_EXPORT void ek_adam_rows_f32(EK_ADAM_ARGS) {
  adam_job j = {weight, m, v, row_steps, grad, rows, n_rows, dim, decoupled, eps_mode, global_step,
                lr, beta1, beta2, eps, weight_decay};
  const int32_t n = rows ? n_list : n_rows;
  ek_parallel_for(adam_chunk, &j, n, 1, 20.0 * (double)n * (double)dim);
}
