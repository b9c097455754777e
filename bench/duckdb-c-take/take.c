// Experiment for issue 6, goal 4 (not part of the product): can C take DuckDB's feature vectors into the
// harness's row-major uint8 layout within 1.2x of DuckDB's own scan? Through @duckdb/node-api, streaming
// the columns to JS costs 1.8-2.2x the scan before any value is read (BENCHMARKS 2c).
//
// It links the libduckdb that @duckdb/node-bindings ships (version pinned in package.json). That library
// has no header, so the few C API functions used are declared below from DuckDB's C API documentation.
// Each round, in one process: (1) DuckDB's scan, sum() of every feature column; (2) the same columns
// fetched chunk by chunk from a streaming result and copied into one row-major byte array, in 64-row tiles;
// (3) the same from a materialised result; (4), (5) both without the copy, DuckDB's own share.
// Without the parquet file it writes one like bench/load-speed.ts's (2.7M rows, 574 eras, 235 TINYINT features).
//
//   L=node_modules/@duckdb/node-bindings-linux-x64
//   gcc -O2 -o /tmp/take bench/duckdb-c-take/take.c -L$L -lduckdb -Wl,-rpath,$PWD/$L && /tmp/take /tmp/take.parquet 3
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef uint64_t idx_t;
typedef enum { DuckDBSuccess = 0, DuckDBError = 1 } duckdb_state;
typedef struct _duckdb_database { void *internal_ptr; } *duckdb_database;
typedef struct _duckdb_connection { void *internal_ptr; } *duckdb_connection;
typedef struct _duckdb_prepared_statement { void *internal_ptr; } *duckdb_prepared_statement;
typedef struct _duckdb_pending_result { void *internal_ptr; } *duckdb_pending_result;
typedef struct _duckdb_data_chunk { void *internal_ptr; } *duckdb_data_chunk;
typedef struct _duckdb_vector { void *internal_ptr; } *duckdb_vector;
// duckdb_result is passed by value, so its size must match: five deprecated fields and the internal pointer
typedef struct { idx_t d0, d1, d2; void *d3; char *d4; void *internal_data; } duckdb_result;

duckdb_state duckdb_open(const char *path, duckdb_database *out);
duckdb_state duckdb_connect(duckdb_database db, duckdb_connection *out);
duckdb_state duckdb_query(duckdb_connection con, const char *sql, duckdb_result *out);
const char *duckdb_result_error(duckdb_result *r);
idx_t duckdb_column_count(duckdb_result *r);
duckdb_data_chunk duckdb_fetch_chunk(duckdb_result r);
idx_t duckdb_data_chunk_get_size(duckdb_data_chunk c);
duckdb_vector duckdb_data_chunk_get_vector(duckdb_data_chunk c, idx_t col);
void *duckdb_vector_get_data(duckdb_vector v);
uint64_t *duckdb_vector_get_validity(duckdb_vector v);
void duckdb_destroy_data_chunk(duckdb_data_chunk *c);
void duckdb_destroy_result(duckdb_result *r);
duckdb_state duckdb_prepare(duckdb_connection con, const char *sql, duckdb_prepared_statement *out);
duckdb_state duckdb_pending_prepared_streaming(duckdb_prepared_statement s, duckdb_pending_result *out);
duckdb_state duckdb_execute_pending(duckdb_pending_result p, duckdb_result *out);
void duckdb_destroy_prepare(duckdb_prepared_statement *s);
void duckdb_destroy_pending(duckdb_pending_result *p);

static double wall(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static double cpu(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static duckdb_connection con;
static char sql[4096];

static void run(const char *q, duckdb_result *r) {
  if (duckdb_query(con, q, r) != DuckDBSuccess) { fprintf(stderr, "take: %s\n", duckdb_result_error(r)); exit(1); }
}

static void make(const char *file) {
  char feats[235 * 64] = "";
  for (int j = 0; j < 235; j++) {
    char one[64];
    snprintf(one, sizeof one, "%s(hash(i, %d) %% 5)::TINYINT AS feature_bench_%04d", j ? ", " : "", j, j);
    strcat(feats, one);
  }
  char *q = malloc(sizeof feats + 1024);
  sprintf(q, "COPY (SELECT lpad((i * 574 // 2700000 + 1)::VARCHAR, 4, '0') AS era, %s, "
             "'n' || substr(md5(i::VARCHAR), 1, 15) AS id FROM range(2700000) t(i) ORDER BY era, id) "
             "TO '%s' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1048576)", feats, file);
  duckdb_result r;
  run(q, &r);
  duckdb_destroy_result(&r);
  free(q);
}

static uint64_t scan(const char *file) {
  snprintf(sql, sizeof sql, "SELECT sum(COLUMNS('^feature_'))::BIGINT FROM read_parquet('%s')", file);
  duckdb_result r;
  double w = wall(), c = cpu();
  run(sql, &r);
  double dw = wall() - w, dc = cpu() - c;
  uint64_t total = 0;
  idx_t k = duckdb_column_count(&r);
  duckdb_data_chunk ch = duckdb_fetch_chunk(r);
  for (idx_t j = 0; j < k; j++) total += ((int64_t *)duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, j)))[0];
  duckdb_destroy_data_chunk(&ch);
  duckdb_destroy_result(&r);
  printf("  scan         %6.2f s wall %6.2f s CPU\n", dw, dc);
  return total;
}

/** Rows in the file, from its metadata: the loader knows them before it copies, so the take allocates once. */
static size_t count_rows(const char *file) {
  snprintf(sql, sizeof sql, "SELECT sum(num_rows)::BIGINT FROM parquet_file_metadata('%s')", file);
  duckdb_result r;
  run(sql, &r);
  duckdb_data_chunk ch = duckdb_fetch_chunk(r);
  size_t n = (size_t)((int64_t *)duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 0)))[0];
  duckdb_destroy_data_chunk(&ch);
  duckdb_destroy_result(&r);
  return n;
}

static void take(const char *file, int streaming, int copy, uint64_t expect) {
  size_t cap = count_rows(file), n = 0, nulls = 0;
  snprintf(sql, sizeof sql, "SELECT COLUMNS('^feature_') FROM read_parquet('%s')", file);
  duckdb_result r;
  double w = wall(), c = cpu();
  if (streaming) {
    duckdb_prepared_statement st;
    duckdb_pending_result pr;
    if (duckdb_prepare(con, sql, &st) || duckdb_pending_prepared_streaming(st, &pr) || duckdb_execute_pending(pr, &r)) {
      fprintf(stderr, "take: the streaming query failed\n");
      exit(1);
    }
    duckdb_destroy_pending(&pr);
    duckdb_destroy_prepare(&st);
  } else {
    run(sql, &r);
  }
  idx_t k = duckdb_column_count(&r);
  uint8_t *out = malloc(cap * k);
  const int8_t **v = malloc(k * sizeof *v);
  for (;;) {
    duckdb_data_chunk ch = duckdb_fetch_chunk(r);
    if (!ch) break;
    idx_t m = duckdb_data_chunk_get_size(ch);
    if (m == 0) { duckdb_destroy_data_chunk(&ch); break; }
    if (n + m > cap) { fprintf(stderr, "take: more rows than the metadata says\n"); exit(1); }
    for (idx_t j = 0; j < k; j++) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(ch, j);
      v[j] = duckdb_vector_get_data(vec);
      nulls += duckdb_vector_get_validity(vec) != NULL;  // a chunk that may hold a null: the loader would check it
    }
    uint8_t *o = out + n * k;
    if (copy) {
      for (idx_t i0 = 0; i0 < m; i0 += 64) {
        idx_t i1 = i0 + 64 < m ? i0 + 64 : m;
        for (idx_t j = 0; j < k; j++) for (idx_t i = i0; i < i1; i++) o[i * k + j] = (uint8_t)v[j][i];
      }
    }
    n += m;
    duckdb_destroy_data_chunk(&ch);
  }
  double dw = wall() - w, dc = cpu() - c;
  uint64_t total = 0;
  if (copy) for (size_t i = 0; i < n * k; i++) total += out[i];
  printf("  %s %s %6.2f s wall %6.2f s CPU  (%zu rows x %llu features%s%s)\n", streaming ? "stream" : "result", copy ? "+ copy" : "      ",
         dw, dc, n, (unsigned long long)k, nulls ? ", chunks with a validity mask" : "",
         copy ? (total == expect ? ", sum equals the scan's" : ", SUM DIFFERS FROM THE SCAN") : "");
  duckdb_destroy_result(&r);
  free(out);
  free((void *)v);
}

int main(int argc, char **argv) {
  const char *file = argc > 1 ? argv[1] : "/tmp/take.parquet";
  int rounds = argc > 2 ? atoi(argv[2]) : 3;
  duckdb_database db;
  if (duckdb_open(NULL, &db) || duckdb_connect(db, &con)) { fprintf(stderr, "take: cannot open DuckDB\n"); return 1; }
  if (access(file, R_OK) != 0) { printf("writing %s\n", file); make(file); }
  for (int i = 0; i < rounds; i++) {
    printf("round %d\n", i + 1);
    uint64_t total = scan(file);
    take(file, 1, 1, total);
    take(file, 0, 1, total);
    take(file, 1, 0, total);
    take(file, 0, 0, total);
  }
  return 0;
}
