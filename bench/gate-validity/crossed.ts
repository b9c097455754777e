// Crossed trials: the loop measures one baseline per run and judges every candidate of the night
// against it, so pairing each measured baseline with each measured candidate asks the question the
// loop faces, and gets many more trials out of the same trained seed runs than disjoint trials do.
// The pairs share baselines and candidates, so they are not independent: the interval comes from a
// two-way bootstrap that resamples baselines and candidates (with replacement) together.
import { mulberry32 } from '../../harness/prng.ts';
import { decideTrial, type Kind, type Rule } from './rules.ts';
import type { SeedRun } from './runs.ts';

export interface CrossedRate {
  /** distinct baselines and candidates the pairs are made of */
  baselines: number;
  candidates: number;
  keeps: number;
  pairs: number;
  rate: number;
  /** 95% two-way bootstrap percentile interval; null with fewer than MIN_FOR_INTERVAL baselines or candidates */
  ci: { lower: number; upper: number } | null;
}

export interface CrossedOutcome { rule: Rule; falseKeep: CrossedRate | null; trueKeep: CrossedRate | null }

/** Share of the weak seed runs (in evaluation order) that become baselines; the rest are null candidates. */
export const BASELINE_SHARE = 0.4;
const RESAMPLES = 2000;
/** A bootstrap over one or two baselines cannot see how much the rate moves with the baseline. */
export const MIN_FOR_INTERVAL = 3;

/** Every measured baseline against every measured null and planted candidate, decided by the real gate. */
export function crossedRule(weak: readonly SeedRun[], strong: readonly SeedRun[], rule: Rule, weights: { corr: number; bmc: number }, seed: number): CrossedOutcome {
  const nBase = Math.max(1, Math.floor((weak.length * BASELINE_SHARE) / rule.noiseSeeds));
  const baselines = groups(weak.slice(0, nBase * rule.noiseSeeds), rule.noiseSeeds);
  if (baselines.length < nBase) return { rule, falseKeep: null, trueKeep: null };
  const nullCands = groups(weak.slice(nBase * rule.noiseSeeds), rule.seeds);
  const plantedCands = groups(strong, rule.seeds);
  const rate = (kind: Kind, cands: SeedRun[][]): CrossedRate | null => {
    if (cands.length === 0) return null;
    const keep = baselines.map((baseline) => cands.map((candidate) => decideTrial({ kind, baseline, candidate }, rule, weights).decision === 'keep'));
    return summarize(keep, mulberry32(seed ^ (kind === 'null' ? 0x1111 : 0x2222)));
  };
  return { rule, falseKeep: rate('null', nullCands), trueKeep: rate('planted', plantedCands) };
}

/** Consecutive groups of `size` runs; a short remainder is dropped. */
function groups(runs: readonly SeedRun[], size: number): SeedRun[][] {
  const out: SeedRun[][] = [];
  for (let i = 0; i + size <= runs.length; i += size) out.push(runs.slice(i, i + size));
  return out;
}

/** Keep rate over a baselines × candidates matrix of decisions, with its two-way bootstrap interval. */
export function summarize(keep: boolean[][], rng: () => number): CrossedRate {
  const nb = keep.length;
  const nc = keep[0]?.length ?? 0;
  let keeps = 0;
  for (const row of keep) for (const k of row) if (k) keeps++;
  const pairs = nb * nc;
  if (nb < MIN_FOR_INTERVAL || nc < MIN_FOR_INTERVAL) return { baselines: nb, candidates: nc, keeps, pairs, rate: keeps / pairs, ci: null };
  const rates = new Float64Array(RESAMPLES);
  for (let r = 0; r < RESAMPLES; r++) {
    const cs = Array.from({ length: nc }, () => Math.floor(rng() * nc));
    let hits = 0;
    for (let i = 0; i < nb; i++) {
      const row = keep[Math.floor(rng() * nb)];
      for (const c of cs) if (row[c]) hits++;
    }
    rates[r] = hits / pairs;
  }
  rates.sort();
  const at = (q: number): number => rates[Math.min(RESAMPLES - 1, Math.floor(q * RESAMPLES))];
  return { baselines: nb, candidates: nc, keeps, pairs, rate: keeps / pairs, ci: { lower: at(0.025), upper: at(0.975) } };
}
