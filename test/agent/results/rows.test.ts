import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowsFromEvents } from '../../../agent/results/rows.ts';
import { sampleEvents } from './journal-fixture.ts';

const close = (actual: number | null, expected: number, what: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${what}: expected ${expected}, got ${actual}`);

test('the baseline row comes first, with seed means, the seed std (ddof 1) and the per-era sharpe and drawdown', () => {
  const [base] = rowsFromEvents(sampleEvents());
  const { corr, bmc, fnc, std, sharpe, max_drawdown, ...rest } = base;
  close(corr, 0.015, 'corr');
  close(bmc, 0.003, 'bmc');
  close(fnc, 0.006, 'fnc');
  close(std, 0.012 / Math.SQRT2, 'std of 0.012 and 0.024');
  // per-era payout 0.01, -0.02, 0.03: mean 0.02/3, population std sqrt(0.00140/3 - (0.02/3)^2)
  close(sharpe, (0.02 / 3) / Math.sqrt(0.0014 / 3 - (0.02 / 3) ** 2), 'sharpe');
  close(max_drawdown, 0.02, 'max drawdown (cumulative 0.01 → -0.01)');
  assert.deepEqual(rest, {
    iteration: 0, ref: 'base0', status: 'baseline', payout: 0.018, seeds: [1, 2], category: null, hypothesis: null,
    input_tokens: 0, output_tokens: 0, cost_usd: 0, seconds: null, bmc_last_200_eras: 0.003, corr_with_benchmark: 0.5,
  });
});

test('candidate rows: keep (branch sha), duplicate, error and pending, tokens from every llm_call of the iteration', () => {
  const rows = rowsFromEvents(sampleEvents()).slice(1);
  assert.deepEqual(rows.map((r) => [r.iteration, r.status, r.ref]), [
    [1, 'keep', 'kept1'],
    [2, 'duplicate', 'refs/autoresearch/mar1/2'],
    [3, 'error', 'refs/autoresearch/mar1/3'],
    [4, 'pending', 'refs/autoresearch/mar1/4'],
  ]);
  assert.deepEqual(rows[0], {
    iteration: 1, ref: 'kept1', status: 'keep', payout: 0.03, corr: 0.02, bmc: 0.007, fnc: 0.011, sharpe: 1.5,
    max_drawdown: 0.004, std: 0.001, seeds: [1], category: 'optimizer', hypothesis: 'try 1',
    input_tokens: 1500, output_tokens: 300, cost_usd: 0.012, seconds: 12.5, bmc_last_200_eras: 0.006, corr_with_benchmark: 0.41,
  });
  // no llm_call lines for iteration 2: the candidate's own tally
  assert.deepEqual([rows[1].input_tokens, rows[1].output_tokens, rows[1].cost_usd, rows[1].fnc, rows[1].seconds], [100, 20, 0.001, null, 0]);
  assert.deepEqual([rows[2].payout, rows[2].input_tokens, rows[2].cost_usd, rows[2].seeds], [null, 300, 0.003, []]);
  assert.deepEqual([rows[3].payout, rows[3].seconds, rows[3].seeds], [null, null, []]);
});

test('a journal without a baseline gives candidate rows only; an empty journal gives none', () => {
  const events = sampleEvents().filter((e) => e.type !== 'baseline');
  assert.deepEqual(rowsFromEvents(events).map((r) => r.iteration), [1, 2, 3, 4]);
  assert.deepEqual(rowsFromEvents([]), []);
});
