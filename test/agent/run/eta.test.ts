import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etaToBudget } from '../../../agent/run/eta.ts';

const budget = (b: object) => ({ max_iterations: null, max_hours: null, max_cost_usd: null, ...b });

test('ETA is the earliest budget, projected from time and cost per iteration', () => {
  const base = { done: 4, secondsPerIteration: 60, costUsd: 2, sessionStartMs: 0, nowMs: 600_000 };
  assert.equal(etaToBudget({ ...base, budget: budget({}) }), null);
  // 10 − 4 = 6 iterations × 60 s
  assert.deepEqual(etaToBudget({ ...base, budget: budget({ max_iterations: 10 }) }), { seconds: 360, budget: 'max_iterations' });
  // 1 h from a session that started 10 min ago: 50 min left
  assert.deepEqual(etaToBudget({ ...base, budget: budget({ max_hours: 1 }) }), { seconds: 3000, budget: 'max_hours' });
  // $0.50 per iteration, $3 left → 6 more iterations × 60 s
  assert.deepEqual(etaToBudget({ ...base, budget: budget({ max_cost_usd: 5 }) }), { seconds: 360, budget: 'max_cost_usd' });
  // the earliest wins: $1 left → 2 iterations = 120 s, before 6 iterations or 50 min
  assert.deepEqual(etaToBudget({ ...base, budget: budget({ max_iterations: 10, max_hours: 1, max_cost_usd: 3 }) }), { seconds: 120, budget: 'max_cost_usd' });
  // no history yet: only the hours budget can be projected
  assert.deepEqual(etaToBudget({ ...base, secondsPerIteration: null, done: 0, budget: budget({ max_iterations: 10, max_hours: 2 }) }), { seconds: 6600, budget: 'max_hours' });
});
