// Prints the research loop's own cost per iteration, without the LLM and without training: the
// real loop (`autoresearch run --agent mutate`) in a temporary clone, on the tiny synthetic dataset,
// with a train module that keeps the default module's tunables (so the mutate agent has something to
// change) but returns its predictions at once. From the journal: each iteration's wall time, the wall
// time of its evaluation (trainer processes, data files, scoring), and the rest, the loop overhead
// (prompt, proposal, type-check, git, journal, learnings). Then experiments per hour on the default
// config: 3,600 / (overhead + evaluation), with the evaluation of the default folds × seeds (read from
// the config schema) estimated from --job-seconds (one default train() job's train() time,
// bench/train-speed.ts --job; 0.5 s with the fused MLP, section 3d of BENCHMARKS.md) on 2 workers.
// With --default it instead runs the default config, the default train module and the default
// synthetic data (native addon copied in when built) and prints experiments per hour measured from
// the iterations themselves, first-seed discards and all.
// Usage: node --import tsx bench/loop-overhead.ts [--iterations 4] [--job-seconds 0.5] [--default]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigSchema } from '../agent/config-schema.ts';
import type { JournalEvent } from '../agent/events.ts';
import { journalEvents, tinyData } from '../test/helpers/loop.ts';
import { makeTempRepo, tinyConfig } from '../test/helpers/temp-repo.ts';

const DEFAULTS = ConfigSchema.parse({});
const DEFAULT_JOBS = DEFAULTS.cv.folds * DEFAULTS.eval.seeds.length;
const WORKERS = 2;

function fail(message: string): never {
  console.error(`loop-overhead.ts: ${message}\nusage: node --import tsx bench/loop-overhead.ts [--iterations N] [--job-seconds S]`);
  process.exit(2);
}

function parseOptions(): { iterations: number; jobSeconds: number; real: boolean } {
  const { values } = parseArgs({ options: { iterations: { type: 'string', default: '4' }, 'job-seconds': { type: 'string', default: '0.5' }, default: { type: 'boolean', default: false } } });
  const iterations = Number(values.iterations);
  if (!Number.isInteger(iterations) || iterations <= 0) fail(`expected a positive integer for --iterations, got ${values.iterations}`);
  const jobSeconds = Number(values['job-seconds']);
  if (!(jobSeconds > 0)) fail(`expected a positive number for --job-seconds, got ${values['job-seconds']}`);
  return { iterations, jobSeconds, real: values.default! };
}

/** The default train module's UPPER_CASE tunables, with a train() that returns at once. */
function instantModule(original: string): string {
  const tunables = original.split('\n').filter((l) => /^const [A-Z_]+ = /.test(l));
  return [
    ...tunables,
    '',
    'export default function train(job: { seed: number; predict: { nRows: number; nFeatures?: number; x: { nFeatures: number; blocks: Uint8Array[]; rowsPerBlock: number } } }): number[] {',
    '  const x = job.predict.x;',
    `  const w = [${tunables.map((l) => l.split(' ')[1]).join(', ')}].map((v) => Number(Array.isArray(v) ? v[0] : v) || 0);`,
    '  return Array.from({ length: job.predict.nRows }, (_, r) => {',
    '    const b = Math.floor(r / x.rowsPerBlock);',
    '    const at = (r - b * x.rowsPerBlock) * x.nFeatures;',
    '    let s = job.seed * 1e-3;',
    '    for (let f = 0; f < x.nFeatures; f++) s += x.blocks[b][at + f] * w[f % w.length] * ((f % 3) - 1);',
    '    return s + r * 1e-9;',
    '  });',
    '}',
    '',
  ].join('\n');
}

const at = (e: JournalEvent): number => Date.parse(e.t);

async function main(): Promise<void> {
  const o = parseOptions();
  const [l1, l5, l15] = os.loadavg();
  console.log(`machine: ${os.availableParallelism()} cpus, node ${process.version}, load ${l1.toFixed(2)} ${l5.toFixed(2)} ${l15.toFixed(2)}`);
  if (o.real) return realLoop(o.iterations);
  const data = await tinyData();
  const repo = await makeTempRepo(tinyConfig(data, { eval: { seeds: [1, 2], workers: WORKERS, job_timeout_s: 300, memory_mb: 2048, backend: 'cpu' } }), 'loop-overhead-');
  try {
    const trainFile = path.join(repo.dir, 'train', 'train.ts');
    fs.writeFileSync(trainFile, instantModule(fs.readFileSync(trainFile, 'utf8')));
    await repo.git(['commit', '-q', '-am', 'instant train module']);
    const t0 = performance.now();
    const res = await repo.cli(['run', '--agent', 'mutate', '--tag', 'bench', '--max-iterations', String(o.iterations), '--quiet']);
    const total = (performance.now() - t0) / 1000;
    if (res.exitCode !== 0) throw new Error(`run exited ${res.exitCode}:\n${res.stderr}`);
    const events = journalEvents(repo.dir, 'bench');
    const rows: { it: number; wall: number; evalWall: number; jobs: number }[] = [];
    let prevEnd = at(events.find((e) => e.type === 'baseline') ?? events[0]);
    for (let it = 1; it <= o.iterations; it++) {
      const mine = events.filter((e) => 'iteration' in e && e.iteration === it);
      const decision = mine.find((e) => e.type === 'decision');
      if (!decision || decision.type !== 'decision') continue;
      const end = at(mine[mine.length - 1]);
      rows.push({ it, wall: (end - prevEnd) / 1000, evalWall: decision.seconds, jobs: mine.filter((e) => e.type === 'job').length });
      prevEnd = end;
    }
    console.log(`run: ${o.iterations} iterations in ${total.toFixed(1)} s wall (process start, baseline and noise floor included)`);
    for (const r of rows) {
      console.log(`  iteration ${r.it}: ${r.wall.toFixed(2)} s wall, evaluation ${r.evalWall.toFixed(2)} s (${r.jobs} jobs), loop overhead ${(r.wall - r.evalWall).toFixed(2)} s`);
    }
    const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / Math.max(1, rows.length);
    const overhead = mean((r) => r.wall - r.evalWall);
    const perJob = mean((r) => r.evalWall / Math.max(1, r.jobs) * WORKERS);
    console.log(`mean loop overhead per iteration (no LLM, no training): ${overhead.toFixed(2)} s; evaluation cost per instant job: ${perJob.toFixed(2)} s`);
    const evalDefault = (DEFAULT_JOBS * (o.jobSeconds + perJob)) / WORKERS;
    console.log(`default config (${DEFAULTS.cv.folds} folds x ${DEFAULTS.eval.seeds.length} seeds, ${WORKERS} workers, ${o.jobSeconds} s per train() job + the job cost above): evaluation ≈ ${evalDefault.toFixed(1)} s`);
    console.log(`experiments per hour without LLM time: ${(3600 / (overhead + evalDefault)).toFixed(1)}`);
  } finally {
    repo.cleanup();
  }
}

/** The default everything: iterations timed from the journal, with how many jobs each trained. */
async function realLoop(iterations: number): Promise<void> {
  const repo = await makeTempRepo({}, 'loop-default-');
  try {
    const built = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native', 'build', 'Release');
    if (fs.existsSync(built)) fs.cpSync(built, path.join(repo.dir, 'native', 'build', 'Release'), { recursive: true });
    console.log(`native addon: ${fs.existsSync(built) ? 'copied into the clone' : 'not built (jobs use the tfjs engine)'}`);
    const t0 = performance.now();
    const res = await repo.cli(['run', '--agent', 'mutate', '--tag', 'bench', '--max-iterations', String(iterations), '--quiet']);
    const total = (performance.now() - t0) / 1000;
    if (res.exitCode !== 0) throw new Error(`run exited ${res.exitCode}:\n${res.stderr}`);
    const events = journalEvents(repo.dir, 'bench');
    const start = events.find((e) => e.type === 'baseline') ?? events[0];
    let prevEnd = at(start);
    const walls: number[] = [];
    for (let it = 1; it <= iterations; it++) {
      const mine = events.filter((e) => 'iteration' in e && e.iteration === it);
      const decision = mine.find((e) => e.type === 'decision');
      if (!decision || decision.type !== 'decision') continue;
      const end = at(mine[mine.length - 1]);
      walls.push((end - prevEnd) / 1000);
      console.log(`  iteration ${it}: ${((end - prevEnd) / 1000).toFixed(2)} s wall, evaluation ${decision.seconds.toFixed(2)} s, ${mine.filter((e) => e.type === 'job').length} jobs`);
      prevEnd = end;
    }
    const mean = walls.reduce((a, b) => a + b, 0) / Math.max(1, walls.length);
    console.log(`run: ${iterations} iterations in ${total.toFixed(1)} s wall (process start, data synthesis, baseline and noise floor included)`);
    console.log(`experiments per hour on the default config without LLM time: ${(3600 / mean).toFixed(0)} (mean iteration ${mean.toFixed(2)} s)`);
  } finally {
    repo.cleanup();
  }
}

await main();
