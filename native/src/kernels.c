/* Float32 kernels written so GCC vectorises the inner loops (-O3 -march=native -fopenmp-simd). */
#include "kernels.h"
#include "fmath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BIN_LOOP(EXPR)                                                                \
  for (int64_t r = 0; r < rows; r++) {                                                \
    const float *pa = a + r * ars, *pb = b + r * brs;                                 \
    float *po = out + r * cols;                                                       \
    if (acs && bcs) {                                                                 \
      _Pragma("omp simd") for (int64_t c = 0; c < cols; c++) { float x = pa[c], y = pb[c]; po[c] = (EXPR); } \
    } else if (acs) {                                                                 \
      const float y = pb[0];                                                          \
      _Pragma("omp simd") for (int64_t c = 0; c < cols; c++) { float x = pa[c]; po[c] = (EXPR); } \
    } else if (bcs) {                                                                 \
      const float x = pa[0];                                                          \
      _Pragma("omp simd") for (int64_t c = 0; c < cols; c++) { float y = pb[c]; po[c] = (EXPR); } \
    } else {                                                                          \
      const float x = pa[0], y = pb[0];                                               \
      for (int64_t c = 0; c < cols; c++) po[c] = (EXPR);                              \
    }                                                                                 \
  }

void k_binary(int op, int64_t rows, int64_t cols, const float *a, int64_t ars, int64_t acs,
              const float *b, int64_t brs, int64_t bcs, float *out) {
  switch (op) {
    case OP_ADD: BIN_LOOP(x + y) break;
    case OP_SUB: BIN_LOOP(x - y) break;
    case OP_MUL: BIN_LOOP(x * y) break;
    case OP_DIV: BIN_LOOP(x / y) break;
    /* NaN-propagating like tfjs's Math.max/Math.min. */
    case OP_MAX: BIN_LOOP((x != x || y != y) ? NAN : (x > y ? x : y)) break;
    case OP_MIN: BIN_LOOP((x != x || y != y) ? NAN : (x < y ? x : y)) break;
    case OP_SQDIFF: BIN_LOOP((x - y) * (x - y)) break;
    default: abort();
  }
}

#define UN_LOOP(EXPR) _Pragma("omp simd") for (int64_t i = 0; i < n; i++) { float v = x[i]; out[i] = (EXPR); }

void k_unary(int op, int64_t n, const float *x, float *out) {
  switch (op) {
    case OP_NEG: UN_LOOP(-v) break;
    case OP_SQUARE: UN_LOOP(v * v) break;
    case OP_SQRT: UN_LOOP(sqrtf(v)) break;
    case OP_RSQRT: UN_LOOP(1.0f / sqrtf(v)) break;
    case OP_EXP: UN_LOOP(fexp(v)) break;
    case OP_ERF: UN_LOOP(ferf(v)) break;
    case OP_ABS: UN_LOOP(fabsf(v)) break;
    case OP_RELU: UN_LOOP(v != v ? v : (v > 0 ? v : 0.0f)) break;
    case OP_FLOOR: UN_LOOP(floorf(v)) break;
    case OP_RECIPROCAL: UN_LOOP(1.0f / v) break;
    case OP_SIGMOID: UN_LOOP(1.0f / (1.0f + fexp(-v))) break;
    case OP_TANH: for (int64_t i = 0; i < n; i++) out[i] = tanhf(x[i]); break;
    case OP_LOG: for (int64_t i = 0; i < n; i++) out[i] = logf(x[i]); break;
    default: abort();
  }
}

void k_sum_rows(int64_t rows, int64_t cols, const float *x, double scale, float *out) {
  double *acc = calloc((size_t)cols, sizeof(double));
  if (!acc) abort();
  for (int64_t r = 0; r < rows; r++) {
    const float *p = x + r * cols;
    _Pragma("omp simd") for (int64_t c = 0; c < cols; c++) acc[c] += p[c];
  }
  for (int64_t c = 0; c < cols; c++) out[c] = (float)(acc[c] * scale);
  free(acc);
}

void k_sum_cols(int64_t rows, int64_t cols, const float *x, double scale, float *out) {
  for (int64_t r = 0; r < rows; r++) {
    const float *p = x + r * cols;
    double s = 0;
    _Pragma("omp simd reduction(+:s)") for (int64_t c = 0; c < cols; c++) s += p[c];
    out[r] = (float)(s * scale);
  }
}

/* Blocked so both sides stay in cache. */
void k_transpose(int64_t rows, int64_t cols, const float *x, float *out) {
  const int64_t B = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += B)
    for (int64_t c0 = 0; c0 < cols; c0 += B) {
      int64_t r1 = r0 + B < rows ? r0 + B : rows, c1 = c0 + B < cols ? c0 + B : cols;
      for (int64_t r = r0; r < r1; r++)
        for (int64_t c = c0; c < c1; c++) out[c * rows + r] = x[r * cols + c];
    }
}

void k_batchnorm(int64_t rows, int64_t cols, const float *x, const float *mean, const float *var,
                 const float *gamma, const float *beta, float eps, float *out) {
  float *mul = malloc((size_t)cols * sizeof(float)), *add = malloc((size_t)cols * sizeof(float));
  if (!mul || !add) abort();
  for (int64_t c = 0; c < cols; c++) {
    mul[c] = (gamma ? gamma[c] : 1.0f) / sqrtf(var[c] + eps);
    add[c] = (beta ? beta[c] : 0.0f) - mean[c] * mul[c];
  }
  for (int64_t r = 0; r < rows; r++) {
    const float *p = x + r * cols;
    float *o = out + r * cols;
    _Pragma("omp simd") for (int64_t c = 0; c < cols; c++) o[c] = p[c] * mul[c] + add[c];
  }
  free(mul);
  free(add);
}
