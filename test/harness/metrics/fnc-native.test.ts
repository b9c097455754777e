import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeatureMatrix } from '../../../harness/contract.ts';
import { createFactorCache } from '../../../harness/metrics/factor-cache.ts';
import { checkNativeFnc } from '../../../harness/metrics/fnc-native-check.ts';
import { nativeFactor, nativeFncKernels, nativeNeutralFit } from '../../../harness/metrics/fnc-native.ts';
import { factorColumns, leastSquaresFit, type GramFactor } from '../../../harness/metrics/lstsq.ts';
import { featureSourceFromMatrix, scorePerEra, type PerEraInput } from '../../../harness/metrics/per-era.ts';
import { mulberry32 } from '../../../harness/prng.ts';

const fit = nativeNeutralFit();
const factorOf = nativeFactor();
const skip = fit ? false : 'native addon not built (run `npm run build:native`)';

const [ERAS, PER, NF] = [4, 150, 48];
const N = ERAS * PER;

/**
 * Integer features 0..4 in blocks of 64 rows, rows shuffled across eras by `rowMap`; feature 7 copies
 * feature 2 and feature 11 is constant, so [F | 1] is rank-deficient and the pivoted factor cuts 2 columns.
 */
function dataset(): { x: FeatureMatrix; input: PerEraInput; columns: number[]; rowMap: Int32Array } {
  const rng = mulberry32(3);
  const bytes = Uint8Array.from({ length: N * NF }, () => Math.floor(rng() * 5));
  for (let r = 0; r < N; r++) {
    bytes[r * NF + 7] = bytes[r * NF + 2];
    bytes[r * NF + 11] = 3;
  }
  const blocks: Uint8Array[] = [];
  for (let r = 0; r < N; r += 64) blocks.push(bytes.slice(r * NF, Math.min(N, r + 64) * NF));
  const x: FeatureMatrix = { nRows: N, nFeatures: NF, rowsPerBlock: 64, blocks };
  const rowMap = Int32Array.from({ length: N }, (_, i) => (i * 7) % N);
  const columns = Array.from({ length: 40 }, (_, j) => (j * 5) % NF).sort((a, b) => a - b);
  const feat = (i: number, c: number) => bytes[rowMap[i] * NF + c];
  const signal = Float64Array.from({ length: N }, (_, i) => feat(i, 0) - 0.5 * feat(i, 5) + 2 * rng());
  const input: PerEraInput = {
    eraIndex: Int32Array.from({ length: N }, (_, i) => Math.floor(i / PER)),
    eraNames: ['1', '2', '3', '4'],
    pred: Float64Array.from(signal, (v, i) => v + feat(i, 10) + 3 * rng()),
    target: Float64Array.from(signal, (v, i) => (i % 17 === 0 ? NaN : Math.min(1, Math.max(0, Math.round(v + 2) / 8)))),
    features: featureSourceFromMatrix(x, { rowMap, columns }),
  };
  return { x, input, columns, rowMap };
}

describe('FNC through the native fit', { skip }, () => {
  it('scores every era within 1e-13 of the JS fit, rank-deficient features included', () => {
    const { input } = dataset();
    const [native, js] = [scorePerEra({ ...input, native: true }), scorePerEra({ ...input, native: false })];
    assert.equal(native.length, ERAS);
    for (let e = 0; e < ERAS; e++) {
      assert.ok(Number.isFinite(js[e].fnc), `era ${e} has FNC ${js[e].fnc}`);
      assert.ok(Math.abs(native[e].fnc! - js[e].fnc!) < 1e-13, `era ${e}: native ${native[e].fnc} vs JS ${js[e].fnc}`);
      assert.equal(native[e].corr, js[e].corr);
    }
  });

  it('a warm factor cache gives bit-identical FNC to a cold one, and a hit reads no feature column', () => {
    const { input } = dataset();
    const cold = scorePerEra({ ...input, native: true });
    const cache = createFactorCache();
    scorePerEra({ ...input, pred: input.pred.map((v) => -v), native: true, factorCache: cache });
    let fills = 0;
    const counting = { ...input.features!, fill: (f: number, rows: Int32Array, out: Float64Array) => { fills++; input.features!.fill(f, rows, out); } };
    const warm = scorePerEra({ ...input, features: counting, native: true, factorCache: cache });
    assert.deepEqual(warm.map((s) => s.fnc), cold.map((s) => s.fnc));
    assert.equal(fills, 0);
    assert.equal(cache.stats().hits, ERAS);
  });

  it('the fit equals the JS fit of the same columns, and rows with equal features get bit-equal fits', () => {
    const { x, columns, rowMap } = dataset();
    const rows = rowMap.slice(0, PER);
    rows[9] = rows[3]; // the same matrix row twice: equal features
    const cols = columns.map((c) => Float64Array.from(rows, (r) => x.blocks[Math.floor(r / 64)][(r % 64) * NF + c]));
    const factor = factorColumns(cols, PER);
    assert.equal(factor.rank, factor.k - 2, 'the copied and the constant column are cut');
    // the constant feature (3 everywhere) outweighs the intercept's column of ones, so the intercept is the one cut
    assert.ok(!Array.from(factor.perm).includes(factor.k - 1) && factor.perm.includes(columns.indexOf(11)), 'the intercept is cut');
    const y = Float64Array.from({ length: PER }, (_, i) => Math.sin(i));
    const got = fit!(factor, { x, columns: Int32Array.from(columns) }, rows, y);
    const want = leastSquaresFit(factor, cols, y);
    for (let i = 0; i < PER; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-12, `row ${i}: ${got[i]} vs ${want[i]}`);
    assert.equal(got[9], got[3]);
  });

  it('reads the rows in place when every feature is kept, with the same fit as the JS one', () => {
    const rng = mulberry32(5);
    const nf = 12;
    const bytes = Uint8Array.from({ length: N * nf }, () => Math.floor(rng() * 5));
    const x: FeatureMatrix = { nRows: N, nFeatures: nf, rowsPerBlock: 100, blocks: [0, 100, 200, 300, 400, 500].map((r) => bytes.slice(r * nf, (r + 100) * nf)) };
    const rows = Int32Array.from({ length: PER }, (_, i) => (i * 13) % N);
    const cols = columnsOf(x, null, rows);
    const factor = factorColumns(cols, PER);
    assert.equal(factor.rank, nf + 1, 'full rank: every feature and the intercept are kept');
    const y = Float64Array.from({ length: PER }, (_, i) => Math.cos(i) + cols[3][i]);
    const got = fit!(factor, { x, columns: null }, rows, y);
    const want = leastSquaresFit(factor, cols, y);
    for (let i = 0; i < PER; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-12, `row ${i}: ${got[i]} vs ${want[i]}`);
  });

  it('refuses rows outside the blocks and wrong lengths instead of reading past an array', () => {
    const { x, columns, rowMap } = dataset();
    const rows = rowMap.slice(0, PER);
    const cols = columns.map((c) => Float64Array.from(rows, (r) => x.blocks[Math.floor(r / 64)][(r % 64) * NF + c]));
    const factor = factorColumns(cols, PER);
    const m = { x, columns: Int32Array.from(columns) };
    const bad = rows.slice();
    bad[5] = N;
    assert.throws(() => fit!(factor, m, bad, new Float64Array(PER)), /neutralFit: a row is outside the blocks/);
    assert.throws(() => fit!(factor, m, rows, new Float64Array(PER - 1)), /factor of 150 rows, got 150 rows and 149 values/);
    assert.throws(() => fit!(factor, { x, columns: Int32Array.from(columns, (c) => c + NF) }, rows, new Float64Array(PER)), /a column is out of range/);
  });
});

/** The features of matrix rows `rows` (columns picked, or all) as float64 columns, the JS factor's input. */
function columnsOf(x: FeatureMatrix, columns: number[] | null, rows: Int32Array): Float64Array[] {
  const picked = columns ?? Array.from({ length: x.nFeatures }, (_, j) => j);
  return picked.map((c) => Float64Array.from(rows, (r) => x.blocks[Math.floor(r / x.rowsPerBlock)][(r % x.rowsPerBlock) * x.nFeatures + c]));
}

describe('the factor through the native Gram', { skip }, () => {
  it('is identical to the JS factor: picked columns, rows across blocks, the copied and the constant column cut', () => {
    const { x, columns, rowMap } = dataset();
    const rows = rowMap.slice(PER, 2 * PER);
    const got = factorOf!({ x, columns: Int32Array.from(columns) }, rows);
    const want = factorColumns(columnsOf(x, columns, rows), PER);
    assert.equal(want.rank, want.k - 2);
    assert.deepEqual(got, want);
    // every feature of the blocks when no columns are picked
    assert.deepEqual(factorOf!({ x, columns: null }, rows), factorColumns(columnsOf(x, null, rows), PER));
  });

  it('stays exact past 2^32 for bytes up to 255 over more rows than one integer tile', () => {
    // 70,000 rows of 255: a 32-bit sum of 255·255 products would wrap at 66,052 rows
    const n = 70_000;
    const nf = 5;
    const rng = mulberry32(11);
    const bytes = Uint8Array.from({ length: n * nf }, (_, i) => (i % nf < 2 ? 255 : Math.floor(rng() * 256)));
    const x: FeatureMatrix = { nRows: n, nFeatures: nf, rowsPerBlock: 30_000, blocks: [0, 30_000, 60_000].map((r) => bytes.slice(r * nf, Math.min(n, r + 30_000) * nf)) };
    const rows = Int32Array.from({ length: n }, (_, i) => (i * 3) % n);
    const got = factorOf!({ x, columns: null }, rows);
    const want = factorColumns(columnsOf(x, null, rows), n);
    assert.deepEqual(got, want);
    // the two all-255 columns are collinear with the intercept: only one of the three is kept
    assert.equal(got.rank, 4);
  });

  it('refuses rows outside the blocks and a column out of range', () => {
    const { x, columns, rowMap } = dataset();
    const rows = rowMap.slice(0, PER);
    rows[4] = -1;
    assert.throws(() => factorOf!({ x, columns: Int32Array.from(columns) }, rows), /gramBlocks: a row is outside the blocks/);
    assert.throws(() => factorOf!({ x, columns: Int32Array.of(0, NF) }, rowMap.slice(0, PER)), /gramBlocks: a column is out of range/);
  });
});

describe('the start-up check of the native FNC kernels', () => {
  type Source = { x: FeatureMatrix; columns: Int32Array | null };
  const jsFactor = (m: Source, rows: Int32Array): GramFactor => factorColumns(columnsOf(m.x, m.columns ? Array.from(m.columns) : null, rows), rows.length);
  const jsFit = (f: GramFactor, m: Source, rows: Int32Array, y: Float64Array): Float64Array =>
    leastSquaresFit(f, columnsOf(m.x, m.columns ? Array.from(m.columns) : null, rows), y);

  it('passes the JS kernels themselves, and the built addon', () => {
    assert.equal(checkNativeFnc(jsFactor, jsFit), null);
    if (fit) assert.ok('fit' in nativeFncKernels(), JSON.stringify(nativeFncKernels()));
  });

  it('fails a factor one ulp off, one that ignores the picked columns, a fit off by 1e-6 and one that throws', () => {
    const ulp = (m: Source, rows: Int32Array): GramFactor => {
      const f = jsFactor(m, rows);
      const l = f.l.slice();
      l[l.length - 1] = l[l.length - 1] * (1 + Number.EPSILON);
      return { ...f, l };
    };
    assert.match(checkNativeFnc(ulp, jsFit)!, /^the factor differs from the JS one \(all columns, a duplicated and a constant feature\)$/);
    const allColumns = (m: Source, rows: Int32Array): GramFactor => jsFactor({ ...m, columns: null }, rows);
    assert.match(checkNativeFnc(allColumns, jsFit)!, /^the factor differs from the JS one \(picked columns\)$/);
    const off = (f: GramFactor, m: Source, rows: Int32Array, y: Float64Array): Float64Array => jsFit(f, m, rows, y).map((v, i) => (i === 7 ? v + 1e-6 : v));
    assert.match(checkNativeFnc(jsFactor, off)!, /^the fit differs from the JS one at row 7 \(all columns, a duplicated and a constant feature\): /);
    const throws = (): Float64Array => { throw new Error('neutralFit: rank must be in 0..k'); };
    assert.equal(checkNativeFnc(jsFactor, throws), 'the check threw (neutralFit: rank must be in 0..k)');
  });
});
