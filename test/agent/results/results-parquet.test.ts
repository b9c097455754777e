import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventOf } from '../../../agent/events.ts';
import { readResultsParquet, writeResultsParquet, RESULT_COLUMNS, type ResultsMeta } from '../../../agent/results/parquet.ts';
import { rowsFromEvents } from '../../../agent/results/rows.ts';
import { openDuck, sqlString } from '../../../harness/duck.ts';
import { UserError } from '../../../harness/errors.ts';
import { journalEvents, tinyData } from '../../helpers/loop.ts';
import { makeTempRepo, tinyConfig, type TempRepo } from '../../helpers/temp-repo.ts';
import { sampleEvents } from './journal-fixture.ts';

const PYTHON = '/usr/bin/python3';
const META: ResultsMeta = {
  tag: 'mar1', config: JSON.stringify({ eval: { seeds: [1, 2] }, note: "it's σ" }), backend: 'wasm',
  data_fingerprint: 'fp123', notes: '1 session, 4 candidates, 1 kept', schema_version: '1',
};

let tmp: string;
before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-results-')); });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The metadata pandas/pyarrow would show; null when this python has no pyarrow (DuckDB is the reader then). */
function pyarrowView(file: string): { columns: string[]; rows: number; meta: Record<string, string>; seeds: number[][] } | null {
  if (!fs.existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import pandas, pyarrow']).status !== 0) return null;
  const script = `import json, sys, pandas as pd, pyarrow.parquet as pq
df = pd.read_parquet(sys.argv[1])
md = pq.read_schema(sys.argv[1]).metadata
print(json.dumps({"columns": list(df.columns), "rows": len(df), "meta": {k.decode(): v.decode() for k, v in md.items() if k != b"ARROW:schema"},
  "seeds": [list(map(int, s)) for s in df["seeds"]]}))`;
  const r = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('results.parquet round-trips every row and the key/value metadata', async () => {
  const file = path.join(tmp, 'results.parquet');
  const rows = rowsFromEvents(sampleEvents());
  await writeResultsParquet(file, rows, META);
  const back = await readResultsParquet(file);
  assert.deepEqual(back.rows, rows);
  assert.deepEqual(back.meta, META);
  assert.deepEqual(fs.readdirSync(tmp), ['results.parquet'], 'no temp file left behind');

  const con = await openDuck(1);
  try {
    const cols = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJson().map((r) => `${r.column_name} ${r.column_type}`);
    assert.deepEqual(cols, [
      'iteration INTEGER', 'ref VARCHAR', 'status VARCHAR', 'payout DOUBLE', 'corr DOUBLE', 'bmc DOUBLE', 'fnc DOUBLE', 'sharpe DOUBLE',
      'max_drawdown DOUBLE', 'seeds INTEGER[]', 'std DOUBLE', 'category VARCHAR', 'hypothesis VARCHAR', 'input_tokens BIGINT',
      'output_tokens BIGINT', 'cost_usd DOUBLE', 'seconds DOUBLE', 'bmc_last_200_eras DOUBLE', 'corr_with_benchmark DOUBLE',
    ]);
  } finally {
    con.closeSync();
  }
  const py = pyarrowView(file);
  if (py) {
    assert.deepEqual(py.columns, RESULT_COLUMNS.map(([n]) => n));
    assert.equal(py.rows, 5);
    assert.deepEqual(py.meta, META);
    assert.deepEqual(py.seeds, [[1, 2], [1], [1], [], []]);
  }
});

test('a rewrite replaces the table whole; a failed write leaves the previous file and no temp file', async () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'rewrite-'));
  const file = path.join(dir, 'results.parquet');
  const rows = rowsFromEvents(sampleEvents());
  await writeResultsParquet(file, rows.slice(0, 2), META);
  await writeResultsParquet(file, rows, { ...META, notes: 'second' });
  assert.equal((await readResultsParquet(file)).rows.length, 5);
  const before = fs.readFileSync(file);
  // a value DuckDB refuses (an integer column given a fraction is fine, a BIGINT overflow is not)
  await assert.rejects(writeResultsParquet(file, [{ ...rows[1], input_tokens: 2 ** 80 }], META));
  assert.deepEqual(fs.readFileSync(file), before);
  assert.deepEqual(fs.readdirSync(dir), ['results.parquet']);
});

test('a parquet file that is not a results table is a user error naming the missing columns', async () => {
  const file = path.join(tmp, 'other.parquet');
  const con = await openDuck(1);
  try {
    await con.run(`COPY (SELECT 1 AS iteration, 'x' AS ref) TO ${sqlString(file)} (FORMAT parquet)`);
  } finally {
    con.closeSync();
  }
  await assert.rejects(readResultsParquet(file), (e: unknown) => e instanceof UserError
    && e.what === `${file} is not an autoresearch results table` && e.why.startsWith('it has no columns status, payout, corr, bmc, fnc,'));
});

let repo: TempRepo;
test('a real 2-iteration run writes results.parquet equal to its journal, with FNC per evaluated candidate', async (t) => {
  repo = await makeTempRepo(tinyConfig(await tinyData()), 'ar-results-run-');
  t.after(() => repo.cleanup());
  const res = await repo.cli(['run', '--tag', 'r', '--agent', 'mutate', '--max-iterations', '2', '--quiet']);
  assert.equal(res.exitCode, 0, res.stderr);
  const events = journalEvents(repo.dir, 'r');
  const file = path.join(repo.dir, 'runs', 'r', 'results.parquet');
  const { rows, meta } = await readResultsParquet(file);
  assert.deepEqual(rows, rowsFromEvents(events));
  assert.deepEqual(rows.map((r) => r.iteration), [0, 1, 2]);
  assert.equal(rows[0].status, 'baseline');
  const start = events.find((e): e is EventOf<'session_start'> => e.type === 'session_start')!;
  assert.deepEqual(JSON.parse(meta.config!), start.config);
  assert.equal(meta.tag, 'r');
  assert.equal(meta.schema_version, '1');
  assert.match(meta.data_fingerprint!, /^[0-9a-f]{8,}$/);
  assert.match(meta.notes!, /^1 session, 2 candidates, \d kept; best: /);
  const decisions = events.filter((e): e is EventOf<'decision'> => e.type === 'decision' && e.seeds.length > 0 && e.payout !== null);
  assert.ok(decisions.length > 0, 'at least one candidate was evaluated');
  for (const d of decisions) {
    assert.equal(meta.backend, d.backend);
    // 12 features ≤ the auto limit: FNC is scored, and the decision's is the mean over its seeds
    const perSeed = d.seeds.map((s) => s.fnc as number);
    assert.ok(perSeed.every(Number.isFinite), `exp ${d.iteration} has FNC per seed: ${perSeed}`);
    assert.ok(Math.abs(d.fnc! - perSeed.reduce((a, b) => a + b, 0) / perSeed.length) < 1e-15);
    assert.ok(Number.isFinite(d.bmcLast200) && Number.isFinite(d.corrWithBenchmark));
  }
});
