import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_SUBDIR, loadDataset, primaryCachePath, readDatasetCache, writeDatasetCache } from '../../../harness/data/cache.ts';
import { loadNumerai } from '../../../harness/data/loader.ts';
import { copyFixture, fullLoad, rewriteParquet, tmpDir } from './fixture.ts';

const cacheFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.bin')).sort() : []);

test('the cache round trip equals a direct load, and a second load reads the cache file', async () => {
  const dir = copyFixture('cache-rt');
  const opts = fullLoad();
  const direct = await loadNumerai(dir, opts);
  const first = await loadDataset(dir, opts);
  assert.deepEqual(first, direct);
  const file = primaryCachePath(dir, opts);
  assert.equal(path.basename(file), `${direct.meta.fingerprint}.bin`);
  assert.deepEqual(cacheFiles(path.join(dir, CACHE_SUBDIR)), [path.basename(file)]);
  assert.deepEqual(readDatasetCache(file), direct);
  // a marker in the cached copy proves the second load came from the cache, not from parquet
  const cached = readDatasetCache(file);
  cached.eraNames[0] = 'from-cache';
  fs.rmSync(file);
  writeDatasetCache(file, cached);
  const second = await loadDataset(dir, opts);
  assert.equal(second.eraNames[0], 'from-cache');
});

test('a changed source file invalidates the cache', async () => {
  const dir = copyFixture('cache-inval');
  const opts = fullLoad({ targets: ['target'], benchmarks: ['v52_lgbm_ender20'], includeLive: false });
  const before = await loadDataset(dir, opts);
  const bench = path.join(dir, 'validation_benchmark_models.parquet');
  await rewriteParquet(bench, `SELECT * REPLACE (0.5::FLOAT AS v52_lgbm_ender20) FROM $SRC`);
  const after = await loadDataset(dir, opts);
  assert.notEqual(after.meta.fingerprint, before.meta.fingerprint);
  assert.equal(cacheFiles(path.join(dir, CACHE_SUBDIR)).length, 2);
  const val = after.split.indexOf(1);
  assert.equal(after.benchmarks[0][val], 0.5);
  assert.notEqual(before.benchmarks[0][val], 0.5);
  // same content, new mtime: also a new fingerprint
  const t = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(dir, 'features.json'), t, t);
  const touched = await loadDataset(dir, opts);
  assert.notEqual(touched.meta.fingerprint, after.meta.fingerprint);
  assert.deepEqual({ ...touched, meta: null }, { ...after, meta: null });
});

test('different load options get different cache files', async () => {
  const dir = copyFixture('cache-opts');
  const a = await loadDataset(dir, fullLoad({ featureSet: 'small' }));
  const b = await loadDataset(dir, fullLoad({ featureSet: 'medium' }));
  assert.notEqual(a.meta.fingerprint, b.meta.fingerprint);
  assert.equal(a.x.nFeatures, 12);
  assert.equal(b.x.nFeatures, 36);
  assert.equal(cacheFiles(path.join(dir, CACHE_SUBDIR)).length, 2);
});

test('a read-only data directory caches in the given cache dir instead', async () => {
  const dir = copyFixture('cache-ro');
  const cacheDir = tmpDir('cache-ro-out');
  const opts = fullLoad({ featureSet: 'small' });
  fs.chmodSync(dir, 0o555);
  try {
    const first = await loadDataset(dir, opts, { cacheDir });
    assert.equal(fs.existsSync(path.join(dir, CACHE_SUBDIR)), false);
    assert.deepEqual(cacheFiles(cacheDir), [`${first.meta.fingerprint}.bin`]);
    const second = await loadDataset(dir, opts, { cacheDir });
    assert.deepEqual(second, first);
  } finally {
    fs.chmodSync(dir, 0o755);
  }
});

test('an unreadable cache file is rebuilt from the source files', async () => {
  const dir = copyFixture('cache-corrupt');
  const opts = fullLoad({ featureSet: 'small' });
  const good = await loadDataset(dir, opts);
  const file = primaryCachePath(dir, opts);
  fs.writeFileSync(file, 'not a cache');
  assert.throws(() => readDatasetCache(file), /is not an autoresearch binary file/);
  const again = await loadDataset(dir, opts);
  assert.deepEqual(again, good);
  assert.deepEqual(readDatasetCache(file), good);
});
