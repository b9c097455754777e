import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featureNeutralCorr, neutralize, varianceNormalize } from '../../../harness/metrics/neutralize.ts';
import { NumeraiAssertionError, numeraiCorr } from '../../../harness/metrics/numerai.ts';
import { gaussianRank } from '../../../harness/metrics/rank.ts';

function closeArrays(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `row ${i}: ${a[i]} vs ${b[i]}`);
}

/** Deterministic pseudo-random integers 0..4 (a linear congruential generator). */
function bins(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor((s / 2147483648) * 5);
  });
}

describe('neutralize', () => {
  it('removes group means when the only feature is a 0/1 indicator', () => {
    // span(f, 1) with f = [0,0,1,1] is "a mean per group": x = [1,2,3,5] has group means 1.5 and 4,
    // so the residual is [1-1.5, 2-1.5, 3-4, 5-4] = [-0.5, 0.5, -1, 1]
    const [r] = neutralize([[1, 2, 3, 5]], [[0, 0, 1, 1]]);
    closeArrays(r, [-0.5, 0.5, -1, 1], 1e-15);
  });

  it('leaves a residual orthogonal to every feature and to the intercept', () => {
    const n = 300;
    const f = [bins(n, 1), bins(n, 2), bins(n, 3)];
    const x = Float64Array.from({ length: n }, (_, i) => f[0][i] * 0.7 - f[2][i] + Math.sin(i));
    const [r] = neutralize([x], f);
    for (const col of [...f, new Float64Array(n).fill(1)]) {
      const dot = col.reduce((s, v, i) => s + v * r[i], 0);
      assert.ok(Math.abs(dot) < 1e-11, `dot ${dot}`);
    }
  });

  it('is unchanged by a constant feature, a duplicated feature, and rescaled or shifted features', () => {
    const n = 120;
    const f0 = bins(n, 11);
    const f1 = bins(n, 12);
    const x = Float64Array.from({ length: n }, (_, i) => Math.cos(i) + f0[i]);
    const [plain] = neutralize([x], [f0, f1]);
    const [withExtras] = neutralize([x], [f0, new Float64Array(n).fill(2), f1, f0.slice()]);
    const [rescaled] = neutralize([x], [f0.map((v) => v * 0.25 + 1), f1.map((v) => v * 0.25)]);
    closeArrays(withExtras, plain, 1e-13);
    closeArrays(rescaled, plain, 1e-13);
  });

  it('applies a partial proportion and turns a constant column into NaN', () => {
    const x = [1, 2, 3, 5];
    const [half, constant] = neutralize([x, [7, 7, 7, 7]], [[0, 0, 1, 1]], 0.5);
    // x − 0.5·projection, the projection being the group means [1.5, 1.5, 4, 4]
    closeArrays(half, [0.25, 1.25, 1, 3], 1e-15);
    assert.ok(constant.every((v) => Number.isNaN(v)));
  });

  it('refuses NaN in the data or the features', () => {
    assert.throws(() => neutralize([[1, NaN, 3]], [[0, 1, 0]]), /data column 0 contains NaN at row 1/);
    assert.throws(() => neutralize([[1, 2, 3]], [[0, NaN, 0]]), /feature column 0 contains NaN at row 1/);
  });
});

describe('varianceNormalize', () => {
  it('divides by the population std (ddof 0)', () => {
    // [1, 3]: mean 2, population variance ((1)² + (1)²)/2 = 1 → unchanged; [0, 4]: std 2 → [0, 2]
    assert.deepEqual([...varianceNormalize(new Float64Array([1, 3]))], [1, 3]);
    assert.deepEqual([...varianceNormalize(new Float64Array([0, 4]))], [0, 2]);
  });
});

describe('featureNeutralCorr', () => {
  const n = 60;
  const f0 = bins(n, 21);
  const f1 = bins(n, 22);
  const pred = Float64Array.from({ length: n }, (_, i) => f0[i] + Math.sin(3 * i));
  const target = Float64Array.from({ length: n }, (_, i) => Math.round(((Math.sin(3 * i) + 1) / 2) * 4) / 4);

  it('with only a constant feature equals CORR: neutralising against the intercept is a shift', () => {
    // a constant feature adds nothing beyond the intercept; demeaning and rescaling keep the ranks,
    // and numerai_corr re-ranks, so FNC is exactly numerai_corr of the raw predictions
    const constant = new Float64Array(n).fill(2);
    assert.equal(featureNeutralCorr(pred, [constant], target), numeraiCorr(pred, target));
    assert.equal(featureNeutralCorr(pred, [], target), numeraiCorr(pred, target));
  });

  it('ignores a constant column next to real features and differs from CORR', () => {
    const withConst = featureNeutralCorr(pred, [f0, new Float64Array(n).fill(4), f1], target);
    const without = featureNeutralCorr(pred, [f0, f1], target);
    assert.ok(Math.abs(withConst - without) < 1e-13, `${withConst} vs ${without}`);
    assert.ok(Math.abs(without - numeraiCorr(pred, target)) > 0.01);
  });

  it('uses rows with a NaN target for the neutralisation and drops them only in numerai_corr', () => {
    const t = target.slice();
    for (let i = 0; i < n; i += 10) t[i] = NaN; // 6 of 60 missing: 90% kept
    const got = featureNeutralCorr(pred, [f0, f1], t);
    const [neutral] = neutralize([gaussianRank(pred)], [f0, f1]);
    assert.equal(got, numeraiCorr(varianceNormalize(neutral), t));
    const keep = [...t.keys()].filter((i) => !Number.isNaN(t[i]));
    const preDropped = featureNeutralCorr(keep.map((i) => pred[i]), [keep.map((i) => f0[i]), keep.map((i) => f1[i])], keep.map((i) => t[i]));
    assert.notEqual(got, preDropped);
  });

  it('trips the 80% assertion when too many targets are missing, and refuses NaN predictions', () => {
    const t = target.slice();
    for (let i = 0; i < n; i += 4) t[i] = NaN; // 15 of 60 missing: 75% kept
    assert.throws(() => featureNeutralCorr(pred, [f0], t), NumeraiAssertionError);
    const p = pred.slice();
    p[3] = NaN;
    assert.throws(() => featureNeutralCorr(p, [f0], target), /prediction 3 is NaN/);
  });
});
