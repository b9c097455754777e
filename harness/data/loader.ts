// Loads a Numerai directory into the in-memory Dataset through DuckDB. Two passes per file:
// a cheap one (era, id, file_row_number) that DuckDB sorts to fix every row's final position,
// then a streaming one that scatters features and targets straight into their place, so no
// second copy of the feature matrix is ever held.
import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FeatureMatrix } from '../contract.ts';
import { guard, openDuck, parquetSchema, requireFile, sqlIdent, sqlString } from '../duck.ts';
import { UserError } from '../errors.ts';
import { readFeaturesJson, resolveFeatureSet } from './features-json.ts';
import { requireColumns, requireFeatureColumns, requireNumericColumns, requireTargets } from './loader-check.ts';
import { forEachChunk, numberColumn, scatterFeatures, stringColumn } from './loader-chunks.ts';
import { fingerprintFor, requireDir, sourcesFor, type Source } from './loader-sources.ts';
import type { Dataset, LoadOptions } from './types.ts';

/** Largest block: one typed array stays below 2^31 bytes. */
const MAX_BLOCK_BYTES = 2 ** 31 - 1;
/** Numerai's convention for a missing integer feature: the middle bin. */
const FEATURE_FILL = 2;

interface Order {
  ids: string[];
  eraIndex: Int32Array;
  eraNames: string[];
  split: Uint8Array;
  /** final row of each (source, file_row_number); -1 for rows filtered out */
  rowOf: Int32Array[];
}

/** Validates load options up front, before any file is touched. */
export function checkLoadOptions(opts: LoadOptions): void {
  const bad = (what: string, fix: string) => new UserError(`invalid load options: ${what}`, 'the data section of the config is inconsistent', fix);
  if (typeof opts.featureSet !== 'string' || opts.featureSet === '') throw bad('expected a feature set name, got ""', 'set a feature set such as "small"');
  if (!Array.isArray(opts.targets) || opts.targets.length === 0) throw bad('expected at least one target, got none', 'list the main target first, e.g. ["target"]');
  for (const [what, list] of [['target', opts.targets], ['benchmark', opts.benchmarks]] as const) {
    const seen = new Set<string>();
    for (const n of list) {
      if (seen.has(n)) throw bad(`${what} "${n}" is listed twice`, `list each ${what} once`);
      seen.add(n);
    }
  }
}

/** Loads the requested columns of a Numerai directory, rows sorted by (numeric era, id). */
export async function loadNumerai(dir: string, opts: LoadOptions): Promise<Dataset> {
  checkLoadOptions(opts);
  requireDir(dir);
  const fj = readFeaturesJson(dir);
  const featureNames = resolveFeatureSet(fj, opts.featureSet);
  const fingerprint = fingerprintFor(dir, opts);
  const sources = sourcesFor(dir, opts);
  const con = await openDuck();
  try {
    const checked = await checkSources(con, sources, featureNames, opts);
    const order = await readOrder(con, sources);
    const nRows = order.ids.length;
    const x = allocFeatures(nRows, featureNames.length);
    const targets = opts.targets.map(() => new Float32Array(nRows).fill(NaN));
    for (let s = 0; s < sources.length; s++) {
      const targetCols = sources[s].hasTargets ? opts.targets : [];
      await readRows(con, sources[s], order.rowOf[s], featureNames, checked[s].rawBytes, targetCols, x, targets);
    }
    checkFeatureRange(x, sources);
    const benchmarks = opts.benchmarks.map(() => new Float32Array(nRows).fill(NaN));
    for (let s = 0; s < sources.length; s++) {
      if (checked[s].bench) await readBenchmarks(con, sources[s], order.rowOf[s], opts.benchmarks, benchmarks);
    }
    return {
      nRows,
      ids: order.ids,
      eraIndex: order.eraIndex,
      eraNames: order.eraNames,
      split: order.split,
      featureNames,
      x,
      targetNames: [...opts.targets],
      targets,
      benchmarkNames: [...opts.benchmarks],
      benchmarks,
      featureSets: fj.featureSets,
      meta: { dir, featureSet: opts.featureSet, fingerprint },
    };
  } finally {
    con.closeSync();
  }
}

interface Checked {
  /** the split's benchmark file is read */
  bench: boolean;
  /** every feature column is a 1-byte integer without nulls, so its bytes are read as they are */
  rawBytes: boolean;
}

/** Checks every file and column before reading data. */
async function checkSources(con: DuckDBConnection, sources: Source[], features: string[], opts: LoadOptions): Promise<Checked[]> {
  const out: Checked[] = [];
  for (const s of sources) {
    requireFile(s.file, 'parquet file', 'download the Numerai dataset into this directory, or disable the split in the config');
    const schema = await parquetSchema(con, s.file);
    requireColumns(s.file, schema, s.dataType ? ['era', 'id', 'data_type'] : ['era', 'id'], 'key');
    requireFeatureColumns(s.file, schema, features);
    if (s.hasTargets) requireTargets(s.file, schema, opts.targets);
    const bench = opts.benchmarks.length > 0 && (s.benchRequired || existsFile(s.benchFile));
    if (bench) {
      requireFile(s.benchFile, 'benchmark file', 'download the benchmark models file, or remove the benchmarks from the config');
      const bschema = await parquetSchema(con, s.benchFile);
      requireColumns(s.benchFile, bschema, ['id'], 'key');
      requireNumericColumns(s.benchFile, bschema, opts.benchmarks, 'benchmark');
    }
    const oneByte = features.every((f) => schema.get(f) === 'TINYINT' || schema.get(f) === 'UTINYINT');
    out.push({ bench, rawBytes: oneByte && (await featuresNullFree(con, s.file, features)) });
  }
  return out;
}

/** True when the parquet statistics prove that no feature column holds a null. */
async function featuresNullFree(con: DuckDBConnection, file: string, features: string[]): Promise<boolean> {
  const sql = `SELECT path_in_schema AS col, bool_and(stats_null_count IS NOT NULL AND stats_null_count = 0) AS ok FROM parquet_metadata(${sqlString(file)}) GROUP BY 1`;
  const reader = await guard(file, () => con.runAndReadAll(sql));
  const ok = new Map(reader.getRowObjects().map((r) => [String(r.col), r.ok === true]));
  return features.every((f) => ok.get(f) === true);
}

function existsFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

function whereOf(s: Source, alias = ''): string {
  return s.dataType ? ` WHERE ${alias}data_type = ${sqlString(s.dataType)}` : '';
}

function scan(s: Source, cols: string): string {
  return `SELECT ${cols} FROM read_parquet(${sqlString(s.file)}, file_row_number = true)${whereOf(s)}`;
}

/**
 * Sorts all rows by (numeric era, era, id) in DuckDB and maps every file row to its final
 * position. Eras come back as small integers (a join against the sorted distinct eras), so the
 * only per-row string read is the id.
 */
async function readOrder(con: DuckDBConnection, sources: Source[]): Promise<Order> {
  const parts = sources.map((s, i) => scan(s, `${i} AS src, file_row_number::INTEGER AS fr, era::VARCHAR AS era, id::VARCHAR AS id`));
  const files = sources.map((s) => s.file).join(', ');
  const srcs: number[] = [];
  const frs: number[] = [];
  const ids: string[] = [];
  const eraIndex: number[] = [];
  let eraNames: string[] = [];
  await guard(files, async () => {
    await con.run(`CREATE OR REPLACE TEMP TABLE load_rows AS ${parts.join(' UNION ALL ')}`);
    await con.run(
      'CREATE OR REPLACE TEMP TABLE load_eras AS SELECT era, (row_number() OVER (ORDER BY TRY_CAST(era AS BIGINT) NULLS LAST, era) - 1)::INTEGER AS ei ' +
        'FROM (SELECT DISTINCT era FROM load_rows WHERE era IS NOT NULL)',
    );
    const eras = await con.runAndReadAll('SELECT era FROM load_eras ORDER BY ei');
    eraNames = eras.getRowObjects().map((r) => String(r.era));
    const result = await con.stream('SELECT src, fr, ei, id FROM load_rows LEFT JOIN load_eras USING (era) ORDER BY ei NULLS FIRST, id NULLS FIRST');
    await forEachChunk(result, (chunk) => {
      const src = numberColumn(chunk, 0);
      const fr = numberColumn(chunk, 1);
      const ei = numberColumn(chunk, 2);
      const id = stringColumn(chunk, 3);
      for (let r = 0; r < chunk.rowCount; r++) {
        const i = id[r];
        if (Number.isNaN(ei[r]) || i === null) {
          const file = sources[src[r]].file;
          throw new UserError(`a row of ${file} has no ${i === null ? 'id' : 'era'}`, 'every Numerai row has an era and an id', 're-download or re-export the file');
        }
        srcs.push(src[r]);
        frs.push(fr[r]);
        ids.push(i);
        eraIndex.push(ei[r]);
      }
    });
    await con.run('DROP TABLE load_rows; DROP TABLE load_eras');
  });
  const rowOf = sources.map(() => new Int32Array(0));
  const maxFr = sources.map(() => -1);
  for (let r = 0; r < srcs.length; r++) if (frs[r] > maxFr[srcs[r]]) maxFr[srcs[r]] = frs[r];
  for (let s = 0; s < sources.length; s++) rowOf[s] = new Int32Array(maxFr[s] + 1).fill(-1);
  const split = new Uint8Array(srcs.length);
  for (let r = 0; r < srcs.length; r++) {
    rowOf[srcs[r]][frs[r]] = r;
    split[r] = sources[srcs[r]].split;
  }
  return { ids, eraIndex: Int32Array.from(eraIndex), eraNames, split, rowOf };
}

/** Rows per feature block so that one block stays below 2^31 bytes (2.7M x 2,400 → 4 blocks). */
export function rowsPerBlockFor(nRows: number, nFeatures: number): number {
  return Math.max(1, Math.min(nRows, Math.floor(MAX_BLOCK_BYTES / nFeatures)));
}

function allocFeatures(nRows: number, nFeatures: number): FeatureMatrix {
  const rowsPerBlock = rowsPerBlockFor(nRows, nFeatures);
  const blocks: Uint8Array[] = [];
  for (let start = 0; start < nRows; start += rowsPerBlock) blocks.push(new Uint8Array(Math.min(rowsPerBlock, nRows - start) * nFeatures));
  if (blocks.length === 0) blocks.push(new Uint8Array(0));
  return { nRows, nFeatures, rowsPerBlock, blocks };
}

/** Streams one file's features and targets straight into their final rows. */
async function readRows(
  con: DuckDBConnection,
  s: Source,
  rowOf: Int32Array,
  features: string[],
  rawBytes: boolean,
  targetCols: string[],
  x: FeatureMatrix,
  targets: Float32Array[],
): Promise<void> {
  const nf = features.length;
  const cols = [
    'file_row_number::INTEGER',
    ...targetCols.map((t) => `${sqlIdent(t)}::FLOAT`),
    ...features.map((f) => (rawBytes ? sqlIdent(f) : `coalesce(${sqlIdent(f)}, ${FEATURE_FILL})::UTINYINT`)),
  ].join(', ');
  try {
    await guard(s.file, async () => {
      const result = await con.stream(scan(s, cols));
      await forEachChunk(result, (chunk) => {
        const fr = numberColumn(chunk, 0);
        const dest = new Int32Array(chunk.rowCount);
        for (let r = 0; r < dest.length; r++) dest[r] = rowOf[fr[r]];
        for (let t = 0; t < targetCols.length; t++) {
          const v = numberColumn(chunk, 1 + t);
          for (let r = 0; r < dest.length; r++) targets[t][dest[r]] = v[r];
        }
        scatterFeatures(chunk, 1 + targetCols.length, nf, dest, x);
      });
    });
  } catch (e) {
    if (/Conversion Error/i.test((e as Error).message)) throw badFeatureValues(s.file, (e as Error).message.split('\n')[0]);
    throw e;
  }
}

function badFeatureValues(file: string, why: string): UserError {
  return new UserError(`feature values outside 0..4 in ${file}`, why, 'use Numerai integer feature files (v4.2 or later) or re-export features as integers 0..4');
}

function checkFeatureRange(x: FeatureMatrix, sources: Source[]): void {
  for (const block of x.blocks) {
    for (let i = 0; i < block.length; i++) {
      if (block[i] > 4) {
        const v = block[i] > 127 ? block[i] - 256 : block[i];
        throw badFeatureValues(sources.map((s) => s.file).join(' or '), `found the value ${v}`);
      }
    }
  }
}

/** Joins one split's benchmark file by id; rows without a benchmark row keep NaN. */
async function readBenchmarks(con: DuckDBConnection, s: Source, rowOf: Int32Array, names: string[], out: Float32Array[]): Promise<void> {
  const cols = names.map((n) => `b.${sqlIdent(n)}::FLOAT`).join(', ');
  const sql =
    `SELECT t.file_row_number::INTEGER, ${cols} FROM read_parquet(${sqlString(s.file)}, file_row_number = true) t ` +
    `JOIN read_parquet(${sqlString(s.benchFile)}) b ON t.id = b.id${whereOf(s, 't.')}`;
  await guard(s.benchFile, async () => {
    const result = await con.stream(sql);
    await forEachChunk(result, (chunk) => {
      const fr = numberColumn(chunk, 0);
      const vals = names.map((_, c) => numberColumn(chunk, 1 + c));
      for (let r = 0; r < chunk.rowCount; r++) {
        const d = rowOf[fr[r]];
        for (let c = 0; c < names.length; c++) out[c][d] = vals[c][r];
      }
    });
  });
}
