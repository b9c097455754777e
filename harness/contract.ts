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
  /**
   * tfjs on the job's backend. When job.nn trains on the fused native engine, tfjs is loaded on the
   * first read of tf or backend (about half a second), so a module that never reads them does not pay it.
   */
  readonly tf: Tf;
  /** name of the tf backend in use, e.g. "tensorflow", "native", "wasm", "cpu" (reading it loads tf, as above) */
  readonly backend: string;
  /** a directory the job may write to; everything else is read-only */
  scratchDir: string;
  log(message: string): void;
  /** fused dense nets: one native call per training step when the addon is built, else tfjs */
  nn: NnKit;
}

export type MlpActivation = 'gelu' | 'relu' | 'elu' | 'tanh' | 'swish';
export type MlpLoss = 'mse' | 'pearson' | 'mse+pearson';

/** A feed-forward net trained by AdamW; the exact function is in harness/nn-tfjs.ts (the reference engine). */
export interface MlpSpec {
  nIn: number;
  /** hidden widths, may be empty */
  hidden: number[];
  /** output columns (targets) */
  nOut: number;
  activation: MlpActivation;
  /** batch norm on hidden layers, which then have no bias */
  batchNorm: boolean;
  /** inverted dropout after each hidden activation while training, in [0, 1) */
  dropout: number;
  /** per output column, masked: mean squared error, 1 − Pearson correlation, or their sum */
  loss: MlpLoss;
  /** one non-negative weight per output column (sum > 0): the loss is their weighted mean */
  lossWeights: number[];
  /** decoupled weight decay (AdamW) on weight matrices only */
  weightDecay: number;
  /** seeds the net's own stream: He-uniform init, then dropout masks */
  seed: number;
}

export interface Mlp {
  readonly engine: 'native' | 'tfjs';
  /** One AdamW step at rate lr on rows `rows` (≥ 2) of x (row-major, nIn wide), y and mask (row-major, nOut wide; mask 0 = missing target). */
  step(x: Float32Array, y: Float32Array, mask: Float32Array, rows: Int32Array, lr: number): void;
  /** Inference (batch norm on running statistics, no dropout) for nRows rows of x: nRows × nOut, row-major. */
  predict(x: Float32Array, nRows: number): Float32Array;
  /** Frees the net's memory; idempotent. */
  dispose(): void;
}

export interface NnKit {
  /** 'native' (fused C on OpenBLAS) or 'tfjs' (the job's tf backend) */
  readonly engine: 'native' | 'tfjs';
  mlp(spec: MlpSpec): Mlp;
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

/** Throws a plain Error naming the first invalid field of an MLP spec (a programming error in train/). */
export function checkMlpSpec(spec: MlpSpec): void {
  const bad = (what: string, got: unknown) => { throw new Error(`nn.mlp: expected ${what}, got ${JSON.stringify(got)}`); };
  const width = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1 << 20;
  if (!width(spec.nIn)) bad('a positive integer for nIn', spec.nIn);
  if (!width(spec.nOut)) bad('a positive integer for nOut', spec.nOut);
  if (!Array.isArray(spec.hidden) || !spec.hidden.every(width)) bad('an array of positive integers for hidden', spec.hidden);
  if (!['gelu', 'relu', 'elu', 'tanh', 'swish'].includes(spec.activation)) bad('activation gelu, relu, elu, tanh or swish', spec.activation);
  if (typeof spec.batchNorm !== 'boolean') bad('a boolean for batchNorm', spec.batchNorm);
  if (!(spec.dropout >= 0 && spec.dropout < 1)) bad('a dropout in [0, 1)', spec.dropout);
  if (!['mse', 'pearson', 'mse+pearson'].includes(spec.loss)) bad('loss mse, pearson or mse+pearson', spec.loss);
  const w = spec.lossWeights;
  if (!Array.isArray(w) || w.length !== spec.nOut || !w.every((v) => Number.isFinite(v) && v >= 0) || !(w.reduce((a, b) => a + b, 0) > 0)) {
    bad(`${spec.nOut} non-negative lossWeights with a positive sum`, w);
  }
  if (!(Number.isFinite(spec.weightDecay) && spec.weightDecay >= 0)) bad('a non-negative weightDecay', spec.weightDecay);
  if (!Number.isInteger(spec.seed)) bad('an integer seed', spec.seed);
}

/** Throws a plain Error unless the arguments of Mlp.step fit the spec (row numbers in range, lengths whole rows). */
export function checkMlpStep(spec: MlpSpec, x: Float32Array, y: Float32Array, mask: Float32Array, rows: Int32Array, lr: number): void {
  const fail = (why: string) => { throw new Error(`nn.mlp step: ${why}`); };
  if (!(x instanceof Float32Array) || !(y instanceof Float32Array) || !(mask instanceof Float32Array)) fail('x, y and mask must be Float32Arrays');
  if (!(rows instanceof Int32Array)) fail('rows must be an Int32Array');
  if (x.length % spec.nIn !== 0) fail(`x has ${x.length} values, not a whole number of rows of ${spec.nIn}`);
  const n = x.length / spec.nIn;
  if (y.length !== n * spec.nOut || mask.length !== n * spec.nOut) fail(`y and mask must hold ${n} rows of ${spec.nOut} (x has ${n} rows), got ${y.length} and ${mask.length} values`);
  if (rows.length < 2) fail(`a step needs at least 2 rows, got ${rows.length}`);
  for (let i = 0; i < rows.length; i++) if (!(rows[i] >= 0 && rows[i] < n)) fail(`row ${rows[i]} at position ${i} is outside 0..${n - 1}`);
  if (!(Number.isFinite(lr) && lr >= 0)) fail(`expected a finite non-negative learning rate, got ${lr}`);
}
