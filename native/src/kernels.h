/* Float32 kernels behind the tfjs overrides in harness/tf-native-kernels.ts. Plain C, no N-API. */
#ifndef AUTORESEARCH_KERNELS_H
#define AUTORESEARCH_KERNELS_H

#include <stdint.h>

/* Binary ops, in the order of BINARY_OPS in harness/tf-native-kernels.ts. */
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MAX, OP_MIN, OP_SQDIFF, OP_BINARY_COUNT };
/* Unary ops, in the order of UNARY_OPS in harness/tf-native-kernels.ts. */
enum {
  OP_NEG, OP_SQUARE, OP_SQRT, OP_RSQRT, OP_EXP, OP_ERF, OP_ABS, OP_RELU, OP_FLOOR, OP_RECIPROCAL,
  OP_SIGMOID, OP_TANH, OP_LOG, OP_UNARY_COUNT
};

/*
 * out[r, c] = a[r*ars + c*acs] op b[r*brs + c*bcs] over a rows x cols result: a stride pair
 * (cols, 1) is a full operand, (0, 1) a row vector repeated down, (1, 0) a column repeated
 * across, (0, 0) a scalar.
 */
void k_binary(int op, int64_t rows, int64_t cols, const float *a, int64_t ars, int64_t acs,
              const float *b, int64_t brs, int64_t bcs, float *out);
void k_unary(int op, int64_t n, const float *x, float *out);
/* out[c] = scale * sum over r of x[r, c] (double accumulators). */
void k_sum_rows(int64_t rows, int64_t cols, const float *x, double scale, float *out);
/* out[r] = scale * sum over c of x[r, c] (double accumulator). */
void k_sum_cols(int64_t rows, int64_t cols, const float *x, double scale, float *out);
void k_transpose(int64_t rows, int64_t cols, const float *x, float *out);
/* out = (x - mean[c]) * gamma[c] / sqrt(var[c] + eps) + beta[c]; gamma/beta may be NULL. */
void k_batchnorm(int64_t rows, int64_t cols, const float *x, const float *mean, const float *var,
                 const float *gamma, const float *beta, float eps, float *out);

#endif
