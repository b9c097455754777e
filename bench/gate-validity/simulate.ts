// Model-based rates beside the measured ones: seed payouts drawn as Normal(mean, σ) of each arm's
// pooled seed runs, pushed through the same decideTrial (the real gate functions). It predicts the
// rates far more precisely than a few dozen trained trials can measure them, but only as well as
// the normal model fits; rules with the paired per-era test are left out (eras are not modelled).
import { rngFor } from '../../harness/data/synth-rng.ts';
import { decideTrial, keepRate, type RateSummary, type Rule, type Trial } from './rules.ts';
import type { SeedRun } from './runs.ts';

export interface ArmModel { mean: number; sigma: number }

export interface SimulatedRates { rule: Rule; falseKeep: RateSummary; trueKeep: RateSummary }

/** Simulates `trials` null and `trials` planted candidates per rule; paired-test rules are skipped. */
export function simulateRules(rules: readonly Rule[], weak: ArmModel, strong: ArmModel, trials: number, seed: number): SimulatedRates[] {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`expected a positive integer number of simulated trials, got ${trials}`);
  return rules.filter((r) => !r.pairedTest).map((rule) => {
    const rng = rngFor(seed, `gate-validity:${rule.name}`);
    const draw = (m: ArmModel, n: number): SeedRun[] =>
      Array.from({ length: n }, (_, i) => ({ seed: i, salt: 0, corr: NaN, bmc: null, payout: m.mean + m.sigma * rng.normal(), perEra: [] }));
    const decisions = [];
    for (let t = 0; t < trials; t++) {
      const baseline = draw(weak, rule.noiseSeeds);
      for (const [kind, arm] of [['null', weak], ['planted', strong]] as const) {
        const trial: Trial = { kind, baseline, candidate: draw(arm, rule.seeds) };
        decisions.push(decideTrial(trial, rule, { corr: 0.75, bmc: 2.25 }));
      }
    }
    return { rule, falseKeep: keepRate(decisions.filter((d) => d.kind === 'null')), trueKeep: keepRate(decisions.filter((d) => d.kind === 'planted')) };
  });
}
