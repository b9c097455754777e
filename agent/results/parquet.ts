// runs/<tag>/results.parquet: the results table with key/value file metadata, written through
// DuckDB to a temp file that is fsynced and renamed over the old one, so a kill at any moment
// leaves either the previous table or the new one — never a torn file.
import fs from 'node:fs';
import path from 'node:path';
import { BIGINT, DOUBLE, INTEGER, LIST, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import { guard, openDuck, parquetSchema, requireFile, sqlIdent, sqlString } from '../../harness/duck.ts';
import { UserError } from '../../harness/errors.ts';
import type { ResultRow } from './rows.ts';

/** Bumped when a column is renamed, retyped or removed (adding one keeps it). */
export const RESULTS_SCHEMA_VERSION = '1';

/** The file's key/value metadata; pyarrow shows it as schema.metadata (bytes keys and values). */
export interface ResultsMeta {
  tag: string;
  /** the run's resolved config snapshot as JSON */
  config: string;
  backend: string;
  data_fingerprint: string;
  notes: string;
  schema_version: string;
}

type Kind = 'int' | 'bigint' | 'double' | 'text' | 'ints';
const TYPES: Record<Kind, DuckDBType> = { int: INTEGER, bigint: BIGINT, double: DOUBLE, text: VARCHAR, ints: LIST(INTEGER) };

/** Columns in file order (the order, then the two leaderboard columns). */
export const RESULT_COLUMNS: readonly (readonly [keyof ResultRow, Kind])[] = [
  ['iteration', 'int'], ['ref', 'text'], ['status', 'text'], ['payout', 'double'], ['corr', 'double'],
  ['bmc', 'double'], ['fnc', 'double'], ['sharpe', 'double'], ['max_drawdown', 'double'], ['seeds', 'ints'],
  ['std', 'double'], ['category', 'text'], ['hypothesis', 'text'], ['input_tokens', 'bigint'],
  ['output_tokens', 'bigint'], ['cost_usd', 'double'], ['seconds', 'double'], ['bmc_last_200_eras', 'double'],
  ['corr_with_benchmark', 'double'],
];

const META_KEYS: readonly (keyof ResultsMeta)[] = ['tag', 'config', 'backend', 'data_fingerprint', 'notes', 'schema_version'];

/** Replaces `file` with `rows` and `meta` atomically (temp file, fsync, rename). */
export async function writeResultsParquet(file: string, rows: readonly ResultRow[], meta: ResultsMeta): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  const con = await openDuck(1);
  try {
    const cols = RESULT_COLUMNS.map(([name, kind]) => `${sqlIdent(name)} ${TYPES[kind].toString()}`).join(', ');
    await con.run(`CREATE TABLE results (${cols})`);
    const app = await con.createAppender('results');
    for (const row of rows) {
      for (const [name, kind] of RESULT_COLUMNS) append(app, kind, row[name]);
      app.endRow();
    }
    app.closeSync();
    const kv = META_KEYS.map((k) => `${k}: ${sqlString(meta[k])}`).join(', ');
    await con.run(`COPY results TO ${sqlString(tmp)} (FORMAT parquet, KV_METADATA {${kv}})`);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    con.closeSync();
  }
  const fd = fs.openSync(tmp, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

type Appender = Awaited<ReturnType<Awaited<ReturnType<typeof openDuck>>['createAppender']>>;

function append(app: Appender, kind: Kind, v: unknown): void {
  if (v === null || v === undefined) return app.appendNull();
  if (kind === 'int') return app.appendInteger(v as number);
  if (kind === 'bigint') return app.appendBigInt(BigInt(Math.round(v as number)));
  if (kind === 'double') return Number.isFinite(v) ? app.appendDouble(v as number) : app.appendNull();
  if (kind === 'ints') return app.appendList(v as number[], LIST(INTEGER));
  return app.appendVarchar(String(v));
}

/** Reads a results.parquet back: its rows and metadata; a file that is not one is a UserError. */
export async function readResultsParquet(file: string): Promise<{ rows: ResultRow[]; meta: Partial<ResultsMeta> }> {
  requireFile(file, 'results file', 'pass a run tag or the path of a runs/<tag>/results.parquet');
  const con = await openDuck(1);
  try {
    const schema = await parquetSchema(con, file);
    const missing = RESULT_COLUMNS.map(([n]) => n).filter((n) => !schema.has(n));
    if (missing.length) {
      throw new UserError(`${file} is not an autoresearch results table`, `it has no column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        'pass a run tag or the path of a runs/<tag>/results.parquet');
    }
    const select = RESULT_COLUMNS.map(([n]) => sqlIdent(n)).join(', ');
    const data = await guard(file, () => con.runAndReadAll(`SELECT ${select} FROM read_parquet(${sqlString(file)})`));
    const rows = data.getRowObjectsJson().map((o) => toRow(o as Record<string, unknown>));
    const kv = await guard(file, () => con.runAndReadAll(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${sqlString(file)})`));
    const meta: Partial<ResultsMeta> = {};
    for (const { k, v } of kv.getRowObjectsJson() as { k: string; v: string }[]) {
      if ((META_KEYS as readonly string[]).includes(k)) meta[k as keyof ResultsMeta] = v;
    }
    return { rows, meta };
  } finally {
    con.closeSync();
  }
}

function toRow(o: Record<string, unknown>): ResultRow {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of RESULT_COLUMNS) {
    const v = o[name];
    if (kind === 'ints') out[name] = Array.isArray(v) ? v.map(Number) : [];
    else if (kind === 'text') out[name] = v === null || v === undefined ? null : String(v);
    else out[name] = v === null || v === undefined ? null : Number(v);
  }
  out.input_tokens ??= 0;
  out.output_tokens ??= 0;
  out.cost_usd ??= 0;
  return out as unknown as ResultRow;
}
