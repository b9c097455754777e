import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadRun } from '../../../agent/results/load.ts';
import { writeResultsParquet } from '../../../agent/results/parquet.ts';
import { rowsFromEvents } from '../../../agent/results/rows.ts';
import { renderInspect } from '../../../agent/results/table.ts';
import { resultsMeta } from '../../../agent/results/write-run.ts';
import { UserError } from '../../../harness/errors.ts';
import { sampleEvents } from '../results/journal-fixture.ts';
import { cli, runsDir } from '../results/run-dir.ts';

const events = sampleEvents();
const dir = runsDir({ mar1: events, apr2: events.slice(0, 2) });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the inspect table: baseline first, bmc over the last 200 eras and corr with the benchmark next to payout', async () => {
  assert.equal(renderInspect(await loadRun(dir, dir, 'mar1')), [
    'run mar1 (runs/mar1/journal.jsonl): 4 candidates, 1 kept; backend wasm; best exp 1 payout 0.03000',
    '',
    'exp  status      payout     corr      bmc  bmc_200      fnc  corr_bench  sharpe   max_dd      std  seeds  tokens     cost   sec  category   hypothesis',
    '  0  baseline   0.01800  0.01500  0.00300  0.00300  0.00600      0.5000   0.324  0.02000  0.00849  1,2         0  $0.0000     -  -          -',
    '  1  keep       0.03000  0.02000  0.00700  0.00600  0.01100      0.4100   1.500  0.00400  0.00100  1        1800  $0.0120  12.5  optimizer  try 1',
    '  2  duplicate  0.03000  0.02000  0.00700        -        -           -       -        -  0.00100  1         120  $0.0010   0.0  optimizer  try 2',
    '  3  error            -        -        -        -        -           -       -        -        -  -         300  $0.0030   0.0  optimizer  nothing',
    '  4  pending          -        -        -        -        -           -       -        -        -  -         120  $0.0010     -  optimizer  try 4',
    '',
  ].join('\n'));
});

test('`inspect TAG --json` prints {run, source, meta, rows} from the journal', () => {
  const r = cli(dir, ['inspect', 'mar1', '--json']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['run', 'source', 'meta', 'rows']);
  assert.equal(out.run, 'mar1');
  assert.equal(out.source, 'runs/mar1/journal.jsonl');
  assert.deepEqual(out.rows, rowsFromEvents(events));
  assert.deepEqual(out.meta, { ...resultsMeta('mar1', events, out.rows, 'unknown') });
});

test('`inspect PATH` reads a results.parquet, its tag from the metadata', async () => {
  const file = path.join(dir, 'saved', 'results.parquet');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const rows = rowsFromEvents(events);
  await writeResultsParquet(file, rows, resultsMeta('mar1', events, rows, 'fp9'));
  const r = cli(dir, ['inspect', 'saved/results.parquet', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.run, out.source, out.meta.data_fingerprint], ['mar1', path.join('saved', 'results.parquet'), 'fp9']);
  assert.deepEqual(out.rows, rows);
});

test('an unknown run is a user error naming the runs that exist (exit 2)', async () => {
  await assert.rejects(loadRun(dir, dir, 'may5'), (e: unknown) => e instanceof UserError && e.what === 'unknown run "may5"'
    && e.why === 'runs/ has these runs: apr2, mar1' && e.fix === 'pass one of those tags, or the path of a results.parquet');
  const r = cli(dir, ['inspect', 'may5']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'error: unknown run "may5"\n  why: runs/ has these runs: apr2, mar1\n  fix: pass one of those tags, or the path of a results.parquet\n');
});
