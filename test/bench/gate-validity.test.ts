import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from '../../agent/config-schema.ts';
import { SYNTH_SMALL, resolveSynthOptions, synthesize } from '../../harness/data/synth.ts';
import { simulate } from '../../harness/data/synth-model.ts';
import { UserError } from '../../harness/errors.ts';
import { runBench, type BenchOptions } from '../../bench/gate-validity/bench.ts';
import { crossedRule, summarize } from '../../bench/gate-validity/crossed.ts';
import { describeRule } from '../../bench/gate-validity/report.ts';
import { mulberry32 } from '../../harness/prng.ts';
import { alternativeRules, decideTrial, evaluateRule, formTrials, keepRate, loopRule, pickWinner, type Rule } from '../../bench/gate-validity/rules.ts';
import type { SeedRun } from '../../bench/gate-validity/runs.ts';
import { saltFor, variantSource } from '../../bench/gate-validity/variants.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASE = fs.readFileSync(path.join(repoRoot, 'train', 'train.ts'), 'utf8');
const WEIGHTS = { corr: 0.75, bmc: 2.25 };
// The arithmetic below is worked by hand for a 3-seed baseline and k = 2; the defaults are checked separately.
const LOOP: Rule = loopRule(ConfigSchema.parse({ eval: { seeds: [42, 17, 73] }, gate: { noise_seeds: 3, margin_k: 2 } }));
const DEFAULTS: Rule = loopRule(ConfigSchema.parse({}));

/** A seed run whose two eras average to `payout` (corr = payout / 0.75, bmc 0 in both eras). */
function run(payout: number, seed = 1, eraTilt = 0): SeedRun {
  const c = payout / 0.75;
  return { seed, salt: 0, corr: c, bmc: 0, payout, perEra: [{ era: 'e1', n: 10, corr: c + eraTilt, bmc: 0 }, { era: 'e2', n: 10, corr: c - eraTilt, bmc: 0 }] };
}

const lineDiff = (a: string, b: string) => {
  const [x, y] = [a.split('\n'), b.split('\n')];
  assert.equal(x.length, y.length);
  return x.flatMap((l, i) => (l === y[i] ? [] : [[l, y[i]]]));
};

test('keep rates carry the Wilson 95% interval of the keeps', () => {
  const d = (keeps: number, n: number) => Array.from({ length: n }, (_, i) => ({ decision: i < keeps ? 'keep' as const : 'discard' as const }));
  const r = keepRate(d(3, 60));
  assert.deepEqual([r.keeps, r.trials, r.rate], [3, 60, 0.05]);
  assert.ok(Math.abs(r.ci.lower - 0.017149502164395675) < 1e-15 && Math.abs(r.ci.upper - 0.1370051647634852) < 1e-15);
  const none = keepRate(d(0, 60));
  assert.deepEqual([none.rate, none.ci.lower], [0, 0]);
  assert.ok(Math.abs(none.ci.upper - 0.06017185214208986) < 1e-15, 'z²/(n + z²) at 0 keeps');
});

test('the loop rule is read from the schema defaults and described in one sentence', () => {
  assert.deepEqual(
    { seeds: DEFAULTS.seeds, noise: DEFAULTS.noiseSeeds, k: DEFAULTS.marginK, on: DEFAULTS.marginOn, early: DEFAULTS.earlyDiscardK, paired: DEFAULTS.pairedTest, alpha: DEFAULTS.alpha, fixed: DEFAULTS.fixedMargin },
    { seeds: 5, noise: 10, k: 3, on: 'mean', early: 3, paired: false, alpha: 0.05, fixed: null },
  );
  assert.equal(describeRule(DEFAULTS), "keep when the mean payout over 5 seeds beats the best by > 3·σ̂/√5 (σ̂: ddof-1 std of the baseline's 10 seed payouts); discard after seed 1 when it is below the best by > 3σ̂");
  assert.equal(describeRule(LOOP), "keep when the mean payout over 3 seeds beats the best by > 2·σ̂/√3 (σ̂: ddof-1 std of the baseline's 3 seed payouts); discard after seed 1 when it is below the best by > 3σ̂");
});

test('a trial is decided by the real gate with σ, margin and early discard from its own baseline', () => {
  const baseline = [run(0.10), run(0.11), run(0.12)];
  const decide = (cand: number[], rule = LOOP) => decideTrial({ kind: 'null', baseline, candidate: cand.map((p) => run(p)) }, rule, WEIGHTS);
  const within = decide([0.12, 0.12, 0.12]);
  assert.ok(Math.abs(within.sigma - 0.01) < 1e-15 && Math.abs(within.margin - 0.01154700538379251) < 1e-15);
  assert.deepEqual([within.decision, within.early], ['discard', false]);
  assert.ok(Math.abs(within.delta - 0.01) < 1e-15);
  assert.deepEqual([decide([0.13, 0.12, 0.125]).decision], ['keep']);
  const early = decide([0.07, 0.2, 0.2]);
  assert.deepEqual([early.decision, early.early], ['discard', true]);
  assert.match(early.reason, /^first seed \(1\) payout 0\.07000 is below best 0\.11000 by 0\.04000 > early-discard threshold 0\.03000$/);
  const onDiff: Rule = { ...LOOP, marginOn: 'difference' };
  const d = decide([0.13, 0.12, 0.125], onDiff);
  assert.ok(Math.abs(d.margin - 2 * 0.01 * Math.sqrt(2 / 3)) < 1e-15);
  assert.equal(d.decision, 'discard');
});

test('the paired per-era test can veto a keep that the margin alone allows', () => {
  const baseline = [run(0.10, 1), run(0.11, 2), run(0.12, 3)];
  const paired: Rule = { ...LOOP, pairedTest: true, alpha: 0.05 };
  // better on average but worse in one of the two eras: the t-test cannot reject "no improvement"
  const noisy = decideTrial({ kind: 'planted', baseline, candidate: [run(0.13, 1, 0.05), run(0.13, 2, 0.05), run(0.13, 3, 0.05)] }, paired, WEIGHTS);
  assert.equal(noisy.decision, 'discard');
  assert.match(noisy.reason, /but the one-sided paired per-era t-test over 2 eras gives p = 0\.\d{4} ≥ alpha 0\.05$/);
  const plain = decideTrial({ kind: 'planted', baseline, candidate: [run(0.13, 1, 0.05), run(0.13, 2, 0.05), run(0.13, 3, 0.05)] }, LOOP, WEIGHTS);
  assert.equal(plain.decision, 'keep');
});

test('trials take consecutive chunks: baseline then null from the weak pool, planted from the strong pool', () => {
  const weak = Array.from({ length: 12 }, (_, i) => run(0.1 + i / 1000, i));
  const strong = Array.from({ length: 6 }, (_, i) => run(0.2 + i / 1000, 100 + i));
  const t = formTrials(weak, strong, 3, 3);
  assert.deepEqual(t.map((x) => [x.kind, x.baseline.map((r) => r.seed), x.candidate.map((r) => r.seed)]), [
    ['null', [0, 1, 2], [3, 4, 5]], ['planted', [0, 1, 2], [100, 101, 102]],
    ['null', [6, 7, 8], [9, 10, 11]], ['planted', [6, 7, 8], [103, 104, 105]],
  ]);
  const five = formTrials(weak, strong, 5, 5);
  assert.deepEqual(five.map((x) => [x.kind, x.baseline.length, x.candidate[0].seed]), [['null', 5, 5], ['planted', 5, 100]]);
});

test('rates over pools count keeps among null and planted trials, and the winner must meet both goals', () => {
  const weak = Array.from({ length: 12 }, (_, i) => run([0.10, 0.11, 0.12][i % 3] + (i >= 9 ? 0.02 : 0), i));
  const strong = Array.from({ length: 6 }, (_, i) => run(0.2, 100 + i));
  const o = evaluateRule(weak, strong, LOOP, WEIGHTS);
  assert.deepEqual([o.falseKeep.keeps, o.falseKeep.trials, o.trueKeep.keeps, o.trueKeep.trials], [1, 2, 2, 2]);
  assert.equal(o.meetsGoals, false);
  assert.equal(pickWinner([o]), null);
  const good = { ...o, meetsGoals: true, rule: { ...o.rule, seeds: 5 } };
  const cheaper = { ...o, meetsGoals: true };
  assert.equal(pickWinner([good, cheaper]), cheaper);
  assert.equal(alternativeRules(LOOP).length, 14);
});

test('the null edit only salts the seed and the planted edit only restores FEATURE_FRACTION', () => {
  const spec = { epochs: 10, batchSize: 256, weakFraction: 0.75 };
  const a = variantSource(BASE, { ...spec, arm: 'weak', salt: saltFor('weak', 0, 1) });
  const b = variantSource(BASE, { ...spec, arm: 'weak', salt: saltFor('weak', 1, 1) });
  const planted = variantSource(BASE, { ...spec, arm: 'strong', salt: saltFor('weak', 1, 1) });
  assert.deepEqual(lineDiff(a, b), [[`const SEED_SALT = ${saltFor('weak', 0, 1)};`, `const SEED_SALT = ${saltFor('weak', 1, 1)};`]]);
  assert.deepEqual(lineDiff(b, planted), [['const FEATURE_FRACTION = 0.75;', 'const FEATURE_FRACTION = 1.0;']]);
  assert.match(a, /^const EPOCHS = 10;$/m);
  // the weak arm drops the same columns for every seed, so restoring them is a fixed effect
  assert.match(a, /pickColumns\(rows\.x\.nFeatures, mulberry32\(hash\(0, 0x5eed\)\)\)/);
  assert.match(a, /^const BATCH_SIZE = 256;$/m);
  // every seed use goes through the salt, so the whole random stream moves
  assert.equal(a.split('job.seed').length, a.split('(job.seed ^ SEED_SALT)').length);
  assert.notEqual(saltFor('weak', 0, 1), saltFor('strong', 0, 1));
  assert.throws(() => variantSource('const X = 1;', { ...spec, arm: 'weak', salt: 1 }), /has no tunable `const EPOCHS = \.\.\.;`/);
});

test('the synthetic signal knob scales only the predictable returns and leaves the default output unchanged', async () => {
  const plain = simulate(SYNTH_SMALL);
  assert.deepEqual(simulate({ ...SYNTH_SMALL, signal: 1 }), plain);
  const weak = simulate({ ...SYNTH_SMALL, signal: 0.2 });
  assert.deepEqual(weak.bins, plain.bins);
  assert.notDeepEqual(weak.targets[0], plain.targets[0]);
  assert.throws(() => resolveSynthOptions({ signal: -1 }), (e: unknown) => e instanceof UserError && e.what === 'invalid synthetic dataset options: expected a number from 0 to 10 for signal, got -1');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-synth-'));
  try {
    await synthesize(dir, SYNTH_SMALL);
    assert.equal('signal' in JSON.parse(fs.readFileSync(path.join(dir, 'synthetic.json'), 'utf8')).options, false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a tiny bench (2 null + 2 planted) trains through the real harness, caches, and re-decides without training', { timeout: 300_000 }, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-bench-'));
  const opts: BenchOptions = {
    n: 2, seed: 5, datasets: [{ name: 'default' }], eras: 48, rows: 40, features: 12, epochs: 1, batchSize: 256, weakFraction: 0.5,
    train: true, simulate: 0, outDir: out, baseSource: BASE, log: () => {},
    config: { cv: { folds: 2, embargo: 2, holdout: 4 }, eval: { seeds: [1, 2], workers: 2, backend: 'wasm' }, gate: { noise_seeds: 2 } },
  };
  try {
    const first = (await runBench(opts)).datasets[0];
    assert.deepEqual([first.weak.length, first.strong.length, first.loop.falseKeep.trials, first.loop.trueKeep.trials], [4, 2, 2, 2]);
    for (let k = 0; k < 2; k++) {
      const [base, cand] = [first.weak[2 * k].seeds[0], first.weak[2 * k + 1].seeds[0]];
      assert.equal(base.seed, cand.seed);
      assert.notDeepEqual(cand.perEra.map((e) => e.corr), base.perEra.map((e) => e.corr), 'the null edit changes the predictions');
    }
    const again = (await runBench({ ...opts, train: false })).datasets[0];
    assert.deepEqual(again.weak, first.weak);
    assert.deepEqual(again.loop, first.loop);
    const fewer = (await runBench({ ...opts, n: 1, train: false })).datasets[0];
    assert.deepEqual([fewer.loop.falseKeep.trials, fewer.loop.trueKeep.trials], [1, 1]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('crossed trials pair every measured baseline with every candidate; the bootstrap interval brackets the rate', () => {
  // 3 baselines x 4 candidates: 6 of 12 pairs kept
  const mixed = summarize([[true, false, false, true], [true, true, false, false], [false, true, true, false]], mulberry32(7));
  assert.deepEqual([mixed.baselines, mixed.candidates, mixed.keeps, mixed.pairs, mixed.rate], [3, 4, 6, 12, 0.5]);
  assert.ok(mixed.ci !== null && mixed.ci.lower < 0.5 && mixed.ci.upper > 0.5, JSON.stringify(mixed.ci));
  assert.ok(mixed.ci.lower >= 0 && mixed.ci.upper <= 1);
  assert.deepEqual(summarize([[true, true, true], [true, true, true], [true, true, true]], mulberry32(7)).ci, { lower: 1, upper: 1 });
  // one or two baselines: a bootstrap cannot see the baseline's own variation, so no interval is claimed
  assert.equal(summarize([[true, false, false], [true, true, false]], mulberry32(7)).ci, null);

  // the defaults' rule with 3 seeds (10 noise seeds): 30 weak runs → floor(0.4·30/10) = 1 baseline of 10,
  // then 20 runs → 6 null candidates of 3 (2 left over); 9 strong runs → 3 planted candidates.
  // Baseline payouts alternate 0.099/0.101 (σ̂ ≈ 0.00105, margin 3σ̂/√3 ≈ 0.0018); null candidates sit at
  // the baseline mean, planted ones 0.01 above it: every null is discarded, every planted candidate kept.
  const weak = [
    ...Array.from({ length: 10 }, (_, i) => run(i % 2 ? 0.101 : 0.099, i)),
    ...Array.from({ length: 20 }, (_, i) => run(0.1, 100 + i)),
  ];
  const strong = Array.from({ length: 9 }, (_, i) => run(0.11, 200 + i));
  const THREE = { ...DEFAULTS, seeds: 3 };
  const c = crossedRule(weak, strong, THREE, WEIGHTS, 1);
  assert.deepEqual([c.falseKeep?.baselines, c.falseKeep?.candidates, c.falseKeep?.keeps, c.falseKeep?.pairs], [1, 6, 0, 6]);
  assert.deepEqual([c.trueKeep?.baselines, c.trueKeep?.candidates, c.trueKeep?.keeps, c.trueKeep?.pairs], [1, 3, 3, 3]);
  // too few weak runs for one baseline: no rates rather than a made-up one
  assert.deepEqual(crossedRule(weak.slice(0, 9), strong, THREE, WEIGHTS, 1).falseKeep, null);
});
