// The kill soak with a small count: SIGKILLs at seeded-random moments of a mutate run, a restart
// after each, the journal/git invariants after every kill, no trainer outliving its orchestrator,
// and a final state equal to an uninterrupted run's. The full soak is bench/soak-kill.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, soakKill } from '../../../bench/soak-kill.ts';

test('six SIGKILLs at random moments leave no violation and the outcome of an uninterrupted run', async () => {
  const report = await soakKill({ kills: 6, seed: 7, iterations: 2, maxDelayMs: 8000 });
  const figures = formatReport(report);
  assert.deepEqual(report.violations, [], figures);
  assert.equal(report.kills.length, 6, figures);
  assert.equal(report.orphansKilled, 0, figures);
  assert.equal(report.outcomeEqual, true, figures);
  assert.equal(report.iterations, 2 + report.extensions, figures);
  assert.equal(report.restarts, report.starts - 1);
  for (const k of report.kills) {
    if (k.anchor === 'spawn') assert.ok(k.delayMs >= 200 && k.delayMs <= 8000, figures);
    else assert.ok(k.delayMs >= 0 && k.delayMs <= 8000, figures);
  }
  assert.deepEqual(report.kills.map((k) => k.start), [...new Set(report.kills.map((k) => k.start))], 'one kill per start');
});
