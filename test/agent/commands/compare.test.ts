import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { JournalEvent } from '../../../agent/events.ts';
import { loadRun } from '../../../agent/results/load.ts';
import { rowsFromEvents } from '../../../agent/results/rows.ts';
import { renderCompare } from '../../../agent/results/table.ts';
import { sampleEvents } from '../results/journal-fixture.ts';
import { cli, runsDir } from '../results/run-dir.ts';

const events = sampleEvents();
// run apr2: only a baseline, with a higher payout
const apr2: JournalEvent[] = events.slice(0, 2).map((e) => (e.type === 'baseline' ? { ...e, payout: 0.02 } : e));
const dir = runsDir({ mar1: events, apr2 });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('compare puts every baseline row first, then each run\'s best, with gain, kept and cost', async () => {
  const runs = [await loadRun(dir, dir, 'mar1'), await loadRun(dir, dir, 'apr2')];
  assert.equal(renderCompare(runs), [
    'run   row               payout     corr      bmc  bmc_200      fnc  corr_bench  sharpe   max_dd      std  seeds      gain  kept     cost',
    'mar1  baseline         0.01800  0.01500  0.00300  0.00300  0.00600      0.5000   0.324  0.02000  0.00849  1,2',
    'apr2  baseline         0.02000  0.01500  0.00300  0.00300  0.00600      0.5000   0.324  0.02000  0.00849  1,2',
    'mar1  best (exp 1)     0.03000  0.02000  0.00700  0.00600  0.01100      0.4100   1.500  0.00400  0.00100  1      +0.01200   1/4  $0.0170',
    'apr2  best (baseline)  0.02000  0.01500  0.00300  0.00300  0.00600      0.5000   0.324  0.02000  0.00849  1,2    +0.00000   0/0  $0.0000',
    '',
  ].join('\n'));
});

test('`compare --json` prints one summary per run in the order given', () => {
  const r = cli(dir, ['compare', 'apr2', 'mar1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { runs } = JSON.parse(r.stdout);
  const rows = rowsFromEvents(events);
  assert.deepEqual(runs.map((s: { run: string }) => s.run), ['apr2', 'mar1']);
  assert.deepEqual(runs[1], {
    run: 'mar1', source: 'runs/mar1/journal.jsonl', candidates: 4, kept: 1, cost_usd: runs[1].cost_usd,
    baseline: rows[0], best: rows[1], gain: 0.03 - 0.018,
  });
  assert.ok(Math.abs(runs[1].cost_usd - 0.017) < 1e-15);
  assert.deepEqual([runs[0].kept, runs[0].candidates, runs[0].gain, runs[0].best.status], [0, 0, 0, 'baseline']);
});

test('one run, or an unknown run, is a user error (exit 2)', () => {
  const one = cli(dir, ['compare', 'mar1']);
  assert.equal(one.code, 2);
  assert.equal(one.stderr, 'error: compare needs at least two runs, got 1\n  why: one run has nothing to be compared with\n  fix: use `autoresearch inspect mar1` for one run, or name two or more\n');
  const unknown = cli(dir, ['compare', 'mar1', 'nope']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /^error: unknown run "nope"\n {2}why: runs\/ has these runs: apr2, mar1\n/);
});
