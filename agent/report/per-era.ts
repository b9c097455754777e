// Per-era cumulative CORR and BMC of the best model next to the benchmark's own CORR (the agents
// framework's plot_benchmark_corrs), re-scored from the best candidate's saved out-of-fold
// predictions through the harness's own scoring path, so the curves end where the journal's means do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readBin } from '../../harness/binfile.ts';
import { runSeeds, type EvalSetup } from '../../harness/evaluate.ts';
import type { FoldData } from '../../harness/folds.ts';
import { scorePerEra, type EraScore } from '../../harness/metrics/per-era.ts';
import { openHarness } from '../../harness/session.ts';
import { validateConfig } from '../config.ts';
import type { EventOf, JournalEvent } from '../events.ts';
import { harnessOptions } from '../harness-options.ts';
import { iterations, reduceState } from '../state.ts';

export interface PerEraSeries {
  /** the best model's experiment (0 = the baseline) */
  iteration: number;
  seeds: number[];
  benchmark: string | null;
  /** eras scored for every seed, in numeric order */
  eras: string[];
  /** per-era scores averaged over the seeds (null: the era's score is NaN) */
  corr: (number | null)[];
  bmc: (number | null)[] | null;
  benchmarkCorr: (number | null)[] | null;
  /** running sums of the above; a NaN era adds nothing */
  cumCorr: number[];
  cumBmc: number[] | null;
  cumBenchmarkCorr: number[] | null;
}

export type PerEraOutcome = { series: PerEraSeries; note: null } | { series: null; note: string };

type Job = EventOf<'job'>;

/** Re-scores the best model's out-of-fold predictions per era; a note says why when it cannot. */
export async function bestPerEra(repo: string, events: readonly JournalEvent[]): Promise<PerEraOutcome> {
  const state = reduceState(events);
  const best = state.best;
  if (!best) return skip('no model has been scored yet');
  const source = bestSource(events, best.iteration);
  if (!source) return skip(`the journal has no finished evaluation of exp ${best.iteration}`);
  const jobs = [...source.jobs.values()].filter((j) => j.status === 'ok' && j.file);
  if (jobs.length === 0) return skip(`the journal lists no saved predictions for exp ${best.iteration}`);
  const missing = jobs.map((j) => j.file!).filter((f) => !fs.existsSync(path.resolve(repo, f)));
  if (missing.length) return skip(`the saved predictions of exp ${best.iteration} are gone (${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''})`);
  const config = validateConfig(source.config, 'the run\'s config snapshot');
  const harness = await openHarness(harnessOptions(config, repo, () => {}));
  const folds = harness.folds(false).folds.filter((f) => !f.empty);
  const files = new Map(jobs.map((j) => [`${j.fold}:${j.seed}`, path.resolve(repo, j.file!)]));
  for (const seed of source.seeds) {
    for (const f of folds) {
      const file = files.get(`${f.fold}:${seed}`);
      if (!file) return skip(`exp ${best.iteration} has no saved predictions for fold ${f.fold} seed ${seed}`);
      if (predictionCount(file) !== f.predictRows.length) {
        return skip(`the predictions of exp ${best.iteration} do not match the CV plan of its session (fold ${f.fold})`);
      }
    }
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoresearch-report-'));
  try {
    const setup: EvalSetup = {
      ds: harness.ds, folds: harness.folds(false), mainTarget: harness.mainTarget, benchmark: harness.benchmark,
      trainDir: '', workDir, workers: 1, timeoutMs: 0, memoryMb: 0, backend: config.eval.backend,
      weights: { corr: config.payout.corr, bmc: config.payout.bmc },
    };
    // every job is reused; the aborted signal guarantees nothing is ever trained here
    const results = await runSeeds(setup, source.seeds, { reuse: (fold, seed) => files.get(`${fold}:${seed}`), signal: AbortSignal.abort() });
    if (results.some((r) => !r.ok)) return skip(`the predictions of exp ${best.iteration} could not be scored`);
    const bench = benchmarkPerEra(setup, folds);
    return { series: seriesOf(best.iteration, source.seeds, harness.benchmark, results.map((r) => r.perEra), bench), note: null };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

const skip = (note: string): PerEraOutcome => ({ series: null, note });

/** The jobs, seeds and session config that scored the best model. */
function bestSource(events: readonly JournalEvent[], iteration: number) {
  let anchor: number;
  let seeds: number[];
  let jobs: Map<string, Job>;
  if (iteration === 0) {
    anchor = events.findIndex((e) => e.type === 'baseline');
    const base = events[anchor] as EventOf<'baseline'>;
    seeds = base.seeds.map((s) => s.seed);
    jobs = reduceState(events).baselineJobs;
  } else {
    const rec = iterations(events).find((r) => r.iteration === iteration);
    if (!rec?.decision) return null;
    const decision = rec.decision;
    anchor = events.lastIndexOf(decision);
    seeds = decision.seeds.map((s) => s.seed);
    jobs = rec.jobs;
  }
  const start = events.slice(0, anchor + 1).filter((e): e is EventOf<'session_start'> => e.type === 'session_start').pop();
  if (!start || seeds.length === 0) return null;
  return { seeds, jobs, config: start.config };
}

function predictionCount(file: string): number {
  return readBin(file).arrays.predictions?.length ?? -1;
}

/** The benchmark column's own per-era CORR over the same out-of-fold rows. */
function benchmarkPerEra(setup: EvalSetup, folds: FoldData[]): EraScore[] | null {
  const { ds } = setup;
  const b = setup.benchmark === null ? -1 : ds.benchmarkNames.indexOf(setup.benchmark);
  if (b < 0) return null;
  const rows = Int32Array.from(folds.flatMap((f) => [...f.predictRows])).sort();
  const t = ds.targets[ds.targetNames.indexOf(setup.mainTarget)];
  return scorePerEra({
    eraIndex: Int32Array.from(rows, (r) => ds.eraIndex[r]), eraNames: ds.eraNames,
    pred: Float64Array.from(rows, (r) => ds.benchmarks[b][r]), target: Float64Array.from(rows, (r) => t[r]),
  });
}

function seriesOf(iteration: number, seeds: number[], benchmark: string | null, perSeed: EraScore[][], bench: EraScore[] | null): PerEraSeries {
  const maps = perSeed.map((list) => new Map(list.map((s) => [s.era, s])));
  const eras = perSeed[0].map((s) => s.era).filter((era) => maps.every((m) => m.has(era)));
  const seedMean = (era: string, k: 'corr' | 'bmc'): number | null => {
    const v = maps.map((m) => m.get(era)![k]);
    if (v.some((x) => x === undefined || !Number.isFinite(x))) return null;
    return (v as number[]).reduce((a, x) => a + x, 0) / v.length;
  };
  const hasBmc = perSeed[0].some((s) => s.bmc !== undefined);
  const benchMap = bench ? new Map(bench.map((s) => [s.era, s.corr])) : null;
  const corr = eras.map((e) => seedMean(e, 'corr'));
  const bmc = hasBmc ? eras.map((e) => seedMean(e, 'bmc')) : null;
  const benchmarkCorr = benchMap ? eras.map((e) => finiteOrNull(benchMap.get(e))) : null;
  return {
    iteration, seeds, benchmark, eras, corr, bmc, benchmarkCorr,
    cumCorr: cumulative(corr), cumBmc: bmc && cumulative(bmc), cumBenchmarkCorr: benchmarkCorr && cumulative(benchmarkCorr),
  };
}

const finiteOrNull = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

function cumulative(xs: (number | null)[]): number[] {
  let sum = 0;
  return xs.map((x) => (sum += x ?? 0));
}
