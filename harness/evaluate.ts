// Evaluates one frozen train/ snapshot: every fold × seed job on the worker pool, out-of-fold
// predictions assembled per seed, scored per era against targets the trainer never saw, then
// summarised per seed and across seeds. Finished jobs are saved so a resumed run reuses them.
import fs from 'node:fs';
import path from 'node:path';
import { readBin, writeBin } from './binfile.ts';
import type { Dataset } from './data/types.ts';
import type { FoldSet } from './folds.ts';
import type { FactorCache } from './metrics/factor-cache.ts';
import { featureSourceFromMatrix, scorePerEra, summarizeEras, type EraScore, type ScoreSummary } from './metrics/per-era.ts';
import { runPool } from './runner/pool.ts';
import type { JobResult, JobSpec, JobStatus } from './runner/process.ts';
import { mean, std } from './stats.ts';

/** How trainer jobs run and how seeds are scored; the same for every evaluation of a session. */
export interface JobSettings {
  /** concurrent trainer jobs; 0 → one per core */
  workers: number;
  timeoutMs: number;
  memoryMb: number;
  backend: 'auto' | 'tensorflow' | 'native' | 'wasm' | 'cpu';
  weights: { corr: number; bmc: number };
}

export interface EvalSetup extends JobSettings {
  ds: Dataset;
  folds: FoldSet;
  mainTarget: string;
  benchmark: string | null;
  /** the frozen train/ snapshot */
  trainDir: string;
  /** where job scratch dirs and saved predictions go */
  workDir: string;
  /**
   * score FNC, neutralising each era against every loaded feature (the model's feature set); "auto"
   * only up to FNC_AUTO_MAX_FEATURES, because its least-squares cost grows with features²; absent = off
   */
  fnc?: boolean | 'auto';
  /** each era's FNC factor, shared by every evaluation of a session (the features never change) */
  factorCache?: FactorCache;
}

export interface JobRecord {
  fold: number;
  seed: number;
  status: JobStatus;
  seconds: number;
  message?: string;
  /** saved predictions (ok jobs only) */
  file?: string;
  backend?: string;
  stderrTail?: string;
}

export interface SeedResult {
  seed: number;
  ok: boolean;
  corr: number | null;
  bmc: number | null;
  payout: number | null;
  /** null (or absent) when FNC was not asked for */
  fnc?: number | null;
  /** mean BMC over the last 200 eras that have one; null without a benchmark */
  bmcLast200?: number | null;
  /** mean per-era corr with the benchmark; null without a benchmark */
  corrWithBenchmark?: number | null;
  summary: ScoreSummary | null;
  perEra: EraScore[];
  jobs: JobRecord[];
}

export interface EvalHooks {
  /** saved predictions of a job finished in an earlier process, if any */
  reuse?(fold: number, seed: number): string | undefined;
  onJob?(rec: JobRecord): void;
  signal?: AbortSignal;
}

/** Runs every fold × seed job for `seeds` and scores each seed's out-of-fold predictions. */
export async function runSeeds(setup: EvalSetup, seeds: number[], hooks: EvalHooks = {}): Promise<SeedResult[]> {
  const folds = setup.folds.folds.filter((f) => !f.empty);
  const records = new Map<string, JobRecord>();
  const specs: JobSpec[] = [];
  const predDir = path.join(setup.workDir, 'predictions');
  fs.mkdirSync(predDir, { recursive: true });
  for (const seed of seeds) {
    for (const f of folds) {
      const key = `${f.fold}:${seed}`;
      const reused = hooks.reuse?.(f.fold, seed);
      if (reused && fs.existsSync(reused)) {
        records.set(key, { fold: f.fold, seed, status: 'ok', seconds: 0, file: reused });
        continue;
      }
      specs.push({
        id: key, trainDir: setup.trainDir, dataFile: f.file!, seed, expectedRows: f.predictRows.length,
        timeBudgetMs: setup.timeoutMs, memoryMb: setup.memoryMb,
        scratchDir: path.join(setup.workDir, 'scratch', `f${f.fold}-s${seed}`), backend: setup.backend,
      });
    }
  }
  await runPool(specs, {
    workers: setup.workers,
    signal: hooks.signal,
    onResult: (r: JobResult) => {
      const [fold, seed] = r.id.split(':').map(Number);
      const rec: JobRecord = { fold, seed, status: r.status, seconds: r.seconds, message: r.message, backend: r.backend, stderrTail: r.stderrTail };
      if (r.status === 'ok' && r.predictions) {
        rec.file = path.join(predDir, `f${fold}-s${seed}.bin`);
        writeBin(rec.file, { fold, seed }, { predictions: r.predictions });
      }
      fs.rmSync(path.join(setup.workDir, 'scratch', `f${fold}-s${seed}`), { recursive: true, force: true });
      records.set(r.id, rec);
      hooks.onJob?.(rec);
    },
  });
  return seeds.map((seed) => scoreSeed(setup, seed, folds.map((f) => records.get(`${f.fold}:${seed}`))));
}

function scoreSeed(setup: EvalSetup, seed: number, recs: (JobRecord | undefined)[]): SeedResult {
  const jobs = recs.filter((r): r is JobRecord => r !== undefined);
  const failed = recs.length !== jobs.length || jobs.some((r) => r.status !== 'ok' || !r.file);
  if (failed || jobs.length === 0) {
    return { seed, ok: false, corr: null, bmc: null, payout: null, fnc: null, bmcLast200: null, corrWithBenchmark: null, summary: null, perEra: [], jobs };
  }
  const { ds } = setup;
  const folds = setup.folds.folds.filter((f) => !f.empty);
  const rows: number[] = [];
  const preds: number[] = [];
  folds.forEach((f, i) => {
    const p = readBin(jobs[i].file!).arrays.predictions as Float64Array;
    for (let k = 0; k < f.predictRows.length; k++) { rows.push(f.predictRows[k]); preds.push(p[k]); }
  });
  const order = rows.map((_, i) => i).sort((a, b) => rows[a] - rows[b]);
  const n = order.length;
  const eraIndex = new Int32Array(n);
  const pred = new Float64Array(n);
  const target = new Float64Array(n);
  const t = ds.targets[ds.targetNames.indexOf(setup.mainTarget)];
  const bIdx = setup.benchmark === null ? -1 : ds.benchmarkNames.indexOf(setup.benchmark);
  const benchmark = bIdx >= 0 ? new Float64Array(n) : undefined;
  order.forEach((o, i) => {
    const r = rows[o];
    eraIndex[i] = ds.eraIndex[r];
    pred[i] = preds[o];
    target[i] = t[r];
    if (benchmark) benchmark[i] = ds.benchmarks[bIdx][r];
  });
  const features = wantsFnc(setup.fnc, ds.x.nFeatures) ? featureSourceFromMatrix(ds.x, { rowMap: Int32Array.from(order, (o) => rows[o]) }) : undefined;
  const perEra = scorePerEra({ eraIndex, eraNames: ds.eraNames, pred, target, benchmark, features, factorCache: setup.factorCache });
  const summary = summarizeEras(perEra, { weights: setup.weights });
  const corr = summary.corr.mean;
  const bmc = summary.bmc ? summary.bmc.mean : null;
  const payout = summary.payout ?? (bmc === null ? setup.weights.corr * corr : null);
  const last = summary.bmc_last_200_eras;
  return {
    seed, ok: true, corr, bmc, payout, fnc: finiteOrNull(summary.fnc?.mean),
    bmcLast200: finiteOrNull(last?.mean), corrWithBenchmark: finiteOrNull(summary.bmc?.avg_corr_with_benchmark),
    summary, perEra, jobs,
  };
}

/**
 * Above this many features "auto" skips FNC: a 4,700-row era at 416 features costs ~0.25 s for the
 * session's first candidate (the factor; ~2.4 min per seed over 574 eras) and ~26 ms after it, but the
 * factors of 574 eras take ~390 MiB, and a full 2,376-feature set would not fit the cache at all.
 */
export const FNC_AUTO_MAX_FEATURES = 100;

/** Whether an evaluation with this `fnc` setting scores FNC on a feature set of `nFeatures`. */
export function wantsFnc(fnc: boolean | 'auto' | undefined, nFeatures: number): boolean {
  return fnc === true || (fnc === 'auto' && nFeatures <= FNC_AUTO_MAX_FEATURES);
}

const finiteOrNull = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

export interface Aggregate {
  ok: boolean;
  mean: { corr: number | null; bmc: number | null; payout: number | null };
  /** seed means of FNC, BMC over the last 200 eras and corr with the benchmark; null unless every seed has one */
  extra: { fnc: number | null; bmcLast200: number | null; corrWithBenchmark: number | null };
  /** sample std (ddof 1) across seeds, like the noise floor; null with one seed */
  std: { corr: number | null; bmc: number | null; payout: number | null };
  /** per-era payout averaged over seeds, aligned with `eras` */
  perEraPayout: number[];
  eras: string[];
}

const sd1 = (xs: number[]) => (xs.length > 1 ? std(xs, 1) : NaN);
const seedStd = (v: number | null) => (v === null || Number.isNaN(v) ? null : v);

/** Means and std across seeds, plus the seed-averaged per-era payout used by the paired test. */
export function aggregate(results: SeedResult[], weights: { corr: number; bmc: number }): Aggregate {
  const ok = results.length > 0 && results.every((r) => r.ok);
  type Key = 'corr' | 'bmc' | 'payout' | 'fnc' | 'bmcLast200' | 'corrWithBenchmark';
  const col = (k: Key) => results.map((r) => r[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const stat = (k: Key, f: (xs: number[]) => number) => (ok && col(k).length === results.length ? f(col(k)) : null);
  const byEra = new Map<string, number[]>();
  if (ok) {
    for (const r of results) {
      for (const e of r.perEra) {
        const v = weights.corr * e.corr + weights.bmc * (e.bmc ?? 0);
        if (!Number.isFinite(v)) continue;
        const list = byEra.get(e.era) ?? [];
        list.push(v);
        byEra.set(e.era, list);
      }
    }
  }
  const eras = [...byEra.keys()].filter((e) => byEra.get(e)!.length === results.length);
  return {
    ok,
    mean: { corr: stat('corr', mean), bmc: stat('bmc', mean), payout: stat('payout', mean) },
    extra: { fnc: stat('fnc', mean), bmcLast200: stat('bmcLast200', mean), corrWithBenchmark: stat('corrWithBenchmark', mean) },
    std: { corr: seedStd(stat('corr', sd1)), bmc: seedStd(stat('bmc', sd1)), payout: seedStd(stat('payout', sd1)) },
    perEraPayout: eras.map((e) => mean(byEra.get(e)!)),
    eras,
  };
}
