// Which files a load reads, and the fingerprint that identifies a load: the sizes and mtimes of
// those files plus the options, so the cache is invalidated by any change to either.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';
import { SPLIT_LIVE, SPLIT_TRAIN, SPLIT_VALIDATION, type LoadOptions } from './types.ts';

/** Bumped whenever the loaded form changes, so older caches are never reused. */
export const LOADER_VERSION = 1;

export interface Source {
  split: number;
  /** the parquet file of rows */
  file: string;
  /** the benchmark parquet of this split */
  benchFile: string;
  /** whether a missing benchmark file is an error (live benchmarks are optional) */
  benchRequired: boolean;
  /** keep only rows with this data_type (validation.parquet also holds test rows) */
  dataType: string | null;
  hasTargets: boolean;
}

/** The sources a load reads, train first. */
export function sourcesFor(dir: string, opts: LoadOptions): Source[] {
  const src = (split: number, name: string, dataType: string | null, hasTargets: boolean, benchRequired: boolean): Source => ({
    split,
    file: path.join(dir, `${name}.parquet`),
    benchFile: path.join(dir, `${name}_benchmark_models.parquet`),
    benchRequired,
    dataType,
    hasTargets,
  });
  const out = [src(SPLIT_TRAIN, 'train', null, true, true)];
  if (opts.includeValidation) out.push(src(SPLIT_VALIDATION, 'validation', 'validation', true, true));
  if (opts.includeLive) out.push(src(SPLIT_LIVE, 'live', null, false, false));
  return out;
}

/** Throws a UserError unless `dir` is an existing directory. */
export function requireDir(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new UserError(
      `data directory not found: ${dir}`,
      'the path does not exist',
      'download the Numerai data there, or create a synthetic dataset with `autoresearch data synth --out DIR`',
    );
  }
  if (!st.isDirectory()) throw new UserError(`data path is not a directory: ${dir}`, 'a file is in its place', 'pass the directory that holds train.parquet');
}

function stamp(file: string): { name: string; size: number; mtimeMs: number } | { name: string; missing: true } {
  try {
    const st = fs.statSync(file);
    return { name: path.basename(file), size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return { name: path.basename(file), missing: true };
  }
}

/** A stable hash of the directory, its files' sizes+mtimes and the load options. */
export function fingerprintFor(dir: string, opts: LoadOptions): string {
  const files = [path.join(dir, 'features.json')];
  for (const s of sourcesFor(dir, opts)) {
    files.push(s.file);
    if (opts.benchmarks.length > 0) files.push(s.benchFile);
  }
  const payload = JSON.stringify({
    v: LOADER_VERSION,
    dir: path.resolve(dir),
    files: files.map(stamp),
    opts: {
      featureSet: opts.featureSet,
      targets: opts.targets,
      benchmarks: opts.benchmarks,
      includeValidation: opts.includeValidation,
      includeLive: opts.includeLive,
    },
  });
  return crypto.createHash('sha256').update(payload).digest('hex').slice(0, 24);
}
