import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { featureAt } from '../../../harness/contract.ts';
import { loadNumerai, rowsPerBlockFor } from '../../../harness/data/loader.ts';
import { SPLIT_LIVE, SPLIT_TRAIN, SPLIT_VALIDATION } from '../../../harness/data/types.ts';
import { UserError } from '../../../harness/errors.ts';
import { ALL_TARGETS, FIXTURE, copyFixture, fullLoad, query, rewriteParquet } from './fixture.ts';

const countNaN = (a: Float32Array, keep: (r: number) => boolean) => {
  let n = 0;
  for (let r = 0; r < a.length; r++) if (keep(r) && Number.isNaN(a[r])) n++;
  return n;
};

test('loads every split of the fixture with its exact row counts, sorted by (numeric era, id)', async () => {
  const ds = await loadNumerai(FIXTURE, fullLoad());
  assert.equal(ds.nRows, 9874 + 2417 + 115);
  const perSplit = [0, 0, 0];
  for (const s of ds.split) perSplit[s]++;
  assert.deepEqual(perSplit, [9874, 2417, 115]);
  const [{ n }] = await query(`SELECT count(*)::INTEGER AS n FROM read_parquet('${FIXTURE}/validation.parquet') WHERE data_type = 'validation'`);
  assert.equal(n, 2417);
  assert.equal(ds.eraNames.length, 101);
  assert.deepEqual(ds.eraNames.slice(0, 3), ['0001', '0002', '0003']);
  assert.deepEqual(ds.eraNames.slice(-3), ['0099', '0100', 'X']);
  for (let r = 1; r < ds.nRows; r++) {
    assert.ok(ds.eraIndex[r] > ds.eraIndex[r - 1] || (ds.eraIndex[r] === ds.eraIndex[r - 1] && ds.ids[r] > ds.ids[r - 1]), `row ${r} out of order`);
  }
  assert.equal(ds.split[0], SPLIT_TRAIN);
  assert.equal(ds.eraNames[ds.eraIndex[9874]], '0081');
  assert.equal(ds.split[9874], SPLIT_VALIDATION);
  assert.equal(ds.split[ds.nRows - 1], SPLIT_LIVE);
  assert.equal(ds.x.nFeatures, 60);
  assert.equal(ds.x.rowsPerBlock, ds.nRows);
  assert.equal(ds.meta.featureSet, 'all');
  assert.match(ds.meta.fingerprint, /^[0-9a-f]{24}$/);
});

test('feature values, targets and benchmarks equal the parquet cells of the same id', async () => {
  const ds = await loadNumerai(FIXTURE, fullLoad());
  const probe = [0, 4321, 9873, 9874, 11000, ds.nRows - 1];
  for (const r of probe) {
    const file = ds.split[r] === SPLIT_TRAIN ? 'train' : ds.split[r] === SPLIT_VALIDATION ? 'validation' : 'live';
    const [row] = await query(`SELECT * FROM read_parquet('${FIXTURE}/${file}.parquet') WHERE id = '${ds.ids[r]}'`);
    assert.equal(row.era, ds.eraNames[ds.eraIndex[r]]);
    ds.featureNames.forEach((f, j) => assert.equal(featureAt(ds.x, r, j), row[f], `${ds.ids[r]} ${f}`));
    ALL_TARGETS.forEach((t, k) => {
      const v = row[t];
      if (v === undefined || v === null) assert.ok(Number.isNaN(ds.targets[k][r]), `${ds.ids[r]} ${t} should be NaN`);
      else assert.equal(ds.targets[k][r], Math.fround(v as number));
    });
    if (file !== 'live') {
      const [b] = await query(`SELECT * FROM read_parquet('${FIXTURE}/${file}_benchmark_models.parquet') WHERE id = '${ds.ids[r]}'`);
      ds.benchmarkNames.forEach((n, k) => assert.equal(ds.benchmarks[k][r], Math.fround(b[n] as number)));
    } else ds.benchmarks.forEach((b) => assert.ok(Number.isNaN(b[r])));
  }
});

test('null targets stay NaN: the validation nulls of the fixture, every live target', async () => {
  const ds = await loadNumerai(FIXTURE, fullLoad());
  const isVal = (r: number) => ds.split[r] === SPLIT_VALIDATION;
  const isTrain = (r: number) => ds.split[r] === SPLIT_TRAIN;
  assert.equal(countNaN(ds.targets[ALL_TARGETS.indexOf('target_ender_60')], isVal), 345);
  assert.equal(countNaN(ds.targets[ALL_TARGETS.indexOf('target_cyrusd_20')], isVal), 24);
  assert.equal(countNaN(ds.targets[0], isVal), 0);
  assert.equal(countNaN(ds.targets[ALL_TARGETS.indexOf('target_ender_60')], isTrain), 0);
  for (const t of ds.targets) assert.equal(countNaN(t, (r) => ds.split[r] === SPLIT_LIVE), 115);
});

test('a feature set loads exactly its columns, in features.json order', async () => {
  const ds = await loadNumerai(FIXTURE, fullLoad({ featureSet: 'serenity', targets: ['target'], benchmarks: [], includeValidation: false, includeLive: false }));
  const fj = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'features.json'), 'utf8'));
  assert.deepEqual(ds.featureNames, fj.feature_sets.serenity);
  assert.equal(ds.featureNames.length, 15);
  assert.equal(ds.x.nFeatures, 15);
  assert.equal(ds.x.blocks[0].length, 9874 * 15);
  assert.equal(ds.nRows, 9874);
  assert.deepEqual(ds.benchmarks, []);
  assert.equal(ds.eraNames.length, 80);
});

test('benchmarks join by id: ids missing from the benchmark file get NaN, the rest their own values', async () => {
  const dir = copyFixture('loader-bench');
  const ids = (await query(`SELECT id FROM read_parquet('${dir}/train.parquet') ORDER BY id`)).map((r) => String(r.id));
  const dropped = [ids[0], ids[5000], ids[9873]];
  const bench = path.join(dir, 'train_benchmark_models.parquet');
  const [{ v }] = await query(`SELECT v52_lgbm_ender20 AS v FROM read_parquet('${bench}') WHERE id = '${ids[1]}'`);
  // shuffle the remaining rows so the join cannot rely on file order
  await rewriteParquet(bench, `SELECT * FROM $SRC WHERE id NOT IN (${dropped.map((d) => `'${d}'`).join(',')}) ORDER BY hash(id)`);
  const ds = await loadNumerai(dir, fullLoad({ targets: ['target'], benchmarks: ['v52_lgbm_ender20'], includeLive: false }));
  let nan = 0;
  for (let r = 0; r < ds.nRows; r++) if (Number.isNaN(ds.benchmarks[0][r])) nan++;
  assert.equal(nan, 3);
  for (const id of dropped) assert.ok(Number.isNaN(ds.benchmarks[0][ds.ids.indexOf(id)]));
  assert.equal(ds.benchmarks[0][ds.ids.indexOf(ids[1])], Math.fround(v as number));
});

test('only requested columns are read: a broken column outside the feature set does not matter', async () => {
  const dir = copyFixture('loader-cols');
  // feature_strong_059 (not in "small") gets an impossible value; target_teager2b_20 becomes text
  await rewriteParquet(
    path.join(dir, 'train.parquet'),
    `SELECT * REPLACE (9::TINYINT AS feature_strong_059, 'oops' AS target_teager2b_20) FROM $SRC`,
  );
  const ds = await loadNumerai(dir, fullLoad({ featureSet: 'small', targets: ['target'], benchmarks: [], includeValidation: false, includeLive: false }));
  assert.equal(ds.nRows, 9874);
  await assert.rejects(
    loadNumerai(dir, fullLoad({ featureSet: 'all', targets: ['target'], benchmarks: [], includeValidation: false, includeLive: false })),
    (e: unknown) => e instanceof UserError && e.what === `feature values outside 0..4 in ${path.join(dir, 'train.parquet')}` && e.why === 'found the value 9',
  );
});

test('a null feature value becomes the middle bin 2', async () => {
  const dir = copyFixture('loader-null');
  await rewriteParquet(
    path.join(dir, 'train.parquet'),
    `SELECT * REPLACE (CASE WHEN id = 'n000000000001002' THEN NULL ELSE feature_serene_000 END AS feature_serene_000) FROM $SRC`,
  );
  const ds = await loadNumerai(dir, fullLoad({ targets: ['target'], benchmarks: [], includeValidation: false, includeLive: false }));
  const direct = await loadNumerai(FIXTURE, fullLoad({ targets: ['target'], benchmarks: [], includeValidation: false, includeLive: false }));
  const r = ds.ids.indexOf('n000000000001002');
  assert.equal(featureAt(ds.x, r, 0), 2);
  assert.notEqual(featureAt(direct.x, r, 0), 2);
  ds.x.blocks[0][r * 60] = featureAt(direct.x, r, 0);
  assert.deepEqual(ds.x.blocks, direct.x.blocks);
});

test('an unknown feature set is a UserError listing the available sets', async () => {
  await assert.rejects(loadNumerai(FIXTURE, fullLoad({ featureSet: 'huge' })), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.what, 'unknown feature set "huge"');
    assert.equal(e.why, 'features.json defines: small (12), medium (36), all (60), serenity (15), wisdom (15), agility (15), strength (15)');
    return true;
  });
});

test('an unknown target is a UserError listing the targets of the file', async () => {
  await assert.rejects(loadNumerai(FIXTURE, fullLoad({ targets: ['target', 'target_bravo_20'] })), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.what, 'unknown target "target_bravo_20": not a column of train.parquet');
    assert.equal(e.why, `available targets: ${ALL_TARGETS.join(', ')}`);
    return true;
  });
});

test('a feature missing from a file names the file and the closest columns', async () => {
  const dir = copyFixture('loader-missing');
  const fjPath = path.join(dir, 'features.json');
  const fj = JSON.parse(fs.readFileSync(fjPath, 'utf8'));
  fj.feature_sets.small = [...fj.feature_sets.small, 'feature_serene_0000'];
  fs.writeFileSync(fjPath, JSON.stringify(fj));
  await assert.rejects(loadNumerai(dir, fullLoad({ featureSet: 'small' })), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.what, 'feature column "feature_serene_0000" is missing from train.parquet');
    assert.match(e.why, new RegExp(`^closest columns in ${path.join(dir, 'train.parquet')}: feature_serene_000, `));
    return true;
  });
});

test('a missing directory, a missing file and a missing benchmark column are UserErrors', async () => {
  await assert.rejects(loadNumerai('/nonexistent/numerai', fullLoad()), (e: unknown) => e instanceof UserError && e.what === 'data directory not found: /nonexistent/numerai');
  const dir = copyFixture('loader-nofile');
  fs.rmSync(path.join(dir, 'validation.parquet'));
  await assert.rejects(loadNumerai(dir, fullLoad()), (e: unknown) => e instanceof UserError && e.what === `parquet file not found: ${path.join(dir, 'validation.parquet')}`);
  await assert.rejects(loadNumerai(FIXTURE, fullLoad({ benchmarks: ['v52_lgbm_ender21'] })), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.what, 'benchmark column "v52_lgbm_ender21" is missing from train_benchmark_models.parquet');
    assert.match(e.why, /: v52_lgbm_ender20, v52_lgbm_ender60/);
    return true;
  });
});

test('a corrupt parquet file is a UserError naming it', async () => {
  const dir = copyFixture('loader-corrupt');
  const file = path.join(dir, 'train.parquet');
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, 1000), Buffer.from('garbage bytes, not parquet')]));
  await assert.rejects(loadNumerai(dir, fullLoad()), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.what, `cannot read parquet file ${file}`);
    return true;
  });
});

test('load options are validated before any file is read', async () => {
  await assert.rejects(loadNumerai('/nonexistent', fullLoad({ targets: [] })), (e: unknown) => e instanceof UserError && e.what === 'invalid load options: expected at least one target, got none');
  await assert.rejects(
    loadNumerai('/nonexistent', fullLoad({ targets: ['target', 'target'] })),
    (e: unknown) => e instanceof UserError && e.what === 'invalid load options: target "target" is listed twice',
  );
});

test('feature blocks stay below 2^31 bytes: the full Numerai size splits into four blocks', () => {
  const rows = rowsPerBlockFor(2_700_000, 2400);
  assert.equal(rows, 894_784);
  assert.ok(rows * 2400 < 2 ** 31);
  assert.equal(Math.ceil(2_700_000 / rows), 4);
  assert.equal(rowsPerBlockFor(12_406, 60), 12_406);
});
