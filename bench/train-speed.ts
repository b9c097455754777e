// Prints training throughput (GFLOP/s, FLOPs = 6·N·Σ in·out) of the default train/ net and of
// seed 002's [512, 256, 128] GELU + batch norm + dropout net on 235 features (batch 2048), for each
// tf backend that loads here, next to the PyTorch peer (bench/train-speed.py, run by /usr/bin/python3
// when torch imports) measured in the same run on the same shapes, and the ratio to PyTorch's best
// thread count, and the same step through `job.nn` (nn-fused: the native engine, one call per step).
// With --job it also times one full default train() job (25,000 × 48 train rows,
// 5,000 predict rows) per backend. Figures are per wall second and per CPU second (shared machine).
// Usage: node --import tsx bench/train-speed.ts [--seconds 3] [--backends native,wasm] [--blas-threads 1] [--job]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { FeatureMatrix, Tf, TrainFn, TrainJob } from '../harness/contract.ts';
import { loadTf, type TfPreference } from '../harness/tf.ts';
import { setNativeThreads } from '../harness/tf-native.ts';
import { createNnKit } from '../harness/nn.ts';
import { nativeMlpAvailable } from '../harness/nn-fused.ts';
import { fusedGflops, stepGflops, type Net } from './train-speed-step.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const trainFile = path.join(repoRoot, 'train/train.ts');
const PYTHON = '/usr/bin/python3';

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
  const batchNorm = tunable(src, 'BATCH_NORM') === 'true';
  const label = `default [${hidden}] ${activation}${batchNorm ? '+bn' : ''} on 48`;
  return { label, widths: [48, ...hidden, 1], batch: Number(tunable(src, 'BATCH_SIZE')), activation: activation as Net['activation'], batchNorm, dropout: Number(tunable(src, 'DROPOUT')) };
}

const SEED_002: Net = { label: 'seed-002 [512,256,128] gelu+bn on 235', widths: [235, 512, 256, 128, 1], batch: 2048, activation: 'gelu', batchNorm: true, dropout: 0.2 };

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
    nn: createNnKit(() => ({ tf, backend }), backend === 'native'),
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await mod.default(job);
  if (out.length !== nPredict) throw new Error(`bench: train() returned ${out.length} predictions, expected ${nPredict}`);
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, log };
}

interface PeerRow { label: string; threads: number; wall: number; cpu: number }

/** PyTorch's figures for the same nets, or why there are none. */
function pytorchPeer(nets: Net[], seconds: number): PeerRow[] | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    // One process per thread count with the BLAS and OpenMP pools sized before torch loads:
    // torch.set_num_threads alone left Debian's OpenBLAS using both cores in the "1 thread" run.
    return [1, 2].flatMap((threads) => {
      const n = String(threads);
      const env = { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
      const out = execFileSync(PYTHON, [path.join(repoRoot, 'bench/train-speed.py'), '--seconds', String(seconds), '--threads', n, '--nets', JSON.stringify(nets)], { encoding: 'utf8', env });
      return out.trim().split('\n').map((l) => JSON.parse(l) as PeerRow);
    });
  } catch (e) {
    const stdout = (e as { stdout?: string }).stdout ?? '';
    return stdout.includes('"error"') ? (JSON.parse(stdout.trim()) as { error: string }).error : (e as Error).message.split('\n')[0];
  }
}

const fmt = (g: { wall: number; cpu: number }) => `${g.wall.toFixed(2)} GFLOP/s wall, ${g.cpu.toFixed(2)} per CPU-second`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' }, backends: { type: 'string', default: 'tensorflow,native,wasm' },
      'blas-threads': { type: 'string', default: '1' }, job: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new Error(`expected a positive number for --seconds, got ${values.seconds}`);
  const blasThreads = Number(values['blas-threads']);
  if (!Number.isInteger(blasThreads) || blasThreads < 1) throw new Error(`expected a positive integer for --blas-threads, got ${values['blas-threads']}`);
  const nets = [defaultNet(), SEED_002];
  const results = new Map<string, Map<string, { wall: number; cpu: number }>>(nets.map((n) => [n.label, new Map()]));
  for (const name of values.backends!.split(',') as TfPreference[]) {
    let loaded;
    try { loaded = await loadTf(name); } catch (e) { console.log(`${name}: unavailable (${(e as Error).message})`); continue; }
    if (loaded.backend === 'native') setNativeThreads(blasThreads);
    console.log(`${name}: ${loaded.backend}${loaded.note ? ` (${loaded.note})` : ''}`);
    for (const net of nets) {
      const g = await stepGflops(loaded.tf, net, seconds);
      results.get(net.label)!.set(loaded.backend, g);
      console.log(`${loaded.backend.padEnd(10)} ${net.label.padEnd(38)} batch ${String(net.batch).padStart(5)}  ${fmt(g)} (${g.steps} steps)`);
      // job.nn on this backend: the fused native engine when the backend is native, else the tfjs engine.
      const native = loaded.backend === 'native' && nativeMlpAvailable() === null;
      const name = native ? 'nn-fused' : `nn-${loaded.backend}`;
      const f = fusedGflops(loaded.tf, net, seconds, native);
      results.get(net.label)!.set(name, f);
      console.log(`${name.padEnd(10)} ${net.label.padEnd(38)} batch ${String(net.batch).padStart(5)}  ${fmt(f)} (${f.steps} steps)`);
      if (f.phases) {
        const total = Object.values(f.phases).reduce((a, b) => a + b, 0);
        console.log(`           where a fused step's time goes: ${Object.entries(f.phases).map(([p, sec]) => `${p} ${((100 * sec) / total).toFixed(1)}%`).join(', ')}`);
      }
    }
    if (values.job) {
      const { seconds: s, cpuSeconds, log } = await timeJob(loaded.tf, loaded.backend);
      console.log(`${loaded.backend.padEnd(10)} default train() job 25000x48 -> 5000: ${s.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU (${log.join('; ')})`);
    }
  }
  const peer = pytorchPeer(nets, seconds);
  if (typeof peer === 'string') {
    console.log(`pytorch: unavailable (${peer})`);
    return;
  }
  for (const row of peer) console.log(`${`pytorch/${row.threads}t`.padEnd(10)} ${row.label.padEnd(38)} ${fmt(row)}`);
  for (const [label, byBackend] of results) {
    const rows = peer.filter((r) => r.label === label);
    const best = { wall: Math.max(...rows.map((r) => r.wall)), cpu: Math.max(...rows.map((r) => r.cpu)) };
    for (const [backend, g] of byBackend) {
      console.log(`ratio ${backend}/pytorch-best for ${label}: ${(g.cpu / best.cpu).toFixed(2)}x per CPU-second, ${(g.wall / best.wall).toFixed(2)}x wall`);
    }
  }
}

await main();
