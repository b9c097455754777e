// Prints training throughput (GFLOP/s, FLOPs = 6·N·Σ in·out) of the default train/ net and of
// seed 002's [512, 256, 128] GELU net on 235 features, for each tf backend that loads here,
// and the ratio between backends. With --job it also times one full default train() job
// (25,000 × 48 train rows, 5,000 predict rows) per backend (about 2 minutes on cpu).
// Figures are given per wall second and per CPU second, since the machine may be shared.
// --stock swaps in tfjs's own matMul gradient to show what the explicit-transpose one saves.
// Usage: node --import tsx bench/train-speed.ts [--seconds 3] [--backends wasm,cpu] [--job] [--stock]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { FeatureMatrix, Tf, TrainFn, TrainJob } from '../harness/contract.ts';
import { loadTf, type TfPreference } from '../harness/tf.ts';

interface Net { label: string; widths: number[]; batch: number; activation: string }

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const trainFile = path.join(repoRoot, 'train/train.ts');

/** Reads `const NAME = value;` from train/train.ts so the bench follows the module's current defaults. */
function tunable(source: string, name: string): string {
  const m = new RegExp(`const ${name}(?:\\s*:[^=]+)?\\s*=\\s*([^;]+);`).exec(source);
  if (!m) throw new Error(`bench: cannot find const ${name} in ${trainFile}`);
  return m[1].trim();
}

function defaultNet(): Net {
  const src = readFileSync(trainFile, 'utf8');
  const hidden = JSON.parse(tunable(src, 'HIDDEN')) as number[];
  const activation = JSON.parse(tunable(src, 'ACTIVATION').replace(/'/g, '"')) as string;
  return { label: `default [${hidden}] ${activation} on 48`, widths: [48, ...hidden, 1], batch: Number(tunable(src, 'BATCH_SIZE')), activation };
}

const SEED_002: Net = { label: 'seed-002 [512,256,128] gelu on 235', widths: [235, 512, 256, 128, 1], batch: 1024, activation: 'gelu' };

const flopsPerRow = (widths: number[]) => 6 * widths.slice(1).reduce((s, out, i) => s + widths[i] * out, 0);

type T2 = ReturnType<Tf['matMul']>;

// The same matMul-with-explicit-transposes gradient as train/train.ts; `stock` uses tfjs's own.
function denseOp(tf: Tf, stock: boolean): (x: T2, w: T2) => T2 {
  if (stock) return (x, w) => tf.matMul(x, w);
  return (x, w) => tf.customGrad((a, b, save) => {
    (save as (t: T2[]) => void)([a as T2, b as T2]);
    return { value: tf.matMul(a as T2, b as T2), gradFunc: (dy: T2, [sa, sb]: T2[]) => [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)] };
  })(x, w) as T2;
}

/** Times training steps (forward, GELU, dropout, Pearson loss, backward, Adam) for about `seconds`; GFLOP/s per wall and CPU second. */
async function stepGflops(tf: Tf, net: Net, seconds: number, stock: boolean): Promise<{ wall: number; cpu: number }> {
  const vars = net.widths.slice(1).map((out, i) => tf.variable(tf.randomUniform([net.widths[i], out], -0.1, 0.1, 'float32', i + 1)));
  const x = tf.randomUniform([net.batch, net.widths[0]], 0, 1, 'float32', 7);
  const y = tf.randomUniform([net.batch, 1], 0, 1, 'float32', 8);
  const opt = tf.train.adam(0.001);
  const dense = denseOp(tf, stock);
  const gelu = (h: T2) => h.mul(tf.erf(h.mul(Math.SQRT1_2)).add(1)).mul(0.5);
  const step = (seed: number) => tf.tidy(() => {
    opt.minimize(() => {
      let h = x as T2;
      vars.forEach((w, i) => {
        h = dense(h, w as T2);
        if (i < vars.length - 1) h = tf.dropout(net.activation === 'gelu' ? gelu(h) : tf.relu(h), 0.2, undefined, seed);
      });
      const dp = h.sub(h.mean()), dy = y.sub(y.mean());
      return tf.sub(1, dp.mul(dy).sum().div(dp.square().sum().mul(dy.square().sum()).sqrt().add(1e-12))) as ReturnType<Tf['scalar']>;
    }, false, vars);
  });
  step(0);
  await vars[0].data();
  let steps = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) step(++steps);
  await vars[0].data();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  tf.dispose([...vars, x, y]);
  opt.dispose();
  const flops = steps * net.batch * flopsPerRow(net.widths);
  return { wall: flops / wall / 1e9, cpu: flops / ((c.user + c.system) / 1e6) / 1e9 };
}

function randomMatrix(nRows: number, nFeatures: number, seed: number): FeatureMatrix {
  const block = new Uint8Array(nRows * nFeatures);
  let s = seed;
  for (let i = 0; i < block.length; i++) block[i] = (s = (s * 1103515245 + 12345) >>> 0) % 5;
  return { nRows, nFeatures, rowsPerBlock: nRows, blocks: [block] };
}

/** Runs the real default train() once on a 25,000 × 48 synthetic job; returns seconds and epochs. */
async function timeJob(tf: Tf, backend: string): Promise<{ seconds: number; cpuSeconds: number; log: string[] }> {
  const mod = (await import(pathToFileURL(trainFile).href)) as { default: TrainFn };
  const [nTrain, nPredict, nFeatures] = [25_000, 5_000, 48];
  const target = new Float32Array(nTrain).map((_, i) => (i % 5) / 4);
  const names = Array.from({ length: nFeatures }, (_, i) => `feature_${i}`);
  const log: string[] = [];
  const job: TrainJob = {
    train: { nRows: nTrain, featureNames: names, x: randomMatrix(nTrain, nFeatures, 1), eras: new Int32Array(nTrain).map((_, i) => 1 + (i % 100)), targetNames: ['target'], targets: { target }, mainTarget: 'target', benchmark: null },
    predict: { nRows: nPredict, featureNames: names, x: randomMatrix(nPredict, nFeatures, 2), eras: new Int32Array(nPredict).fill(101) },
    seed: 1, timeBudgetMs: 600_000, deadline: Date.now() + 600_000, tf, backend, scratchDir: repoRoot, log: (m) => log.push(m),
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await mod.default(job);
  if (out.length !== nPredict) throw new Error(`bench: train() returned ${out.length} predictions, expected ${nPredict}`);
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, log };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '3' }, backends: { type: 'string', default: 'tensorflow,wasm,cpu' }, job: { type: 'boolean', default: false }, stock: { type: 'boolean', default: false } },
  });
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new Error(`expected a positive number for --seconds, got ${values.seconds}`);
  const nets = [defaultNet(), SEED_002];
  const results = new Map<string, Map<string, number>>(nets.map((n) => [n.label, new Map()]));
  for (const name of values.backends!.split(',') as TfPreference[]) {
    let loaded;
    try { loaded = await loadTf(name); } catch (e) { console.log(`${name}: unavailable (${(e as Error).message})`); continue; }
    for (const net of nets) {
      const g = await stepGflops(loaded.tf, net, seconds, values.stock!);
      results.get(net.label)!.set(loaded.backend, g.cpu);
      console.log(`${loaded.backend.padEnd(10)} ${net.label.padEnd(36)} batch ${String(net.batch).padStart(5)}  ${g.wall.toFixed(2)} GFLOP/s wall, ${g.cpu.toFixed(2)} per CPU-second`);
    }
    if (values.job) {
      const { seconds: s, cpuSeconds, log } = await timeJob(loaded.tf, loaded.backend);
      console.log(`${loaded.backend.padEnd(10)} default train() job 25000x48 -> 5000: ${s.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU (${log.join('; ')})`);
    }
  }
  for (const [label, byBackend] of results) {
    const entries = [...byBackend];
    for (let i = 1; i < entries.length; i++) {
      console.log(`ratio ${entries[0][0]}/${entries[i][0]} (per CPU-second) for ${label}: ${(entries[0][1] / entries[i][1]).toFixed(2)}x`);
    }
  }
}

await main();
