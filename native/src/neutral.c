/* See neutral.h. Rows with equal features get bit-equal fits: every row runs the same operations. */
#include "neutral.h"

#include <stdlib.h>
#include <string.h>

/* The L then Lᵀ solve on the leading rank positions of the packed factor, in place (cholSolve in lstsq.ts). */
static void chol_solve(const double *l, int rank, double *z) {
  for (int j = 0; j < rank; j++) {
    const double *row = l + (int64_t)j * (j + 1) / 2;
    double s = z[j];
    for (int c = 0; c < j; c++) s -= row[c] * z[c];
    z[j] = s / row[j];
  }
  for (int j = rank - 1; j >= 0; j--) {
    double s = z[j];
    for (int c = j + 1; c < rank; c++) s -= l[(int64_t)c * (c + 1) / 2 + j] * z[c];
    z[j] = s / l[(int64_t)j * (j + 1) / 2 + j];
  }
}

/* out[j] = Σ_i a[i, j]·x[i] over the n × rank byte matrix a. */
static void atx(const uint8_t *a, int64_t n, int rank, const double *x, double *out) {
  memset(out, 0, (size_t)rank * sizeof(double));
  for (int64_t i = 0; i < n; i++) {
    const uint8_t *row = a + i * rank;
    const double v = x[i];
    _Pragma("omp simd") for (int j = 0; j < rank; j++) out[j] += (double)row[j] * v;
  }
}

/* out[i] = Σ_j a[i, j]·beta[j], the same fixed order for every row. */
static void fit_of(const uint8_t *a, int64_t n, int rank, const double *beta, double *out) {
  for (int64_t i = 0; i < n; i++) {
    const uint8_t *row = a + i * rank;
    double s = 0;
    _Pragma("omp simd reduction(+:s)") for (int j = 0; j < rank; j++) s += (double)row[j] * beta[j];
    out[i] = s;
  }
}

int neutral_fit(const FeatureBlocks *f, const int32_t *rows, int64_t n, int k, const int32_t *perm, int rank,
                const double *l, const double *y, double *out) {
  uint8_t *a = malloc((size_t)(n * rank + 1));
  int32_t *col = malloc((size_t)(rank + 1) * sizeof(int32_t));
  double *beta = malloc((size_t)(rank + 1) * sizeof(double)), *delta = malloc((size_t)(rank + 1) * sizeof(double));
  double *resid = malloc((size_t)(n + 1) * sizeof(double));
  if (!a || !col || !beta || !delta || !resid) { free(a); free(col); free(beta); free(delta); free(resid); return -1; }
  /* The kept columns in pivot order; -1 is the intercept (a column of ones). */
  for (int j = 0; j < rank; j++) col[j] = perm[j] == k - 1 ? -1 : (f->columns ? f->columns[perm[j]] : perm[j]);
  for (int64_t i = 0; i < n; i++) {
    int64_t r = rows[i], b = r / f->rows_per_block;
    const uint8_t *src = f->blocks[b] + (r - b * f->rows_per_block) * f->n_features;
    uint8_t *dst = a + i * rank;
    for (int j = 0; j < rank; j++) dst[j] = col[j] < 0 ? 1 : src[col[j]];
  }
  atx(a, n, rank, y, beta);
  chol_solve(l, rank, beta);
  fit_of(a, n, rank, beta, out);
  for (int64_t i = 0; i < n; i++) resid[i] = y[i] - out[i];
  atx(a, n, rank, resid, delta);
  chol_solve(l, rank, delta);
  for (int j = 0; j < rank; j++) beta[j] += delta[j];
  fit_of(a, n, rank, beta, out);
  free(a); free(col); free(beta); free(delta); free(resid);
  return 0;
}
