import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  afterFirstSeed, finalDecision, marginFromNoise, validateGateConfig,
  type FinalDecision, type FirstSeedDecision, type GateBest, type GateConfig,
} from '../../harness/gate.ts';
import { UserError } from '../../harness/errors.ts';

const CFG: GateConfig = { seeds: [42, 17, 73], margin: 0.0008, earlyDiscard: 0.002, pairedTest: false, alpha: 0.05 };
const PAIRED: GateConfig = { ...CFG, pairedTest: true };

const FIRST: [name: string, first: number, best: GateBest | null, expected: FirstSeedDecision, cfg?: GateConfig][] = [
  ['no best yet (the baseline) continues', 0.001, null, { action: 'continue' }],
  ['a first seed above the best continues', 0.013, { payout: 0.011 }, { action: 'continue' }],
  ['a first seed within the early-discard threshold continues', 0.010, { payout: 0.011 }, { action: 'continue' }],
  ['a first seed exactly at the threshold continues', 0.25, { payout: 0.5 }, { action: 'continue' }, { ...CFG, earlyDiscard: 0.25 }],
  ['a first seed far below the best is discarded', 0.008, { payout: 0.011 }, {
    action: 'discard',
    reason: 'first seed (42) payout 0.00800 is below best 0.01100 by 0.00300 > early-discard threshold 0.00200',
  }],
  ['a NaN first seed is discarded', NaN, { payout: 0.011 }, { action: 'discard', reason: 'first seed (42) payout is NaN, not a finite number' }],
  ['a NaN baseline first seed is discarded', NaN, null, { action: 'discard', reason: 'first seed (42) payout is NaN, not a finite number' }],
  ['an infinite first seed is discarded', Infinity, { payout: 0.011 }, {
    action: 'discard', reason: 'first seed (42) payout is Infinity, not a finite number',
  }],
];

for (const [name, first, best, expected, cfg = CFG] of FIRST) {
  test(`afterFirstSeed: ${name}`, () => {
    assert.deepEqual(afterFirstSeed(first, best, cfg), expected);
  });
}

const BEST_PER_ERA = [0.020, 0.010, -0.005, 0.030, 0.015, 0.000, 0.025, -0.010];
// Beats the best on average, but era by era the sign flips: scipy ttest_rel(greater) p = 0.3585770332402178.
const NOISY_PER_ERA = [0.034, 0.002, 0.006, 0.021, 0.027, -0.006, 0.031, -0.019];
// A small, consistent edge in every era: p = 2.1691945273942765e-06.
const STEADY_PER_ERA = BEST_PER_ERA.map((b, i) => b + 0.0015 + 0.0002 * i);
const BEST = { payout: 0.0106, perEra: BEST_PER_ERA };

interface Case {
  name: string;
  seeds: number[];
  perEra?: number[];
  best: GateBest | null;
  cfg: GateConfig;
  decision: 'keep' | 'discard';
  reason: string;
  mean: number;
  delta: number | null;
  pValue?: number;
}

const FINAL: Case[] = [
  {
    name: 'no best yet: the baseline is kept', seeds: [0.0118, 0.0122, 0.012], best: null, cfg: CFG,
    decision: 'keep', reason: 'baseline: mean payout 0.01200 over 3 seeds becomes the first best', mean: 0.012, delta: null,
  },
  {
    name: 'beats the best by more than the margin: keep', seeds: [0.012, 0.01234, 0.01268], best: { payout: 0.011 }, cfg: CFG,
    decision: 'keep', reason: 'mean payout 0.01234 over 3 seeds beats best 0.01100 by 0.00134 > margin 0.00080',
    mean: 0.01234, delta: 0.00134,
  },
  {
    name: 'beats the best within the margin: discard', seeds: [0.0115, 0.0116, 0.0114], best: { payout: 0.011 }, cfg: CFG,
    decision: 'discard', reason: 'mean payout 0.01150 over 3 seeds beats best 0.01100 by 0.00050 ≤ margin 0.00080',
    mean: 0.0115, delta: 0.0005,
  },
  {
    name: 'below the best: discard', seeds: [0.0095, 0.0105, 0.01], best: { payout: 0.011 }, cfg: CFG,
    decision: 'discard', reason: 'mean payout 0.01000 over 3 seeds is below best 0.01100 by 0.00100, and a keep needs more than margin 0.00080',
    mean: 0.01, delta: -0.001,
  },
  {
    name: 'equal to the best with margin 0: discard', seeds: [0.5, 0.5], best: { payout: 0.5 }, cfg: { ...CFG, margin: 0 },
    decision: 'discard', reason: 'mean payout 0.50000 over 2 seeds equals best 0.50000, and a keep needs more than margin 0.00000',
    mean: 0.5, delta: 0,
  },
  {
    name: 'the paired test blocks a keep the margin allows', seeds: [0.0118, 0.0122, 0.012], perEra: NOISY_PER_ERA, best: BEST, cfg: PAIRED,
    decision: 'discard',
    reason: 'mean payout 0.01200 over 3 seeds beats best 0.01060 by 0.00140 > margin 0.00080, but the one-sided paired ' +
      'per-era t-test over 8 eras gives p = 0.3586 ≥ alpha 0.05',
    mean: 0.012, delta: 0.0014, pValue: 0.3585770332402178,
  },
  {
    name: 'the paired test confirms a keep', seeds: [0.0118, 0.0122, 0.012], perEra: STEADY_PER_ERA, best: BEST, cfg: PAIRED,
    decision: 'keep',
    reason: 'mean payout 0.01200 over 3 seeds beats best 0.01060 by 0.00140 > margin 0.00080, and the one-sided paired ' +
      'per-era t-test over 8 eras gives p = 2.17e-6 < alpha 0.05',
    mean: 0.012, delta: 0.0014, pValue: 2.1691945273942765e-6,
  },
  {
    name: 'the margin fails first; the p-value is still reported', seeds: [0.011, 0.011], perEra: STEADY_PER_ERA, best: BEST, cfg: PAIRED,
    decision: 'discard', reason: 'mean payout 0.01100 over 2 seeds beats best 0.01060 by 0.00040 ≤ margin 0.00080',
    mean: 0.011, delta: 0.0004, pValue: 2.1691945273942765e-6,
  },
  {
    name: 'the paired test needs two eras', seeds: [0.02], perEra: [0.02], best: { payout: 0.01, perEra: [0.01] }, cfg: PAIRED,
    decision: 'discard',
    reason: 'mean payout 0.02000 over 1 seed beats best 0.01000 by 0.01000 > margin 0.00080, but the paired per-era t-test needs at least 2 eras, got 1',
    mean: 0.02, delta: 0.01, pValue: NaN,
  },
  {
    name: 'a NaN seed payout is discarded', seeds: [0.012, NaN, 0.013], best: { payout: 0.011 }, cfg: CFG,
    decision: 'discard', reason: 'seed 17 payout is NaN, not a finite number', mean: NaN, delta: NaN,
  },
  {
    name: 'a NaN baseline is discarded, not kept', seeds: [NaN, 0.01, 0.01], best: null, cfg: CFG,
    decision: 'discard', reason: 'seed 42 payout is NaN, not a finite number', mean: NaN, delta: null,
  },
  {
    name: 'a NaN per-era payout is discarded', seeds: [0.02, 0.02, 0.02], perEra: [0.01, NaN, 0.03], best: { payout: 0.011 }, cfg: CFG,
    decision: 'discard', reason: 'per-era payout 2 of 3 is NaN, not a finite number', mean: 0.02, delta: 0.009,
  },
];

function near(actual: number | null | undefined, expected: number | null | undefined, label: string): void {
  if (expected === null || expected === undefined || Number.isNaN(expected)) {
    assert.deepEqual(actual, expected, label);
    return;
  }
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)) + 1e-17,
    `${label}: expected ${expected}, got ${actual}`);
}

for (const c of FINAL) {
  test(`finalDecision: ${c.name}`, () => {
    const d: FinalDecision = finalDecision(c.seeds, c.perEra, c.best, c.cfg);
    assert.equal(d.decision, c.decision);
    assert.equal(d.reason, c.reason);
    near(d.mean, c.mean, 'mean');
    near(d.delta, c.delta, 'delta');
    near(d.pValue, c.pValue, 'pValue');
  });
}

test('finalDecision reports the sample std (ddof 1) of the seed payouts', () => {
  assert.ok(Math.abs(finalDecision([0.028, 0.0232, 0.0328], undefined, null, CFG).std - 0.0048) < 1e-16);
  assert.ok(Number.isNaN(finalDecision([0.028], undefined, null, CFG).std));
});

test('finalDecision treats missing or misaligned per-era payouts under the paired test as a harness bug', () => {
  assert.throws(() => finalDecision([0.02], undefined, BEST, PAIRED), /candidate: no, best: yes/);
  assert.throws(() => finalDecision([0.02], BEST_PER_ERA, { payout: 0.01 }, PAIRED), /candidate: yes, best: no/);
  assert.throws(() => finalDecision([0.02], [0.1, 0.2], BEST, PAIRED), /got 2 candidate eras and 8 best eras/);
  assert.throws(() => finalDecision([], undefined, null, CFG), /at least one seed payout/);
  const isUser = (e: unknown) => e instanceof UserError;
  assert.throws(() => finalDecision([0.02], undefined, BEST, PAIRED), (e: unknown) => !isUser(e));
});

test('marginFromNoise is k·σ/√seeds with k = 2 by default', () => {
  assert.equal(marginFromNoise(0.0048, 4), 0.0048);
  assert.equal(marginFromNoise(0.0048, 3), 0.005542562584220407);
  assert.equal(marginFromNoise(0.0048, 3, 1), 0.0027712812921102037);
  assert.equal(marginFromNoise(0, 3), 0);
  assert.throws(() => marginFromNoise(NaN, 3), /finite noise floor σ ≥ 0, got NaN/);
  assert.throws(() => marginFromNoise(0.005, 0), /positive integer seed count, got 0/);
  assert.throws(() => marginFromNoise(0.005, 3, -1), /finite k ≥ 0, got -1/);
});

const BAD: [name: string, over: Partial<GateConfig>, what: string][] = [
  ['no seeds', { seeds: [] }, 'expected --seeds to be a non-empty list of integers, got []'],
  ['a fractional seed', { seeds: [1, 2.5] }, 'expected --seeds to be a non-empty list of integers, got [1, 2.5]'],
  ['repeated seeds', { seeds: [42, 42] }, 'expected --seeds to be distinct, got [42, 42]'],
  ['a negative margin', { margin: -0.001 }, 'expected --margin to be a finite number ≥ 0, got -0.001'],
  ['a NaN margin', { margin: NaN }, 'expected --margin to be a finite number ≥ 0, got NaN'],
  ['a negative early discard', { earlyDiscard: -1 }, 'expected --early-discard to be a number ≥ 0, got -1'],
  ['alpha of 1', { alpha: 1 }, 'expected --alpha to be between 0 and 1, got 1'],
];

for (const [name, over, what] of BAD) {
  test(`validateGateConfig rejects ${name}`, () => {
    assert.throws(() => validateGateConfig({ ...CFG, ...over }), (e: unknown) => e instanceof UserError && e.what === what);
  });
}

test('validateGateConfig accepts an infinite early-discard threshold (never discard early)', () => {
  assert.doesNotThrow(() => validateGateConfig({ ...CFG, earlyDiscard: Infinity }));
  assert.deepEqual(afterFirstSeed(-5, { payout: 0.02 }, { ...CFG, earlyDiscard: Infinity }), { action: 'continue' });
});
