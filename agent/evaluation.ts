// Evaluates the working tree's train/ once (used by `eval` and `noise`): opens the harness,
// runs the seeds, writes summary.json and oof.parquet under runs/.
import fs from 'node:fs';
import path from 'node:path';
import { aggregate, runSeeds, type Aggregate, type SeedResult } from '../harness/evaluate.ts';
import { openHarness, probeBackend } from '../harness/session.ts';
import type { Config } from './config.ts';
import { harnessOptions } from './harness-options.ts';
import { writeOof } from './oof.ts';
import { stamp } from './commands/common.ts';

export interface EvalSummary {
  seeds: { seed: number; corr: number | null; bmc: number | null; payout: number | null }[];
  mean: Aggregate['mean'];
  std: Aggregate['std'];
  backend: string | null;
  sandbox: string;
  holdout: boolean;
  empty_folds: number[];
  jobs: { fold: number; seed: number; status: string; seconds: number; message?: string }[];
  out: string;
}

export interface EvalOutcome { results: SeedResult[]; agg: Aggregate; summary: EvalSummary; outDir: string }

/** Evaluates `<repo>/train` with the config's CV and the given seeds. */
export async function evaluateWorkingTrain(o: {
  repo: string; config: Config; seeds: number[]; holdout: boolean; prefix: string; log(line: string): void;
}): Promise<EvalOutcome> {
  const { repo, config, log } = o;
  const harness = await openHarness(harnessOptions(config, repo, log));
  const probe = probeBackend(config.eval.backend);
  log(`backend: ${probe.backend ?? 'unavailable'}${probe.note ? ` (${probe.note})` : ''}`);
  log(`sandbox: ${harness.sandbox.note}`);
  const folds = harness.folds(o.holdout);
  for (const f of folds.folds.filter((x) => x.empty)) log(`fold ${f.fold}: no training eras after the embargo — no predictions`);
  const outDir = freshDir(path.join(repo, 'runs'), `${o.prefix}-${stamp()}${o.holdout ? '-holdout' : ''}`);
  const setup = harness.setup(path.join(repo, 'train'), outDir, o.holdout);
  const total = folds.folds.filter((f) => !f.empty).length * o.seeds.length;
  let done = 0;
  log(`evaluating train/ on ${o.holdout ? 'the holdout' : `${folds.folds.length} folds`} × ${o.seeds.length} seeds with ${setup.workers} workers`);
  const results = await runSeeds(setup, o.seeds, {
    onJob: (j) => log(`[${++done}/${total}] fold ${j.fold} seed ${j.seed}: ${j.status} in ${j.seconds.toFixed(1)}s${j.message ? ` — ${j.message}` : ''}`),
  });
  const agg = aggregate(results, setup.weights);
  const summary: EvalSummary = {
    seeds: results.map((r) => ({ seed: r.seed, corr: r.corr, bmc: r.bmc, payout: r.payout })),
    mean: agg.mean, std: agg.std,
    backend: results.flatMap((r) => r.jobs).find((j) => j.backend)?.backend ?? probe.backend,
    sandbox: harness.sandbox.kind, holdout: o.holdout,
    empty_folds: folds.folds.filter((f) => f.empty).map((f) => f.fold),
    jobs: results.flatMap((r) => r.jobs).map((j) => ({ fold: j.fold, seed: j.seed, status: j.status, seconds: j.seconds, ...(j.message ? { message: j.message } : {}) })),
    out: path.relative(repo, outDir),
  };
  fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (agg.ok) await writeOof(path.join(outDir, 'oof.parquet'), setup, results);
  return { results, agg, summary, outDir };
}

// Two evaluations started in the same second must not share a directory: the second would replace
// the first's train/ snapshot under its running jobs and overwrite its summary.
function freshDir(parent: string, name: string): string {
  fs.mkdirSync(parent, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = path.join(parent, n === 1 ? name : `${name}-${n}`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** One line naming the first failed job, for stderr. */
export function failureLine(summary: EvalSummary): string {
  const failed = summary.jobs.filter((j) => j.status !== 'ok');
  const f = failed[0];
  return `evaluation failed: ${failed.length} job(s) did not finish ok` +
    (f ? ` (first: fold ${f.fold} seed ${f.seed} ${f.status}${f.message ? `: ${f.message}` : ''})` : '');
}
