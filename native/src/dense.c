/* The fused MLP: see dense.h. Sums over the batch accumulate in double; storage is float32. */
#include "dense.h"
#include "fmath.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BETA1 0.9
#define BETA2 0.999
#define ADAM_EPS 1e-7f
#define BN_EPS 1e-3f
#define BN_MOMENTUM 0.9f
#define PREDICT_CHUNK 4096

/* One trainable array with its gradient and Adam moments. */
typedef struct { float *p, *g, *m, *v; int64_t n; int decay; } Param;

typedef struct {
  int in, out, bn;
  Param w, b, gamma, beta;  /* b absent (n = 0) on batch-norm layers; gamma/beta only there */
  float *run_mean, *run_var;
  float *mean, *invstd;     /* this step's batch statistics */
  /* per step, batch × out: the layer's output h (after activation and dropout), the activation's
     derivative times the dropout scale, and the normalised pre-activation for batch norm */
  float *h, *dact, *xhat;
} Layer;

struct DenseNet {
  int n_layers, n_in, n_out, activation, loss;
  double dropout, weight_decay, *loss_weights, weight_sum;
  uint32_t rng;
  int64_t t, cap, max_width;
  Layer *layers;
  float *x, *y, *mask;      /* gathered batch */
  float *d0, *d1;           /* gradient scratch, batch × max width */
  double seconds[DENSE_PHASES]; /* time spent per phase over every step, for the benchmark's breakdown */
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Adds the time since *mark to `phase` and moves the mark. */
static inline void lap(DenseNet *net, int phase, double *mark) {
  double t = now();
  net->seconds[phase] += t - *mark;
  *mark = t;
}

/* mulberry32, bit-identical to harness/prng.ts. */
static inline double next_uniform(uint32_t *state) {
  uint32_t a = (*state += 0x6d2b79f5u);
  uint32_t t = (a ^ (a >> 15)) * (1u | a);
  t = (t + ((t ^ (t >> 7)) * (61u | t))) ^ t;
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

static int alloc_param(Param *q, int64_t n, int decay) {
  q->n = n;
  q->decay = decay;
  q->p = calloc((size_t)n, sizeof(float));
  q->g = calloc((size_t)n, sizeof(float));
  q->m = calloc((size_t)n, sizeof(float));
  q->v = calloc((size_t)n, sizeof(float));
  return q->p && q->g && q->m && q->v ? 0 : -1;
}

static void free_param(Param *q) { free(q->p); free(q->g); free(q->m); free(q->v); }

void dense_free(DenseNet *net) {
  if (!net) return;
  for (int i = 0; net->layers && i < net->n_layers; i++) {
    Layer *l = &net->layers[i];
    free_param(&l->w); free_param(&l->b); free_param(&l->gamma); free_param(&l->beta);
    free(l->run_mean); free(l->run_var); free(l->mean); free(l->invstd);
    free(l->h); free(l->dact); free(l->xhat);
  }
  free(net->layers); free(net->loss_weights);
  free(net->x); free(net->y); free(net->mask); free(net->d0); free(net->d1);
  free(net);
}

DenseNet *dense_create(const DenseSpec *s) {
  DenseNet *net = calloc(1, sizeof *net);
  if (!net) return NULL;
  net->n_layers = s->n_layers;
  net->n_in = s->widths[0];
  net->n_out = s->widths[s->n_layers];
  net->activation = s->activation;
  net->loss = s->loss;
  net->dropout = s->dropout;
  net->weight_decay = s->weight_decay;
  net->rng = s->seed;
  net->layers = calloc((size_t)s->n_layers, sizeof(Layer));
  net->loss_weights = malloc((size_t)net->n_out * sizeof(double));
  if (!net->layers || !net->loss_weights) { dense_free(net); return NULL; }
  for (int c = 0; c < net->n_out; c++) { net->loss_weights[c] = s->loss_weights[c]; net->weight_sum += s->loss_weights[c]; }
  for (int i = 0; i <= s->n_layers; i++) if (s->widths[i] > net->max_width) net->max_width = s->widths[i];
  for (int i = 0; i < s->n_layers; i++) {
    Layer *l = &net->layers[i];
    l->in = s->widths[i];
    l->out = s->widths[i + 1];
    l->bn = s->batch_norm && i < s->n_layers - 1;
    int bad = alloc_param(&l->w, (int64_t)l->in * l->out, 1);
    if (l->bn) {
      bad |= alloc_param(&l->gamma, l->out, 0) | alloc_param(&l->beta, l->out, 0);
      l->run_mean = calloc((size_t)l->out, sizeof(float));
      l->run_var = malloc((size_t)l->out * sizeof(float));
      l->mean = malloc((size_t)l->out * sizeof(float));
      l->invstd = malloc((size_t)l->out * sizeof(float));
      bad |= !l->run_mean || !l->run_var || !l->mean || !l->invstd;
    } else {
      bad |= alloc_param(&l->b, l->out, 0);
    }
    if (bad) { dense_free(net); return NULL; }
    /* He-uniform in row-major order, layer by layer, from the net's stream. */
    double limit = sqrt(6.0 / l->in);
    for (int64_t k = 0; k < l->w.n; k++) l->w.p[k] = (float)((next_uniform(&net->rng) * 2 - 1) * limit);
    if (l->bn) for (int c = 0; c < l->out; c++) { l->gamma.p[c] = 1.0f; l->run_var[c] = 1.0f; }
  }
  return net;
}

int dense_n_in(const DenseNet *net) { return net->n_in; }
int dense_n_out(const DenseNet *net) { return net->n_out; }

static int grow(float **p, int64_t n) {
  float *q = realloc(*p, (size_t)n * sizeof(float));
  if (!q) return -1;
  *p = q;
  return 0;
}

/* Batch buffers for `batch` rows, kept between steps. */
static int reserve(DenseNet *net, int64_t batch) {
  if (batch <= net->cap) return 0;
  int bad = grow(&net->x, batch * net->n_in) | grow(&net->y, batch * net->n_out) | grow(&net->mask, batch * net->n_out);
  bad |= grow(&net->d0, batch * net->max_width) | grow(&net->d1, batch * net->max_width);
  for (int i = 0; i < net->n_layers; i++) {
    Layer *l = &net->layers[i];
    bad |= grow(&l->h, batch * l->out) | grow(&l->dact, batch * l->out);
    if (l->bn) bad |= grow(&l->xhat, batch * l->out);
  }
  if (bad) return -1;
  net->cap = batch;
  return 0;
}

/* z = in · W (+ b) into out, rows × l->out. */
static void affine(const Layer *l, const float *in, int64_t rows, float *out) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, l->out, l->in, 1.0f, in, l->in, l->w.p, l->out, 0.0f, out, l->out);
  if (l->b.n) for (int64_t r = 0; r < rows; r++) {
    float *o = out + r * l->out;
    _Pragma("omp simd") for (int c = 0; c < l->out; c++) o[c] += l->b.p[c];
  }
}

/* The activation of z, and its derivative when `d` is not NULL. */
static inline float activate(int act, float z, float *d) {
  switch (act) {
    case ACT_GELU: {
      float e = ferf(z * 0.70710678118654752f);
      if (d) *d = 0.5f * (1.0f + e) + z * fexp(-0.5f * z * z) * 0.39894228040143268f;
      return 0.5f * z * (1.0f + e);
    }
    case ACT_RELU: if (d) *d = z > 0 ? 1.0f : 0.0f; return z > 0 ? z : 0.0f;
    case ACT_ELU: {
      float a = z > 0 ? z : fexp(z) - 1.0f;
      if (d) *d = z > 0 ? 1.0f : a + 1.0f;
      return a;
    }
    case ACT_TANH: { float a = tanhf(z); if (d) *d = 1.0f - a * a; return a; }
    default: {
      float sg = 1.0f / (1.0f + fexp(-z));
      if (d) *d = sg + z * sg * (1.0f - sg);
      return z * sg;
    }
  }
}

/* h = act(h) over n values, with the derivative into d (NULL at inference); one vectorised loop per activation. */
static void activate_all(int act, int64_t n, float *h, float *d) {
#define ACT_LOOP(A)                                                                                   \
  if (d) { _Pragma("omp simd") for (int64_t k = 0; k < n; k++) h[k] = activate(A, h[k], &d[k]); } \
  else { _Pragma("omp simd") for (int64_t k = 0; k < n; k++) h[k] = activate(A, h[k], NULL); }
  switch (act) {
    case ACT_GELU: ACT_LOOP(ACT_GELU) break;
    case ACT_RELU: ACT_LOOP(ACT_RELU) break;
    case ACT_ELU: ACT_LOOP(ACT_ELU) break;
    case ACT_TANH: ACT_LOOP(ACT_TANH) break;
    default: ACT_LOOP(ACT_SWISH) break;
  }
#undef ACT_LOOP
}

/* Batch statistics (biased variance, as tf.moments), running-statistic update, and xhat. */
static void batch_norm_train(Layer *l, float *z, int64_t rows) {
  double *acc = calloc((size_t)l->out * 2, sizeof(double));
  if (!acc) abort();
  double *sum = acc, *sq = acc + l->out;
  for (int64_t r = 0; r < rows; r++) {
    const float *p = z + r * l->out;
    _Pragma("omp simd") for (int c = 0; c < l->out; c++) sum[c] += p[c];
  }
  for (int c = 0; c < l->out; c++) l->mean[c] = (float)(sum[c] / (double)rows);
  for (int64_t r = 0; r < rows; r++) {
    const float *p = z + r * l->out;
    _Pragma("omp simd") for (int c = 0; c < l->out; c++) { double dv = (double)p[c] - l->mean[c]; sq[c] += dv * dv; }
  }
  for (int c = 0; c < l->out; c++) {
    float var = (float)(sq[c] / (double)rows);
    l->run_mean[c] = l->run_mean[c] * BN_MOMENTUM + l->mean[c] * (1.0f - BN_MOMENTUM);
    l->run_var[c] = l->run_var[c] * BN_MOMENTUM + var * (1.0f - BN_MOMENTUM);
    l->invstd[c] = 1.0f / sqrtf(var + BN_EPS);
  }
  free(acc);
  for (int64_t r = 0; r < rows; r++) {
    float *p = z + r * l->out, *xh = l->xhat + r * l->out;
    _Pragma("omp simd") for (int c = 0; c < l->out; c++) {
      xh[c] = (p[c] - l->mean[c]) * l->invstd[c];
      p[c] = xh[c] * l->gamma.p[c] + l->beta.p[c];
    }
  }
}

/* Training forward pass: every layer's h, dact (derivative × dropout scale) and xhat. */
static void forward_train(DenseNet *net, int64_t rows, double *mark) {
  const float *in = net->x;
  double keep = 1.0 - net->dropout;
  float scale = (float)(1.0 / keep);
  for (int i = 0; i < net->n_layers; i++) {
    Layer *l = &net->layers[i];
    affine(l, in, rows, l->h);
    lap(net, PHASE_MATMUL_FORWARD, mark);
    if (i < net->n_layers - 1) {
      if (l->bn) batch_norm_train(l, l->h, rows);
      int64_t n = rows * l->out;
      activate_all(net->activation, n, l->h, l->dact);
      if (net->dropout > 0) {
        for (int64_t k = 0; k < n; k++) {
          float m = next_uniform(&net->rng) < keep ? scale : 0.0f;
          l->h[k] *= m;
          l->dact[k] *= m;
        }
      }
      lap(net, PHASE_ELEMENTWISE, mark);
    }
    in = l->h;
  }
}

/* d loss / d prediction into dp (rows × nOut), from the masked per-column losses. */
static void loss_gradient(DenseNet *net, const float *pred, int64_t rows, float *dp) {
  int k = net->n_out;
  for (int c = 0; c < k; c++) {
    double n = 0, sp = 0, sy = 0;
    for (int64_t r = 0; r < rows; r++) {
      double m = net->mask[r * k + c];
      n += m; sp += m * pred[r * k + c]; sy += m * net->y[r * k + c];
    }
    n = n > 1 ? n : 1;
    double pm = sp / n, ym = sy / n, spy = 0, spp = 0, syy = 0;
    for (int64_t r = 0; r < rows; r++) {
      double m = net->mask[r * k + c], a = (pred[r * k + c] - pm) * m, b = (net->y[r * k + c] - ym) * m;
      spy += a * b; spp += a * a; syy += b * b;
    }
    double w = net->loss_weights[c] / net->weight_sum;
    double den = sqrt(spp * syy + 1e-12), den3 = den * den * den;
    int mse = net->loss != LOSS_PEARSON, pearson = net->loss != LOSS_MSE;
    /* pearson: g_i = -(dy_i/den - spy*syy*dp_i/den^3), then through the masked centring */
    double gsum = 0;
    for (int64_t r = 0; r < rows; r++) {
      double m = net->mask[r * k + c];
      double g = pearson ? -(((net->y[r * k + c] - ym) * m) / den - spy * syy * ((pred[r * k + c] - pm) * m) / den3) : 0;
      dp[r * k + c] = (float)g;
      gsum += m * g;
    }
    for (int64_t r = 0; r < rows; r++) {
      double m = net->mask[r * k + c], g = pearson ? m * (dp[r * k + c] - gsum / n) : 0;
      if (mse) g += 2 * m * (pred[r * k + c] - net->y[r * k + c]) / n;
      dp[r * k + c] = (float)(g * w);
    }
  }
}

/* Column sums of d (rows × cols) into g. */
static void column_sums(const float *d, int64_t rows, int cols, float *g, double *acc) {
  memset(acc, 0, (size_t)cols * sizeof(double));
  for (int64_t r = 0; r < rows; r++) {
    const float *p = d + r * cols;
    _Pragma("omp simd") for (int c = 0; c < cols; c++) acc[c] += p[c];
  }
  for (int c = 0; c < cols; c++) g[c] = (float)acc[c];
}

/* Batch-norm backward in place: dz (gradient w.r.t. the normalised output) becomes the gradient w.r.t. the layer's input z. */
static void batch_norm_backward(Layer *l, float *dz, int64_t rows, double *acc) {
  int cols = l->out;
  double *sd = acc, *sdx = acc + cols;
  memset(acc, 0, (size_t)cols * 2 * sizeof(double));
  for (int64_t r = 0; r < rows; r++) {
    const float *d = dz + r * cols, *xh = l->xhat + r * cols;
    _Pragma("omp simd") for (int c = 0; c < cols; c++) { sd[c] += d[c]; sdx[c] += (double)d[c] * xh[c]; }
  }
  for (int c = 0; c < cols; c++) { l->beta.g[c] = (float)sd[c]; l->gamma.g[c] = (float)sdx[c]; }
  /* dxhat = dz·gamma; dz_in = invstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)) */
  float *a = malloc((size_t)cols * 2 * sizeof(float));
  if (!a) abort();
  float *b = a + cols;
  for (int c = 0; c < cols; c++) {
    a[c] = (float)(sd[c] * l->gamma.p[c] / (double)rows);
    b[c] = (float)(sdx[c] * l->gamma.p[c] / (double)rows);
  }
  for (int64_t r = 0; r < rows; r++) {
    float *d = dz + r * cols;
    const float *xh = l->xhat + r * cols;
    _Pragma("omp simd") for (int c = 0; c < cols; c++) d[c] = l->invstd[c] * (d[c] * l->gamma.p[c] - a[c] - xh[c] * b[c]);
  }
  free(a);
}

static void adamw(Param *q, double lr, int64_t t, double decay) {
  if (!q->n) return;
  float b1 = (float)BETA1, b2 = (float)BETA2, o1 = (float)(1 - BETA1), o2 = (float)(1 - BETA2), c1 = (float)(1 - pow(BETA1, (double)t)), c2 = (float)(1 - pow(BETA2, (double)t));
  float flr = (float)lr, fdecay = (float)(lr * decay);
  int use_decay = q->decay && decay > 0;
  _Pragma("omp simd") for (int64_t k = 0; k < q->n; k++) {
    float g = q->g[k], p = q->p[k];
    float m = q->m[k] * b1 + g * o1, v = q->v[k] * b2 + g * g * o2;
    q->m[k] = m;
    q->v[k] = v;
    float next = p - (m / c1) / (sqrtf(v / c2) + ADAM_EPS) * flr;
    q->p[k] = use_decay ? next - p * fdecay : next;
  }
}

int dense_step(DenseNet *net, const float *x, const float *y, const float *mask, const int32_t *rows, int64_t batch, double lr) {
  if (reserve(net, batch)) return -1;
  double *acc = malloc((size_t)net->max_width * 2 * sizeof(double));
  if (!acc) return -1;
  double mark = now();
  for (int64_t r = 0; r < batch; r++) {
    memcpy(net->x + r * net->n_in, x + (int64_t)rows[r] * net->n_in, (size_t)net->n_in * sizeof(float));
    memcpy(net->y + r * net->n_out, y + (int64_t)rows[r] * net->n_out, (size_t)net->n_out * sizeof(float));
    memcpy(net->mask + r * net->n_out, mask + (int64_t)rows[r] * net->n_out, (size_t)net->n_out * sizeof(float));
  }
  net->t++;
  lap(net, PHASE_GATHER, &mark);
  forward_train(net, batch, &mark);
  float *dz = net->d0, *dh = net->d1;
  loss_gradient(net, net->layers[net->n_layers - 1].h, batch, dz);
  lap(net, PHASE_LOSS, &mark);
  for (int i = net->n_layers - 1; i >= 0; i--) {
    Layer *l = &net->layers[i];
    const float *in = i ? net->layers[i - 1].h : net->x;
    if (i < net->n_layers - 1) {
      int64_t n = batch * l->out;
      _Pragma("omp simd") for (int64_t k = 0; k < n; k++) dz[k] *= l->dact[k];
      if (l->bn) batch_norm_backward(l, dz, batch, acc);
    }
    if (l->b.n) column_sums(dz, batch, l->out, l->b.g, acc);
    lap(net, PHASE_ELEMENTWISE, &mark);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l->in, l->out, (int)batch, 1.0f, in, l->in, dz, l->out, 0.0f, l->w.g, l->out);
    if (i) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)batch, l->in, l->out, 1.0f, dz, l->out, l->w.p, l->out, 0.0f, dh, l->in);
    lap(net, PHASE_MATMUL_BACKWARD, &mark);
    float *swap = dz; dz = dh; dh = swap;
  }
  free(acc);
  for (int i = 0; i < net->n_layers; i++) {
    Layer *l = &net->layers[i];
    adamw(&l->w, lr, net->t, net->weight_decay);
    adamw(&l->b, lr, net->t, 0);
    adamw(&l->gamma, lr, net->t, 0);
    adamw(&l->beta, lr, net->t, 0);
  }
  lap(net, PHASE_OPTIMIZER, &mark);
  return 0;
}

void dense_phase_seconds(const DenseNet *net, double *out) {
  memcpy(out, net->seconds, sizeof net->seconds);
}

int dense_predict(DenseNet *net, const float *x, int64_t n, float *out) {
  int64_t chunk = n < PREDICT_CHUNK ? n : PREDICT_CHUNK;
  float *a = malloc((size_t)(chunk * net->max_width + 1) * sizeof(float)), *b = malloc((size_t)(chunk * net->max_width + 1) * sizeof(float));
  if (!a || !b) { free(a); free(b); return -1; }
  for (int64_t s = 0; s < n; s += chunk) {
    int64_t rows = n - s < chunk ? n - s : chunk;
    const float *in = x + s * net->n_in;
    for (int i = 0; i < net->n_layers; i++) {
      Layer *l = &net->layers[i];
      float *z = i == net->n_layers - 1 ? out + s * net->n_out : (i % 2 ? b : a);
      affine(l, in, rows, z);
      if (i < net->n_layers - 1) {
        for (int64_t r = 0; r < rows; r++) {
          float *p = z + r * l->out;
          if (l->bn) for (int c = 0; c < l->out; c++) p[c] = (p[c] - l->run_mean[c]) / sqrtf(l->run_var[c] + BN_EPS) * l->gamma.p[c] + l->beta.p[c];
        }
        activate_all(net->activation, rows * l->out, z, NULL);
      }
      in = z;
    }
  }
  free(a);
  free(b);
  return 0;
}
