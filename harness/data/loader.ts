// Loads a Numerai directory into the in-memory Dataset through DuckDB. Two passes per file:
// a cheap one (era, id, file_row_number) that fixes every row's final position (loader-order.ts),
// then a streaming one that scatters features and targets straight into their place, so no
// second copy of the feature matrix is ever held.
import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FeatureMatrix } from '../contract.ts';
import { guard, openDuck, parquetSchema, requireFile, sqlIdent, sqlString } from '../duck.ts';
import { UserError } from '../errors.ts';
import { readFeaturesJson, resolveFeatureSet } from './features-json.ts';
import { requireColumns, requireFeatureColumns, requireNumericColumns, requireTargets } from './loader-check.ts';
import { forEachChunk, intColumn, scatterFloats } from './loader-chunks.ts';
import { scatterFeatures } from './loader-transpose.ts';
import { readOrder, scan } from './loader-order.ts';
import { fingerprintFor, requireDir, sourcesFor, type Source } from './loader-sources.ts';
import type { Dataset, LoadOptions } from './types.ts';

/** Largest block: one typed array stays below 2^31 bytes. */
const MAX_BLOCK_BYTES = 2 ** 31 - 1;
/** Numerai's convention for a missing integer feature: the middle bin. */
const FEATURE_FILL = 2;

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
    // every pass places rows by file_row_number, so DuckDB may hand chunks over in any order
    await con.run('SET preserve_insertion_order = false');
    const checked = await checkSources(con, sources, featureNames, opts);
    const order = await readOrder(con, sources);
    const nRows = order.ids.length;
    const x = allocFeatures(nRows, featureNames.length);
    const targets = opts.targets.map(() => new Float32Array(nRows).fill(NaN));
    let inRange = true;
    for (let s = 0; s < sources.length; s++) {
      const targetCols = sources[s].hasTargets ? opts.targets : [];
      inRange = (await readRows(con, sources[s], order.rowOf[s], featureNames, checked[s].rawBytes, targetCols, x, targets)) && inRange;
    }
    if (!inRange) throwFeatureRange(x, sources);
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

/** Streams one file's features and targets straight into their final rows; false if a feature byte is above 4. */
async function readRows(
  con: DuckDBConnection,
  s: Source,
  rowOf: Int32Array,
  features: string[],
  rawBytes: boolean,
  targetCols: string[],
  x: FeatureMatrix,
  targets: Float32Array[],
): Promise<boolean> {
  const nf = features.length;
  const cols = [
    'file_row_number::INTEGER',
    ...targetCols.map((t) => `${sqlIdent(t)}::FLOAT`),
    ...features.map((f) => (rawBytes ? sqlIdent(f) : `coalesce(${sqlIdent(f)}, ${FEATURE_FILL})::UTINYINT`)),
  ].join(', ');
  let inRange = true;
  try {
    await guard(s.file, async () => {
      const result = await con.stream(scan(s, cols));
      await forEachChunk(result, (chunk) => {
        const fr = intColumn(chunk, 0);
        const dest = new Int32Array(chunk.rowCount);
        for (let r = 0; r < dest.length; r++) dest[r] = rowOf[fr[r]];
        for (let t = 0; t < targetCols.length; t++) scatterFloats(chunk, 1 + t, dest, targets[t]);
        inRange = scatterFeatures(chunk, 1 + targetCols.length, nf, dest, x) && inRange;
      });
    });
    return inRange;
  } catch (e) {
    if (/Conversion Error/i.test((e as Error).message)) throw badFeatureValues(s.file, (e as Error).message.split('\n')[0]);
    throw e;
  }
}

function badFeatureValues(file: string, why: string): UserError {
  return new UserError(`feature values outside 0..4 in ${file}`, why, 'use Numerai integer feature files (v4.2 or later) or re-export features as integers 0..4');
}

/** Reports the first feature byte above 4 in row order, as a signed value (TINYINT files may hold negatives). */
function throwFeatureRange(x: FeatureMatrix, sources: Source[]): never {
  for (const block of x.blocks) {
    for (let i = 0; i < block.length; i++) {
      if (block[i] > 4) {
        const v = block[i] > 127 ? block[i] - 256 : block[i];
        throw badFeatureValues(sources.map((s) => s.file).join(' or '), `found the value ${v}`);
      }
    }
  }
  throw new Error('a feature byte above 4 was seen while loading but is not in the matrix');
}

/** Joins one split's benchmark file by id; rows without a benchmark row keep NaN. */
async function readBenchmarks(con: DuckDBConnection, s: Source, rowOf: Int32Array, names: string[], out: Float32Array[]): Promise<void> {
  const cols = names.map((n) => `b.${sqlIdent(n)}::FLOAT`).join(', ');
  const sql =
    `SELECT t.file_row_number::INTEGER, ${cols} FROM read_parquet(${sqlString(s.file)}, file_row_number = true) t ` +
    `JOIN read_parquet(${sqlString(s.benchFile)}) b ON t.id = b.id${s.dataType ? ` WHERE t.data_type = ${sqlString(s.dataType)}` : ''}`;
  await guard(s.benchFile, async () => {
    const result = await con.stream(sql);
    await forEachChunk(result, (chunk) => {
      const fr = intColumn(chunk, 0);
      const dest = new Int32Array(chunk.rowCount);
      for (let r = 0; r < dest.length; r++) dest[r] = rowOf[fr[r]];
      for (let c = 0; c < names.length; c++) scatterFloats(chunk, 1 + c, dest, out[c]);
    });
  });
}
