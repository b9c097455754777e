// =====================================================================================
// train/train.ts — THE ONE FILE THE RESEARCH AGENT EDITS.
// The fixed harness owns the data splits, the scoring, the time budget and the NaN check;
// this file only turns training rows into one prediction per predict row.
// Tunables are the UPPER_CASE constants below; keep their forms (number, number array,
// string union, boolean) so the mutation agent can edit them textually.
// Baseline: a plain feed-forward net with a Pearson loss and AdamW (seed 002's winner, smaller),
// trained through job.nn (the harness's fused dense net); write raw tfjs (job.tf) for anything else.
// =====================================================================================
import type { Mlp, TrainJob } from '../harness/contract.ts';
import { featuresToFloat32 } from '../harness/contract.ts';

const HIDDEN = [64, 32];
const ACTIVATION: 'gelu' | 'relu' | 'elu' | 'tanh' | 'swish' = 'gelu';
const DROPOUT = 0.2;
const BATCH_NORM: boolean = false;
const LEARNING_RATE = 0.001;
const LR_END_FRACTION = 0.1;
const WEIGHT_DECAY = 0.00012;
const BATCH_SIZE = 1024;
const EPOCHS = 25;
const LOSS: 'mse' | 'pearson' | 'mse+pearson' = 'pearson';
const TARGETS: 'main' | 'main+aux' = 'main';
const AUX_WEIGHT = 0.5;
const FEATURE_FRACTION = 1.0;
const ENSEMBLE_SEEDS = 1;

/** Trains ENSEMBLE_SEEDS copies of the net and returns their averaged prediction for each predict row. */
export default async function train(job: TrainJob): Promise<Float32Array> {
  const { train: rows, predict } = job;
  const start = Date.now();
  const columns = pickColumns(rows.x.nFeatures, mulberry32(hash(job.seed, 0x5eed)));
  const targetNames = TARGETS === 'main' ? [rows.mainTarget] : [rows.mainTarget, ...rows.targetNames.filter((t) => t !== rows.mainTarget)];
  const lossWeights = targetNames.map((_, i) => (i === 0 ? 1 : AUX_WEIGHT / (targetNames.length - 1)));
  const { y, mask } = targetMatrix(rows.nRows, targetNames.map((t) => rows.targets[t]));
  const x = featuresToFloat32(rows.x, { columns });
  const xPred = featuresToFloat32(predict.x, { columns });
  const nOut = targetNames.length;
  const sum = new Float32Array(predict.nRows);
  let members = 0;
  for (let k = 0; k < ENSEMBLE_SEEDS; k++) {
    // Each member gets an equal slice of the budget, minus a reserve for predicting.
    const reserve = 300 + predict.nRows * 0.002;
    const memberDeadline = start + ((job.deadline - start - reserve) * (k + 1)) / ENSEMBLE_SEEDS;
    if (k > 0 && Date.now() >= memberDeadline) break;
    // job.nn trains the whole step in one native call when the addon is built (tfjs otherwise).
    const net = job.nn.mlp({
      nIn: columns.length, hidden: HIDDEN, nOut, activation: ACTIVATION, batchNorm: BATCH_NORM, dropout: DROPOUT,
      loss: LOSS, lossWeights, weightDecay: WEIGHT_DECAY, seed: hash(job.seed, k + 1),
    });
    try {
      const epochs = fit(net, x, y, mask, rows.nRows, mulberry32(hash(job.seed, -(k + 1))), memberDeadline);
      const out = net.predict(xPred, predict.nRows);
      for (let i = 0; i < sum.length; i++) sum[i] += out[i * nOut];
      members++;
      job.log(`member ${k}: ${epochs} epochs on the ${job.nn.engine} engine, ${Date.now() - start} ms since start`);
    } finally {
      net.dispose();
    }
  }
  return sum.map((v) => v / members);
}

/** Runs epochs of AdamW with a linear learning-rate decay until EPOCHS or until the next epoch would pass the deadline. */
function fit(net: Mlp, x: Float32Array, y: Float32Array, mask: Float32Array, n: number, rng: () => number, deadline: number): number {
  const order = new Int32Array(n).map((_, i) => i);
  let [epoch, lastEpochMs] = [0, 0];
  for (; epoch < EPOCHS && Date.now() + lastEpochMs < deadline; epoch++) {
    const t0 = Date.now();
    const lr = LEARNING_RATE * (1 - ((1 - LR_END_FRACTION) * epoch) / Math.max(1, EPOCHS - 1));
    shuffle(order, rng);
    // A last batch of one row is skipped: batch statistics need two.
    for (let s = 0; s + 1 < n; s += BATCH_SIZE) net.step(x, y, mask, order.subarray(s, Math.min(n, s + BATCH_SIZE)), lr);
    lastEpochMs = Date.now() - t0;
  }
  return epoch;
}

function pickColumns(nFeatures: number, rng: () => number): Int32Array {
  const all = new Int32Array(nFeatures).map((_, i) => i);
  if (FEATURE_FRACTION >= 1) return all;
  shuffle(all, rng);
  return all.slice(0, Math.max(1, Math.round(nFeatures * FEATURE_FRACTION))).sort();
}

/** Targets as a row-major matrix with NaN replaced by 0, and a mask that is 1 where a target exists. */
function targetMatrix(nRows: number, cols: Float32Array[]): { y: Float32Array; mask: Float32Array } {
  const [y, mask] = [new Float32Array(nRows * cols.length), new Float32Array(nRows * cols.length)];
  for (let i = 0; i < y.length; i++) {
    const v = cols[i % cols.length][Math.floor(i / cols.length)];
    if (!Number.isNaN(v)) [y[i], mask[i]] = [v, 1];
  }
  return { y, mask };
}

function shuffle(a: Int32Array, rng: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(a: number, b: number): number {
  return Math.imul((a | 0) ^ Math.imul(b | 0, 0x9e3779b1), 0x85ebca6b) ^ (b * 0x27d4eb2f);
}
