// One place that talks to DuckDB: an in-memory connection, SQL quoting, and mapping
// unreadable-parquet failures to UserErrors that say which file and how to fix it.
import fs from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { UserError } from './errors.ts';

/** Opens an in-memory DuckDB connection; `threads` caps DuckDB's worker threads. */
export async function openDuck(threads?: number): Promise<DuckDBConnection> {
  const opts: Record<string, string> = {};
  if (threads) opts.threads = String(threads);
  const inst = await DuckDBInstance.create(':memory:', opts);
  return inst.connect();
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A SQL identifier. */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** Throws a UserError unless `path` is an existing regular file. */
export function requireFile(path: string, what: string, fix: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch {
    throw new UserError(`${what} not found: ${path}`, 'the file does not exist', fix);
  }
  if (!st.isFile()) throw new UserError(`${what} is not a file: ${path}`, 'a directory or special file is in its place', fix);
}

/** Column names and DuckDB types of a parquet file; a corrupt file becomes a UserError. */
export async function parquetSchema(con: DuckDBConnection, path: string): Promise<Map<string, string>> {
  const reader = await guard(path, () => con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`));
  const out = new Map<string, string>();
  for (const row of reader.getRowObjects()) out.set(String(row.column_name), String(row.column_type));
  return out;
}

/** Runs `fn`, turning DuckDB's parquet read errors into a UserError naming the file. */
export async function guard<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    // a Binder Error means the query named a column the file lacks: the file is readable, its columns are wrong
    if (/^Binder Error/.test(msg)) {
      const col = /(?:Referenced column|Alias with name) "([^"]+)"/.exec(msg)?.[1];
      throw new UserError(
        col ? `column "${col}" is missing from ${path}` : `the columns of ${path} do not fit this command`,
        `the file is readable, but a column this command needs is missing or of another type (DuckDB says: ${msg.split('\n')[0]})`,
        'use a Numerai file (era, id, feature_* and target columns) or re-export this one with them',
      );
    }
    if (/parquet|magic|Invalid Input Error|IO Error|corrupt|No files found/i.test(msg)) {
      throw new UserError(
        `cannot read parquet file ${path}`,
        `DuckDB says: ${msg.split('\n')[0]}`,
        'check that the file is a complete parquet file (re-download or re-export it)',
      );
    }
    throw e;
  }
}
