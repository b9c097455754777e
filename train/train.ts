// =====================================================================================
// train/train.ts — THE ONE FILE THE RESEARCH AGENT EDITS.
// The fixed harness owns the data splits, the scoring, the time budget and the NaN check;
// this file only turns training rows into one prediction per predict row.
// Tunables are the UPPER_CASE constants below; keep their forms (number, number array,
// string union, boolean) so the mutation agent can edit them textually.
// Baseline: a plain feed-forward net with a Pearson loss and AdamW (seed 002's winner, smaller).
// =====================================================================================
import type { Tf, TrainJob } from '../harness/contract.ts';
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

type Tensor = InstanceType<Tf['Tensor']>;
type Tensor2D = ReturnType<Tf['tensor2d']>;
type Variable = InstanceType<Tf['Variable']>;
type Scalar = ReturnType<Tf['scalar']>;
/** A dense layer; hidden layers with batch norm carry gamma/beta and running statistics instead of a bias. */
interface Layer { w: Variable; b?: Variable; gamma?: Variable; beta?: Variable; runMean?: Variable; runVar?: Variable }
/** Training rows as row-major arrays: features (nIn wide), targets and their 0/1 mask (nOut wide). */
interface Data { x: Float32Array; y: Float32Array; mask: Float32Array; nRows: number; nIn: number; nOut: number }

/** Trains ENSEMBLE_SEEDS copies of the net and returns their averaged prediction for each predict row. */
export default async function train(job: TrainJob): Promise<Float32Array> {
  const { tf, train: rows, predict } = job;
  const start = Date.now();
  const columns = pickColumns(rows.x.nFeatures, mulberry32(hash(job.seed, 0x5eed)));
  const targetNames = TARGETS === 'main' ? [rows.mainTarget] : [rows.mainTarget, ...rows.targetNames.filter((t) => t !== rows.mainTarget)];
  const colWeights = targetNames.map((_, i) => (i === 0 ? 1 : AUX_WEIGHT / (targetNames.length - 1)));
  const { y, mask } = targetMatrix(rows.nRows, targetNames.map((t) => rows.targets[t]));
  const data: Data = { x: featuresToFloat32(rows.x, { columns }), y, mask, nRows: rows.nRows, nIn: columns.length, nOut: targetNames.length };
  const xPred = tf.tensor2d(featuresToFloat32(predict.x, { columns }), [predict.nRows, columns.length]);
  const sum = new Float32Array(predict.nRows);
  let members = 0;
  try {
    for (let k = 0; k < ENSEMBLE_SEEDS; k++) {
      // Each member gets an equal slice of the budget, minus a reserve for predicting.
      const reserve = 300 + predict.nRows * 0.002;
      const memberDeadline = start + ((job.deadline - start - reserve) * (k + 1)) / ENSEMBLE_SEEDS;
      if (k > 0 && Date.now() >= memberDeadline) break;
      const rng = mulberry32(hash(job.seed, k + 1));
      const layers = buildNet(tf, data.nIn, data.nOut, rng);
      const epochs = fit(tf, layers, data, colWeights, rng, memberDeadline);
      const out = tf.tidy(() => forward(tf, layers, xPred, false, rng).slice([0, 0], [-1, 1]));
      const values = await out.data();
      for (let i = 0; i < sum.length; i++) sum[i] += values[i];
      tf.dispose([out, ...layers.flatMap((l) => Object.values(l))]);
      members++;
      job.log(`member ${k}: ${epochs} epochs, ${Date.now() - start} ms since start`);
    }
  } finally {
    xPred.dispose();
  }
  return sum.map((v) => v / members);
}

/** Runs epochs of AdamW until EPOCHS or until the next epoch would pass the deadline; returns epochs run. */
function fit(tf: Tf, layers: Layer[], data: Data, colWeights: number[], rng: () => number, deadline: number): number {
  const { x, y, mask, nRows: n, nIn, nOut } = data;
  const params = layers.flatMap((l) => [l.w, l.b, l.gamma, l.beta].filter((v): v is Variable => v !== undefined));
  const moments = params.map((p) => ({ m: variable(tf, tf.zerosLike(p), false), v: variable(tf, tf.zerosLike(p), false) }));
  const weights = tf.tensor1d(colWeights);
  const order = new Int32Array(n).map((_, i) => i);
  let [step, epoch, lastEpochMs] = [0, 0, 0];
  for (; epoch < EPOCHS && Date.now() + lastEpochMs < deadline; epoch++) {
    const t0 = Date.now();
    const lr = LEARNING_RATE * (1 - ((1 - LR_END_FRACTION) * epoch) / Math.max(1, EPOCHS - 1));
    shuffle(order, rng);
    for (let s = 0; s + 1 < n; s += BATCH_SIZE) {
      const rows = order.subarray(s, Math.min(n, s + BATCH_SIZE));
      step++;
      tf.tidy(() => {
        const [xb, yb, mb] = [take(tf, x, nIn, rows), take(tf, y, nOut, rows), take(tf, mask, nOut, rows)];
        const { grads } = tf.variableGrads(() => lossOf(tf, forward(tf, layers, xb, true, rng), yb, mb, weights), params);
        params.forEach((p, i) => adamw(p, grads[p.name], moments[i], lr, step, p.shape.length === 2));
      });
    }
    lastEpochMs = Date.now() - t0;
  }
  moments.forEach(({ m, v }) => tf.dispose([m, v]));
  weights.dispose();
  return epoch;
}

/** The given rows of a row-major matrix with `width` columns, as a tensor (faster than tf.gather on wasm). */
function take(tf: Tf, values: Float32Array, width: number, rows: Int32Array): Tensor2D {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(values.subarray(r * width, (r + 1) * width), i * width));
  return tf.tensor2d(out, [rows.length, width]);
}

/** One decoupled-weight-decay Adam update (Loshchilov & Hutter); decay applies to weight matrices only. */
function adamw(p: Variable, g: Tensor, s: { m: Variable; v: Variable }, lr: number, t: number, decay: boolean): void {
  const [b1, b2, eps] = [0.9, 0.999, 1e-7];
  s.m.assign(s.m.mul(b1).add(g.mul(1 - b1)));
  s.v.assign(s.v.mul(b2).add(g.square().mul(1 - b2)));
  const update = s.m.div(1 - b1 ** t).div(s.v.div(1 - b2 ** t).sqrt().add(eps));
  const next = p.sub(update.mul(lr));
  p.assign(decay ? next.sub(p.mul(lr * WEIGHT_DECAY)) : next);
}

/** Weighted mean over target columns of the masked per-column loss (NaN targets carry mask 0). */
function lossOf(tf: Tf, pred: Tensor, y: Tensor, mask: Tensor, weights: Tensor): Scalar {
  const count = mask.sum(0).maximum(1);
  const mse = pred.sub(y).square().mul(mask).sum(0).div(count);
  const centred = (t: Tensor) => t.sub(t.mul(mask).sum(0).div(count)).mul(mask);
  const [dp, dy] = [centred(pred), centred(y)];
  const corr = dp.mul(dy).sum(0).div(dp.square().sum(0).mul(dy.square().sum(0)).add(1e-12).sqrt());
  const perColumn = LOSS === 'mse' ? mse : LOSS === 'pearson' ? tf.sub(1, corr) : mse.add(tf.sub(1, corr));
  return perColumn.mul(weights).sum().div(weights.sum()) as Scalar;
}

function forward(tf: Tf, layers: Layer[], x: Tensor, training: boolean, rng: () => number): Tensor {
  let h: Tensor = x;
  layers.forEach((l, i) => {
    h = dense(tf, h, l.w);
    if (l.b) h = h.add(l.b);
    if (i === layers.length - 1) return;
    if (l.gamma && l.beta && l.runMean && l.runVar) h = batchNorm(tf, h, l, training);
    h = activate(tf, h);
    if (training && DROPOUT > 0) h = h.mul(dropoutMask(tf, h.shape as [number, number], rng));
  });
  return h;
}

// Inverted dropout from the seeded PRNG: tf.dropout draws its mask through tfjs's JS alea generator,
// which costs more than the rest of the step on the native backend (bench/train-speed.ts).
function dropoutMask(tf: Tf, shape: [number, number], rng: () => number): Tensor {
  const keep = 1 - DROPOUT;
  return tf.tensor2d(Float32Array.from({ length: shape[0] * shape[1] }, () => (rng() < keep ? 1 / keep : 0)), shape);
}

// tfjs-wasm runs matMul with transpose flags 10-25x slower than an explicit transpose and a plain
// matMul (bench/train-speed.ts --stock), and tfjs's own matMul gradient uses the flags.
function dense(tf: Tf, x: Tensor, w: Tensor): Tensor {
  return tf.customGrad((a, b, save) => {
    (save as (t: Tensor[]) => void)([a as Tensor, b as Tensor]);
    const grad = (dy: Tensor, [sa, sb]: Tensor[]) => [tf.matMul(dy as Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as Tensor2D)];
    return { value: tf.matMul(a as Tensor2D, b as Tensor2D), gradFunc: grad };
  })(x, w);
}

function batchNorm(tf: Tf, h: Tensor, l: Layer, training: boolean): Tensor {
  if (!training) return tf.batchNorm(h, l.runMean!, l.runVar!, l.beta!, l.gamma!, 1e-3);
  const { mean, variance } = tf.moments(h, 0);
  l.runMean!.assign(l.runMean!.mul(0.9).add(mean.mul(0.1)));
  l.runVar!.assign(l.runVar!.mul(0.9).add(variance.mul(0.1)));
  return tf.batchNorm(h, mean, variance, l.beta!, l.gamma!, 1e-3);
}

function activate(tf: Tf, h: Tensor): Tensor {
  switch (ACTIVATION) {
    case 'gelu': return h.mul(tf.erf(h.mul(Math.SQRT1_2)).add(1)).mul(0.5);
    case 'relu': return tf.relu(h);
    case 'elu': return tf.elu(h);
    case 'tanh': return tf.tanh(h);
    case 'swish': return h.mul(tf.sigmoid(h));
  }
}

/** He-uniform weights from the seeded PRNG, zero biases; batch-norm layers drop the bias as in seed 002. */
function buildNet(tf: Tf, nIn: number, nOut: number, rng: () => number): Layer[] {
  const widths = [nIn, ...HIDDEN, nOut];
  return widths.slice(1).map((out, i) => {
    const fanIn = widths[i];
    const limit = Math.sqrt(6 / fanIn);
    const w = new Float32Array(fanIn * out).map(() => (rng() * 2 - 1) * limit);
    const hidden = i < widths.length - 2;
    const weights = variable(tf, tf.tensor2d(w, [fanIn, out]));
    if (!(BATCH_NORM && hidden)) return { w: weights, b: variable(tf, tf.zeros([out])) };
    const [gamma, beta] = [variable(tf, tf.ones([out])), variable(tf, tf.zeros([out]))];
    return { w: weights, gamma, beta, runMean: variable(tf, tf.zeros([out]), false), runVar: variable(tf, tf.ones([out]), false) };
  });
}

/** A variable holding `init`; the initial tensor is released so nothing outlives the job. */
function variable(tf: Tf, init: Tensor, trainable = true): Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
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
