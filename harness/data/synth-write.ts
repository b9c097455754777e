// Writes simulated tables in Numerai's on-disk layout through DuckDB (appender, then COPY TO
// parquet), single-threaded so the same tables always give byte-identical files.
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck, sqlIdent, sqlString } from '../duck.ts';
import { BENCHMARK_SPECS, TARGET_SPECS, type SynthTables } from './synth-model.ts';

export interface Layout {
  featureNames: string[];
  featureSets: Record<string, string[]>;
  /** file target columns: "target" (alias of the first spec), then every spec */
  targetNames: string[];
  eraLabels: string[];
  /** eras [0, trainEras) are train, [trainEras, nEras) validation, nEras is live */
  trainEras: number;
}

type Part = 'train' | 'validation' | 'live';

/** Writes every parquet file, features.json included, into `dir` (which must exist). */
export async function writeTables(dir: string, t: SynthTables, layout: Layout): Promise<void> {
  const con = await openDuck(1);
  try {
    for (const part of ['train', 'validation', 'live'] as const) {
      const [from, to] = part === 'train' ? [0, layout.trainEras] : part === 'validation' ? [layout.trainEras, t.nEras] : [t.nEras, t.nEras + 1];
      await writeRows(con, path.join(dir, `${part}.parquet`), t, layout, part, from, to);
      await writeBenchmarks(con, path.join(dir, `${part}_benchmark_models.parquet`), t, layout, from, to);
    }
  } finally {
    con.closeSync();
  }
  const fj = { feature_sets: layout.featureSets, targets: layout.targetNames };
  fs.writeFileSync(path.join(dir, 'features.json'), JSON.stringify(fj, null, 1) + '\n');
}

/** Row positions of eras [from, to), each era's rows ordered by id as in Numerai's files. */
function rowsInOrder(t: SynthTables, from: number, to: number): number[] {
  const out: number[] = [];
  for (let e = from; e < to; e++) {
    const rows = Array.from({ length: t.rowsPerEra }, (_, i) => e * t.rowsPerEra + i);
    rows.sort((a, b) => (t.ids[a] < t.ids[b] ? -1 : 1));
    out.push(...rows);
  }
  return out;
}

async function copyOut(con: DuckDBConnection, table: string, file: string): Promise<void> {
  await con.run(`COPY ${sqlIdent(table)} TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`);
  await con.run(`DROP TABLE ${sqlIdent(table)}`);
}

async function writeRows(con: DuckDBConnection, file: string, t: SynthTables, layout: Layout, part: Part, from: number, to: number): Promise<void> {
  const withTargets = part !== 'live';
  const F = t.nFeatures;
  const cols = [
    'era VARCHAR',
    'data_type VARCHAR',
    ...layout.featureNames.map((f) => `${sqlIdent(f)} TINYINT`),
    ...(withTargets ? layout.targetNames.map((n) => `${sqlIdent(n)} FLOAT`) : []),
    'id VARCHAR',
  ];
  await con.run(`CREATE TABLE rows_out (${cols.join(', ')})`);
  const app = await con.createAppender('rows_out');
  // column 0 of the file targets is "target", an exact copy of the first spec's target
  const targetSource = withTargets ? [0, ...TARGET_SPECS.map((_, i) => i)] : [];
  for (const r of rowsInOrder(t, from, to)) {
    const era = Math.floor(r / t.rowsPerEra);
    app.appendVarchar(era === t.nEras ? 'X' : layout.eraLabels[era]);
    app.appendVarchar(part);
    for (let j = 0; j < F; j++) app.appendTinyInt(t.bins[r * F + j]);
    for (const s of targetSource) {
      const v = t.targets[s][r];
      if (Number.isNaN(v)) app.appendNull();
      else app.appendFloat(v);
    }
    app.appendVarchar(t.ids[r]);
    app.endRow();
  }
  app.closeSync();
  await copyOut(con, 'rows_out', file);
}

async function writeBenchmarks(con: DuckDBConnection, file: string, t: SynthTables, layout: Layout, from: number, to: number): Promise<void> {
  const cols = ['era VARCHAR', ...BENCHMARK_SPECS.map((b) => `${sqlIdent(b.name)} FLOAT`), 'id VARCHAR'];
  await con.run(`CREATE TABLE bench_out (${cols.join(', ')})`);
  const app = await con.createAppender('bench_out');
  for (const r of rowsInOrder(t, from, to)) {
    const era = Math.floor(r / t.rowsPerEra);
    app.appendVarchar(era === t.nEras ? 'X' : layout.eraLabels[era]);
    for (let b = 0; b < BENCHMARK_SPECS.length; b++) app.appendFloat(t.benchmarks[b][r]);
    app.appendVarchar(t.ids[r]);
    app.endRow();
  }
  app.closeSync();
  await copyOut(con, 'bench_out', file);
}
