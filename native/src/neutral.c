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

/*
 * The design matrix of a fit: row i's kept feature bytes at row[i] (nk of them, in source column order)
 * and, when has_int, an intercept of 1. Beta and the sums below follow the same order: the nk features,
 * then the intercept.
 */
typedef struct {
  const uint8_t **row;
  int64_t n;
  int nk;
  int has_int;
} Design;

/* out = Aᵀx. */
static void atx(const Design *d, const double *x, double *out) {
  const int nk = d->nk;
  memset(out, 0, (size_t)(nk + 1) * sizeof(double));
  double si = 0;
  for (int64_t i = 0; i < d->n; i++) {
    const uint8_t *row = d->row[i];
    const double v = x[i];
    _Pragma("omp simd") for (int j = 0; j < nk; j++) out[j] += (double)row[j] * v;
    si += v;
  }
  if (d->has_int) out[nk] = si;
}

/* out = A·beta, the same fixed order for every row. */
static void fit_of(const Design *d, const double *beta, double *out) {
  const int nk = d->nk;
  const double b0 = d->has_int ? beta[nk] : 0;
  for (int64_t i = 0; i < d->n; i++) {
    const uint8_t *row = d->row[i];
    double s = 0;
    _Pragma("omp simd reduction(+:s)") for (int j = 0; j < nk; j++) s += (double)row[j] * beta[j];
    out[i] = s + b0;
  }
}

/* The solve in pivot order for a right-hand side in design order: z = P(L·Lᵀ)⁻¹Pᵀ rhs, in place. */
static void solve(const double *l, int rank, const int32_t *pos, double *rhs, double *work) {
  for (int j = 0; j < rank; j++) work[j] = rhs[pos[j]];
  chol_solve(l, rank, work);
  for (int j = 0; j < rank; j++) rhs[pos[j]] = work[j];
}

int neutral_fit(const FeatureBlocks *f, const int32_t *rows, int64_t n, int k, const int32_t *perm, int rank,
                const double *l, const double *y, double *out) {
  /* the kept features in source column order, and where each kept pivot lands in design order */
  uint8_t *kept = calloc((size_t)k, 1);
  int32_t *src_col = malloc((size_t)k * sizeof(int32_t)), *design_at = malloc((size_t)k * sizeof(int32_t));
  int32_t *pos = malloc((size_t)(rank + 1) * sizeof(int32_t));
  double *beta = malloc((size_t)(k + 1) * sizeof(double)), *delta = malloc((size_t)(k + 1) * sizeof(double));
  double *work = malloc((size_t)(rank + 1) * sizeof(double)), *resid = malloc((size_t)(n + 1) * sizeof(double));
  const uint8_t **row = malloc((size_t)(n + 1) * sizeof *row);
  uint8_t *a = NULL;
  int rc = -1;
  if (!kept || !src_col || !design_at || !pos || !beta || !delta || !work || !resid || !row) goto done;
  for (int j = 0; j < rank; j++) kept[perm[j]] = 1;
  int nk = 0;
  for (int c = 0; c < k - 1; c++) {
    if (!kept[c]) continue;
    design_at[c] = nk;
    src_col[nk++] = f->columns ? f->columns[c] : c;
  }
  const int has_int = kept[k - 1];
  design_at[k - 1] = nk;
  for (int j = 0; j < rank; j++) pos[j] = design_at[perm[j]];
  /* every feature of the blocks kept, in order: the rows are read in place; otherwise the kept bytes are gathered */
  int direct = nk == f->n_features;
  for (int c = 0; direct && c < nk; c++) direct = src_col[c] == c;
  if (!direct && !(a = malloc((size_t)(n * nk + 1)))) goto done;
  for (int64_t i = 0; i < n; i++) {
    int64_t r = rows[i], b = r / f->rows_per_block;
    const uint8_t *src = f->blocks[b] + (r - b * f->rows_per_block) * f->n_features;
    if (direct) {
      row[i] = src;
    } else {
      uint8_t *dst = a + i * nk;
      for (int c = 0; c < nk; c++) dst[c] = src[src_col[c]];
      row[i] = dst;
    }
  }
  const Design d = { row, n, nk, has_int };
  atx(&d, y, beta);
  solve(l, rank, pos, beta, work);
  fit_of(&d, beta, out);
  for (int64_t i = 0; i < n; i++) resid[i] = y[i] - out[i];
  atx(&d, resid, delta);
  solve(l, rank, pos, delta, work);
  for (int j = 0; j <= nk; j++) beta[j] += delta[j];
  fit_of(&d, beta, out);
  rc = 0;
done:
  free(kept); free(src_col); free(design_at); free(pos); free(beta); free(delta); free(work); free(resid); free(row); free(a);
  return rc;
}

/* Rows per integer tile: 32768 products of at most 255·255 sum below 2^31. */
#define GRAM_TILE 32768

int gram_blocks(const FeatureBlocks *f, const int32_t *rows, int64_t n, int m, double *g) {
  const int k = m + 1;
  /* column-major copy of the era's features: column j's n bytes are contiguous */
  uint8_t *a = malloc((size_t)(n * m + 1));
  uint64_t *acc = calloc((size_t)k * k, sizeof(uint64_t));
  if (!a || !acc) { free(a); free(acc); return -1; }
  for (int64_t i = 0; i < n; i++) {
    int64_t r = rows[i], b = r / f->rows_per_block;
    const uint8_t *src = f->blocks[b] + (r - b * f->rows_per_block) * f->n_features;
    for (int j = 0; j < m; j++) a[(int64_t)j * n + i] = src[f->columns ? f->columns[j] : j];
  }
  for (int64_t r0 = 0; r0 < n; r0 += GRAM_TILE) {
    const int64_t len = n - r0 < GRAM_TILE ? n - r0 : GRAM_TILE;
    int j = 0;
    /* four columns at a time share every load of the partner column c */
    for (; j + 3 < m; j += 4) {
      const uint8_t *a0 = a + (int64_t)j * n + r0, *a1 = a0 + n, *a2 = a1 + n, *a3 = a2 + n;
      for (int c = j; c < m; c++) {
        const uint8_t *ac = a + (int64_t)c * n + r0;
        uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        _Pragma("omp simd reduction(+:s0,s1,s2,s3)") for (int64_t i = 0; i < len; i++) {
          const uint32_t v = ac[i];
          s0 += a0[i] * v;
          s1 += a1[i] * v;
          s2 += a2[i] * v;
          s3 += a3[i] * v;
        }
        acc[(int64_t)j * k + c] += s0;
        acc[(int64_t)(j + 1) * k + c] += s1;
        acc[(int64_t)(j + 2) * k + c] += s2;
        acc[(int64_t)(j + 3) * k + c] += s3;
      }
    }
    for (; j < m; j++) {
      const uint8_t *a0 = a + (int64_t)j * n + r0;
      for (int c = j; c < m; c++) {
        const uint8_t *ac = a + (int64_t)c * n + r0;
        uint32_t s = 0;
        _Pragma("omp simd reduction(+:s)") for (int64_t i = 0; i < len; i++) s += (uint32_t)a0[i] * ac[i];
        acc[(int64_t)j * k + c] += s;
      }
    }
  }
  /* the intercept: column sums, and n */
  for (int c = 0; c < m; c++) {
    const uint8_t *ac = a + (int64_t)c * n;
    uint64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += ac[i];
    acc[(int64_t)c * k + m] = s;
  }
  acc[(int64_t)m * k + m] = (uint64_t)n;
  /* the kernels filled the upper triangle (j ≤ c, with j = row); the product of 4 columns at a time
     also filled a few entries below the diagonal, so the upper triangle is copied down */
  for (int r = 0; r < k; r++) {
    for (int c = r; c < k; c++) g[(int64_t)r * k + c] = g[(int64_t)c * k + r] = (double)acc[(int64_t)r * k + c];
  }
  free(a);
  free(acc);
  return 0;
}
