// In-memory form of a Numerai-shaped dataset, shared by the loader, the cache, CV and the runner.
import type { FeatureMatrix } from '../contract.ts';

export const SPLIT_TRAIN = 0;
export const SPLIT_VALIDATION = 1;
export const SPLIT_LIVE = 2;
export const SPLIT_NAMES = ['train', 'validation', 'live'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/**
 * Rows are sorted by (numeric era, id). Eras are stored as indices into `eraNames`,
 * which is sorted numerically ("0001" < "0002" < ... < "1198").
 */
export interface Dataset {
  nRows: number;
  ids: string[];
  /** index into eraNames for each row */
  eraIndex: Int32Array;
  /** era labels as in the files, sorted numerically */
  eraNames: string[];
  /** SPLIT_TRAIN | SPLIT_VALIDATION | SPLIT_LIVE per row */
  split: Uint8Array;
  featureNames: string[];
  /** feature values 0..4 */
  x: FeatureMatrix;
  targetNames: string[];
  /** one array per target, NaN for nulls (live rows: all NaN) */
  targets: Float32Array[];
  benchmarkNames: string[];
  /** one array per benchmark column, NaN where the id has no benchmark row */
  benchmarks: Float32Array[];
  /** feature sets from features.json, by name */
  featureSets: Record<string, string[]>;
  /** describes where the data came from (directory, feature set, fingerprint) */
  meta: DatasetMeta;
}

export interface DatasetMeta {
  dir: string;
  featureSet: string;
  /** stable hash of the source files' sizes+mtimes and the load options */
  fingerprint: string;
}

/** What to load from a Numerai directory. */
export interface LoadOptions {
  /** a feature set name from features.json (small, medium, all, serenity, ...) */
  featureSet: string;
  /** target columns; the first is the main (scored) target */
  targets: string[];
  /** benchmark columns to join by id; empty for none */
  benchmarks: string[];
  /** include validation.parquet rows with data_type == "validation" */
  includeValidation: boolean;
  /** include live.parquet rows (no targets) */
  includeLive: boolean;
}
