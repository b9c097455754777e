import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeatureMatrix } from '../../../harness/contract.ts';
import { createFactorCache, hashRows } from '../../../harness/metrics/factor-cache.ts';
import type { GramFactor } from '../../../harness/metrics/lstsq.ts';
import { featureFactor, featureNeutralCorr } from '../../../harness/metrics/neutralize.ts';
import { numeraiCorr } from '../../../harness/metrics/numerai.ts';
import {
  featureSourceFromColumns,
  featureSourceFromMatrix,
  scorePerEra,
  type FeatureSource,
  type PerEraInput,
} from '../../../harness/metrics/per-era.ts';
import { gaussianRank } from '../../../harness/metrics/rank.ts';
import { neutralizeQr } from './qr-reference.ts';

const ERAS = 3;
const PER = 60;
const N = ERAS * PER;

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/**
 * Three contiguous eras of integer features 0..4: f3 duplicates f0 everywhere and f5 is constant in
 * era 0 only, so era 0's [F | 1] has rank 5 of 7 and the others rank 6.
 */
function dataset() {
  const rnd = lcg(11);
  const f = Array.from({ length: 6 }, () => Float64Array.from({ length: N }, () => Math.floor(rnd() * 5)));
  f[3] = f[0].slice();
  f[5].fill(2, 0, PER);
  const signal = Float64Array.from({ length: N }, (_, i) => f[0][i] - 0.5 * f[1][i] + 2 * rnd());
  const input: PerEraInput = {
    eraIndex: Int32Array.from({ length: N }, (_, i) => Math.floor(i / PER)),
    eraNames: ['1', '2', '3'],
    pred: signal,
    target: Float64Array.from(signal, (v) => Math.min(1, Math.max(0, Math.round(v + 2) / 8))),
    features: featureSourceFromColumns(f),
  };
  const predictions = (seed: number) => {
    const r = lcg(seed);
    return Float64Array.from(signal, (v, i) => v + f[2][i] + 3 * r());
  };
  return { f, input, predictions };
}

const eraRows = (e: number): number[] => Array.from({ length: PER }, (_, i) => e * PER + i);
const pick = (x: ArrayLike<number>, rows: number[]) => Float64Array.from(rows, (i) => x[i]);
const entryBytes = (rows: number, rank: number) => 4 * rows + 8 * ((rank * (rank + 1)) / 2) + 4 * rank;

describe('FactorCache in scorePerEra', () => {
  it('scores a later candidate from the kept factors bit for bit as without a cache, rank-deficient era included', () => {
    const { f, input, predictions } = dataset();
    assert.deepEqual([0, 1, 2].map((e) => featureFactor(f.map((c) => pick(c, eraRows(e))), PER).rank), [5, 6, 6]);
    const cache = createFactorCache();
    const first = scorePerEra({ ...input, pred: predictions(1), factorCache: cache });
    assert.deepEqual(first, scorePerEra({ ...input, pred: predictions(1) }));
    assert.deepEqual(cache.stats(), {
      hits: 0, misses: 3, notKept: 0, entries: 3, bytes: entryBytes(PER, 5) + 2 * entryBytes(PER, 6), capBytes: 512 * 1024 * 1024,
    });
    const pred = predictions(2);
    const warm = scorePerEra({ ...input, pred, factorCache: cache });
    assert.equal(cache.stats().hits, 3);
    assert.deepEqual(warm, scorePerEra({ ...input, pred }));
    assert.notEqual(warm[0].fnc, first[0].fnc);
    for (const [e, s] of warm.entries()) {
      const rows = eraRows(e);
      const cols = f.map((c) => pick(c, rows));
      const qr = numeraiCorr(neutralizeQr(gaussianRank(pick(pred, rows)), cols), pick(input.target, rows));
      assert.ok(Math.abs(s.fnc! - qr) < 1e-12, `era ${s.era}: ${s.fnc} vs QR ${qr}`);
    }
  });

  it('misses for an era whose candidate lacks some predictions, and scores it on the rows present', () => {
    const { f, input, predictions } = dataset();
    const cache = createFactorCache();
    scorePerEra({ ...input, pred: predictions(1), factorCache: cache });
    const pred = predictions(2);
    for (const i of [61, 70, 99]) pred[i] = NaN; // era 2 (index 1)
    const warm = scorePerEra({ ...input, pred, factorCache: cache });
    assert.deepEqual(cache.stats().hits, 2);
    assert.deepEqual(cache.stats().misses, 4);
    assert.deepEqual(warm, scorePerEra({ ...input, pred }));
    const rows = eraRows(1).filter((i) => !Number.isNaN(pred[i]));
    assert.equal(warm[1].fnc, featureNeutralCorr(pick(pred, rows), f.map((c) => pick(c, rows)), pick(input.target, rows)));
    scorePerEra({ ...input, pred, factorCache: cache });
    assert.deepEqual([cache.stats().hits, cache.stats().entries], [5, 4]);
  });

  it('keys a matrix source by dataset rows: a new rowMap array with the same rows hits, other rows miss', () => {
    const { f, input, predictions } = dataset();
    const x: FeatureMatrix = { nRows: N, nFeatures: 6, rowsPerBlock: 100, blocks: [] };
    for (let b = 0; b * 100 < N; b++) {
      const rows = Math.min(100, N - b * 100);
      x.blocks.push(Uint8Array.from({ length: rows * 6 }, (_, k) => f[k % 6][b * 100 + Math.floor(k / 6)]));
    }
    const cache = createFactorCache();
    const source = (shift: number) => featureSourceFromMatrix(x, { rowMap: Int32Array.from({ length: N }, (_, i) => (i + shift) % N) });
    const pred = predictions(3);
    scorePerEra({ ...input, pred: predictions(1), features: source(0), factorCache: cache });
    const same = scorePerEra({ ...input, pred, features: source(0), factorCache: cache });
    assert.deepEqual([cache.stats().hits, cache.stats().misses], [3, 3]);
    assert.deepEqual(same, scorePerEra({ ...input, pred }));
    // a whole era on: each era reads the next era's dataset rows, whose factors are kept
    scorePerEra({ ...input, pred, features: source(PER), factorCache: cache });
    assert.deepEqual([cache.stats().hits, cache.stats().misses], [6, 3]);
    const shifted = scorePerEra({ ...input, pred, features: source(7), factorCache: cache });
    assert.deepEqual([cache.stats().hits, cache.stats().misses], [6, 6]);
    assert.deepEqual(shifted, scorePerEra({ ...input, pred, features: source(7) }));
    assert.notEqual(shifted[0].fnc, same[0].fnc);
  });

  it('never caches a source without an identity', () => {
    const { f, input, predictions } = dataset();
    const plain: FeatureSource = { nFeatures: 6, fill: (j, rows, out) => rows.forEach((r, i) => (out[i] = f[j][r])) };
    const cache = createFactorCache();
    const got = scorePerEra({ ...input, pred: predictions(1), features: plain, factorCache: cache });
    assert.deepEqual(cache.stats(), { hits: 0, misses: 0, notKept: 0, entries: 0, bytes: 0, capBytes: 512 * 1024 * 1024 });
    assert.deepEqual(got, scorePerEra({ ...input, pred: predictions(1) }));
  });
});

describe('FactorCache cap', () => {
  it('keeps factors up to the byte cap, then adds nothing, and scores the rest cold', () => {
    const { input, predictions } = dataset();
    const capBytes = entryBytes(PER, 5) + entryBytes(PER, 6);
    const cache = createFactorCache({ capBytes });
    scorePerEra({ ...input, pred: predictions(1), factorCache: cache });
    assert.deepEqual(cache.stats(), { hits: 0, misses: 3, notKept: 1, entries: 2, bytes: capBytes, capBytes });
    const warm = scorePerEra({ ...input, pred: predictions(2), factorCache: cache });
    assert.deepEqual(cache.stats(), { hits: 2, misses: 4, notKept: 2, entries: 2, bytes: capBytes, capBytes });
    assert.deepEqual(warm, scorePerEra({ ...input, pred: predictions(2) }));
  });

  it('keeps nothing with a cap of 0 bytes and rejects a negative or fractional cap', () => {
    const { input, predictions } = dataset();
    const cache = createFactorCache({ capBytes: 0 });
    scorePerEra({ ...input, pred: predictions(1), factorCache: cache });
    assert.deepEqual(cache.stats(), { hits: 0, misses: 3, notKept: 3, entries: 0, bytes: 0, capBytes: 0 });
    assert.throws(() => createFactorCache({ capBytes: -1 }), { message: 'createFactorCache: expected a non-negative integer for capBytes, got -1' });
    assert.throws(() => createFactorCache({ capBytes: 1.5 }), { message: 'createFactorCache: expected a non-negative integer for capBytes, got 1.5' });
  });
});

describe('FactorCache keys', () => {
  const fake = (n: number): GramFactor => ({ n, k: 1, l: new Float64Array(0), perm: new Int32Array(0), rank: 0 });
  const never = (): GramFactor => assert.fail('a kept factor was rebuilt');

  it('gives each of two row lists with the same hash its own factor, and each source its own', () => {
    const a = Int32Array.of(61506, 2785);
    const b = Int32Array.of(101699, 91030);
    assert.equal(hashRows(a), hashRows(b));
    const cache = createFactorCache();
    const fa = cache.factorFor('s', a, () => fake(2));
    const fb = cache.factorFor('s', b, () => fake(2));
    assert.notEqual(fa, fb);
    assert.equal(cache.factorFor('s', Int32Array.of(61506, 2785), never), fa);
    assert.equal(cache.factorFor('s', Int32Array.of(101699, 91030), never), fb);
    const other = cache.factorFor('t', Int32Array.of(61506, 2785), () => fake(2));
    assert.notEqual(other, fa);
    assert.deepEqual([cache.stats().hits, cache.stats().misses, cache.stats().entries], [2, 3, 3]);
  });

  it('treats the same rows in another order as another key', () => {
    const cache = createFactorCache();
    const f = cache.factorFor('s', Int32Array.of(1, 2, 3), () => fake(3));
    assert.notEqual(cache.factorFor('s', Int32Array.of(3, 2, 1), () => fake(3)), f);
  });

  it('rejects a factor built for another number of rows', () => {
    const cache = createFactorCache();
    assert.throws(() => cache.factorFor('s', Int32Array.of(1, 2, 3), () => fake(2)), { message: 'FactorCache: a factor of 2 rows built for 3 rows' });
    assert.equal(cache.stats().entries, 0);
  });
});
