// hs_tree.h — hierarchical-softmax paths for the native word2vec tests (test_training.c,
// pool_tsan.c): valid trees, not Huffman ones.
#ifndef EK_TEST_HS_TREE_H
#define EK_TEST_HS_TREE_H
#include <stdint.h>

// Words in blocks of B (B divides V, or the last block is short); block k's words are the leaves
// of its own heap-ordered tree (inner nodes k*(B-1) .. k*(B-1)+B-2, children of i: 2i+1, 2i+2,
// leaves after the inner nodes). A word's path is its leaf's ancestors, root first: off[w] ..
// off[w+1] index code (1 for a left child) and point (the inner node). B = V gives one tree over
// every word.
static void heap_tree_blocks(int32_t V, int32_t B, int32_t* off, uint8_t* code, int32_t* point) {
  off[0] = 0;
  for (int32_t w = 0; w < V; w++) {
    const int32_t blk = w / B, u = w % B;
    int32_t depth = 0;
    for (int32_t b = B - 1 + u; b > 0; b = (b - 1) / 2) depth++;
    off[w + 1] = off[w] + depth;
    int32_t d = off[w + 1] - 1;
    for (int32_t b = B - 1 + u; b > 0; b = (b - 1) / 2, d--) {
      code[d] = (uint8_t)(b % 2 == 0);
      point[d] = blk * (B - 1) + (b - 1) / 2;
    }
  }
}

#endif  // EK_TEST_HS_TREE_H
