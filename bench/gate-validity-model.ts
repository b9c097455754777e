// Model-based gate rates at fixed true gains: seed payouts ~ Normal(mean, σ) with σ = 1% of payout (as on
// the synthetic set), pushed through the real gate functions by bench/gate-validity/simulate.ts, for the
// old defaults, the current ones and the alternatives. Cheap: no training.
// Usage: node --import tsx bench/gate-validity-model.ts [--trials 20000] [--seed 1]
import { parseArgs } from 'node:util';
import { ConfigSchema } from '../agent/config-schema.ts';
import { alternativeRules, loopRule, type Rule } from './gate-validity/rules.ts';
import { simulateRules } from './gate-validity/simulate.ts';

const { values: v } = parseArgs({ options: { trials: { type: 'string', default: '20000' }, seed: { type: 'string', default: '1' } } });
const trials = Number(v.trials);
const seed = Number(v.seed);
if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(seed)) {
  process.stderr.write(`gate-validity-model: expected positive integers for --trials and --seed, got ${v.trials}, ${v.seed}\n`);
  process.exit(2);
}

const old: Rule = { ...loopRule(ConfigSchema.parse({ gate: { noise_seeds: 3, margin_k: 2 } })), name: 'old defaults (3 noise seeds, margin_k 2)' };
const current: Rule = { ...loopRule(ConfigSchema.parse({})), name: 'current defaults' };
const rules = [old, current, ...alternativeRules(old)];
const PAYOUT = 0.1;
const SIGMA = 0.001;
const GAINS = [10, 2, 1];

const byGain = GAINS.map((g) => simulateRules(rules, { mean: PAYOUT, sigma: SIGMA }, { mean: PAYOUT + g * SIGMA, sigma: SIGMA }, trials, seed));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const lines = [
  `${trials} simulated null and ${trials} planted trials per rule and gain; seed σ = 1% of payout; paired-test rules need per-era data and are skipped`,
  '', `| rule | false keeps [95% CI] | ${GAINS.map((g) => `true keeps, gain ${g}σ`).join(' | ')} |`, `|---|---|${GAINS.map(() => '---').join('|')}|`,
];
byGain[0].forEach((r, i) => {
  const f = r.falseKeep;
  lines.push(`| ${r.rule.name} | ${pct(f.rate)} [${pct(f.ci.lower)}, ${pct(f.ci.upper)}] | ${byGain.map((b) => pct(b[i].trueKeep.rate)).join(' | ')} |`);
});
process.stdout.write(`${lines.join('\n')}\n`);
