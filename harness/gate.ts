// The keep/discard gate (seed 002, adaptation 3 and "Noise dominates"): a pure function of the
// candidate's seed payouts, its per-era payouts and the best so far. Score seed 1; discard early
// when it is far below the best; otherwise keep only if the multi-seed mean beats the best by more
// than the margin and, optionally, a one-sided paired per-era t-test rejects "no improvement".
import { UserError } from './errors.ts';
import { mean, pairedTTestGreater, std } from './stats.ts';

export interface GateConfig {
  /** The seeds every candidate is scored with; seeds[0] is the first (early-discard) seed. */
  seeds: number[];
  /** The multi-seed mean must beat the best by strictly more than this. */
  margin: number;
  /** Discard after the first seed when it is below the best by strictly more than this. */
  earlyDiscard: number;
  pairedTest: boolean;
  /** Significance level of the one-sided paired test. */
  alpha: number;
}

/** Best multi-seed mean payout so far, and its per-era payouts (same eras, same order as the candidate's). */
export interface GateBest {
  payout: number;
  perEra?: number[];
}

export type FirstSeedDecision = { action: 'continue' } | { action: 'discard'; reason: string };

export interface FinalDecision {
  decision: 'keep' | 'discard';
  reason: string;
  mean: number;
  /** Sample std (ddof 1) of the seed payouts; NaN with a single seed. */
  std: number;
  /** mean − best; null when there is no best yet. */
  delta: number | null;
  /** One-sided paired t-test p-value; present when the test ran. */
  pValue?: number;
}

/** Throws a UserError naming the first bad gate option. */
export function validateGateConfig(cfg: GateConfig): void {
  const { seeds, margin, earlyDiscard, alpha } = cfg;
  if (seeds.length === 0 || !seeds.every(Number.isInteger)) {
    throw new UserError(
      `expected --seeds to be a non-empty list of integers, got [${seeds.join(', ')}]`,
      'every candidate is trained once per seed and the gate averages their payouts',
      'pass e.g. --seeds 42,17,73',
    );
  }
  if (new Set(seeds).size !== seeds.length) {
    throw new UserError(
      `expected --seeds to be distinct, got [${seeds.join(', ')}]`,
      'a repeated seed repeats the same run and understates the noise',
      'remove the duplicates',
    );
  }
  if (!(margin >= 0) || margin === Infinity) {
    throw new UserError(`expected --margin to be a finite number ≥ 0, got ${margin}`,
      'the margin is how far the mean payout must beat the best', 'pass e.g. --margin 0.0005, or auto to derive it from the noise floor');
  }
  if (!(earlyDiscard >= 0)) {
    throw new UserError(`expected --early-discard to be a number ≥ 0, got ${earlyDiscard}`,
      'it is how far below the best the first seed may fall before the candidate is discarded',
      'pass e.g. --early-discard 0.01, or auto for 3σ of the noise floor');
  }
  if (!(alpha > 0 && alpha < 1)) {
    throw new UserError(`expected --alpha to be between 0 and 1, got ${alpha}`,
      'it is the significance level of the paired per-era test', 'pass e.g. --alpha 0.05');
  }
}

/** Decides after the first seed whether the remaining seeds are worth running. */
export function afterFirstSeed(firstPayout: number, best: GateBest | null, cfg: GateConfig): FirstSeedDecision {
  const seed = cfg.seeds[0];
  if (!Number.isFinite(firstPayout)) {
    return { action: 'discard', reason: `first seed (${seed}) payout is ${firstPayout}, not a finite number` };
  }
  if (best === null) return { action: 'continue' };
  const shortfall = best.payout - firstPayout;
  if (shortfall > cfg.earlyDiscard) {
    return {
      action: 'discard',
      reason: `first seed (${seed}) payout ${fmt(firstPayout)} is below best ${fmt(best.payout)} by ${fmt(shortfall)} ` +
        `> early-discard threshold ${fmt(cfg.earlyDiscard)}`,
    };
  }
  return { action: 'continue' };
}

/**
 * Keep or discard from every seed's payout. `perEra` is the candidate's per-era payout (averaged over
 * seeds) aligned with `best.perEra`; both are required when `cfg.pairedTest` is on and a best exists.
 */
export function finalDecision(
  seedPayouts: number[],
  perEra: number[] | undefined,
  best: GateBest | null,
  cfg: GateConfig,
): FinalDecision {
  if (seedPayouts.length === 0) throw new Error('finalDecision needs at least one seed payout');
  const m = mean(seedPayouts);
  const s = std(seedPayouts, 1);
  const delta = best === null ? null : m - best.payout;
  const base = { mean: m, std: s, delta };
  const n = seedPayouts.length;

  const badSeed = seedPayouts.findIndex((p) => !Number.isFinite(p));
  if (badSeed >= 0) {
    const seed = cfg.seeds[badSeed] ?? `#${badSeed + 1}`;
    return { ...base, decision: 'discard', reason: `seed ${seed} payout is ${seedPayouts[badSeed]}, not a finite number` };
  }
  const badEra = perEra ? perEra.findIndex((p) => !Number.isFinite(p)) : -1;
  if (perEra && badEra >= 0) {
    return { ...base, decision: 'discard', reason: `per-era payout ${badEra + 1} of ${perEra.length} is ${perEra[badEra]}, not a finite number` };
  }
  const over = `over ${n} seed${n === 1 ? '' : 's'}`;
  if (best === null) {
    return { ...base, decision: 'keep', reason: `baseline: mean payout ${fmt(m)} ${over} becomes the first best` };
  }

  const d = m - best.payout;
  const test = cfg.pairedTest ? pairedTest(perEra, best) : undefined;
  const withP = test === undefined ? base : { ...base, pValue: test.pValue };
  if (!(d > cfg.margin)) {
    const rel = d > 0 ? `beats best ${fmt(best.payout)} by ${fmt(d)} ≤`
      : d < 0 ? `is below best ${fmt(best.payout)} by ${fmt(-d)}, and a keep needs more than`
      : `equals best ${fmt(best.payout)}, and a keep needs more than`;
    return { ...withP, decision: 'discard', reason: `mean payout ${fmt(m)} ${over} ${rel} margin ${fmt(cfg.margin)}` };
  }
  const beats = `mean payout ${fmt(m)} ${over} beats best ${fmt(best.payout)} by ${fmt(d)} > margin ${fmt(cfg.margin)}`;
  if (test === undefined) return { ...withP, decision: 'keep', reason: beats };
  const ptxt = `one-sided paired per-era t-test over ${test.n} eras gives p = ${fmtP(test.pValue)}`;
  if (test.pValue < cfg.alpha) return { ...withP, decision: 'keep', reason: `${beats}, and the ${ptxt} < alpha ${cfg.alpha}` };
  const why = Number.isNaN(test.pValue) ? `the paired per-era t-test needs at least 2 eras, got ${test.n}` : `the ${ptxt} ≥ alpha ${cfg.alpha}`;
  return { ...withP, decision: 'discard', reason: `${beats}, but ${why}` };
}

/**
 * The keep margin from the measured noise floor σ of a single run: k·σ/√seeds, k standard errors of a
 * seeds-mean. With σ known, k = 2 would let ~8% of same-quality candidates through; σ is estimated
 * from a few baseline seeds, which widens that (14% with 3 noise seeds in bench/gate-validity's
 * simulation), hence the defaults k = 3 with 10 noise seeds (1.4%).
 */
export function marginFromNoise(sigma: number, seeds: number, k: number = 2): number {
  if (!(sigma >= 0) || sigma === Infinity) throw new RangeError(`margin needs a finite noise floor σ ≥ 0, got ${sigma}`);
  if (!Number.isInteger(seeds) || seeds < 1) throw new RangeError(`margin needs a positive integer seed count, got ${seeds}`);
  if (!(k >= 0) || k === Infinity) throw new RangeError(`margin needs a finite k ≥ 0, got ${k}`);
  return (k * sigma) / Math.sqrt(seeds);
}

// Missing or misaligned per-era payouts are a harness bug: the test would compare different eras.
function pairedTest(perEra: number[] | undefined, best: GateBest) {
  if (!perEra || !best.perEra) {
    throw new Error(`paired test needs per-era payouts of the candidate and the best (candidate: ${perEra ? 'yes' : 'no'}, best: ${best.perEra ? 'yes' : 'no'})`);
  }
  if (perEra.length !== best.perEra.length) {
    throw new Error(`paired test needs aligned per-era payouts, got ${perEra.length} candidate eras and ${best.perEra.length} best eras`);
  }
  if (!best.perEra.every(Number.isFinite)) throw new Error('best per-era payouts contain a non-finite value');
  return pairedTTestGreater(perEra, best.perEra);
}

function fmt(x: number): string {
  if (x !== 0 && Math.abs(x) < 5e-6) return x.toExponential(2);
  return x.toFixed(5);
}

function fmtP(p: number): string {
  if (p !== 0 && p < 1e-4) return p.toExponential(2);
  return p.toFixed(4);
}
