// Reads a predictions file (CSV or parquet) through DuckDB into typed arrays for per-era scoring.
// CSV is read as text and every numeric column is checked, so "abc" is an error, never a silent NULL.
import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { guard, openDuck, requireFile, sqlIdent, sqlString } from './duck.ts';
import { UserError } from './errors.ts';

export interface PredFileSpec {
  path: string;
  pred: string;
  target: string;
  benchmark?: string;
  /** default "era" */
  era?: string;
  /** default: "id" when the file has it */
  id?: string;
  /** feature columns are those whose name starts with this */
  featurePrefix?: string;
}

export interface PredFile {
  format: 'csv' | 'parquet';
  nRows: number;
  columns: string[];
  /** NaN = missing */
  pred: Float64Array;
  target: Float64Array;
  benchmark?: Float64Array;
  /** per row, an index into eraNames */
  eraIndex: Int32Array;
  /** sorted numerically */
  eraNames: string[];
  ids?: string[];
  featureNames: string[];
  /** one array per feature, never NaN */
  features: Float64Array[];
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const FIX_COLUMNS = 'pass the right column names with --pred, --target, --benchmark, --era, --id, --features';

function isParquet(path: string): boolean {
  const fd = fs.openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    return fs.readSync(fd, head, 0, 4, 0) === 4 && head.toString('latin1') === 'PAR1';
  } finally {
    fs.closeSync(fd);
  }
}

function describeColumns(columns: string[]): string {
  const shown = columns.slice(0, 25).join(', ');
  return columns.length > 25 ? `${shown}, … (${columns.length} columns)` : shown;
}

/** Opens the file as table `src` with a 1-based `__row` column in file order; returns name → type. */
async function openSource(con: DuckDBConnection, path: string, format: 'csv' | 'parquet'): Promise<Map<string, string>> {
  if (format === 'parquet') {
    await guard(path, () => con.run(`CREATE VIEW src AS SELECT row_number() OVER () AS __row, * FROM read_parquet(${sqlString(path)})`));
  } else {
    try {
      await con.run(
        `CREATE TABLE src AS SELECT row_number() OVER () AS __row, * FROM read_csv(${sqlString(path)}, header = true, all_varchar = true)`,
      );
    } catch (e) {
      throw new UserError(
        `cannot read CSV file ${path}`,
        `DuckDB says: ${((e as Error).message ?? String(e)).split('\n')[0]}`,
        'check that the file is a CSV with a header row (or a parquet file)',
      );
    }
  }
  const reader = await con.runAndReadAll('DESCRIBE src');
  const types = new Map<string, string>();
  for (const row of reader.getRowObjects()) if (row.column_name !== '__row') types.set(String(row.column_name), String(row.column_type));
  return types;
}

/** A SQL expression reading `col` as DOUBLE, NULL when missing (empty text counts as missing). */
function numericExpr(col: string, type: string): string {
  return type === 'VARCHAR' ? `TRY_CAST(NULLIF(trim(${sqlIdent(col)}), '') AS DOUBLE)` : `CAST(${sqlIdent(col)} AS DOUBLE)`;
}

async function checkNumeric(con: DuckDBConnection, path: string, col: string, type: string): Promise<void> {
  if (NUMERIC.test(type)) return;
  if (type !== 'VARCHAR') {
    throw new UserError(`column "${col}" of ${path} has type ${type}`, 'scores need numbers', 'point the option at a numeric column');
  }
  const bad = await con.runAndReadAll(
    `SELECT __row, ${sqlIdent(col)} AS v FROM src WHERE NULLIF(trim(${sqlIdent(col)}), '') IS NOT NULL AND ${numericExpr(col, type)} IS NULL ORDER BY __row LIMIT 1`,
  );
  const rows = bad.getRowObjects();
  if (rows.length > 0) {
    throw new UserError(
      `column "${col}" of ${path} has a non-numeric value`,
      `data row ${rows[0].__row} holds ${JSON.stringify(rows[0].v)}`,
      'leave missing values empty (or NaN) and write numbers with a "." decimal point',
    );
  }
}

function requireColumn(types: Map<string, string>, path: string, col: string, option: string): void {
  if (!types.has(col)) {
    throw new UserError(`column "${col}" (${option}) not found in ${path}`, `the file has columns: ${describeColumns([...types.keys()])}`, FIX_COLUMNS);
  }
}

const INTEGER = /^-?\d+$/;

/** Era labels sorted numerically (lexically when not all integers) and each row's index into them. */
function indexEras(raw: string[]): { eraIndex: Int32Array; eraNames: string[] } {
  const names = [...new Set(raw)];
  const numeric = names.every((e) => INTEGER.test(e));
  names.sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
  const at = new Map(names.map((e, i) => [e, i]));
  return { eraIndex: Int32Array.from(raw, (e) => at.get(e)!), eraNames: names };
}

/** Reads the columns a `score` run needs; every problem with the file becomes a UserError. */
export async function readPredFile(spec: PredFileSpec): Promise<PredFile> {
  const { path } = spec;
  requireFile(path, 'predictions file', 'check the path of the predictions file');
  if (fs.statSync(path).size === 0) throw new UserError(`predictions file ${path} is empty`, 'it has no header and no rows', 'write the predictions again');
  const format = isParquet(path) ? 'parquet' : 'csv';
  const con = await openDuck();
  try {
    const types = await openSource(con, path, format);
    const eraCol = spec.era ?? 'era';
    const idCol = spec.id ?? (types.has('id') ? 'id' : undefined);
    const numericCols: [string, string][] = [[spec.pred, '--pred'], [spec.target, '--target']];
    if (spec.benchmark !== undefined) numericCols.push([spec.benchmark, '--benchmark']);
    for (const [col, option] of numericCols) requireColumn(types, path, col, option);
    requireColumn(types, path, eraCol, '--era');
    if (idCol !== undefined) requireColumn(types, path, idCol, '--id');
    const featureNames = spec.featurePrefix === undefined ? [] : [...types.keys()].filter((c) => c.startsWith(spec.featurePrefix!));
    if (spec.featurePrefix !== undefined && featureNames.length === 0) {
      throw new UserError(`no column of ${path} starts with "${spec.featurePrefix}" (--features)`, `the file has columns: ${describeColumns([...types.keys()])}`, FIX_COLUMNS);
    }
    for (const col of [...numericCols.map(([c]) => c), ...featureNames]) await checkNumeric(con, path, col, types.get(col)!);
    if (idCol !== undefined) {
      const dup = (await con.runAndReadAll(`SELECT ${sqlIdent(idCol)} AS v FROM src WHERE ${sqlIdent(idCol)} IS NOT NULL GROUP BY 1 HAVING count(*) > 1 LIMIT 1`)).getRowObjects();
      if (dup.length > 0) throw new UserError(`id ${JSON.stringify(String(dup[0].v))} appears more than once in ${path}`, 'each row must be a distinct id', 'remove the duplicated rows');
    }
    return await readColumns(con, spec, { path, format, types, eraCol, idCol, featureNames });
  } finally {
    con.closeSync();
  }
}

interface ReadPlan {
  path: string;
  format: 'csv' | 'parquet';
  types: Map<string, string>;
  eraCol: string;
  idCol?: string;
  featureNames: string[];
}

async function readColumns(con: DuckDBConnection, spec: PredFileSpec, plan: ReadPlan): Promise<PredFile> {
  const { path, types, eraCol, idCol, featureNames } = plan;
  const nRows = Number((await con.runAndReadAll('SELECT count(*) AS n FROM src')).getRowObjects()[0].n);
  if (nRows === 0) throw new UserError(`predictions file ${path} has no rows`, 'only a header was found', 'write the predictions again');
  const numeric = [spec.pred, spec.target, ...(spec.benchmark !== undefined ? [spec.benchmark] : []), ...featureNames];
  const select = [
    `CAST(${sqlIdent(eraCol)} AS VARCHAR)`,
    idCol !== undefined ? `CAST(${sqlIdent(idCol)} AS VARCHAR)` : 'NULL',
    ...numeric.map((c) => numericExpr(c, types.get(c)!)),
  ];
  const out = numeric.map(() => new Float64Array(nRows));
  const eras: string[] = new Array(nRows);
  const ids: string[] | undefined = idCol !== undefined ? new Array(nRows) : undefined;
  const result = await con.stream(`SELECT ${select.join(', ')} FROM src ORDER BY __row`);
  let row = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const n = chunk.rowCount;
    const eraVec = chunk.getColumnVector(0);
    for (let i = 0; i < n; i++) {
      const e = eraVec.getItem(i);
      if (e === null) throw new UserError(`column "${eraCol}" of ${path} is empty at data row ${row + i + 1}`, 'every row needs an era', 'fill in the era or drop the row');
      eras[row + i] = String(e);
    }
    if (ids) {
      const idVec = chunk.getColumnVector(1);
      for (let i = 0; i < n; i++) ids[row + i] = String(idVec.getItem(i));
    }
    for (let j = 0; j < numeric.length; j++) {
      const vec = chunk.getColumnVector(j + 2);
      const dst = out[j];
      const isFeature = j >= numeric.length - featureNames.length;
      for (let i = 0; i < n; i++) {
        const v = vec.getItem(i) as number | null;
        if (v === null && isFeature) {
          throw new UserError(`feature column "${numeric[j]}" of ${path} is missing a value at data row ${row + i + 1}`, 'feature neutralisation needs every feature value', 'fill the missing feature values or score without --features');
        }
        dst[row + i] = v === null ? NaN : v;
      }
    }
    row += n;
  }
  const benchmark = spec.benchmark !== undefined ? out[2] : undefined;
  if (benchmark && benchmark.every((v) => v !== v)) {
    throw new UserError(`benchmark column "${spec.benchmark}" of ${path} has no values`, 'every row is missing', 'point --benchmark at a filled column');
  }
  return {
    format: plan.format,
    nRows,
    columns: [...types.keys()],
    pred: out[0],
    target: out[1],
    benchmark,
    ...indexEras(eras),
    ids,
    featureNames,
    features: out.slice(out.length - featureNames.length),
  };
}
