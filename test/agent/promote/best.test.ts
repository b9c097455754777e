// Which candidate promote exports: the highest kept payout, the earliest on a tie, else the baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalEvent } from '../../../agent/events.ts';
import { pickPromotable } from '../../../agent/promote/best.ts';
import { isUserError } from '../../../harness/errors.ts';

const t = '2026-11-23T00:00:00.000Z';
const seeds = (s: number[]) => s.map((seed) => ({ seed, corr: 0.01, bmc: 0.01, payout: 0.03 }));
const baseline = { v: 1, t, type: 'baseline', ref: 'base0', seeds: seeds([1, 2]), sigma: 0.01, margin: 0.01, payout: 0.02 };
const tokens = { input: 0, output: 0, cache_read: 0, cache_write: 0 };

function iteration(n: number, decision: 'keep' | 'discard', payout: number): object[] {
  const out: object[] = [
    { v: 1, t, type: 'candidate', iteration: n, ref: `cand${n}`, refName: `refs/autoresearch/t/${n}`, parent: 'p', diff: '', hypothesis: 'h', category: 'loss',
      subcategory: '', expected: '', tokens, cost_usd: 0, agent: 'mutate', duplicateOf: null, outcome: 'edited' },
    { v: 1, t, type: 'decision', iteration: n, decision, reason: 'r', payout, corr: 0, bmc: 0, fnc: null, sharpe: null, maxDrawdown: null,
      std: 0, delta: 0, seeds: seeds([7, 8, 9]), bestBefore: null, seconds: 1 },
  ];
  if (decision === 'keep') out.push({ v: 1, t, type: 'commit', iteration: n, sha: `sha${n}` });
  return out;
}

const cases: { name: string; events: object[]; want: object }[] = [
  { name: 'nothing kept → the baseline', events: [baseline, ...iteration(1, 'discard', 0.5)],
    want: { iteration: 0, commit: 'base0', payout: 0.02, seeds: [1, 2], baseline: true } },
  { name: 'the highest kept payout, not the highest discarded one', events: [baseline, ...iteration(1, 'keep', 0.03), ...iteration(2, 'discard', 0.9), ...iteration(3, 'keep', 0.05)],
    want: { iteration: 3, commit: 'sha3', payout: 0.05, seeds: [7, 8, 9], baseline: false } },
  { name: 'a tie keeps the earlier candidate', events: [baseline, ...iteration(1, 'keep', 0.04), ...iteration(2, 'keep', 0.04)],
    want: { iteration: 1, commit: 'sha1', payout: 0.04, seeds: [7, 8, 9], baseline: false } },
];

for (const c of cases) {
  test(`pickPromotable: ${c.name}`, () => {
    assert.deepEqual(pickPromotable(c.events as JournalEvent[], 't'), c.want);
  });
}

test('pickPromotable refuses a run with no baseline yet', () => {
  assert.throws(() => pickPromotable([], 'night'), (e: unknown) => isUserError(e) && e.what === 'run "night" has no scored candidate yet');
});
