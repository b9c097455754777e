// The tfjs engine of the fused MLP (`job.nn.mlp`), and the reference the native engine
// (harness/nn-fused.ts) is tested against: tfjs autograd computes the gradient, so this file is
// the definition of the function both engines train. Self-contained (the train contract and tfjs
// only) because a promoted predictor carries it.
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { checkMlpSpec, checkMlpStep, type Mlp, type MlpSpec, type Tf } from './contract.ts';

type Tensor2D = ReturnType<Tf['tensor2d']>;
type Scalar = ReturnType<Tf['scalar']>;

interface Layer { w: Variable; b?: Variable; gamma?: Variable; beta?: Variable; runMean?: Variable; runVar?: Variable }

const [BETA1, BETA2, ADAM_EPS] = [0.9, 0.999, 1e-7];
const BN_EPS = 1e-3;
const BN_MOMENTUM = 0.9;
/** Rows per forward pass when predicting, so millions of rows never make one huge tensor. */
const PREDICT_CHUNK = 65_536;

/** A net on the job's tf backend; every call is checked against the spec first. */
export function createTfjsMlp(tf: Tf, spec: MlpSpec): Mlp {
  checkMlpSpec(spec);
  const rng = mulberry32(spec.seed);
  const widths = [spec.nIn, ...spec.hidden, spec.nOut];
  const layers = buildLayers(tf, widths, spec.batchNorm, rng);
  const params = layers.flatMap((l) => [l.w, l.b, l.gamma, l.beta].filter((v): v is Variable => v !== undefined));
  const moments = params.map((p) => ({ m: variable(tf, tf.zerosLike(p), false), v: variable(tf, tf.zerosLike(p), false) }));
  const weights = tf.tensor1d(spec.lossWeights);
  let t = 0;
  let disposed = false;
  const alive = () => { if (disposed) throw new Error('nn.mlp: the net was disposed'); };

  return {
    engine: 'tfjs',
    step(x, y, mask, rows, lr) {
      alive();
      checkMlpStep(spec, x, y, mask, rows, lr);
      t++;
      tf.tidy(() => {
        const [xb, yb, mb] = [take(tf, x, spec.nIn, rows), take(tf, y, spec.nOut, rows), take(tf, mask, spec.nOut, rows)];
        const { grads } = tf.variableGrads(() => lossOf(tf, spec, forward(tf, spec, layers, xb, rng), yb, mb, weights), params);
        params.forEach((p, i) => adamw(p, grads[p.name], moments[i], lr, t, p.shape.length === 2 ? spec.weightDecay : 0));
      });
    },
    predict(x, nRows) {
      alive();
      if (!(x instanceof Float32Array) || !Number.isInteger(nRows) || nRows < 0 || x.length !== nRows * spec.nIn) {
        throw new Error(`nn.mlp predict: expected a Float32Array of ${nRows} rows of ${spec.nIn}, got ${x?.length} values`);
      }
      const out = new Float32Array(nRows * spec.nOut);
      for (let s = 0; s < nRows; s += PREDICT_CHUNK) {
        const e = Math.min(nRows, s + PREDICT_CHUNK);
        const chunk = tf.tidy(() => forward(tf, spec, layers, tf.tensor2d(x.subarray(s * spec.nIn, e * spec.nIn), [e - s, spec.nIn]), null));
        out.set(chunk.dataSync() as Float32Array, s * spec.nOut);
        chunk.dispose();
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose([weights, ...moments.flatMap(({ m, v }) => [m, v]), ...layers.flatMap((l) => Object.values(l) as Variable[])]);
    },
  };
}

/** He-uniform weights from the net's stream, layer by layer in row-major order; zero biases. */
function buildLayers(tf: Tf, widths: number[], batchNorm: boolean, rng: () => number): Layer[] {
  return widths.slice(1).map((out, i) => {
    const fanIn = widths[i];
    const limit = Math.sqrt(6 / fanIn);
    const w = variable(tf, tf.tensor2d(Float32Array.from({ length: fanIn * out }, () => (rng() * 2 - 1) * limit), [fanIn, out]));
    if (!(batchNorm && i < widths.length - 2)) return { w, b: variable(tf, tf.zeros([out])) };
    const [gamma, beta] = [variable(tf, tf.ones([out])), variable(tf, tf.zeros([out]))];
    return { w, gamma, beta, runMean: variable(tf, tf.zeros([out]), false), runVar: variable(tf, tf.ones([out]), false) };
  });
}

/** A variable holding `init`; the initial tensor is released so nothing outlives the net. */
function variable(tf: Tf, init: Tensor, trainable = true): Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/** The net's output; `rng` null means inference (running batch-norm statistics, no dropout). */
function forward(tf: Tf, spec: MlpSpec, layers: Layer[], x: Tensor, rng: (() => number) | null): Tensor {
  let h = x;
  layers.forEach((l, i) => {
    h = dense(tf, h, l.w);
    if (l.b) h = h.add(l.b);
    if (i === layers.length - 1) return;
    if (l.gamma && l.beta && l.runMean && l.runVar) h = batchNorm(tf, h, l, rng !== null);
    h = activate(tf, spec.activation, h);
    if (rng && spec.dropout > 0) h = h.mul(dropoutMask(tf, h.shape as [number, number], 1 - spec.dropout, rng));
  });
  return h;
}

function batchNorm(tf: Tf, h: Tensor, l: Layer, training: boolean): Tensor {
  if (!training) return tf.batchNorm(h, l.runMean!, l.runVar!, l.beta!, l.gamma!, BN_EPS);
  const { mean, variance } = tf.moments(h, 0);
  l.runMean!.assign(l.runMean!.mul(BN_MOMENTUM).add(mean.mul(1 - BN_MOMENTUM)));
  l.runVar!.assign(l.runVar!.mul(BN_MOMENTUM).add(variance.mul(1 - BN_MOMENTUM)));
  return tf.batchNorm(h, mean, variance, l.beta!, l.gamma!, BN_EPS);
}

function activate(tf: Tf, activation: MlpSpec['activation'], h: Tensor): Tensor {
  switch (activation) {
    case 'gelu': return h.mul(tf.erf(h.mul(Math.SQRT1_2)).add(1)).mul(0.5);
    case 'relu': return tf.relu(h);
    case 'elu': return tf.elu(h);
    case 'tanh': return tf.tanh(h);
    case 'swish': return h.mul(tf.sigmoid(h));
  }
}

/** Inverted dropout drawn from the net's stream in row-major order. */
function dropoutMask(tf: Tf, shape: [number, number], keep: number, rng: () => number): Tensor {
  return tf.tensor2d(Float32Array.from({ length: shape[0] * shape[1] }, () => (rng() < keep ? 1 / keep : 0)), shape);
}

// tfjs-wasm runs matMul with transpose flags 10-25x slower than an explicit transpose and a plain
// matMul, and tfjs's own matMul gradient uses the flags.
function dense(tf: Tf, x: Tensor, w: Tensor): Tensor {
  return tf.customGrad((a, b, save) => {
    (save as (t: Tensor[]) => void)([a as Tensor, b as Tensor]);
    const grad = (dy: Tensor, [sa, sb]: Tensor[]) => [tf.matMul(dy as Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as Tensor2D)];
    return { value: tf.matMul(a as Tensor2D, b as Tensor2D), gradFunc: grad };
  })(x, w);
}

/** Weighted mean over output columns of the masked per-column loss (mask 0 = missing target). */
function lossOf(tf: Tf, spec: MlpSpec, pred: Tensor, y: Tensor, mask: Tensor, weights: Tensor): Scalar {
  const count = mask.sum(0).maximum(1);
  const mse = () => pred.sub(y).square().mul(mask).sum(0).div(count);
  const centred = (v: Tensor) => v.sub(v.mul(mask).sum(0).div(count)).mul(mask);
  const corr = () => {
    const [dp, dy] = [centred(pred), centred(y)];
    return dp.mul(dy).sum(0).div(dp.square().sum(0).mul(dy.square().sum(0)).add(1e-12).sqrt());
  };
  const perColumn = spec.loss === 'mse' ? mse() : spec.loss === 'pearson' ? tf.sub(1, corr()) : mse().add(tf.sub(1, corr()));
  return perColumn.mul(weights).sum().div(weights.sum()) as Scalar;
}

/** One decoupled-weight-decay Adam update (Loshchilov & Hutter). */
function adamw(p: Variable, g: Tensor, s: { m: Variable; v: Variable }, lr: number, t: number, decay: number): void {
  s.m.assign(s.m.mul(BETA1).add(g.mul(1 - BETA1)));
  s.v.assign(s.v.mul(BETA2).add(g.square().mul(1 - BETA2)));
  const update = s.m.div(1 - BETA1 ** t).div(s.v.div(1 - BETA2 ** t).sqrt().add(ADAM_EPS));
  const next = p.sub(update.mul(lr));
  p.assign(decay > 0 ? next.sub(p.mul(lr * decay)) : next);
}

/** The given rows of a row-major matrix with `width` columns, as a tensor (faster than tf.gather on wasm). */
function take(tf: Tf, values: Float32Array, width: number, rows: Int32Array): Tensor2D {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(values.subarray(r * width, (r + 1) * width), i * width));
  return tf.tensor2d(out, [rows.length, width]);
}

/** mulberry32, as harness/prng.ts: the net's one stream (init, then dropout masks). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
