// optim.h — optimizer updates for embedding tables: SGD (momentum, dampening, Nesterov, weight
// decay) and Adam / AdamW, over all rows (dense) or over a list of rows (lazy / sparse).
//
//   weight, grad, and each state table: [n_rows, dim] f32; rows [n_list] i32 distinct, each in
//   [0, n_rows), or rows = 0 for every row 0 .. n_rows-1 (then n_list is ignored);
//   row_steps [n_rows] i32: how many updates each row has had (bumped for each updated row).
// Lazy semantics (rows given): a row outside the list is not touched at all — no weight decay,
// no momentum or moment decay — as PyTorch's SparseAdam and TensorFlow's LazyAdam. The formulas
// are PyTorch's (torch.optim.SGD / Adam / SparseAdam, foreach=False), element by element in
// float32 with the bias corrections in float64; __scalar and __wasmsimd are bit-exact
// (elementwise ops only).
#ifndef EK_OPTIM_H
#define EK_OPTIM_H

#include "common.h"

// SGD, per element:  d = g + weight_decay * w
//   momentum != 0:   buf = (first update of the row) ? d : momentum * buf + (1 - dampening) * d
//                    d = nesterov ? d + momentum * buf : buf
//   w = w - lr * d
// buf [n_rows, dim] f32 may be 0 when momentum == 0.
EK_EXPORT void ek_sgd_rows_f32(float* weight, float* buf, int32_t* row_steps, const float* grad,
                               const int32_t* rows, int32_t n_list, int32_t n_rows, int32_t dim,
                               float lr, float momentum, float dampening, float weight_decay,
                               int32_t nesterov);
EK_EXPORT void ek_sgd_rows_f32__scalar(float* weight, float* buf, int32_t* row_steps,
                                       const float* grad, const int32_t* rows, int32_t n_list,
                                       int32_t n_rows, int32_t dim, float lr, float momentum,
                                       float dampening, float weight_decay, int32_t nesterov);
EK_EXPORT void ek_sgd_rows_f32__wasmsimd(float* weight, float* buf, int32_t* row_steps,
                                         const float* grad, const int32_t* rows, int32_t n_list,
                                         int32_t n_rows, int32_t dim, float lr, float momentum,
                                         float dampening, float weight_decay, int32_t nesterov);

// Adam (decoupled = 0) / AdamW (decoupled = 1), per element, with t the step number. The
// hyperparameters arrive as double (Python floats in PyTorch) and are rounded to float32 where
// PyTorch's float32 tensor ops round them.
//   AdamW: w = w * (float)(1 - lr * weight_decay);   Adam: g = g + (float)weight_decay * w
// then, by eps_mode:
//   EK_ADAM_EPS_ADAM (0), torch.optim.Adam / AdamW: eps added after the bias correction,
//     m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * (g * g)
//     w = w - (float)(lr / bc1) * (m / (sqrt(v) / (float)sqrt(bc2) + eps))
//   EK_ADAM_EPS_SPARSE (1), torch.optim.SparseAdam (and TensorFlow's Adam / LazyAdam): eps
//     added to sqrt(v) before the bias correction, so the effective eps is eps / sqrt(bc2);
//     the same float32 operations in the same order as torch/optim/_functional.py sparse_adam
//     (SparseAdam has no weight decay; here it is applied first, as above). torch's CPU sqrt is
//     not always correctly rounded, so its weights agree to float32 rounding, not bit for bit
//     (tests/optim-torch.test.js):
//     m = m + (g - m) * (1 - b1);  v = v + (g * g - v) * (1 - b2)
//     w = w + (float)(-(lr * sqrt(bc2) / bc1)) * (m / (sqrt(v) + eps))
// with bc1 = 1 - beta1^t, bc2 = 1 - beta2^t in double, (1 - b) rounded from double.
// t = global_step when global_step > 0 (PyTorch SparseAdam: one count per step() call), else
// the row's own count row_steps[r] after the bump (each row corrects for its own updates).
enum {
  EK_ADAM_EPS_ADAM = 0,
  EK_ADAM_EPS_SPARSE = 1,
};
EK_EXPORT void ek_adam_rows_f32(float* weight, float* m, float* v, int32_t* row_steps,
                                const float* grad, const int32_t* rows, int32_t n_list,
                                int32_t n_rows, int32_t dim, double lr, double beta1,
                                double beta2, double eps, double weight_decay, int32_t decoupled,
                                int32_t eps_mode, int32_t global_step);
EK_EXPORT void ek_adam_rows_f32__scalar(float* weight, float* m, float* v, int32_t* row_steps,
                                        const float* grad, const int32_t* rows, int32_t n_list,
                                        int32_t n_rows, int32_t dim, double lr, double beta1,
                                        double beta2, double eps, double weight_decay,
                                        int32_t decoupled, int32_t eps_mode, int32_t global_step);
EK_EXPORT void ek_adam_rows_f32__wasmsimd(float* weight, float* m, float* v, int32_t* row_steps,
                                          const float* grad, const int32_t* rows, int32_t n_list,
                                          int32_t n_rows, int32_t dim, double lr, double beta1,
                                          double beta2, double eps, double weight_decay,
                                          int32_t decoupled, int32_t eps_mode,
                                          int32_t global_step);

#endif  // EK_OPTIM_H
