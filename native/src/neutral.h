/*
 * The refined least-squares fit FNC neutralises with, computed from an era's integer features read in
 * place (uint8 row-major blocks, as the harness holds them) and a kept Gram factor: the native twin of
 * leastSquaresFit in harness/metrics/lstsq.ts (same kept columns, same solve, one refinement step).
 */
#ifndef AUTORESEARCH_NEUTRAL_H
#define AUTORESEARCH_NEUTRAL_H

#include <stdint.h>

typedef struct {
  const uint8_t *const *blocks; /* block b holds rows [b*rows_per_block, ...), n_features bytes each */
  int64_t rows_per_block;
  int n_features;
  const int32_t *columns;       /* matrix column of each feature of the source, or NULL for all */
} FeatureBlocks;

/*
 * out = A·β for A = [F | 1] over the kept pivoted columns (perm[0..rank), k − 1 = the intercept), β the
 * least-squares coefficients of y refined once. F's row i is matrix row rows[i]. l is the packed factor.
 * Returns 0, or -1 when out of memory.
 */
int neutral_fit(const FeatureBlocks *f, const int32_t *rows, int64_t n, int k, const int32_t *perm, int rank,
                const double *l, const double *y, double *out);

/*
 * g = AᵀA for A = [F | 1], F's row i the features of matrix row rows[i] (m = the source's feature
 * count, k = m + 1): row-major k × k, both triangles, exact (integer sums, as gramColumns in
 * harness/metrics/gram.ts computes them for integer features). Returns 0, or -1 when out of memory.
 */
int gram_blocks(const FeatureBlocks *f, const int32_t *rows, int64_t n, int m, double *g);

#endif
