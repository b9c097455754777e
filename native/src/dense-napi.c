/*
 * N-API glue for the fused MLP (dense.h): a net is an external object freed by its finalizer or by
 * dense.free. Every length and row index is checked here, so a bad call throws instead of reading
 * or writing outside an array (the TS side checks the same things with friendlier messages).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stdlib.h>

#include "dense.h"
#include "dense-napi.h"

typedef struct { DenseNet *net; } Handle;

#define THROW(msg) do { napi_throw_error(env, NULL, "dense: " msg); return NULL; } while (0)

static void finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  Handle *h = data;
  dense_free(h->net);
  free(h);
}

static bool typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  if (napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok) return false;
  return type == want;
}

static DenseNet *net_of(napi_env env, napi_value v) {
  Handle *h = NULL;
  if (napi_get_value_external(env, v, (void **)&h) != napi_ok || !h) return NULL;
  return h->net;
}

/* create(widths: Int32Array, activation, batchNorm, dropout, loss, lossWeights: Float64Array, weightDecay, seed) */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 8) THROW("create needs 8 arguments");
  int32_t *widths, act, loss;
  double *weights, dropout, decay;
  uint32_t seed;
  bool bn;
  size_t nw, nl;
  if (!typed(env, argv[0], napi_int32_array, (void **)&widths, &nw) || nw < 2) THROW("widths must be an Int32Array of at least 2");
  if (!typed(env, argv[5], napi_float64_array, (void **)&weights, &nl) || nl != (size_t)widths[nw - 1]) THROW("lossWeights must be a Float64Array of nOut");
  if (napi_get_value_int32(env, argv[1], &act) != napi_ok || act < 0 || act >= ACT_COUNT) THROW("unknown activation");
  if (napi_get_value_bool(env, argv[2], &bn) != napi_ok) THROW("batchNorm must be a boolean");
  if (napi_get_value_double(env, argv[3], &dropout) != napi_ok || !(dropout >= 0 && dropout < 1)) THROW("dropout must be in [0, 1)");
  if (napi_get_value_int32(env, argv[4], &loss) != napi_ok || loss < 0 || loss >= LOSS_COUNT) THROW("unknown loss");
  if (napi_get_value_double(env, argv[6], &decay) != napi_ok) THROW("weightDecay must be a number");
  if (napi_get_value_uint32(env, argv[7], &seed) != napi_ok) THROW("seed must be a number");
  for (size_t i = 0; i < nw; i++) if (widths[i] < 1) THROW("widths must be positive");
  DenseSpec spec = { (int)nw - 1, widths, act, bn, dropout, loss, weights, decay, seed };
  Handle *h = malloc(sizeof *h);
  if (!h || !(h->net = dense_create(&spec))) { free(h); THROW("out of memory creating the net"); }
  napi_value out;
  if (napi_create_external(env, h, finalize, NULL, &out) != napi_ok) { dense_free(h->net); free(h); THROW("cannot wrap the net"); }
  return out;
}

/* step(net, x, y, mask, rows: Int32Array, lr) */
static napi_value step(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) THROW("step needs 6 arguments");
  DenseNet *net = net_of(env, argv[0]);
  if (!net) THROW("the net was freed");
  float *x, *y, *mask;
  int32_t *rows;
  size_t nx, ny, nm, nr;
  double lr;
  if (!typed(env, argv[1], napi_float32_array, (void **)&x, &nx) || !typed(env, argv[2], napi_float32_array, (void **)&y, &ny) ||
      !typed(env, argv[3], napi_float32_array, (void **)&mask, &nm)) THROW("x, y and mask must be Float32Arrays");
  if (!typed(env, argv[4], napi_int32_array, (void **)&rows, &nr) || nr < 2) THROW("rows must be an Int32Array of at least 2");
  if (napi_get_value_double(env, argv[5], &lr) != napi_ok) THROW("lr must be a number");
  size_t n = nx / (size_t)dense_n_in(net);
  if (nx % (size_t)dense_n_in(net) || ny != n * (size_t)dense_n_out(net) || nm != ny) THROW("x, y and mask lengths do not match the net");
  for (size_t i = 0; i < nr; i++) if (rows[i] < 0 || (size_t)rows[i] >= n) THROW("row index out of range");
  if (dense_step(net, x, y, mask, rows, (int64_t)nr, lr)) THROW("out of memory in a step");
  return NULL;
}

/* predict(net, x, nRows, out) */
static napi_value predict(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) THROW("predict needs 4 arguments");
  DenseNet *net = net_of(env, argv[0]);
  if (!net) THROW("the net was freed");
  float *x, *out;
  size_t nx, no;
  int64_t n;
  if (!typed(env, argv[1], napi_float32_array, (void **)&x, &nx) || !typed(env, argv[3], napi_float32_array, (void **)&out, &no)) THROW("x and out must be Float32Arrays");
  if (napi_get_value_int64(env, argv[2], &n) != napi_ok || n < 0) THROW("nRows must be a non-negative integer");
  if (nx != (size_t)n * (size_t)dense_n_in(net) || no != (size_t)n * (size_t)dense_n_out(net)) THROW("x or out length does not match nRows");
  if (n > 0 && dense_predict(net, x, n, out)) THROW("out of memory predicting");
  return NULL;
}

/* free(net): releases the net now; later calls with it throw. */
static napi_value release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle *h = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_external(env, argv[0], (void **)&h) != napi_ok || !h) THROW("free needs a net");
  dense_free(h->net);
  h->net = NULL;
  return NULL;
}

/* phaseSeconds(net): Float64Array of the seconds spent per phase (dense.h's PHASE_* order). */
static napi_value phase_seconds(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], buffer, out;
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) THROW("phaseSeconds needs a net");
  DenseNet *net = net_of(env, argv[0]);
  if (!net) THROW("the net was freed");
  if (napi_create_arraybuffer(env, DENSE_PHASES * sizeof(double), &data, &buffer) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, DENSE_PHASES, buffer, 0, &out) != napi_ok) THROW("cannot allocate");
  dense_phase_seconds(net, data);
  return out;
}

napi_status register_dense(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "denseCreate", NULL, create, NULL, NULL, NULL, napi_enumerable, NULL },
    { "denseStep", NULL, step, NULL, NULL, NULL, napi_enumerable, NULL },
    { "densePredict", NULL, predict, NULL, NULL, NULL, napi_enumerable, NULL },
    { "denseFree", NULL, release, NULL, NULL, NULL, napi_enumerable, NULL },
    { "densePhaseSeconds", NULL, phase_seconds, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
