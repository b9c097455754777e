// The session's noise floor: the starting train/ evaluated with K seeds (journaled once per tag and
// reused on resume). Its seed-to-seed σ sets the gate's margin and early-discard threshold, and
// its mean payout is the best to beat until the first keep.
import { marginFromNoise, type GateConfig } from '../../harness/gate.ts';
import { aggregate } from '../../harness/evaluate.ts';
import { noiseFloor } from '../../harness/stats.ts';
import { UserError } from '../../harness/errors.ts';
import type { EventOf } from '../events.ts';
import { noiseSeeds } from '../commands/noise.ts';
import { normalisedSourceHash } from './duplicate.ts';
import { runJournaledSeeds } from './evaluate-step.ts';
import { checkStop, stateOf, type RunContext } from './context.ts';
import path from 'node:path';
import { simpleGit } from 'simple-git';

/** Evaluates the baseline unless the journal has it; returns the gate settings it implies. */
export async function ensureBaseline(ctx: RunContext): Promise<GateConfig> {
  let base = ctx.journal.events().find((e): e is EventOf<'baseline'> => e.type === 'baseline');
  if (!base) {
    const seeds = noiseSeeds(ctx.config.eval.seeds, Math.max(ctx.config.gate.noise_seeds, ctx.config.eval.seeds.length));
    ctx.log(`baseline: evaluating the starting train/ with ${seeds.length} seeds to measure the noise floor`);
    const started = ctx.now();
    const results = await runJournaledSeeds(ctx, 0, seeds, stateOf(ctx).baselineJobs);
    checkStop(ctx);
    const failed = results.flatMap((r) => r.jobs).find((j) => j.status !== 'ok');
    if (failed || results.some((r) => !r.ok)) {
      throw new UserError('the starting train/ does not evaluate',
        failed ? `fold ${failed.fold} seed ${failed.seed} ended ${failed.status}${failed.message ? `: ${failed.message}` : ''}` : 'a seed produced no predictions',
        'fix train/ until `npx autoresearch eval` succeeds, commit it, then run again');
    }
    const agg = aggregate(results, ctx.config.payout);
    const payouts = results.map((r) => r.payout as number);
    const sigma = noiseFloor(payouts);
    const g = ctx.config.gate;
    const margin = g.margin === 'auto' ? marginFromNoise(sigma, ctx.config.eval.seeds.length, g.margin_k) : g.margin;
    const earlyDiscard = g.early_discard === 'auto' ? 3 * sigma : g.early_discard;
    const head = (await simpleGit({ baseDir: ctx.repo }).raw(['rev-parse', 'HEAD'])).trim();
    ctx.journal.append({
      type: 'baseline', ref: head, seeds: results.map((r) => ({ seed: r.seed, corr: r.corr, bmc: r.bmc, payout: r.payout, fnc: r.fnc ?? null })),
      sigma, margin, payout: agg.mean.payout as number, perEra: agg.perEraPayout, earlyDiscard,
      bmcLast200: agg.extra.bmcLast200, corrWithBenchmark: agg.extra.corrWithBenchmark, seconds: (ctx.now() - started) / 1000,
      sourceHash: normalisedSourceHash(path.join(ctx.repo, 'train')),
    });
    base = ctx.journal.events().find((e): e is EventOf<'baseline'> => e.type === 'baseline')!;
    ctx.log(`baseline: payout ${base.payout.toFixed(5)}, σ ${sigma.toFixed(5)} → gate margin ${margin.toFixed(5)}, early discard ${earlyDiscard.toFixed(5)}`);
  }
  return {
    seeds: ctx.config.eval.seeds, margin: base.margin, earlyDiscard: base.earlyDiscard ?? 3 * base.sigma,
    pairedTest: ctx.config.gate.paired_test, alpha: ctx.config.gate.alpha,
  };
}
