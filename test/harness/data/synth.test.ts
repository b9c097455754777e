import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { featureAt } from '../../../harness/contract.ts';
import { loadNumerai } from '../../../harness/data/loader.ts';
import { SYNTH_SMALL, resolveSynthOptions, synthesize } from '../../../harness/data/synth.ts';
import { SPLIT_LIVE, SPLIT_VALIDATION } from '../../../harness/data/types.ts';
import { UserError } from '../../../harness/errors.ts';
import { ALL_BENCHMARKS, ALL_TARGETS, fullLoad, query, rowsByEra, tmpDir } from './fixture.ts';

const FILES = [
  'features.json', 'live.parquet', 'live_benchmark_models.parquet', 'synthetic.json', 'train.parquet',
  'train_benchmark_models.parquet', 'validation.parquet', 'validation_benchmark_models.parquet',
];

test('the same seed gives byte-identical files, another seed different data', async () => {
  const root = tmpDir('synth-det');
  await synthesize(path.join(root, 'a'), SYNTH_SMALL);
  await synthesize(path.join(root, 'b'), SYNTH_SMALL);
  await synthesize(path.join(root, 'c'), { ...SYNTH_SMALL, seed: 1 });
  assert.deepEqual(fs.readdirSync(path.join(root, 'a')).sort(), FILES);
  for (const f of FILES) assert.ok(fs.readFileSync(path.join(root, 'a', f)).equals(fs.readFileSync(path.join(root, 'b', f))), `${f} differs`);
  assert.ok(!fs.readFileSync(path.join(root, 'a', 'train.parquet')).equals(fs.readFileSync(path.join(root, 'c', 'train.parquet'))));
  const a = await loadNumerai(path.join(root, 'a'), fullLoad());
  const b = await loadNumerai(path.join(root, 'b'), fullLoad());
  const c = await loadNumerai(path.join(root, 'c'), fullLoad());
  assert.deepEqual({ ...a, meta: null }, { ...b, meta: null });
  assert.notDeepEqual(a.x.blocks, c.x.blocks);
  assert.notDeepEqual(a.targets, c.targets);
  assert.notDeepEqual(a.ids, c.ids);
});

test('the files have Numerai\'s layout, types, splits and feature sets', async () => {
  const dir = path.join(tmpDir('synth-layout'), 'data');
  const res = await synthesize(dir, SYNTH_SMALL);
  assert.deepEqual(res.rows, { train: 64 * 60, validation: 16 * 60, live: 60 });
  const describe = async (f: string) =>
    (await query(`DESCRIBE SELECT * FROM read_parquet('${dir}/${f}.parquet')`)).map((r) => `${r.column_name}:${r.column_type}`);
  const train = await describe('train');
  assert.deepEqual(train.slice(0, 3), ['era:VARCHAR', 'data_type:VARCHAR', 'feature_serene_000:TINYINT']);
  assert.deepEqual(train.slice(18), [...ALL_TARGETS.map((t) => `${t}:FLOAT`), 'id:VARCHAR']);
  assert.equal(train.length, 2 + 16 + 6 + 1);
  assert.deepEqual((await describe('live')).filter((c) => c.startsWith('target')), []);
  assert.deepEqual(await describe('train_benchmark_models'), ['era:VARCHAR', ...ALL_BENCHMARKS.map((b) => `${b}:FLOAT`), 'id:VARCHAR']);
  const types = await query(`SELECT data_type, era, count(*)::INTEGER AS n FROM read_parquet('${dir}/live.parquet') GROUP BY ALL`);
  assert.deepEqual(types, [{ data_type: 'live', era: 'X', n: 60 }]);
  const [{ dt }] = await query(`SELECT string_agg(DISTINCT data_type) AS dt FROM read_parquet('${dir}/validation.parquet')`);
  assert.equal(dt, 'validation');
  const fj = JSON.parse(fs.readFileSync(path.join(dir, 'features.json'), 'utf8'));
  assert.deepEqual(Object.fromEntries(Object.entries(fj.feature_sets).map(([k, v]) => [k, (v as string[]).length])), {
    small: 4, medium: 12, all: 16, serenity: 4, wisdom: 4, agility: 4, strength: 4,
  });
  assert.deepEqual(fj.feature_sets.wisdom, ['feature_wise_001', 'feature_wise_005', 'feature_wise_009', 'feature_wise_013']);
  assert.deepEqual(fj.targets, ALL_TARGETS);
});

test('features are five equal bins per era; targets 5/20/50/20/5 % per era; ids and nulls like Numerai', async () => {
  const dir = path.join(tmpDir('synth-values'), 'data');
  await synthesize(dir, SYNTH_SMALL);
  const ds = await loadNumerai(dir, fullLoad());
  assert.equal(ds.nRows, 81 * 60);
  assert.deepEqual([ds.eraNames[0], ds.eraNames[63], ds.eraNames[64], ds.eraNames[79], ds.eraNames[80]], ['0001', '0064', '0065', '0080', 'X']);
  assert.equal(new Set(ds.ids).size, ds.nRows);
  for (const id of ds.ids) assert.match(id, /^n[0-9a-f]{15}$/);
  const eras = rowsByEra(ds.eraIndex, ds.eraNames.length);
  for (const rows of eras) {
    for (let j = 0; j < 16; j++) {
      const counts = [0, 0, 0, 0, 0];
      for (const r of rows) counts[featureAt(ds.x, r, j)]++;
      assert.deepEqual(counts, [12, 12, 12, 12, 12]);
    }
  }
  const levels = [0, 0.25, 0.5, 0.75, 1];
  for (let e = 0; e < 80; e++) {
    const counts = [0, 0, 0, 0, 0];
    for (const r of eras[e]) counts[levels.indexOf(ds.targets[1][r])]++;
    assert.deepEqual(counts, [3, 12, 30, 12, 3], `era ${e}`);
    for (const r of eras[e]) assert.equal(ds.targets[0][r], ds.targets[1][r]);
  }
  const nanCount = (k: number, from: number, to: number) => {
    let n = 0;
    for (let e = from; e < to; e++) for (const r of eras[e]) if (Number.isNaN(ds.targets[k][r])) n++;
    return n;
  };
  assert.equal(nanCount(ALL_TARGETS.indexOf('target_ender_60'), 0, 72), 0);
  assert.equal(nanCount(ALL_TARGETS.indexOf('target_ender_60'), 72, 80), 8 * 60);
  assert.equal(nanCount(ALL_TARGETS.indexOf('target_cyrusd_60'), 72, 80), 8 * 60);
  const auxNulls = nanCount(ALL_TARGETS.indexOf('target_cyrusd_20'), 0, 80);
  assert.ok(auxNulls > 10 && auxNulls < 120, `cyrusd_20 nulls: ${auxNulls}`);
  assert.equal(nanCount(0, 0, 80), 0);
  for (const r of eras[80]) {
    assert.equal(ds.split[r], SPLIT_LIVE);
    for (const t of ds.targets) assert.ok(Number.isNaN(t[r]));
    for (const b of ds.benchmarks) assert.ok(b[r] > 0 && b[r] < 1);
  }
  assert.equal(ds.split[eras[64][0]], SPLIT_VALIDATION);
});

test('options are validated with exact messages before anything is written', async () => {
  const cases: [object, string][] = [
    [{ eras: 5 }, 'expected an integer from 20 to 5000 for eras, got 5'],
    [{ rowsPerEra: 10 }, 'expected an integer from 20 to 100000 for rowsPerEra, got 10'],
    [{ features: 2.5 }, 'expected an integer from 4 to 5000 for features, got 2.5'],
    [{ seed: -1 }, 'expected an integer from 0 to 4294967295 for seed, got -1'],
    [{ eras: 30, validationEras: 25 }, 'expected an integer from 1 to 20 for validationEras, got 25'],
    [{ groups: 9 }, 'expected an integer from 1 to 8 for groups, got 9'],
  ];
  for (const [opts, msg] of cases) {
    assert.throws(() => resolveSynthOptions(opts), (e: unknown) => e instanceof UserError && e.what === `invalid synthetic dataset options: ${msg}`);
  }
  assert.throws(
    () => resolveSynthOptions({ features: 4, groups: 6 }),
    (e: unknown) => e instanceof UserError && e.what === 'invalid synthetic dataset options: expected at most 4 groups (one feature each at least) for groups, got 6',
  );
  assert.equal(resolveSynthOptions({ eras: 120 }).validationEras, 20);
  const out = path.join(tmpDir('synth-bad'), 'never');
  await assert.rejects(synthesize(out, { eras: 5 }), UserError);
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(path.dirname(out)), []);
});

test('refuses a non-empty directory that is not a synthetic dataset; replaces an earlier synthetic one', async () => {
  const dir = tmpDir('synth-out');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
  await assert.rejects(synthesize(dir, SYNTH_SMALL), (e: unknown) => e instanceof UserError && e.what === `refusing to write into ${dir}`);
  assert.deepEqual(fs.readdirSync(dir), ['notes.txt']);
  const syn = path.join(tmpDir('synth-replace'), 'data');
  await synthesize(syn, SYNTH_SMALL);
  await synthesize(syn, { ...SYNTH_SMALL, seed: 7 });
  assert.equal(JSON.parse(fs.readFileSync(path.join(syn, 'synthetic.json'), 'utf8')).options.seed, 7);
  assert.deepEqual(fs.readdirSync(path.dirname(syn)), ['data']);
});
