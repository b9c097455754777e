// Turns a CV plan into per-fold job data files: the rows of a fold's training eras (features,
// every target, eras, benchmark) and the rows of its test eras as features and eras only. The
// harness keeps the test rows' indices so it can score the predictions against targets the
// trainer never saw. Files are keyed by the data fingerprint and the plan, so every candidate
// and seed of a session reuses them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FeatureMatrix, PredictRows, TrainRows } from './contract.ts';
import { planCv, planHoldout, type CvConfig, type CvPlan } from './cv.ts';
import { SPLIT_LIVE, type Dataset } from './data/types.ts';
import { writeJobData } from './runner/jobdata.ts';

export interface FoldData {
  fold: number;
  /** the fold's job data file; null when the fold has no training eras */
  file: string | null;
  trainEras: number[];
  testEras: number[];
  /** dataset row indices of the rows to predict, in file order */
  predictRows: Int32Array;
  nTrain: number;
  empty: boolean;
}

export interface FoldSet {
  plan: CvPlan | null;
  holdout: boolean;
  folds: FoldData[];
  /** numeric era of each dataset row */
  eraNumbers: Int32Array;
}

/** Numeric era of each era name ("0007" → 7); a non-numeric name keeps its sorted position. */
export function eraNumbersOf(ds: Dataset): Int32Array {
  const byIndex = ds.eraNames.map((name, i) => (/^\d+$/.test(name) ? Number.parseInt(name, 10) : i + 1));
  const out = new Int32Array(ds.nRows);
  for (let r = 0; r < ds.nRows; r++) out[r] = byIndex[ds.eraIndex[r]];
  return out;
}

/** Plans CV (or the holdout split) over the labelled rows and writes each fold's job data under `dir`. */
export function buildFolds(ds: Dataset, cv: CvConfig, opts: { dir: string; mainTarget: string; benchmark: string | null; holdout: boolean }): FoldSet {
  const eraNumbers = eraNumbersOf(ds);
  const labelled = labelledEraNumbers(ds, eraNumbers);
  let plan: CvPlan | null = null;
  let specs: { trainEras: number[]; testEras: number[] }[];
  if (opts.holdout) {
    specs = [planHoldout(labelled, cv)];
  } else {
    plan = planCv(labelled, cv);
    specs = plan.folds;
  }
  const key = crypto.createHash('sha256')
    .update(JSON.stringify([ds.meta.fingerprint, cv, opts.mainTarget, opts.benchmark, opts.holdout, ds.targetNames]))
    .digest('hex').slice(0, 16);
  const dir = path.join(opts.dir, key);
  fs.mkdirSync(dir, { recursive: true });
  const folds = specs.map((s, i) => {
    const trainRows = rowsInEras(ds, eraNumbers, s.trainEras);
    const predictRows = rowsInEras(ds, eraNumbers, s.testEras);
    const empty = trainRows.length === 0;
    const file = empty ? null : path.join(dir, opts.holdout ? 'holdout.bin' : `fold-${i}.bin`);
    if (file && !fs.existsSync(file)) {
      writeJobData(file, trainRowsOf(ds, trainRows, eraNumbers, opts.mainTarget, opts.benchmark), predictRowsOf(ds, predictRows, eraNumbers));
    }
    return { fold: i, file, trainEras: s.trainEras, testEras: s.testEras, predictRows, nTrain: trainRows.length, empty };
  });
  return { plan, holdout: opts.holdout, folds, eraNumbers };
}

function labelledEraNumbers(ds: Dataset, eraNumbers: Int32Array): number[] {
  const set = new Set<number>();
  for (let r = 0; r < ds.nRows; r++) if (ds.split[r] !== SPLIT_LIVE) set.add(eraNumbers[r]);
  return [...set].sort((a, b) => a - b);
}

function rowsInEras(ds: Dataset, eraNumbers: Int32Array, eras: number[]): Int32Array {
  const want = new Set(eras);
  const out: number[] = [];
  for (let r = 0; r < ds.nRows; r++) if (ds.split[r] !== SPLIT_LIVE && want.has(eraNumbers[r])) out.push(r);
  return Int32Array.from(out);
}

/** Copies the given rows of a feature matrix into a new matrix with the same block size. */
export function selectRows(x: FeatureMatrix, rows: Int32Array): FeatureMatrix {
  const F = x.nFeatures;
  const per = Math.max(1, Math.min(x.rowsPerBlock, Math.floor(2 ** 31 / Math.max(1, F)) - 1));
  const blocks: Uint8Array[] = [];
  for (let start = 0; start < rows.length || blocks.length === 0; start += per) {
    const n = Math.min(per, rows.length - start);
    const block = new Uint8Array(Math.max(0, n) * F);
    for (let i = 0; i < n; i++) {
      const r = rows[start + i];
      const b = Math.floor(r / x.rowsPerBlock);
      const off = (r - b * x.rowsPerBlock) * F;
      block.set(x.blocks[b].subarray(off, off + F), i * F);
    }
    blocks.push(block);
    if (n <= 0) break;
  }
  return { nRows: rows.length, nFeatures: F, rowsPerBlock: per, blocks };
}

function pick(src: Float32Array, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]];
  return out;
}

function pickEras(eraNumbers: Int32Array, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = eraNumbers[rows[i]];
  return out;
}

function trainRowsOf(ds: Dataset, rows: Int32Array, eraNumbers: Int32Array, mainTarget: string, benchmark: string | null): TrainRows {
  const targets: Record<string, Float32Array> = {};
  ds.targetNames.forEach((name, i) => { targets[name] = pick(ds.targets[i], rows); });
  const b = benchmark === null ? -1 : ds.benchmarkNames.indexOf(benchmark);
  return {
    nRows: rows.length,
    featureNames: ds.featureNames,
    x: selectRows(ds.x, rows),
    eras: pickEras(eraNumbers, rows),
    targetNames: ds.targetNames,
    targets,
    mainTarget,
    benchmark: b >= 0 ? pick(ds.benchmarks[b], rows) : null,
  };
}

function predictRowsOf(ds: Dataset, rows: Int32Array, eraNumbers: Int32Array): PredictRows {
  return { nRows: rows.length, featureNames: ds.featureNames, x: selectRows(ds.x, rows), eras: pickEras(eraNumbers, rows) };
}
