// The training step bench/train-speed.ts times: the same operations as train/train.ts's fit()
// (dense layers, bias or batch norm, GELU, dropout from a JS-drawn mask, Pearson loss, Adam),
// on random data, so backends and the PyTorch peer (bench/train-speed.py) run the same work.
import type { Tf } from '../harness/contract.ts';
import { createNativeMlp, nativeMlpPhases } from '../harness/nn-fused.ts';
import { createTfjsMlp } from '../harness/nn-tfjs.ts';
import { mulberry32 } from '../harness/prng.ts';

export interface Net { label: string; widths: number[]; batch: number; activation: 'gelu' | 'relu'; batchNorm: boolean; dropout: number }

type T = ReturnType<Tf['matMul']>;
type V = InstanceType<Tf['Variable']>;

/** FLOPs of one row's forward and backward pass through the dense layers: 6 · Σ in·out. */
export const flopsPerRow = (widths: number[]) => 6 * widths.slice(1).reduce((s, out, i) => s + widths[i] * out, 0);

// The matMul-with-explicit-transposes gradient train/train.ts uses (wasm runs transposed matMul slowly).
function dense(tf: Tf, x: T, w: T): T {
  return tf.customGrad((a, b, save) => {
    (save as (t: T[]) => void)([a as T, b as T]);
    return { value: tf.matMul(a as T, b as T), gradFunc: (dy: T, [sa, sb]: T[]) => [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)] };
  })(x, w) as T;
}


/** Builds the net's variables and returns a function running one training step, plus a disposer. */
export function makeStep(tf: Tf, net: Net): { step: () => void; sync: () => Promise<void>; dispose: () => void } {
  const layers = net.widths.slice(1).map((out, i) => {
    const hidden = i < net.widths.length - 2;
    const w = tf.variable(tf.randomUniform([net.widths[i], out], -0.1, 0.1, 'float32', i + 1));
    if (hidden && net.batchNorm) return { w, gamma: tf.variable(tf.ones([out])), beta: tf.variable(tf.zeros([out])) };
    return { w, b: tf.variable(tf.zeros([out])) };
  });
  const vars = layers.flatMap((l) => Object.values(l)) as V[];
  const x = tf.randomUniform([net.batch, net.widths[0]], 0, 1, 'float32', 7);
  const y = tf.randomUniform([net.batch, 1], 0, 1, 'float32', 8);
  const opt = tf.train.adam(0.001);
  const rng = mulberry32(42);
  const keep = 1 - net.dropout;
  const mask = (shape: number[]) => tf.tensor2d(Float32Array.from({ length: shape[0] * shape[1] }, () => (rng() < keep ? 1 / keep : 0)), shape as [number, number]);
  const gelu = (h: T) => h.mul(tf.erf(h.mul(Math.SQRT1_2)).add(1)).mul(0.5);
  const step = () => tf.tidy(() => {
    opt.minimize(() => {
      let h = x as T;
      layers.forEach((l, i) => {
        h = dense(tf, h, l.w as T);
        if ('b' in l) h = h.add(l.b as T);
        if (i === layers.length - 1) return;
        if ('gamma' in l) {
          const { mean, variance } = tf.moments(h, 0);
          h = tf.batchNorm(h, mean, variance, l.beta as T, l.gamma as T, 1e-3);
        }
        h = net.activation === 'gelu' ? gelu(h) : tf.relu(h);
        if (net.dropout > 0) h = h.mul(mask(h.shape));
      });
      const dp = h.sub(h.mean()), dy = y.sub(y.mean());
      return tf.sub(1, dp.mul(dy).sum().div(dp.square().sum().mul(dy.square().sum()).sqrt().add(1e-12))) as ReturnType<Tf['scalar']>;
    }, false, vars);
  });
  return {
    step,
    sync: async () => { await vars[0].data(); },
    dispose: () => { tf.dispose([...vars, x, y]); opt.dispose(); },
  };
}

/** Times training steps for about `seconds` after one warm-up step; GFLOP/s per wall and per CPU second. */
export async function stepGflops(tf: Tf, net: Net, seconds: number): Promise<{ wall: number; cpu: number; steps: number }> {
  const s = makeStep(tf, net);
  s.step();
  await s.sync();
  let steps = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 || steps < 2) { s.step(); steps++; }
  await s.sync();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  s.dispose();
  const flops = steps * net.batch * flopsPerRow(net.widths);
  return { wall: flops / wall / 1e9, cpu: flops / ((c.user + c.system) / 1e6) / 1e9, steps };
}

/**
 * The same net and step trained by `job.nn` (harness/nn.ts): one call per step into the fused native
 * engine, or the tfjs engine on `tf` when `native` is false. Random inputs in 0..1, Pearson loss, AdamW.
 */
export function fusedGflops(tf: Tf, net: Net, seconds: number, native: boolean): { wall: number; cpu: number; steps: number; phases?: Record<string, number> } {
  const nIn = net.widths[0];
  const rng = mulberry32(7);
  const x = Float32Array.from({ length: net.batch * nIn }, () => rng());
  const y = Float32Array.from({ length: net.batch }, () => rng());
  const mask = new Float32Array(net.batch).fill(1);
  const rows = new Int32Array(net.batch).map((_, i) => i);
  const spec = {
    nIn, hidden: net.widths.slice(1, -1), nOut: 1, activation: net.activation, batchNorm: net.batchNorm, dropout: net.dropout,
    loss: 'pearson' as const, lossWeights: [1], weightDecay: 1e-4, seed: 42,
  };
  const mlp = native ? createNativeMlp(spec) : createTfjsMlp(tf, spec);
  mlp.step(x, y, mask, rows, 0.001);
  let steps = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 || steps < 2) { mlp.step(x, y, mask, rows, 0.001); steps++; }
  mlp.predict(x.subarray(0, nIn), 1);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const phases = native ? nativeMlpPhases(mlp) : undefined;
  mlp.dispose();
  const flops = steps * net.batch * flopsPerRow(net.widths);
  return { wall: flops / wall / 1e9, cpu: flops / ((c.user + c.system) / 1e6) / 1e9, steps, ...(phases ? { phases } : {}) };
}
