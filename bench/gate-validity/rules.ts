// The pure half of the gate-validity bench: trials built from cached seed runs, each decided by
// the real gate functions exactly as the loop calls them (agent/run/baseline.ts sets σ, margin and
// early discard from the baseline's seeds; agent/run/evaluate-step.ts runs afterFirstSeed, then
// finalDecision), and the keep rates with Wilson 95% intervals. Re-deciding is free.
import type { Config } from '../../agent/config.ts';
import { aggregate } from '../../harness/evaluate.ts';
import { afterFirstSeed, finalDecision, marginFromNoise, type GateBest, type GateConfig } from '../../harness/gate.ts';
import { mean, noiseFloor, wilsonInterval, type Interval } from '../../harness/stats.ts';
import { asSeedResults, type SeedRun } from './runs.ts';

/** A gate rule: how many seeds, how σ becomes a margin and an early discard, and the paired test. */
export interface Rule {
  name: string;
  seeds: number;
  /** baseline seeds that measure σ (the loop uses max(gate.noise_seeds, seeds)) */
  noiseSeeds: number;
  /** 'mean': k·σ/√seeds (the loop's auto margin); 'difference': k·σ·√(2/seeds), the SE of a difference of two means */
  marginOn: 'mean' | 'difference';
  marginK: number;
  /** a fixed margin instead of one from σ (gate.margin set to a number) */
  fixedMargin: number | null;
  /** early discard at this many σ below the best; null = a fixed value or off */
  earlyDiscardK: number | null;
  /** fixed early-discard threshold when earlyDiscardK is null; Infinity = never discard early */
  fixedEarlyDiscard: number;
  pairedTest: boolean;
  alpha: number;
}

export type Kind = 'null' | 'planted';

/** A candidate judged against its own baseline (each trial uses fresh seed runs of both). */
export interface Trial { kind: Kind; baseline: SeedRun[]; candidate: SeedRun[] }

export interface TrialDecision {
  kind: Kind;
  decision: 'keep' | 'discard';
  /** discarded after the first seed */
  early: boolean;
  sigma: number;
  margin: number;
  delta: number;
  reason: string;
}

export interface RateSummary { keeps: number; trials: number; rate: number; ci: Interval }

export interface RuleOutcome {
  rule: Rule;
  falseKeep: RateSummary;
  trueKeep: RateSummary;
  /** mean candidate seeds trained per candidate, after early discards (null and planted together) */
  seedsPerCandidate: number;
  meanMargin: number;
  meetsGoals: boolean;
}

export const GOALS = { maxFalseKeep: 0.05, minTrueKeep: 0.9 } as const;

/** The loop's rule under a resolved config (defaults unless autoresearch.yaml says otherwise). */
export function loopRule(config: Config): Rule {
  const g = config.gate;
  const seeds = config.eval.seeds.length;
  return {
    name: 'loop defaults', seeds, noiseSeeds: Math.max(g.noise_seeds, seeds), marginOn: 'mean', marginK: g.margin_k,
    fixedMargin: g.margin === 'auto' ? null : g.margin, earlyDiscardK: g.early_discard === 'auto' ? 3 : null,
    fixedEarlyDiscard: g.early_discard === 'auto' ? Infinity : g.early_discard, pairedTest: g.paired_test, alpha: g.alpha,
  };
}

/**
 * Trials from pools of seed runs in evaluation order. Trial t takes the next noiseSeeds + seeds weak
 * runs (baseline, then the null candidate) and the next `seeds` strong runs (the planted candidate,
 * against the same baseline). With seeds = noiseSeeds = 3 each chunk is exactly one evaluation.
 */
export function formTrials(weak: readonly SeedRun[], strong: readonly SeedRun[], seeds: number, noiseSeeds: number): Trial[] {
  const out: Trial[] = [];
  const step = noiseSeeds + seeds;
  for (let t = 0; (t + 1) * step <= weak.length; t++) {
    const baseline = weak.slice(t * step, t * step + noiseSeeds);
    out.push({ kind: 'null', baseline, candidate: weak.slice(t * step + noiseSeeds, (t + 1) * step) });
    if ((t + 1) * seeds <= strong.length) out.push({ kind: 'planted', baseline, candidate: strong.slice(t * seeds, (t + 1) * seeds) });
  }
  return out;
}

/** Decides one trial with the real gate functions, as the loop would for its first candidate. */
export function decideTrial(trial: Trial, rule: Rule, weights: { corr: number; bmc: number }): TrialDecision {
  const base = aggregate(asSeedResults(trial.baseline), weights);
  const sigma = noiseFloor(trial.baseline.map((r) => r.payout));
  const k = rule.marginOn === 'difference' ? rule.marginK * Math.SQRT2 : rule.marginK;
  const margin = rule.fixedMargin ?? marginFromNoise(sigma, rule.seeds, k);
  const earlyDiscard = rule.earlyDiscardK === null ? rule.fixedEarlyDiscard : rule.earlyDiscardK * sigma;
  const gate: GateConfig = { seeds: trial.candidate.map((r) => r.seed), margin, earlyDiscard, pairedTest: rule.pairedTest, alpha: rule.alpha };
  const best: GateBest = { payout: base.mean.payout as number, perEra: base.perEraPayout };
  const payouts = trial.candidate.map((r) => r.payout);
  const first = afterFirstSeed(payouts[0], best, gate);
  if (first.action === 'discard') {
    return { kind: trial.kind, decision: 'discard', early: true, sigma, margin, delta: payouts[0] - best.payout, reason: first.reason };
  }
  const agg = aggregate(asSeedResults(trial.candidate), weights);
  const paired = gate.pairedTest && best.perEra!.length === agg.perEraPayout.length;
  const final = finalDecision(payouts, agg.perEraPayout, best, { ...gate, pairedTest: paired });
  return { kind: trial.kind, decision: final.decision, early: false, sigma, margin, delta: final.delta as number, reason: final.reason };
}

/** Keeps out of trials, with the Wilson 95% interval. */
export function keepRate(decisions: readonly { decision: 'keep' | 'discard' }[]): RateSummary {
  const keeps = decisions.filter((d) => d.decision === 'keep').length;
  const trials = decisions.length;
  return { keeps, trials, rate: trials === 0 ? NaN : keeps / trials, ci: wilsonInterval(keeps, trials) };
}

/** False-keep and true-keep rates of one rule over the pools. */
export function evaluateRule(weak: readonly SeedRun[], strong: readonly SeedRun[], rule: Rule, weights: { corr: number; bmc: number }): RuleOutcome {
  const decisions = formTrials(weak, strong, rule.seeds, rule.noiseSeeds).map((t) => decideTrial(t, rule, weights));
  const falseKeep = keepRate(decisions.filter((d) => d.kind === 'null'));
  const trueKeep = keepRate(decisions.filter((d) => d.kind === 'planted'));
  const seedsRun = decisions.map((d) => (d.early ? 1 : rule.seeds));
  return {
    rule, falseKeep, trueKeep, seedsPerCandidate: mean(seedsRun), meanMargin: mean(decisions.map((d) => d.margin)),
    meetsGoals: falseKeep.rate <= GOALS.maxFalseKeep && trueKeep.rate >= GOALS.minTrueKeep,
  };
}

/** The alternatives tried when the loop's rule misses a goal: margins, the paired test, more seeds. */
export function alternativeRules(base: Rule): Rule[] {
  const auto: Rule = { ...base, fixedMargin: null };
  const r = (name: string, over: Partial<Rule>): Rule => ({ ...auto, name, ...over });
  const more = (n: number): Partial<Rule> => ({ seeds: n, noiseSeeds: Math.max(n, base.noiseSeeds) });
  return [
    r('margin_k 3', { marginK: 3 }),
    r('margin_k 4', { marginK: 4 }),
    r('margin 2·σ·√(2/n) (on the difference)', { marginOn: 'difference', marginK: 2 }),
    r('paired test, alpha 0.05', { pairedTest: true, alpha: 0.05 }),
    r('paired test, alpha 0.01', { pairedTest: true, alpha: 0.01 }),
    r('paired test alone (margin 0), alpha 0.05', { pairedTest: true, alpha: 0.05, marginK: 0 }),
    r('margin_k 3 + paired test, alpha 0.05', { marginK: 3, pairedTest: true, alpha: 0.05 }),
    r('no early discard', { earlyDiscardK: null, fixedEarlyDiscard: Infinity }),
    r('noise_seeds 10 (σ̂ from a 10-seed baseline)', { noiseSeeds: 10 }),
    r('noise_seeds 10, margin_k 3', { noiseSeeds: 10, marginK: 3 }),
    r('5 seeds', more(5)),
    r('5 seeds, margin on the difference', { ...more(5), marginOn: 'difference' }),
    r('6 seeds', more(6)),
    r('6 seeds, margin on the difference', { ...more(6), marginOn: 'difference' }),
  ];
}

/** The cheapest rule (fewest seeds per candidate) meeting both goals; ties go to the higher true − false keep rate. */
export function pickWinner(outcomes: readonly RuleOutcome[]): RuleOutcome | null {
  const ok = outcomes.filter((o) => o.meetsGoals);
  if (ok.length === 0) return null;
  return [...ok].sort((a, b) => a.rule.seeds - b.rule.seeds || (b.trueKeep.rate - b.falseKeep.rate) - (a.trueKeep.rate - a.falseKeep.rate))[0];
}

/** Pooled seed σ (ddof 1) and mean payout of a pool of seed runs. */
export function poolStats(runs: readonly SeedRun[]): { n: number; mean: number; sigma: number; corr: number } {
  const p = runs.map((r) => r.payout);
  return { n: p.length, mean: mean(p), sigma: p.length > 1 ? noiseFloor(p) : NaN, corr: mean(runs.map((r) => r.corr)) };
}
