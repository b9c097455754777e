import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeatureMatrix } from '../../../harness/contract.ts';
import { featureNeutralCorr } from '../../../harness/metrics/neutralize.ts';
import { correlationContribution, numeraiCorr } from '../../../harness/metrics/numerai.ts';
import {
  featureSourceFromColumns,
  featureSourceFromMatrix,
  scorePerEra,
  summarizeEras,
  type EraScore,
} from '../../../harness/metrics/per-era.ts';
import { summarize } from '../../../harness/metrics/summary.ts';

/** A deterministic dataset: `eras` eras of `per` rows, rows interleaved (era of row i is i % eras). */
function dataset(eras: number, per: number) {
  const n = eras * per;
  let s = 7;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const f = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => Math.floor(rnd() * 5)));
  const signal = Float64Array.from({ length: n }, (_, i) => f[0][i] - f[1][i] + 2 * rnd());
  return {
    n,
    eraIndex: Int32Array.from({ length: n }, (_, i) => i % eras),
    pred: Float64Array.from(signal, (v) => v + rnd()),
    target: Float64Array.from(signal, (v) => Math.min(1, Math.max(0, Math.round(v + 2) / 8))),
    benchmark: Float64Array.from(signal, (v) => v + 2 * rnd()),
    features: f,
  };
}

function rowsOf(eraIndex: Int32Array, e: number): number[] {
  return [...eraIndex.keys()].filter((i) => eraIndex[i] === e);
}

const pick = (x: ArrayLike<number>, rows: number[]): number[] => rows.map((i) => x[i]);

describe('scorePerEra', () => {
  it('scores each era with the numerai-tools functions, eras in numeric order, unsorted rows grouped', () => {
    const d = dataset(3, 40);
    const eraNames = ['10', '9', '100']; // index 0 is "10": numeric order is 9, 10, 100
    const got = scorePerEra({ eraIndex: d.eraIndex, eraNames, pred: d.pred, target: d.target, benchmark: d.benchmark });
    assert.deepEqual(got.map((s) => s.era), ['9', '10', '100']);
    for (const s of got) {
      const rows = rowsOf(d.eraIndex, eraNames.indexOf(s.era));
      assert.equal(s.n, 40);
      assert.equal(s.corr, numeraiCorr(pick(d.pred, rows), pick(d.target, rows)));
      assert.equal(s.bmc, correlationContribution(pick(d.pred, rows), pick(d.benchmark, rows), pick(d.target, rows)));
      assert.equal(s.corr_with_benchmark, numeraiCorr(pick(d.pred, rows), pick(d.benchmark, rows)));
      assert.equal(s.fnc, undefined);
    }
  });

  it('drops rows per metric: NaN target for CORR, NaN benchmark or target for BMC', () => {
    const d = dataset(2, 30);
    d.target[0] = NaN; // era 0
    d.benchmark[1] = NaN; // era 1
    d.pred[2] = NaN; // era 0
    const [e0, e1] = scorePerEra({ eraIndex: d.eraIndex, eraNames: ['0001', '0002'], pred: d.pred, target: d.target, benchmark: d.benchmark });
    const r0 = rowsOf(d.eraIndex, 0).filter((i) => i !== 0 && i !== 2);
    assert.equal(e0.n, 28);
    assert.equal(e0.corr, numeraiCorr(pick(d.pred, r0), pick(d.target, r0)));
    assert.equal(e0.bmc, correlationContribution(pick(d.pred, r0), pick(d.benchmark, r0), pick(d.target, r0)));
    // corr with the benchmark keeps row 0 (its target is missing but it has prediction and benchmark)
    const c0 = rowsOf(d.eraIndex, 0).filter((i) => i !== 2);
    assert.equal(e0.corr_with_benchmark, numeraiCorr(pick(d.pred, c0), pick(d.benchmark, c0)));
    const r1 = rowsOf(d.eraIndex, 1).filter((i) => i !== 1);
    assert.equal(e1.n, 30);
    assert.equal(e1.bmc, correlationContribution(pick(d.pred, r1), pick(d.benchmark, r1), pick(d.target, r1)));
  });

  it('omits eras with nothing to score and leaves bmc out of eras without benchmark rows', () => {
    const d = dataset(3, 20);
    for (const i of rowsOf(d.eraIndex, 1)) d.target[i] = NaN; // era 1: no targets
    for (const i of rowsOf(d.eraIndex, 2)) d.benchmark[i] = NaN; // era 2: no benchmark
    const names = ['0001', '0002', '0003'];
    const noBench = scorePerEra({ eraIndex: d.eraIndex, eraNames: names, pred: d.pred, target: d.target });
    assert.deepEqual(noBench.map((s) => s.era), ['0001', '0003']);
    const withBench = scorePerEra({ eraIndex: d.eraIndex, eraNames: names, pred: d.pred, target: d.target, benchmark: d.benchmark });
    assert.deepEqual(withBench.map((s) => [s.era, s.n, 'bmc' in s, 'corr_with_benchmark' in s]), [
      ['0001', 20, true, true],
      ['0002', 0, false, true], // only its benchmark rows are scored (corr with the benchmark)
      ['0003', 20, false, false],
    ]);
    assert.ok(Number.isNaN(withBench[1].corr));
  });

  it('computes FNC per era, NaN for an era that trips the 80% target assertion', () => {
    const d = dataset(2, 40);
    const era1 = rowsOf(d.eraIndex, 1);
    for (const i of era1.slice(0, 10)) d.target[i] = NaN; // 25% missing in era 1
    const fs = featureSourceFromColumns([d.features[0], new Float64Array(d.n).fill(3), d.features[2]]);
    const [e0, e1] = scorePerEra({ eraIndex: d.eraIndex, eraNames: ['1', '2'], pred: d.pred, target: d.target, features: fs });
    const r0 = rowsOf(d.eraIndex, 0);
    const cols = [pick(d.features[0], r0), r0.map(() => 3), pick(d.features[2], r0)];
    assert.equal(e0.fnc, featureNeutralCorr(pick(d.pred, r0), cols, pick(d.target, r0)));
    assert.ok(Number.isNaN(e1.fnc!));
    assert.ok(Number.isFinite(e1.corr));
  });

  it('reads features from a block-split FeatureMatrix through a row map', () => {
    const d = dataset(2, 25);
    // the matrix holds the rows in reverse order, in blocks of 7 rows
    const nF = 3;
    const rowsPerBlock = 7;
    const blocks: Uint8Array[] = [];
    for (let b = 0; b * rowsPerBlock < d.n; b++) {
      const len = Math.min(rowsPerBlock, d.n - b * rowsPerBlock);
      const block = new Uint8Array(len * nF);
      for (let r = 0; r < len; r++) for (let f = 0; f < nF; f++) block[r * nF + f] = d.features[f][d.n - 1 - (b * rowsPerBlock + r)];
      blocks.push(block);
    }
    const x: FeatureMatrix = { nRows: d.n, nFeatures: nF, rowsPerBlock, blocks };
    const rowMap = Int32Array.from({ length: d.n }, (_, i) => d.n - 1 - i);
    const base = { eraIndex: d.eraIndex, eraNames: ['1', '2'], pred: d.pred, target: d.target };
    const fromMatrix = scorePerEra({ ...base, features: featureSourceFromMatrix(x, { rowMap, columns: [2, 0] }) });
    const fromColumns = scorePerEra({ ...base, features: featureSourceFromColumns([d.features[2], d.features[0]]) });
    assert.deepEqual(fromMatrix, fromColumns);
  });

  it('rejects mismatched lengths and era indices out of range', () => {
    const base = { eraNames: ['1'], pred: new Float64Array(2), target: new Float64Array(2) };
    assert.throws(() => scorePerEra({ ...base, eraIndex: new Int32Array(3) }), /2 predictions but 3 values in eraIndex/);
    assert.throws(() => scorePerEra({ ...base, eraIndex: Int32Array.from([0, 1]) }), /row 1 has era index 1, expected 0..0/);
  });
});

describe('summarizeEras', () => {
  const eras: EraScore[] = [
    { era: '1', n: 5, corr: 0.5, corr_with_benchmark: 0.9 },
    { era: '2', n: 5, corr: -0.5, bmc: NaN, corr_with_benchmark: 0.5 },
    { era: '3', n: 5, corr: 0.25, bmc: 0.25, corr_with_benchmark: 0.1, fnc: 0.125 },
    { era: '4', n: 5, corr: 0.75, bmc: -0.75, fnc: NaN },
  ];

  it('summarises BMC over the eras that have it, its last N, and the payout proxy', () => {
    const s = summarizeEras(eras, { lastN: 2 });
    assert.deepEqual(s.corr, summarize([0.5, -0.5, 0.25, 0.75]));
    // the BMC series is eras 2..4 (NaN, 0.25, -0.75); NaN is dropped by the summary
    assert.deepEqual(s.bmc, { ...summarize([0.25, -0.75]), avg_corr_with_benchmark: (0.9 + 0.5 + 0.1) / 3 });
    // the last 2 BMC eras are 3 and 4; the last 2 corr-with-benchmark eras are 2 and 3
    assert.deepEqual(s.bmc_last_200_eras, { ...summarize([0.25, -0.75]), avg_corr_with_benchmark: (0.5 + 0.1) / 2 });
    assert.deepEqual(s.fnc, summarize([0.125]));
    // 0.75·mean(CORR) + 2.25·mean(BMC) = 0.75·0.25 + 2.25·(-0.25)
    assert.equal(s.payout, 0.75 * 0.25 + 2.25 * -0.25);
    assert.deepEqual(Object.keys(s), ['corr', 'bmc', 'bmc_last_200_eras', 'fnc', 'payout']);
  });

  it('has no BMC blocks and a null payout without a benchmark, and validates lastN', () => {
    const s = summarizeEras([{ era: '1', n: 3, corr: 0.1 }]);
    assert.deepEqual(Object.keys(s), ['corr', 'payout']);
    assert.equal(s.payout, null);
    assert.throws(() => summarizeEras(eras, { lastN: 0 }), /expected a positive integer for lastN, got 0/);
  });
});
