// The train contract: what a trainer job receives and must return. train/ may import
// from this file (types and helpers only); nothing here exposes targets of scored rows.
import type * as tfModule from '@tensorflow/tfjs';

/** The tfjs namespace handed to the train module (tfjs-node, wasm or cpu backend). */
export type Tf = typeof tfModule;

/** Integer features 0..4, row-major, split into blocks so huge datasets fit typed-array limits. */
export interface FeatureMatrix {
  nRows: number;
  nFeatures: number;
  /** rows per block; every block but the last holds exactly this many rows */
  rowsPerBlock: number;
  /** block b holds rows [b*rowsPerBlock, ...) as nFeatures bytes per row */
  blocks: Uint8Array[];
}

/** Rows the model may learn from: features, every target, eras, benchmark predictions. */
export interface TrainRows {
  nRows: number;
  featureNames: string[];
  x: FeatureMatrix;
  /** numeric era of each row (e.g. 1 for "0001") */
  eras: Int32Array;
  targetNames: string[];
  /** one array per target name; NaN where the target is missing */
  targets: Record<string, Float32Array>;
  /** the target the harness scores against */
  mainTarget: string;
  /** benchmark predictions for these rows, NaN where missing; null when no benchmark is loaded */
  benchmark: Float32Array | null;
}

/** Rows to predict: features and eras only, never targets. */
export interface PredictRows {
  nRows: number;
  featureNames: string[];
  x: FeatureMatrix;
  eras: Int32Array;
}

export interface TrainJob {
  train: TrainRows;
  predict: PredictRows;
  seed: number;
  /** wall-clock budget for the whole job; the harness kills the process when it runs out */
  timeBudgetMs: number;
  /** Date.now() value at which the job is killed */
  deadline: number;
  tf: Tf;
  /** name of the tf backend in use, e.g. "tensorflow", "wasm", "cpu" */
  backend: string;
  /** a directory the job may write to; everything else is read-only */
  scratchDir: string;
  log(message: string): void;
}

/** A train module's default export (or named export `train`): one prediction per predict row. */
export type TrainFn = (job: TrainJob) => Promise<ArrayLike<number>> | ArrayLike<number>;

/** Feature value of row r, column f. */
export function featureAt(x: FeatureMatrix, r: number, f: number): number {
  const b = Math.floor(r / x.rowsPerBlock);
  return x.blocks[b][(r - b * x.rowsPerBlock) * x.nFeatures + f];
}

/**
 * Copies rows (all, or the given row indices) and columns (all, or the given column indices)
 * into a dense Float32Array, row-major, each value multiplied by `scale` (default 1/4 → 0..1).
 */
export function featuresToFloat32(
  x: FeatureMatrix,
  opts: { rows?: ArrayLike<number>; columns?: ArrayLike<number>; scale?: number; offset?: number } = {},
): Float32Array {
  const scale = opts.scale ?? 0.25;
  const offset = opts.offset ?? 0;
  const nR = opts.rows ? opts.rows.length : x.nRows;
  const cols = opts.columns;
  const nC = cols ? cols.length : x.nFeatures;
  const out = new Float32Array(nR * nC);
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v * scale + offset;
  for (let i = 0; i < nR; i++) {
    const r = opts.rows ? opts.rows[i] : i;
    const b = Math.floor(r / x.rowsPerBlock);
    const block = x.blocks[b];
    const base = (r - b * x.rowsPerBlock) * x.nFeatures;
    const o = i * nC;
    if (cols) for (let j = 0; j < nC; j++) out[o + j] = lut[block[base + cols[j]]];
    else for (let j = 0; j < nC; j++) out[o + j] = lut[block[base + j]];
  }
  return out;
}
