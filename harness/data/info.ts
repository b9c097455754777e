// A summary of a Numerai directory from cheap DuckDB queries (schemas and era counts only,
// never the feature matrix), for `autoresearch data info` and config checks.
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { guard, openDuck, parquetSchema, sqlString } from '../duck.ts';
import { readFeaturesJson } from './features-json.ts';
import { requireDir } from './loader-sources.ts';
import { SPLIT_NAMES, type SplitName } from './types.ts';

export interface SplitInfo {
  rows: number;
  eras: number;
  first_era: string;
  last_era: string;
}

export interface DataInfo {
  dir: string;
  /** null when the split's file is absent; validation counts only data_type == "validation" rows */
  splits: Record<SplitName, SplitInfo | null>;
  /** feature columns of train.parquet */
  features: number;
  feature_sets: Record<string, number>;
  /** target columns of train.parquet */
  targets: string[];
  /** prediction columns of train_benchmark_models.parquet */
  benchmark_columns: string[];
}

/** Orders era labels numerically when both are integers, numbers before other labels, else as strings. */
export function compareEras(a: string, b: string): number {
  const na = /^\s*\d+\s*$/.test(a) ? Number(a) : NaN;
  const nb = /^\s*\d+\s*$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
  if (Number.isNaN(na) !== Number.isNaN(nb)) return Number.isNaN(na) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Describes the splits, features, feature sets, targets and benchmark columns of a data directory. */
export async function dataInfo(dir: string): Promise<DataInfo> {
  requireDir(dir);
  const fj = readFeaturesJson(dir);
  const con = await openDuck(1);
  try {
    const splits = {} as Record<SplitName, SplitInfo | null>;
    for (const name of SPLIT_NAMES) splits[name] = await splitInfo(con, path.join(dir, `${name}.parquet`), name === 'validation');
    const trainFile = path.join(dir, 'train.parquet');
    const schema = fs.existsSync(trainFile) ? await parquetSchema(con, trainFile) : new Map<string, string>();
    const benchFile = path.join(dir, 'train_benchmark_models.parquet');
    const bench = fs.existsSync(benchFile) ? await parquetSchema(con, benchFile) : new Map<string, string>();
    const cols = [...schema.keys()];
    return {
      dir,
      splits,
      features: cols.filter((c) => c.startsWith('feature_')).length,
      feature_sets: Object.fromEntries(Object.entries(fj.featureSets).map(([k, v]) => [k, v.length])),
      targets: cols.filter((c) => c.startsWith('target')),
      benchmark_columns: [...bench.keys()].filter((c) => c !== 'era' && c !== 'id' && c !== 'data_type'),
    };
  } finally {
    con.closeSync();
  }
}

async function splitInfo(con: DuckDBConnection, file: string, onlyValidation: boolean): Promise<SplitInfo | null> {
  if (!fs.existsSync(file)) return null;
  const where = onlyValidation ? ` WHERE data_type = 'validation'` : '';
  const sql = `SELECT era::VARCHAR AS era, count(*)::BIGINT AS n FROM read_parquet(${sqlString(file)})${where} GROUP BY era`;
  const reader = await guard(file, () => con.runAndReadAll(sql));
  const rows = reader.getRowObjects().map((r) => ({ era: String(r.era), n: Number(r.n) }));
  rows.sort((a, b) => compareEras(a.era, b.era));
  return {
    rows: rows.reduce((s, r) => s + r.n, 0),
    eras: rows.length,
    first_era: rows.length ? rows[0].era : '',
    last_era: rows.length ? rows[rows.length - 1].era : '',
  };
}
