/*
 * N-API glue for the optional native kernels: every function takes Float32Arrays the caller
 * already allocated and writes into `out`, so JavaScript owns all memory. Argument checks are
 * cheap type checks; shapes are the caller's (harness/tf-native-kernels.ts) responsibility.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <cblas.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernels.h"
#include "dense-napi.h"
#include "neutral-napi.h"

#define MAX_ARGS 12
#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "native: " #call " failed"); return NULL; } } while (0)

typedef struct { napi_env env; napi_value argv[MAX_ARGS]; size_t argc; bool failed; } Args;

static bool args_of(napi_env env, napi_callback_info info, Args *a, size_t want) {
  a->env = env;
  a->argc = MAX_ARGS;
  a->failed = false;
  if (napi_get_cb_info(env, info, &a->argc, a->argv, NULL, NULL) != napi_ok || a->argc < want) {
    napi_throw_type_error(env, NULL, "native: too few arguments");
    return false;
  }
  return true;
}

static int64_t int_at(Args *a, size_t i) {
  int64_t v = 0;
  if (!a->failed && napi_get_value_int64(a->env, a->argv[i], &v) != napi_ok) {
    napi_throw_type_error(a->env, NULL, "native: expected a number");
    a->failed = true;
  }
  return v;
}

static double num_at(Args *a, size_t i) {
  double v = 0;
  if (!a->failed && napi_get_value_double(a->env, a->argv[i], &v) != napi_ok) {
    napi_throw_type_error(a->env, NULL, "native: expected a number");
    a->failed = true;
  }
  return v;
}

/* A Float32Array's data, or NULL for null/undefined when `optional`. */
static float *f32_at(Args *a, size_t i, bool optional) {
  if (a->failed) return NULL;
  napi_valuetype t;
  napi_typeof(a->env, a->argv[i], &t);
  if (optional && (t == napi_null || t == napi_undefined)) return NULL;
  bool is_ta = false;
  napi_is_typedarray(a->env, a->argv[i], &is_ta);
  napi_typedarray_type type;
  size_t length;
  void *data = NULL;
  if (!is_ta || napi_get_typedarray_info(a->env, a->argv[i], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_float32_array) {
    napi_throw_type_error(a->env, NULL, "native: expected a Float32Array");
    a->failed = true;
    return NULL;
  }
  return (float *)data;
}

static napi_value sgemm(napi_env env, napi_callback_info info) {
  Args a;
  if (!args_of(env, info, &a, 11)) return NULL;
  bool ta = false, tb = false;
  napi_get_value_bool(env, a.argv[0], &ta);
  napi_get_value_bool(env, a.argv[1], &tb);
  int64_t m = int_at(&a, 2), n = int_at(&a, 3), k = int_at(&a, 4);
  float *A = f32_at(&a, 5, false), *B = f32_at(&a, 7, false), *C = f32_at(&a, 9, false);
  int64_t aoff = int_at(&a, 6), boff = int_at(&a, 8), coff = int_at(&a, 10);
  if (a.failed) return NULL;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
              1.0f, A + aoff, ta ? (int)m : (int)k, B + boff, tb ? (int)k : (int)n, 0.0f, C + coff, (int)n);
  return NULL;
}

static napi_value binary(napi_env env, napi_callback_info info) {
  Args a;
  if (!args_of(env, info, &a, 10)) return NULL;
  int64_t op = int_at(&a, 0), rows = int_at(&a, 1), cols = int_at(&a, 2);
  float *x = f32_at(&a, 3, false), *y = f32_at(&a, 6, false), *out = f32_at(&a, 9, false);
  int64_t xrs = int_at(&a, 4), xcs = int_at(&a, 5), yrs = int_at(&a, 7), ycs = int_at(&a, 8);
  if (a.failed) return NULL;
  if (op < 0 || op >= OP_BINARY_COUNT) { napi_throw_range_error(env, NULL, "native: unknown binary op"); return NULL; }
  k_binary((int)op, rows, cols, x, xrs, xcs, y, yrs, ycs, out);
  return NULL;
}

static napi_value unary(napi_env env, napi_callback_info info) {
  Args a;
  if (!args_of(env, info, &a, 4)) return NULL;
  int64_t op = int_at(&a, 0), n = int_at(&a, 1);
  float *x = f32_at(&a, 2, false), *out = f32_at(&a, 3, false);
  if (a.failed) return NULL;
  if (op < 0 || op >= OP_UNARY_COUNT) { napi_throw_range_error(env, NULL, "native: unknown unary op"); return NULL; }
  k_unary((int)op, n, x, out);
  return NULL;
}

static napi_value sum_axis(napi_env env, napi_callback_info info, bool over_rows) {
  Args a;
  if (!args_of(env, info, &a, 5)) return NULL;
  int64_t rows = int_at(&a, 0), cols = int_at(&a, 1);
  float *x = f32_at(&a, 2, false), *out = f32_at(&a, 4, false);
  double scale = num_at(&a, 3);
  if (a.failed) return NULL;
  (over_rows ? k_sum_rows : k_sum_cols)(rows, cols, x, scale, out);
  return NULL;
}

static napi_value sum_rows(napi_env env, napi_callback_info info) { return sum_axis(env, info, true); }
static napi_value sum_cols(napi_env env, napi_callback_info info) { return sum_axis(env, info, false); }

static napi_value transpose(napi_env env, napi_callback_info info) {
  Args a;
  if (!args_of(env, info, &a, 4)) return NULL;
  int64_t rows = int_at(&a, 0), cols = int_at(&a, 1);
  float *x = f32_at(&a, 2, false), *out = f32_at(&a, 3, false);
  if (a.failed) return NULL;
  k_transpose(rows, cols, x, out);
  return NULL;
}

static napi_value batchnorm(napi_env env, napi_callback_info info) {
  Args a;
  if (!args_of(env, info, &a, 9)) return NULL;
  int64_t rows = int_at(&a, 0), cols = int_at(&a, 1);
  float *x = f32_at(&a, 2, false), *mean = f32_at(&a, 3, false), *var = f32_at(&a, 4, false);
  float *gamma = f32_at(&a, 5, true), *beta = f32_at(&a, 6, true), *out = f32_at(&a, 8, false);
  double eps = num_at(&a, 7);
  if (a.failed) return NULL;
  k_batchnorm(rows, cols, x, mean, var, gamma, beta, (float)eps, out);
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  Args a;
  if (!args_of(env, info, &a, 1)) return NULL;
  int64_t n = int_at(&a, 0);
  if (a.failed) return NULL;
  openblas_set_num_threads((int)n);
  return NULL;
}

static napi_value blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, threads, config;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &threads));
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config));
  CHECK(napi_set_named_property(env, obj, "threads", threads));
  CHECK(napi_set_named_property(env, obj, "config", config));
  return obj;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "sgemm", NULL, sgemm, NULL, NULL, NULL, napi_enumerable, NULL },
    { "binary", NULL, binary, NULL, NULL, NULL, napi_enumerable, NULL },
    { "unary", NULL, unary, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sumRows", NULL, sum_rows, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sumCols", NULL, sum_cols, NULL, NULL, NULL, napi_enumerable, NULL },
    { "transpose", NULL, transpose, NULL, NULL, NULL, napi_enumerable, NULL },
    { "batchNorm", NULL, batchnorm, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setThreads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL },
    { "blasInfo", NULL, blas_info, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  if (register_dense(env, exports) != napi_ok) return NULL;
  if (register_neutral(env, exports) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
