// The two records of a promoted predictor: promote.json (written by `autoresearch promote`: which
// candidate, its seeds and the data recipe it was scored with) and model/model.json (written by
// `train`: the exact rows frozen for refitting). Part of the standalone runtime: no imports
// outside this directory.
import fs from 'node:fs';
import path from 'node:path';
import { RuntimeError } from './errors.ts';

export const PROMOTE_FILE = 'promote.json';
export const MODEL_DIR = 'model';
export const MODEL_FILE = 'model.json';
export const ROWS_FILE = 'rows.bin';

/** What `autoresearch promote` recorded about the candidate and how it was evaluated. */
export interface PromoteManifest {
  version: 1;
  tag: string;
  /** 0 for the baseline */
  iteration: number;
  commit: string;
  payout: number;
  /** nothing was kept in the run, so this is the starting train/ */
  baseline: boolean;
  seeds: number[];
  feature_set: string;
  main_target: string;
  /** every target handed to the train module, main first */
  target_names: string[];
  /** benchmark column joined by id, or null */
  benchmark: string | null;
  /** the last `holdout_eras` labelled eras are never trained on */
  holdout_eras: number;
  /** wall-clock budget handed to the train module per seed, as in the run */
  time_budget_s: number;
  /** the data directory the run used; `train --data` overrides it */
  data_dir: string;
  created: string;
}

/** What `train` froze: the training rows and the recipe they came from. */
export interface ModelManifest {
  version: 1;
  trained: string;
  data_dir: string;
  feature_names: string[];
  target_names: string[];
  main_target: string;
  benchmark: string | null;
  /** era labels trained on, in order, and the ones held out */
  train_eras: string[];
  holdout_eras: string[];
  /** distinct labelled eras in the data (the era number of a non-numeric live era follows them) */
  era_count: number;
  rows: number;
  seeds: number[];
}

/** Reads and parses a JSON file this runtime wrote, with a clear message when it is missing. */
export function readJson<T>(file: string, missingFix: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new RuntimeError(`${path.basename(file)} not found: ${file}`, 'the promoted predictor is incomplete', missingFix);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new RuntimeError(`cannot parse ${file}`, (e as Error).message, missingFix);
  }
}
