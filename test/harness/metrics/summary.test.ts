import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PAYOUT_WEIGHTS, payout, summarize } from '../../../harness/metrics/summary.ts';

describe('summarize', () => {
  it('uses the population std (ddof 0) and sharpe = mean / std', () => {
    // [1,2,3,4]: mean 2.5; squared deviations 2.25+0.25+0.25+2.25 = 5; /4 = 1.25 (ddof 1 would be 5/3)
    const s = summarize([1, 2, 3, 4]);
    assert.equal(s.mean, 2.5);
    assert.equal(s.std, Math.sqrt(1.25));
    assert.equal(s.sharpe, 2.5 / Math.sqrt(1.25));
    assert.equal(s.max_drawdown, 0);
  });

  it('starts the running peak at the first cumulative value: [-0.1, 0.05] has no drawdown', () => {
    // cumulative -0.1, -0.05: the peak starts at -0.1 and only rises (prepending 0 would give 0.1)
    assert.equal(summarize([-0.1, 0.05]).max_drawdown, 0);
  });

  it('reports the largest fall below the running peak as a positive number', () => {
    // cumulative 0.5, -1, -0.75, 1.25: peak 0.5 until the end, deepest point -1 → drawdown 1.5
    assert.equal(summarize([0.5, -1.5, 0.25, 2]).max_drawdown, 1.5);
    // cumulative 1, 3, 2.5, 0.5, 4: peak 3, deepest after it 0.5 → 2.5
    assert.equal(summarize([1, 2, -0.5, -2, 3.5]).max_drawdown, 2.5);
  });

  it('gives sharpe NaN when std is 0 (one era, or equal eras)', () => {
    const one = summarize([0.02]);
    assert.equal(one.std, 0);
    assert.ok(Number.isNaN(one.sharpe));
    assert.ok(Number.isNaN(summarize([0.02, 0.02]).sharpe));
  });

  it('drops NaN eras, and is all NaN with nothing left', () => {
    const s = summarize([NaN, 0.5, NaN, -0.5]);
    assert.equal(s.mean, 0);
    assert.equal(s.std, 0.5);
    assert.equal(s.max_drawdown, 0.5);
    const empty = summarize([NaN]);
    assert.ok([empty.mean, empty.std, empty.sharpe, empty.max_drawdown].every(Number.isNaN));
  });
});

describe('payout', () => {
  it('is 0.75·CORR + 2.25·BMC by default, with other weights on request', () => {
    // 0.75·0.02 + 2.25·0.01 = 0.015 + 0.0225
    assert.equal(payout(0.02, 0.01), 0.75 * 0.02 + 2.25 * 0.01);
    assert.deepEqual({ ...DEFAULT_PAYOUT_WEIGHTS }, { corr: 0.75, bmc: 2.25 });
    assert.equal(payout(0.5, 0.25, { corr: 1, bmc: 2 }), 1);
  });
});
