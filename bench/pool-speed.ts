// Prints the parallel efficiency of the trainer worker pool (harness/runner/pool.ts): the same N
// fold × seed jobs on 1 worker and on 2, efficiency = T1 / (2·T2), and the fixed cost of one job
// (process start, tsx, tf load, job data read) measured with a train module that returns at once.
// Each job runs a CPU-bound train module of a fixed amount of arithmetic (no timer), in the sandbox
// the harness uses (bubblewrap when present), on a job data file of --rows × --features.
// Usage: node --import tsx bench/pool-speed.ts [--jobs 8] [--work 60] [--rows 20000] [--features 235]
//        [--backend cpu] [--isolation auto]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FeatureMatrix } from '../harness/contract.ts';
import { writeJobData } from '../harness/runner/jobdata.ts';
import { runPool } from '../harness/runner/pool.ts';
import type { JobResult, JobSpec } from '../harness/runner/process.ts';
import { sandboxInfo } from '../harness/runner/sandbox.ts';

interface Options { jobs: number; work: number; rows: number; features: number; backend: 'cpu' | 'wasm'; isolation: 'auto' | 'none' }

function fail(message: string): never {
  console.error(`pool-speed.ts: ${message}\nusage: node --import tsx bench/pool-speed.ts [--jobs N] [--work N] [--rows N] [--features N] [--backend cpu|wasm] [--isolation auto|none]`);
  process.exit(2);
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '8' }, work: { type: 'string', default: '60' }, rows: { type: 'string', default: '20000' },
      features: { type: 'string', default: '235' }, backend: { type: 'string', default: 'cpu' }, isolation: { type: 'string', default: 'auto' },
    },
  });
  const int = (flag: string, raw: string): number => {
    const v = Number(raw);
    if (!Number.isInteger(v) || v <= 0) fail(`expected a positive integer for --${flag}, got ${raw}`);
    return v;
  };
  if (values.backend !== 'cpu' && values.backend !== 'wasm') fail(`expected cpu or wasm for --backend, got ${values.backend}`);
  if (values.isolation !== 'auto' && values.isolation !== 'none') fail(`expected auto or none for --isolation, got ${values.isolation}`);
  return {
    jobs: int('jobs', values.jobs!), work: int('work', values.work!), rows: int('rows', values.rows!), features: int('features', values.features!),
    backend: values.backend, isolation: values.isolation,
  };
}

/** A train module doing `units` × 10M dependent float operations, then one prediction per row. */
function trainModule(units: number): string {
  return [
    'export default function train(job: { seed: number; predict: { nRows: number } }): number[] {',
    '  let x = job.seed;',
    `  for (let i = 0; i < ${units} * 10_000_000; i++) x = (x * 1.0000001 + 0.5) % 1000;`,
    '  return Array.from({ length: job.predict.nRows }, (_, r) => (x + r * 0.37) % 1);',
    '}',
    '',
  ].join('\n');
}

function matrix(nRows: number, nFeatures: number): FeatureMatrix {
  const b = new Uint8Array(nRows * nFeatures);
  for (let i = 0; i < b.length; i++) b[i] = (i * 2654435761) % 5;
  return { nRows, nFeatures, rowsPerBlock: nRows, blocks: [b] };
}

function writeFold(file: string, rows: number, features: number): number {
  const featureNames = Array.from({ length: features }, (_, j) => `feature_${j}`);
  const nPredict = Math.ceil(rows / 4);
  const eras = (n: number) => Int32Array.from({ length: n }, (_, i) => Math.floor(i / 100));
  writeJobData(
    file,
    {
      nRows: rows, featureNames, x: matrix(rows, features), eras: eras(rows), targetNames: ['target'],
      targets: { target: Float32Array.from({ length: rows }, (_, i) => (i % 5) / 4) }, mainTarget: 'target', benchmark: null,
    },
    { nRows: nPredict, featureNames, x: matrix(nPredict, features), eras: eras(nPredict) },
  );
  return nPredict;
}

interface Timed { wall: number; results: JobResult[] }

async function timedPool(specs: JobSpec[], workers: number, isolation: Options['isolation']): Promise<Timed> {
  const t0 = performance.now();
  const results = await runPool(specs, { workers, isolation });
  const bad = results.find((r) => r.status !== 'ok');
  if (bad) throw new Error(`job ${bad.id} ended ${bad.status}: ${bad.message ?? ''}\n${bad.stderrTail}`);
  return { wall: (performance.now() - t0) / 1000, results };
}

async function main(): Promise<void> {
  const o = parseOptions();
  const [l1, l5, l15] = os.loadavg();
  console.log(`machine: ${os.availableParallelism()} cpus, node ${process.version}, load ${l1.toFixed(2)} ${l5.toFixed(2)} ${l15.toFixed(2)}`);
  console.log(`sandbox: ${o.isolation === 'none' ? 'none (--isolation none)' : sandboxInfo().note}; backend ${o.backend}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-speed-'));
  try {
    const dataFile = path.join(dir, 'fold.bin');
    const nPredict = writeFold(dataFile, o.rows, o.features);
    const modules = { busy: trainModule(o.work), instant: trainModule(0) };
    for (const [name, src] of Object.entries(modules)) {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'train.ts'), src);
    }
    console.log(`job data: ${o.rows} train rows + ${nPredict} predict rows x ${o.features} features (${(fs.statSync(dataFile).size / 2 ** 20).toFixed(1)} MiB)`);
    const specs = (module: string, n: number, tag: string): JobSpec[] => Array.from({ length: n }, (_, i) => ({
      id: `${tag}-${i}`, trainDir: path.join(dir, module), dataFile, seed: i + 1, expectedRows: nPredict, timeBudgetMs: 600_000,
      memoryMb: 2048, scratchDir: path.join(dir, 'scratch', `${tag}-${i}`), backend: o.backend,
    }));
    const start = await timedPool(specs('instant', 4, 'instant'), 1, o.isolation);
    const perJob = start.results.map((r) => r.seconds);
    console.log(`fixed cost of one job (instant train module, 4 jobs on 1 worker): ${perJob.map((s) => s.toFixed(2)).join(', ')} s wall; mean ${(start.wall / 4).toFixed(2)} s wall`);
    const one = await timedPool(specs('busy', o.jobs, 'w1'), 1, o.isolation);
    const two = await timedPool(specs('busy', o.jobs, 'w2'), 2, o.isolation);
    const job = one.results.reduce((s, r) => s + r.seconds, 0) / o.jobs;
    console.log(`${o.jobs} jobs of ${o.work} work units, mean job ${job.toFixed(2)} s on 1 worker`);
    console.log(`  1 worker:  T1 = ${one.wall.toFixed(2)} s wall`);
    console.log(`  2 workers: T2 = ${two.wall.toFixed(2)} s wall`);
    console.log(`  parallel efficiency T1 / (2·T2) = ${((one.wall / (2 * two.wall)) * 100).toFixed(1)}%`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
