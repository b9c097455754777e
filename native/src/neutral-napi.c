/*
 * N-API glue for neutral_fit and gram_blocks (neutral.h). Every index is checked before C reads anything, so a bad
 * call throws instead of reading outside an array.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "neutral.h"
#include "neutral-napi.h"

/* Throws "<name>: <msg>" (name is the calling function's JS name) and jumps to its cleanup. */
#define FAIL(msg) do { throw_named(env, name, msg); goto done; } while (0)

static void throw_named(napi_env env, const char *name, const char *msg) {
  char text[200];
  snprintf(text, sizeof text, "%s: %s", name, msg);
  napi_throw_error(env, NULL, text);
}

static bool typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  if (napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok) return false;
  return type == want;
}

/* The blocks, columns and rows of a call (arguments 0..4), checked; the caller frees blocks and lengths. */
typedef struct {
  const uint8_t **blocks;
  size_t *lengths;
  int32_t *columns, *rows;
  size_t n_rows;
  int64_t m; /* features of the source: columns' length, or every feature of the blocks */
  FeatureBlocks fb;
} Source;

/* Reads blocks, rowsPerBlock, nFeatures, columns and rows from argv[0..4]; NULL when they are good, else the complaint. */
static const char *read_source(napi_env env, napi_value *argv, Source *s) {
  uint32_t nb = 0;
  bool is_array = false;
  if (napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[0], &nb) != napi_ok) return "blocks must be an array";
  s->blocks = calloc(nb + 1, sizeof *s->blocks);
  s->lengths = calloc(nb + 1, sizeof *s->lengths);
  if (!s->blocks || !s->lengths) return "out of memory";
  for (uint32_t b = 0; b < nb; b++) {
    napi_value v;
    if (napi_get_element(env, argv[0], b, &v) != napi_ok || !typed(env, v, napi_uint8_array, (void **)&s->blocks[b], &s->lengths[b])) return "blocks must hold Uint8Arrays";
  }
  int64_t rpb, nf;
  if (napi_get_value_int64(env, argv[1], &rpb) != napi_ok || rpb < 1) return "rowsPerBlock must be a positive integer";
  if (napi_get_value_int64(env, argv[2], &nf) != napi_ok || nf < 1) return "nFeatures must be a positive integer";
  napi_valuetype t;
  size_t nc = 0;
  if (napi_typeof(env, argv[3], &t) != napi_ok) return "bad columns";
  if (t != napi_null && t != napi_undefined && !typed(env, argv[3], napi_int32_array, (void **)&s->columns, &nc)) return "columns must be an Int32Array or null";
  for (size_t c = 0; c < nc; c++) if (s->columns[c] < 0 || s->columns[c] >= nf) return "a column is out of range";
  s->m = s->columns ? (int64_t)nc : nf;
  if (!typed(env, argv[4], napi_int32_array, (void **)&s->rows, &s->n_rows)) return "rows must be an Int32Array";
  for (size_t i = 0; i < s->n_rows; i++) {
    int64_t r = s->rows[i], b = r / rpb;
    if (r < 0 || b >= nb || (size_t)((r - b * rpb + 1) * nf) > s->lengths[b]) return "a row is outside the blocks";
  }
  s->fb = (FeatureBlocks){ s->blocks, rpb, (int)nf, s->columns };
  return NULL;
}

/* Reads the call's `want` arguments into argv and its source (arguments 0..4) into s; NULL, or the complaint. */
static const char *begin(napi_env env, napi_callback_info info, size_t want, napi_value *argv, Source *s) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) return "too few arguments";
  return read_source(env, argv, s);
}

/* neutralFit(blocks: Uint8Array[], rowsPerBlock, nFeatures, columns: Int32Array | null, rows: Int32Array, k, perm: Int32Array, rank, l: Float64Array, y: Float64Array, out: Float64Array) */
static napi_value neutral_fit_js(napi_env env, napi_callback_info info) {
  const char *name = "neutralFit";
  napi_value argv[11];
  Source s = { 0 };
  const char *bad = begin(env, info, 11, argv, &s);
  if (bad) FAIL(bad);
  int64_t k, rank;
  if (napi_get_value_int64(env, argv[5], &k) != napi_ok || k < 1) FAIL("k must be a positive integer");
  if (napi_get_value_int64(env, argv[7], &rank) != napi_ok || rank < 0 || rank > k) FAIL("rank must be in 0..k");
  if (s.columns && s.m != k - 1) FAIL("columns must hold k - 1 entries");
  if (!s.columns && s.m != k - 1) FAIL("without columns the blocks must hold k - 1 features");
  int32_t *perm;
  double *l, *y, *out;
  size_t np, nl, ny, no;
  if (!typed(env, argv[6], napi_int32_array, (void **)&perm, &np) || (int64_t)np < rank) FAIL("perm must be an Int32Array of at least rank");
  for (int64_t j = 0; j < rank; j++) if (perm[j] < 0 || perm[j] >= k) FAIL("a pivot is out of range");
  if (!typed(env, argv[8], napi_float64_array, (void **)&l, &nl) || (int64_t)nl < rank * (rank + 1) / 2) FAIL("l must be a Float64Array of the packed factor");
  if (!typed(env, argv[9], napi_float64_array, (void **)&y, &ny) || ny != s.n_rows) FAIL("y must be a Float64Array of one value per row");
  if (!typed(env, argv[10], napi_float64_array, (void **)&out, &no) || no != s.n_rows) FAIL("out must be a Float64Array of one value per row");
  if (neutral_fit(&s.fb, s.rows, (int64_t)s.n_rows, (int)k, perm, (int)rank, l, y, out)) FAIL("out of memory");
done:
  free(s.blocks);
  free(s.lengths);
  return NULL;
}

/* gramBlocks(blocks: Uint8Array[], rowsPerBlock, nFeatures, columns: Int32Array | null, rows: Int32Array, out: Float64Array of (m + 1)²) */
static napi_value gram_blocks_js(napi_env env, napi_callback_info info) {
  const char *name = "gramBlocks";
  napi_value argv[6];
  Source s = { 0 };
  double *out;
  size_t no;
  const char *bad = begin(env, info, 6, argv, &s);
  if (bad) FAIL(bad);
  if (!typed(env, argv[5], napi_float64_array, (void **)&out, &no) || (int64_t)no != (s.m + 1) * (s.m + 1)) FAIL("out must be a Float64Array of (features + 1)² values");
  if (gram_blocks(&s.fb, s.rows, (int64_t)s.n_rows, (int)s.m, out)) FAIL("out of memory");
done:
  free(s.blocks);
  free(s.lengths);
  return NULL;
}

napi_status register_neutral(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "neutralFit", NULL, neutral_fit_js, NULL, NULL, NULL, napi_enumerable, NULL },
    { "gramBlocks", NULL, gram_blocks_js, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  return napi_define_properties(env, exports, 2, props);
}
