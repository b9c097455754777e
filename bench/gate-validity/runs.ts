// Evaluates bench variants with the real harness (sandboxed trainer jobs through runSeeds) and
// caches each finished evaluation's seed results on disk, so the bench resumes after a stop and
// re-decides with other gate rules without retraining.
import fs from 'node:fs';
import path from 'node:path';
import type { EraScore } from '../../harness/metrics/per-era.ts';
import { runSeeds, type SeedResult } from '../../harness/evaluate.ts';
import type { Harness } from '../../harness/session.ts';
import { startCpuMeter } from './cpu.ts';
import { variantSource, type Arm, type VariantSpec } from './variants.ts';

/** One seed of one evaluated variant: what the gate and aggregate() need. */
export interface SeedRun {
  seed: number;
  salt: number;
  corr: number;
  bmc: number | null;
  payout: number;
  perEra: EraScore[];
}

export interface EvalRecord {
  arm: Arm;
  index: number;
  salt: number;
  seeds: SeedRun[];
  /** tf backend the jobs reported */
  backend: string;
  /** wall seconds of the evaluation, and CPU seconds of the orchestrator and its trainer jobs (sampled, see cpu.ts) */
  wallSeconds: number;
  cpuSeconds: number;
}

export interface EvalRequest extends VariantSpec {
  index: number;
  seeds: number[];
}

/** Reads a cached evaluation; null when absent. */
export function readCached(cacheDir: string, arm: Arm, index: number): EvalRecord | null {
  const file = cacheFile(cacheDir, arm, index);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as EvalRecord) : null;
}

/** Evaluates one variant (or returns its cached result); throws when any trainer job fails. */
export async function evaluateVariant(h: Harness, base: string, req: EvalRequest, dirs: { cache: string; work: string }, signal?: AbortSignal): Promise<EvalRecord> {
  const cached = readCached(dirs.cache, req.arm, req.index);
  if (cached) return cached;
  const name = `${req.arm}-${req.index}`;
  const work = path.join(dirs.work, name);
  fs.rmSync(work, { recursive: true, force: true });
  const src = path.join(work, 'src', 'train');
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, 'train.ts'), variantSource(base, req));
  const t0 = performance.now();
  const cpu = startCpuMeter();
  let cpuSeconds = NaN;
  const results = await runSeeds(h.setup(src, work), req.seeds, { signal }).finally(() => { cpuSeconds = cpu.stop(); });
  if (signal?.aborted) throw new Error(`evaluation ${name} was stopped`);
  const bad = results.flatMap((r) => r.jobs).find((j) => j.status !== 'ok');
  if (bad || results.some((r) => !r.ok)) {
    throw new Error(`evaluation ${name} failed: ${bad ? `fold ${bad.fold} seed ${bad.seed} ${bad.status}${bad.message ? `: ${bad.message}` : ''}${bad.stderrTail ? `\n${bad.stderrTail}` : ''}` : 'a seed produced no predictions'}`);
  }
  const rec: EvalRecord = {
    arm: req.arm, index: req.index, salt: req.salt, seeds: results.map((r) => seedRun(r, req.salt)),
    backend: results.flatMap((r) => r.jobs).find((j) => j.backend)?.backend ?? 'unknown',
    wallSeconds: (performance.now() - t0) / 1000, cpuSeconds,
  };
  fs.mkdirSync(dirs.cache, { recursive: true });
  const file = cacheFile(dirs.cache, req.arm, req.index);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(rec) + '\n');
  fs.renameSync(`${file}.tmp`, file);
  fs.rmSync(work, { recursive: true, force: true });
  return rec;
}

/** The SeedResult shape the harness's aggregate() reads, rebuilt from cached seed runs. */
export function asSeedResults(runs: readonly SeedRun[]): SeedResult[] {
  return runs.map((r): SeedResult => ({ seed: r.seed, ok: true, corr: r.corr, bmc: r.bmc, payout: r.payout, summary: null, perEra: r.perEra, jobs: [] }));
}

function seedRun(r: SeedResult, salt: number): SeedRun {
  return {
    seed: r.seed, salt, corr: r.corr as number, bmc: r.bmc, payout: r.payout as number,
    perEra: r.perEra.map((e) => ({ era: e.era, n: e.n, corr: e.corr, ...(e.bmc === undefined ? {} : { bmc: e.bmc }) })),
  };
}

function cacheFile(cacheDir: string, arm: Arm, index: number): string {
  return path.join(cacheDir, `${arm}-${String(index).padStart(4, '0')}.json`);
}
