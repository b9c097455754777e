import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { featureAt } from '../../../harness/contract.ts';
import { loadNumerai } from '../../../harness/data/loader.ts';
import { UserError } from '../../../harness/errors.ts';
import { query, tmpDir } from './fixture.ts';

// 5,003 rows: DuckDB hands them over in vectors of 2,048, so rows 2,047/2,048 and 4,095/4,096
// sit on either side of a vector boundary; 7 features leave 3 columns and 3 rows outside the
// 4 x 4 tiles of the transpose.
const ROWS = 5003;
const FEATURES = Array.from({ length: 7 }, (_, j) => `feature_f${j}`);
const NULL_ROWS = [0, 2046, 2047, 2048, 2049, 4095, 4096, 5002];

/** A Numerai-shaped train.parquet written by DuckDB; `order` sorts the rows in the file. */
async function writeSet(order: string, idOf = `'n' || lpad(i::VARCHAR, 15, '0')`): Promise<string> {
  const dir = tmpDir('loader-chunks');
  const feats = FEATURES.map((f, j) => `((i * ${j + 3} + i // 7) % 5)::TINYINT AS ${f}`).join(', ');
  const target = `CASE WHEN i IN (${NULL_ROWS.join(', ')}) THEN NULL ELSE ((i % 5) * 0.25)::FLOAT END AS target`;
  const sql = `SELECT lpad((i // 250 + 1)::VARCHAR, 4, '0') AS era, 'train' AS data_type, ${idOf} AS id, ${feats}, ${target} FROM range(${ROWS}) t(i) ORDER BY ${order}`;
  await query(`COPY (${sql}) TO '${path.join(dir, 'train.parquet')}' (FORMAT parquet)`);
  fs.writeFileSync(path.join(dir, 'features.json'), JSON.stringify({ feature_sets: { all: FEATURES }, targets: ['target'] }));
  return dir;
}

const opts = { featureSet: 'all', targets: ['target'], benchmarks: [], includeValidation: false, includeLive: false };

/** Row i of the generator, from its id. */
const rowOfId = (id: string) => Number(id.slice(1));

function assertRowsMatchGenerator(ds: Awaited<ReturnType<typeof loadNumerai>>): void {
  assert.equal(ds.nRows, ROWS);
  for (let r = 0; r < ds.nRows; r++) {
    const i = rowOfId(ds.ids[r]);
    assert.equal(r, i, `row ${r} holds id ${ds.ids[r]}`);
    assert.equal(ds.eraNames[ds.eraIndex[r]], String(Math.floor(i / 250) + 1).padStart(4, '0'));
    FEATURES.forEach((_, j) => assert.equal(featureAt(ds.x, r, j), (i * (j + 3) + Math.floor(i / 7)) % 5));
    if (NULL_ROWS.includes(i)) assert.ok(Number.isNaN(ds.targets[0][r]), `target of row ${i} should be NaN`);
    else assert.equal(ds.targets[0][r], (i % 5) * 0.25);
  }
}

test('values and null targets on both sides of every 2,048-row vector boundary land in their rows', async () => {
  const ds = await loadNumerai(await writeSet('era, id'), opts);
  assertRowsMatchGenerator(ds);
  let nan = 0;
  for (const v of ds.targets[0]) if (Number.isNaN(v)) nan++;
  assert.equal(nan, NULL_ROWS.length);
  assert.equal(ds.eraNames.length, 21);
});

test('a file not sorted by (era, id) loads in the same order as a sorted one', async () => {
  const ds = await loadNumerai(await writeSet('hash(i)'), opts);
  assertRowsMatchGenerator(ds);
});

test('ids longer than 24 bytes and non-ASCII ids load whole', async () => {
  const long = `'n' || lpad(i::VARCHAR, 15, '0') || 'é-long-suffix-ü'`;
  const ds = await loadNumerai(await writeSet('era, id', long), opts);
  assert.equal(ds.nRows, ROWS);
  for (let r = 0; r < ROWS; r++) assert.equal(ds.ids[r], `n${String(r).padStart(15, '0')}é-long-suffix-ü`);
});

test('a feature value above 4 past the first vector is reported with its value', async () => {
  const dir = await writeSet('era, id');
  const file = path.join(dir, 'train.parquet');
  await query(`COPY (SELECT * REPLACE (CASE WHEN id = 'n000000000004100' THEN 7::TINYINT ELSE feature_f2 END AS feature_f2) FROM read_parquet('${file}')) TO '${file}.new' (FORMAT parquet)`);
  fs.renameSync(`${file}.new`, file);
  await assert.rejects(loadNumerai(dir, opts), (e: unknown) => e instanceof UserError && e.what === `feature values outside 0..4 in ${file}` && e.why === 'found the value 7');
});
