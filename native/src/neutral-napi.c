/*
 * N-API glue for neutral_fit (neutral.h). Every index is checked before C reads anything, so a bad
 * call throws instead of reading outside an array.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stdlib.h>

#include "neutral.h"
#include "neutral-napi.h"

#define THROW(msg) do { napi_throw_error(env, NULL, "neutralFit: " msg); goto done; } while (0)

static bool typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  if (napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok) return false;
  return type == want;
}

/* neutralFit(blocks: Uint8Array[], rowsPerBlock, nFeatures, columns: Int32Array | null, rows: Int32Array, k, perm: Int32Array, rank, l: Float64Array, y: Float64Array, out: Float64Array) */
static napi_value neutral_fit_js(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  const uint8_t **blocks = NULL;
  size_t *lengths = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 11) THROW("needs 11 arguments");
  uint32_t nb = 0;
  bool is_array = false;
  if (napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[0], &nb) != napi_ok) THROW("blocks must be an array");
  blocks = calloc(nb + 1, sizeof *blocks);
  lengths = calloc(nb + 1, sizeof *lengths);
  if (!blocks || !lengths) THROW("out of memory");
  for (uint32_t b = 0; b < nb; b++) {
    napi_value v;
    if (napi_get_element(env, argv[0], b, &v) != napi_ok || !typed(env, v, napi_uint8_array, (void **)&blocks[b], &lengths[b])) THROW("blocks must hold Uint8Arrays");
  }
  int64_t rpb, nf, k, rank;
  if (napi_get_value_int64(env, argv[1], &rpb) != napi_ok || rpb < 1) THROW("rowsPerBlock must be a positive integer");
  if (napi_get_value_int64(env, argv[2], &nf) != napi_ok || nf < 1) THROW("nFeatures must be a positive integer");
  if (napi_get_value_int64(env, argv[5], &k) != napi_ok || k < 1) THROW("k must be a positive integer");
  if (napi_get_value_int64(env, argv[7], &rank) != napi_ok || rank < 0 || rank > k) THROW("rank must be in 0..k");
  napi_valuetype t;
  int32_t *columns = NULL, *rows, *perm;
  double *l, *y, *out;
  size_t nc = 0, nr, np, nl, ny, no;
  if (napi_typeof(env, argv[3], &t) != napi_ok) THROW("bad columns");
  if (t != napi_null && t != napi_undefined && !typed(env, argv[3], napi_int32_array, (void **)&columns, &nc)) THROW("columns must be an Int32Array or null");
  if (columns && (int64_t)nc != k - 1) THROW("columns must hold k - 1 entries");
  if (!columns && nf != k - 1) THROW("without columns the blocks must hold k - 1 features");
  for (size_t c = 0; c < nc; c++) if (columns[c] < 0 || columns[c] >= nf) THROW("a column is out of range");
  if (!typed(env, argv[4], napi_int32_array, (void **)&rows, &nr)) THROW("rows must be an Int32Array");
  if (!typed(env, argv[6], napi_int32_array, (void **)&perm, &np) || (int64_t)np < rank) THROW("perm must be an Int32Array of at least rank");
  for (int64_t j = 0; j < rank; j++) if (perm[j] < 0 || perm[j] >= k) THROW("a pivot is out of range");
  if (!typed(env, argv[8], napi_float64_array, (void **)&l, &nl) || (int64_t)nl < rank * (rank + 1) / 2) THROW("l must be a Float64Array of the packed factor");
  if (!typed(env, argv[9], napi_float64_array, (void **)&y, &ny) || ny != nr) THROW("y must be a Float64Array of one value per row");
  if (!typed(env, argv[10], napi_float64_array, (void **)&out, &no) || no != nr) THROW("out must be a Float64Array of one value per row");
  for (size_t i = 0; i < nr; i++) {
    int64_t r = rows[i], b = r / rpb;
    if (r < 0 || b >= nb || (size_t)((r - b * rpb + 1) * nf) > lengths[b]) THROW("a row is outside the blocks");
  }
  FeatureBlocks fb = { blocks, rpb, (int)nf, columns };
  if (neutral_fit(&fb, rows, (int64_t)nr, (int)k, perm, (int)rank, l, y, out)) THROW("out of memory");
done:
  free(blocks);
  free(lengths);
  return NULL;
}

napi_status register_neutral(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "neutralFit", NULL, neutral_fit_js, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  return napi_define_properties(env, exports, 1, props);
}
