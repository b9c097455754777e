import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBudget } from '../../../agent/run/budget.ts';
import type { RunState } from '../../../agent/state.ts';

const state = (done: number, cost: number): RunState => ({
  counts: { kept: 1, discarded: done - 1, errors: 0, duplicates: 0 }, costUsd: cost,
} as unknown as RunState);
const budget = (b: Partial<{ max_iterations: number | null; max_hours: number | null; max_cost_usd: number | null }>) =>
  ({ max_iterations: null, max_hours: null, max_cost_usd: null, ...b });

test('budget table: iterations count over the tag, hours over the session, cost with a one-iteration look-ahead', () => {
  const H = 3_600_000;
  const cases: [string, RunState, ReturnType<typeof budget>, number, boolean, RegExp | null][] = [
    ['no budget', state(5, 10), budget({}), 10 * H, false, null],
    ['iterations not reached', state(2, 0), budget({ max_iterations: 3 }), 0, false, null],
    ['iterations reached', state(3, 0), budget({ max_iterations: 3 }), 0, true, /max-iterations 3 \(3 iterations done\)/],
    ['hours not reached', state(1, 0), budget({ max_hours: 2 }), 1.99 * H, false, null],
    ['hours reached', state(1, 0), budget({ max_hours: 2 }), 2 * H, true, /max-hours 2 \(2\.00 h this session\)/],
    ['cost spent', state(2, 1.0), budget({ max_cost_usd: 1 }), 0, true, /reached --max-cost \$1 \(\$1\.0000 spent\)/],
    // 2 iterations cost $0.60 → $0.30 each; $0.60 + $0.30 = $0.90 ≤ $1 → go on
    ['next fits', state(2, 0.6), budget({ max_cost_usd: 1 }), 0, false, null],
    // $0.80 + $0.40 = $1.20 > $1 → stop before starting an iteration that would overspend
    ['next would overspend', state(2, 0.8), budget({ max_cost_usd: 1 }), 0, true, /about \$0\.4000\) would pass --max-cost \$1/],
  ];
  for (const [name, st, b, elapsed, stop, reason] of cases) {
    const r = checkBudget(st, b, 0, elapsed);
    assert.equal(r.stop, stop, name);
    if (reason) assert.match(r.reason, reason, name);
  }
});
