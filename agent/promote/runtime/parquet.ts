// Reads Numerai parquet files through DuckDB into the contract's row shapes. Training rows are
// train.parquet plus the validation rows of validation.parquet, benchmarks joined by id, sorted by
// (numeric era, era, id) exactly as the harness that scored the candidate sorts them, because a
// train module's shuffles and batches depend on row order. Missing features are the middle bin.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk, type DuckDBResult } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { RuntimeError } from './errors.ts';
import { allocMatrix, type Matrix, type PredictRows, type TrainRows } from './rows.ts';

export interface TrainingRecipe { featureNames: string[]; targetNames: string[]; mainTarget: string; benchmark: string | null; holdoutEras: number }

export interface Training { rows: TrainRows; trainEras: string[]; holdoutEras: string[]; eraCount: number }

const FEATURE_FILL = 2;
const ERA_ORDER = 'TRY_CAST(era AS BIGINT) NULLS LAST, era';

/** The feature names of feature set `name` in `<dir>/features.json`. */
export function featureSet(dir: string, name: string): string[] {
  const file = path.join(dir, 'features.json');
  if (!fs.existsSync(file)) throw new RuntimeError(`features.json not found: ${file}`, 'a Numerai data directory holds features.json next to train.parquet', 'pass --data a Numerai data directory');
  const sets = (JSON.parse(fs.readFileSync(file, 'utf8')) as { feature_sets?: Record<string, string[]> }).feature_sets ?? {};
  const cols = sets[name];
  if (!Array.isArray(cols) || cols.length === 0) {
    throw new RuntimeError(`feature set "${name}" is not in ${file}`, `it defines: ${Object.keys(sets).join(', ') || 'no feature sets'}`, 'use the data directory the run was scored on');
  }
  return cols;
}

/** Loads every labelled row outside the last `holdoutEras` eras, in the harness's row order. */
export async function loadTraining(dir: string, r: TrainingRecipe): Promise<Training> {
  const con = await connect();
  try {
    const parts: string[] = [];
    for (const [split, where] of [['train', ''], ['validation', ` WHERE t.data_type = 'validation'`]] as const) {
      const file = requireFile(path.join(dir, `${split}.parquet`));
      await requireColumns(con, file, ['era', 'id', ...(where ? ['data_type'] : []), ...r.featureNames, ...r.targetNames], 'the run was scored on');
      const feats = r.featureNames.map((f) => `coalesce(t.${ident(f)}, ${FEATURE_FILL})::UTINYINT`);
      const targets = r.targetNames.map((t) => `coalesce(t.${ident(t)}::FLOAT, 'NaN'::FLOAT)`);
      let join = '';
      let bench = `'NaN'::FLOAT`;
      if (r.benchmark) {
        const bfile = requireFile(path.join(dir, `${split}_benchmark_models.parquet`));
        await requireColumns(con, bfile, ['id', r.benchmark], 'the run was scored with');
        join = ` LEFT JOIN read_parquet(${str(bfile)}) b ON t.id = b.id`;
        bench = `coalesce(b.${ident(r.benchmark)}::FLOAT, 'NaN'::FLOAT)`;
      }
      parts.push(`SELECT t.era::VARCHAR AS era, t.id::VARCHAR AS id, ${[...feats, ...targets, bench].join(', ')} FROM read_parquet(${str(file)}) t${join}${where}`);
    }
    await con.run(`CREATE TEMP VIEW src AS ${parts.join(' UNION ALL ')}`);
    const counts = (await con.runAndReadAll(`SELECT era, count(*)::BIGINT AS n FROM src GROUP BY era ORDER BY ${ERA_ORDER}`)).getRows()
      .map(([era, n]) => ({ era: String(era), n: Number(n) }));
    if (counts.length <= r.holdoutEras) {
      throw new RuntimeError(`only ${counts.length} labelled eras in ${dir}`, `the last ${r.holdoutEras} eras are held out, as in the run, so none would be left to train on`, 'use the full Numerai data directory');
    }
    const numbers = counts.map((c, i) => (/^\d+$/.test(c.era) ? Number.parseInt(c.era, 10) : i + 1));
    const keep = counts.slice(0, counts.length - r.holdoutEras);
    const nRows = keep.reduce((s, c) => s + c.n, 0);
    const rows: TrainRows = {
      nRows, featureNames: r.featureNames, x: allocMatrix(nRows, r.featureNames.length), eras: new Int32Array(nRows),
      targetNames: r.targetNames, targets: Object.fromEntries(r.targetNames.map((t) => [t, new Float32Array(nRows)])),
      mainTarget: r.mainTarget, benchmark: r.benchmark ? new Float32Array(nRows) : null,
    };
    let at = 0;
    keep.forEach((c, i) => { rows.eras.fill(numbers[i], at, at + c.n); at += c.n; });
    const eraList = keep.map((c) => str(c.era)).join(', ');
    const result = await guardRange(dir, () => con.stream(`SELECT * EXCLUDE (era, id) FROM src WHERE era IN (${eraList}) ORDER BY ${ERA_ORDER}, id`));
    const floats = [...r.targetNames.map((t) => rows.targets[t]), rows.benchmark];
    await readChunks(result, r.featureNames.length, rows.x, (chunk, start) => {
      floats.forEach((dest, k) => { if (dest) copyFloats(chunk, r.featureNames.length + k, dest, start); });
    });
    return { rows, trainEras: keep.map((c) => c.era), holdoutEras: counts.slice(keep.length).map((c) => c.era), eraCount: counts.length };
  } finally {
    con.closeSync();
  }
}

/** Loads the live file in file order: ids and the model's features (missing features are named). */
export async function loadLive(file: string, featureNames: string[], eraCount: number): Promise<{ ids: string[]; rows: PredictRows }> {
  requireFile(file);
  const con = await connect();
  try {
    const schema = await columns(con, file);
    await requireColumns(con, file, ['id', ...featureNames], 'the model was trained on', 'pass the live file of the same Numerai dataset version the model was trained on');
    const era = schema.has('era') ? 'era::VARCHAR' : `'X'`;
    const feats = featureNames.map((f) => `coalesce(${ident(f)}, ${FEATURE_FILL})::UTINYINT`);
    const sql = `SELECT ${feats.join(', ')}, id::VARCHAR, ${era} FROM read_parquet(${str(file)}, file_row_number = true) ORDER BY file_row_number`;
    const ids: string[] = [];
    const eraLabels: string[] = [];
    const n = Number((await con.runAndReadAll(`SELECT count(*)::BIGINT FROM read_parquet(${str(file)})`)).getRows()[0][0]);
    const x = allocMatrix(n, featureNames.length);
    await readChunks(await guardRange(file, () => con.stream(sql)), featureNames.length, x, (chunk) => {
      const idv = chunk.getColumnVector(featureNames.length);
      const erav = chunk.getColumnVector(featureNames.length + 1);
      for (let i = 0; i < chunk.rowCount; i++) {
        const id = idv.getItem(i);
        if (id === null) throw new RuntimeError(`a row of ${file} has no id`, 'every live row needs an id for the submission', 're-download the live file');
        ids.push(String(id));
        eraLabels.push(String(erav.getItem(i)));
      }
    });
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) throw new RuntimeError(`${file} repeats the id ${id}`, 'a submission has one prediction per id', 're-download the live file');
      seen.add(id);
    }
    const eras = Int32Array.from(eraLabels, (e) => (/^\d+$/.test(e) ? Number.parseInt(e, 10) : eraCount + 1));
    return { ids, rows: { nRows: n, featureNames, x, eras } };
  } finally {
    con.closeSync();
  }
}

async function connect(): Promise<DuckDBConnection> {
  return (await DuckDBInstance.create(':memory:')).connect();
}

async function columns(con: DuckDBConnection, file: string): Promise<Set<string>> {
  try {
    const rows = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${str(file)})`)).getRowObjects();
    return new Set(rows.map((r) => String(r.column_name)));
  } catch (e) {
    throw new RuntimeError(`cannot read parquet file ${file}`, `DuckDB says: ${(e as Error).message.split('\n')[0]}`, 'check that the file is a complete parquet file');
  }
}

async function requireColumns(con: DuckDBConnection, file: string, wanted: string[], role: string, fix = 'pass --data the Numerai data directory the run was scored on'): Promise<void> {
  const have = await columns(con, file);
  const missing = wanted.filter((c) => !have.has(c));
  if (missing.length === 0) return;
  const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? `, ... (${missing.length} in all)` : '');
  throw new RuntimeError(`${file} lacks ${missing.length} column(s) ${role}: ${shown}`, 'the predictor needs every one of them', fix);
}

function requireFile(file: string): string {
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new RuntimeError(`file not found: ${file}`, 'the predictor reads Numerai parquet files', 'check the path (train needs train.parquet, validation.parquet and features.json)');
  }
  return file;
}

async function guardRange<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    if (/Conversion Error/i.test(msg)) throw new RuntimeError(`feature values outside 0..4 in ${where}`, msg, 'use Numerai integer feature files (v4.2 or later)');
    throw e;
  }
}

/** Streams chunks; the first `width` columns are features (bytes), copied into `x` row after row. */
async function readChunks(result: DuckDBResult, width: number, x: Matrix, rest: (chunk: DuckDBDataChunk, start: number) => void): Promise<void> {
  let row = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    const n = chunk.rowCount;
    for (let j = 0; j < width; j++) {
      const col = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk.chunk, j), n);
      for (let i = 0; i < n; i++) {
        const v = col[i];
        if (v > 4) throw new RuntimeError(`feature value ${v} outside 0..4 in column ${j}`, 'Numerai features are integers 0..4', 'use Numerai integer feature files (v4.2 or later)');
        const r = row + i;
        const b = Math.floor(r / x.rowsPerBlock);
        x.blocks[b][(r - b * x.rowsPerBlock) * width + j] = v;
      }
    }
    rest(chunk, row);
    row += n;
  }
}

/** Copies a FLOAT column without nulls (coalesced to NaN in SQL) into dest[start...]. */
function copyFloats(chunk: DuckDBDataChunk, column: number, dest: Float32Array, start: number): void {
  const bytes = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk.chunk, column), chunk.rowCount * 4);
  new Uint8Array(dest.buffer, dest.byteOffset + start * 4, chunk.rowCount * 4).set(bytes);
}

function str(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}
