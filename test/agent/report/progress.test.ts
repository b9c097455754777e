// The progress chart's series: the running best is the baseline and then the latest keep (what the
// gate compared against), never a higher discard; errors have no point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRow, ResultStatus } from '../../../agent/results/rows.ts';
import { progressSeries } from '../../../agent/report/progress.ts';

const row = (iteration: number, status: ResultStatus, payout: number | null): ResultRow => ({
  iteration, ref: null, status, payout, corr: null, bmc: null, fnc: null, sharpe: null, max_drawdown: null, std: null,
  seeds: [], category: null, hypothesis: null, input_tokens: 0, output_tokens: 0, cost_usd: 0, seconds: null,
  bmc_last_200_eras: null, corr_with_benchmark: null,
});

test('progress series: payout, running best from baseline and keeps, kept markers', () => {
  const rows = [row(0, 'baseline', 0.1), row(1, 'discard', 0.05), row(2, 'error', null), row(3, 'keep', 0.2),
    row(4, 'discard', 0.3), row(5, 'duplicate', 0.2), row(6, 'keep', 0.25), row(7, 'pending', null)];
  assert.deepEqual(progressSeries(rows), {
    labels: ['baseline', '1', '2', '3', '4', '5', '6', '7'],
    payout: [0.1, 0.05, null, 0.2, 0.3, 0.2, 0.25, null],
    best: [0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.25, 0.25],
    kept: [null, null, null, 0.2, null, null, 0.25, null],
  });
});

test('progress series before the baseline is journaled has no best until a keep', () => {
  assert.deepEqual(progressSeries([]), { labels: [], payout: [], best: [], kept: [] });
  assert.deepEqual(progressSeries([row(1, 'discard', 0.05), row(2, 'keep', 0.07)]), {
    labels: ['1', '2'], payout: [0.05, 0.07], best: [null, 0.07], kept: [null, 0.07],
  });
});
