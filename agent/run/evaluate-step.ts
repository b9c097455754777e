// Scores one candidate through the gate: the first seed on every fold, an early discard when it
// is far below the best, otherwise the remaining seeds and the final multi-seed decision. Every
// finished fold × seed job is journaled as it lands, so a restart re-uses it.
import fs from 'node:fs';
import path from 'node:path';
import { aggregate, runSeeds, type JobRecord, type SeedResult } from '../../harness/evaluate.ts';
import { afterFirstSeed, finalDecision, type GateBest } from '../../harness/gate.ts';
import { checkHarness } from '../../harness/integrity.ts';
import { summarize } from '../../harness/metrics/summary.ts';
import type { EventOf } from '../events.ts';
import { jobKey } from '../state.ts';
import { checkStop, faultPoint, stateOf, Stopping, type RunContext } from './context.ts';

export type DecisionFields = Omit<EventOf<'decision'>, 'v' | 't' | 'type'>;
type JobEvent = EventOf<'job'>;

/** Runs `seeds` for the train/ in the working tree, journaling jobs under `iteration` (0 = baseline). */
export async function runJournaledSeeds(ctx: RunContext, iteration: number, seeds: number[], reuse: Map<string, JobEvent>): Promise<SeedResult[]> {
  checkHarness(ctx.repo);
  const workDir = path.join(ctx.runDir, `iter-${iteration}`);
  fs.mkdirSync(workDir, { recursive: true });
  const setup = { ...ctx.harness.setup(path.join(ctx.repo, 'train'), workDir), fnc: ctx.config.eval.fnc };
  const results = await runSeeds(setup, seeds, {
    signal: ctx.signal,
    reuse: (fold, seed) => {
      const j = reuse.get(jobKey(fold, seed));
      return j?.status === 'ok' && j.file ? path.resolve(ctx.repo, j.file) : undefined;
    },
    onJob: (j: JobRecord) => {
      if (ctx.signal.aborted) return; // a job killed by the stop is not a result
      ctx.journal.append({
        type: 'job', iteration, fold: j.fold, seed: j.seed, status: j.status, seconds: j.seconds,
        ...(j.message ? { message: j.message } : {}), ...(j.file ? { file: path.relative(ctx.repo, j.file) } : {}),
      });
      faultPoint(ctx, 'after-job', iteration);
      ctx.log(`  exp ${iteration} fold ${j.fold} seed ${j.seed}: ${j.status} in ${j.seconds.toFixed(1)}s${j.message ? ` — ${j.message}` : ''}`);
    },
  });
  checkStop(ctx);
  return results;
}

/** Evaluates candidate `iteration` (its train/ must be in the working tree) and returns the decision. */
export async function evaluateCandidate(ctx: RunContext, iteration: number, reuse: Map<string, JobEvent>): Promise<DecisionFields> {
  const gate = ctx.gate!;
  const started = ctx.now();
  const state = stateOf(ctx);
  const best: GateBest | null = state.best ? { payout: state.best.payout, perEra: state.best.perEra } : null;
  const first = await runJournaledSeeds(ctx, iteration, [gate.seeds[0]], reuse);
  const failed = first.find((r) => !r.ok);
  if (failed) return errorDecision(ctx, iteration, failed, state.best?.payout ?? null, started);
  const early = afterFirstSeed(first[0].payout ?? NaN, best, gate);
  let results = first;
  let reason: string | null = null;
  if (early.action === 'discard') {
    reason = early.reason;
  } else if (gate.seeds.length > 1) {
    const rest = await runJournaledSeeds(ctx, iteration, gate.seeds.slice(1), reuse);
    const bad = rest.find((r) => !r.ok);
    if (bad) return errorDecision(ctx, iteration, bad, state.best?.payout ?? null, started);
    results = [...first, ...rest];
  }
  const agg = aggregate(results, { corr: ctx.config.payout.corr, bmc: ctx.config.payout.bmc });
  const payouts = results.map((r) => r.payout ?? NaN);
  const paired = gate.pairedTest && best?.perEra !== undefined && best.perEra.length === agg.perEraPayout.length;
  const final = reason === null
    ? finalDecision(payouts, agg.perEraPayout, best, { ...gate, pairedTest: paired })
    : { decision: 'discard' as const, reason, mean: payouts[0], delta: best ? payouts[0] - best.payout : null };
  const s = summarize(agg.perEraPayout);
  return {
    iteration, decision: final.decision, reason: final.reason,
    payout: agg.mean.payout, corr: agg.mean.corr, bmc: agg.mean.bmc, fnc: agg.extra.fnc,
    sharpe: finite(s.sharpe), maxDrawdown: finite(s.max_drawdown), std: agg.std.payout,
    delta: best && agg.mean.payout !== null ? agg.mean.payout - best.payout : null,
    seeds: results.map((r) => ({ seed: r.seed, corr: r.corr, bmc: r.bmc, payout: r.payout, fnc: r.fnc ?? null })),
    bestBefore: best?.payout ?? null, perEra: agg.perEraPayout, seconds: (ctx.now() - started) / 1000,
    bmcLast200: agg.extra.bmcLast200, corrWithBenchmark: agg.extra.corrWithBenchmark,
    ...backendOf(results),
  };
}

function errorDecision(ctx: RunContext, iteration: number, r: SeedResult, bestBefore: number | null, started: number): DecisionFields {
  const bad = r.jobs.find((j) => j.status !== 'ok');
  const detail = bad ? `fold ${bad.fold} seed ${bad.seed} ${bad.status}${bad.message ? `: ${bad.message}` : ''}` : `seed ${r.seed} produced no predictions`;
  if (ctx.signal.aborted) throw new Stopping();
  return {
    iteration, decision: 'error', reason: `training failed — ${detail}`, payout: null, corr: null, bmc: null,
    fnc: null, sharpe: null, maxDrawdown: null, std: null, delta: null,
    seeds: [{ seed: r.seed, corr: null, bmc: null, payout: null }], bestBefore, seconds: (ctx.now() - started) / 1000,
  };
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
const backendOf = (results: SeedResult[]): { backend?: string } => {
  const backend = results.flatMap((r) => r.jobs).find((j) => j.backend)?.backend;
  return backend ? { backend } : {};
};
