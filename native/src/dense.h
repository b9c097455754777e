/*
 * A feed-forward net trained by AdamW with the whole step in one call: the native engine of the
 * harness's `job.nn.mlp` (harness/nn-fused.ts). The function is defined by the tfjs reference engine,
 * harness/nn-tfjs.ts; this file computes the same thing with OpenBLAS and fused loops. Plain C, no N-API.
 */
#ifndef AUTORESEARCH_DENSE_H
#define AUTORESEARCH_DENSE_H

#include <stdint.h>

enum { ACT_GELU, ACT_RELU, ACT_ELU, ACT_TANH, ACT_SWISH, ACT_COUNT };
enum { LOSS_MSE, LOSS_PEARSON, LOSS_BOTH, LOSS_COUNT };

/* Where a step's time goes; elementwise = bias, batch norm, activation, dropout, their gradients. */
enum { PHASE_GATHER, PHASE_MATMUL_FORWARD, PHASE_ELEMENTWISE, PHASE_LOSS, PHASE_MATMUL_BACKWARD, PHASE_OPTIMIZER, DENSE_PHASES };

typedef struct DenseNet DenseNet;

typedef struct {
  int n_layers;        /* number of weight matrices (hidden layers + 1) */
  const int *widths;   /* n_layers + 1 widths: nIn, hidden..., nOut */
  int activation;      /* ACT_* */
  int batch_norm;      /* batch norm on hidden layers (which then have no bias) */
  double dropout;      /* in [0, 1) */
  int loss;            /* LOSS_* */
  const double *loss_weights; /* nOut weights, sum > 0 */
  double weight_decay;
  uint32_t seed;
} DenseSpec;

/* A new net initialised from the seed's stream, or NULL when out of memory. */
DenseNet *dense_create(const DenseSpec *spec);
void dense_free(DenseNet *net);
/* One AdamW step on rows `rows[0..batch)` of x (row-major, nIn wide), y and mask (nOut wide). 0, or -1 when out of memory. */
int dense_step(DenseNet *net, const float *x, const float *y, const float *mask, const int32_t *rows, int64_t batch, double lr);
/* Inference for n rows of x into out (n × nOut). 0, or -1 when out of memory. */
int dense_predict(DenseNet *net, const float *x, int64_t n, float *out);
/* Seconds spent in each phase over every step so far (DENSE_PHASES values). */
void dense_phase_seconds(const DenseNet *net, double *out);
int dense_n_in(const DenseNet *net);
int dense_n_out(const DenseNet *net);

#endif
