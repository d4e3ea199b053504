// neighbors.h — cosine nearest neighbours over an embedding table (word similarity, analogies).
//
//   table [n_rows, dim] f32; inv_norms [n_rows] f32 = 1 / ||row|| (0 for an all-zero row);
//   query [dim] f32, already of unit length (the JS side normalises it in float64).
//   score[i] = dot(query, table[i, :]) * inv_norms[i]
// The SIMD and scalar scores are bit-exact (fixed dot-product order, vec_f32.h); the top-k
// order is by score, descending, ties by the lower row index.
#ifndef EK_NEIGHBORS_H
#define EK_NEIGHBORS_H

#include "common.h"

// out [n_rows] f32 <- (float)(1 / sqrt(sum of squares in double)), 0 where the row is all zero.
EK_EXPORT void ek_row_inv_norms_f32(float* out, const float* table, int32_t n_rows, int32_t dim);

// scores [n_rows] f32 <- dot(query, table[i]) * inv_norms[i].
EK_EXPORT void ek_cosine_scores_f32(float* scores, const float* table, const float* inv_norms,
                                    const float* query, int32_t n_rows, int32_t dim);
EK_EXPORT void ek_cosine_scores_f32__scalar(float* scores, const float* table,
                                            const float* inv_norms, const float* query,
                                            int32_t n_rows, int32_t dim);
EK_EXPORT void ek_cosine_scores_f32__wasmsimd(float* scores, const float* table,
                                              const float* inv_norms, const float* query,
                                              int32_t n_rows, int32_t dim);

// Top k of scores [n] (NaN entries never chosen), best first, into out_idx [k] i32 and
// out_score [k] f32. exclude [n_exclude] i32 in [0, n): those rows are set to NaN in scores
// (scores is scratch) before the selection. Returns how many were written (<= k).
// Insertion into a sorted list of k: O(n k) worst case, meant for small k.
EK_EXPORT int32_t ek_topk_f32(int32_t* out_idx, float* out_score, float* scores, int32_t n,
                              int32_t k, const int32_t* exclude, int32_t n_exclude);

#endif  // EK_NEIGHBORS_H
