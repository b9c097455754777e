// Prints the gate-validity figures: per data set the signal, the seed σ, the planted improvement,
// the loop rule's false-keep and true-keep rates with Wilson 95% intervals, and, when the loop's
// rule misses a goal, every alternative decided on the same seed runs and the winner.
import type { BenchReport, DatasetReport } from './bench.ts';
import type { CrossedRate } from './crossed.ts';
import { GOALS, type RateSummary, type Rule, type RuleOutcome } from './rules.ts';

/** The report as text lines (markdown tables, pasteable into BENCHMARKS.md). */
export function formatReport(r: BenchReport, meta: { command: string; cpuSeconds: number; runWallSeconds: number }): string[] {
  const out: string[] = [];
  const c = r.config;
  out.push(`command: ${meta.command}`);
  out.push(`gate under test (schema defaults): seeds [${c.eval.seeds.join(', ')}], gate.margin ${c.gate.margin}, margin_k ${c.gate.margin_k}, ` +
    `early_discard ${c.gate.early_discard}, paired_test ${c.gate.paired_test}, alpha ${c.gate.alpha}, noise_seeds ${c.gate.noise_seeds}; ` +
    `cv ${c.cv.folds} folds, embargo ${c.cv.embargo}, holdout ${c.cv.holdout}; payout ${c.payout.corr}·CORR + ${c.payout.bmc}·BMC`);
  out.push('null candidate = the weak module with another salt XORed into the job seed: same function, new random stream ' +
    '(a pure rename gives bit-identical predictions, so its false-keep rate would be 0 by construction); ' +
    'planted candidate = the same module with FEATURE_FRACTION restored to 1.0');
  out.push('each trial has its own baseline (a weak evaluation with a fresh salt), which sets σ̂, the margin and the best to beat, as the loop does at the start of a run');
  for (const d of r.datasets) out.push('', ...formatDataset(d));
  const evals = r.datasets.flatMap((d) => [...d.weak, ...d.strong]);
  const sum = (f: (e: (typeof evals)[number]) => number) => evals.reduce((s, e) => s + f(e), 0);
  out.push('', `compute: ${evals.length} evaluations × ${c.eval.seeds.length} seeds × ${c.cv.folds} folds = ${evals.length * c.eval.seeds.length * c.cv.folds} trainer jobs; ` +
    `as trained ${fmtS(sum((e) => e.wallSeconds))} wall, ${fmtS(sum((e) => e.cpuSeconds))} CPU (orchestrator + trainer jobs, sampled from /proc); ` +
    `this run ${fmtS(meta.runWallSeconds)} wall, ${fmtS(meta.cpuSeconds)} CPU`);
  return out;
}

function formatDataset(d: DatasetReport): string[] {
  const { weak: w, strong: s } = d.pool;
  const gain = s.mean - w.mean;
  const se = Math.sqrt((s.sigma ** 2) / s.n + (w.sigma ** 2) / w.n);
  const l = d.loop;
  const out = [
    `## data set "${d.spec.name}" (signal ${d.spec.signal ?? '1 (generator default)'}): ${d.dataDir}`,
    `seed runs: weak ${w.n} (${d.weak.length} evaluations), strong ${s.n} (${d.strong.length} evaluations); backend ${[...new Set([...d.weak, ...d.strong].map((e) => e.backend))].join(', ') || 'none'}`,
    `mean CORR: weak ${f4(w.corr)}, strong ${f4(s.corr)}; mean payout: weak ${f5(w.mean)}, strong ${f5(s.mean)}`,
    `seed σ of payout (pooled, ddof 1): weak ${f5(w.sigma)} (${pct(w.sigma / w.mean)} of payout), strong ${f5(s.sigma)} (${pct(s.sigma / s.mean)})`,
    `planted improvement: ${f5(gain)} ± ${f5(se)} (SE) = ${pct(gain / w.mean)} of the weak payout; in seed σ: ${(gain / w.sigma).toFixed(2)}σ`,
    `decision rule (loop defaults): ${describeRule(l.rule)}`,
    `margin: mean over trials ${f5(l.meanMargin)}; from the pooled σ ${f5(poolMargin(l.rule, w.sigma))}`,
    `FALSE-KEEP rate (null): ${rate(l.falseKeep)}   TRUE-KEEP rate (planted): ${rate(l.trueKeep)}   ` +
      `goals (false ≤ ${pct(GOALS.maxFalseKeep)}, true ≥ ${pct(GOALS.minTrueKeep)}): ${l.meetsGoals ? 'met' : 'MISSED'} (by the point estimates)`,
  ];
  const measured = d.crossed.filter((c) => c.falseKeep && c.trueKeep);
  if (measured.length > 0) {
    const c0 = measured[0];
    out.push('', `crossed trials (as in a run: one baseline, many candidates): ${c0.falseKeep!.baselines} measured baselines × ${c0.falseKeep!.candidates} null and ` +
      `${c0.trueKeep!.candidates} planted candidates under the loop's rule, every pair decided by the real gate; 95% intervals from a two-way bootstrap over baselines and candidates:`, '',
      '| rule | baselines | false keeps / pairs = rate [95% CI] | true keeps / pairs = rate [95% CI] | goals |', '|---|---|---|---|---|');
    for (const c of measured) {
      const ok = c.falseKeep!.rate <= GOALS.maxFalseKeep && c.trueKeep!.rate >= GOALS.minTrueKeep;
      out.push(`| ${c.rule.name} | ${c.falseKeep!.baselines} | ${crossedRate(c.falseKeep!)} | ${crossedRate(c.trueKeep!)} | ${ok ? 'met' : 'missed'} |`);
    }
  }
  if (d.simulated) {
    out.push('', `model-based rates: ${d.simulated[0].falseKeep.trials} simulated null and planted trials per rule, seed payouts ~ Normal(arm mean, arm σ) as measured above, ` +
      'decided by the same gate functions (paired-test rules need per-era data and are left out):', '',
      '| rule | simulated false-keep rate | simulated true-keep rate |', '|---|---|---|');
    for (const x of d.simulated) out.push(`| ${x.rule.name} | ${pct(x.falseKeep.rate)} | ${pct(x.trueKeep.rate)} |`);
  }
  if (l.meetsGoals) return out;
  out.push('', 'alternatives, decided on the same seed runs (more seeds regroup the seed runs, so fewer trials):', '',
    '| rule | trials (null / planted) | false-keep rate [95% CI] | true-keep rate [95% CI] | mean margin | candidate seeds trained | goals |',
    '|---|---|---|---|---|---|---|');
  for (const o of [l, ...d.alternatives]) out.push(row(o));
  out.push('', d.winner ? `winner: ${d.winner.rule.name} — ${describeRule(d.winner.rule)}` : 'winner: none of these rules meets both goals on this data set');
  return out;
}

function row(o: RuleOutcome): string {
  const ci = (r: RateSummary) => `${r.keeps}/${r.trials} = ${pct(r.rate)} [${pct(r.ci.lower)}, ${pct(r.ci.upper)}]`;
  return `| ${o.rule.name} | ${o.falseKeep.trials} / ${o.trueKeep.trials} | ${ci(o.falseKeep)} | ${ci(o.trueKeep)} | ${f5(o.meanMargin)} | ${o.seedsPerCandidate.toFixed(2)} | ${o.meetsGoals ? 'met' : 'missed'} |`;
}

/** One sentence stating the rule. */
export function describeRule(r: Rule): string {
  const n = r.seeds;
  const margin = r.fixedMargin !== null ? `${r.fixedMargin}`
    : r.marginOn === 'mean' ? `${r.marginK}·σ̂/√${n}` : `${r.marginK}·σ̂·√(2/${n})`;
  const early = r.earlyDiscardK !== null ? `discard after seed 1 when it is below the best by > ${r.earlyDiscardK}σ̂`
    : Number.isFinite(r.fixedEarlyDiscard) ? `discard after seed 1 when it is below the best by > ${r.fixedEarlyDiscard}` : 'no early discard';
  const paired = r.pairedTest ? `, and a one-sided paired per-era t-test against the best gives p < ${r.alpha}` : '';
  return `keep when the mean payout over ${n} seeds beats the best by > ${margin}${paired} (σ̂: ddof-1 std of the baseline's ${r.noiseSeeds} seed payouts); ${early}`;
}

function poolMargin(r: Rule, sigma: number): number {
  if (r.fixedMargin !== null) return r.fixedMargin;
  return (r.marginOn === 'mean' ? r.marginK / Math.sqrt(r.seeds) : r.marginK * Math.sqrt(2 / r.seeds)) * sigma;
}

const crossedRate = (r: CrossedRate) => `${r.keeps}/${r.pairs} = ${pct(r.rate)} ${r.ci ? `[${pct(r.ci.lower)}, ${pct(r.ci.upper)}]` : '[no interval: under 3 baselines or candidates]'}`;
const rate = (r: RateSummary) => `${r.keeps}/${r.trials} = ${pct(r.rate)} [95% CI ${pct(r.ci.lower)}, ${pct(r.ci.upper)}]`;
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');
const f4 = (x: number) => x.toFixed(4);
const f5 = (x: number) => x.toFixed(5);
const fmtS = (s: number) => (Number.isFinite(s) ? `${s.toFixed(0)} s` : 'n/a');
