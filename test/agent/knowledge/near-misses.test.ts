import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nearMisses } from '../../../agent/knowledge/near-misses.ts';
import { JournalBuilder } from './journal-builder.ts';

function journal(): JournalBuilder {
  return new JournalBuilder().session().baseline(0.02)
    .exp(1, 'discard', { payout: 0.0195, delta: -0.0005 })
    .exp(2, 'keep', { payout: 0.0230, delta: 0.003 })
    .exp(3, 'discard', { payout: 0.0228, delta: -0.0002, category: 'loss', subcategory: 'huber', hypothesis: 'Huber loss', diff: 'D3', settings: { LOSS: 'huber' } })
    .exp(4, 'error', { payout: null })
    .exp(5, 'discard', { payout: 0.0229, delta: -0.0001, duplicateOf: 3 })
    .exp(6, 'discard', { payout: 0.0225, delta: -0.0005, seeds: [42] })
    .exp(7, 'discard', { payout: 0.0225, delta: -0.0005, seeds: [42, 17, 73] })
    .exp(8, 'discard', { payout: 0.0240, until: 'decision' })
    .exp(9, 'discard', { payout: null, delta: null });
}

test('near-misses are the discards with the highest payout; keeps, errors, duplicates and unscored ones are left out', () => {
  assert.deepEqual(nearMisses(journal().events, 10).map((m) => m.iteration), [8, 3, 6, 7, 1]);
});

test('ties keep the earlier experiment first and n bounds the list', () => {
  assert.deepEqual(nearMisses(journal().events, 3).map((m) => [m.iteration, m.payout, m.seeds]), [[8, 0.024, 1], [3, 0.0228, 1], [6, 0.0225, 1]]);
  assert.deepEqual(nearMisses(journal().events, 0), []);
});

test('a near-miss carries what the agent needs to build on it', () => {
  const m = nearMisses(journal().events, 2)[1];
  assert.deepEqual(m, {
    iteration: 3, payout: 0.0228, delta: -0.0002, seeds: 1, hypothesis: 'Huber loss', category: 'loss',
    subcategory: 'huber', diff: 'D3', settings: { LOSS: 'huber' },
  });
});

test('a negative or fractional n is a programming error', () => {
  assert.throws(() => nearMisses([], -1), /expected a non-negative integer n for nearMisses, got -1/);
  assert.throws(() => nearMisses([], 1.5), /got 1.5/);
});
