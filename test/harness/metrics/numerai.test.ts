import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalPpf } from '../../../harness/metrics/gaussian.ts';
import {
  NumeraiAssertionError,
  correlationContribution,
  numeraiCorr,
  pearson,
  signedPower,
} from '../../../harness/metrics/numerai.ts';

const pow15 = (x: number): number => Math.sign(x) * Math.abs(x) ** 1.5;

/** Plain textbook Pearson, written independently of the library. */
function textbookPearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('numeraiCorr', () => {
  it('centres the target over every non-NaN target before dropping rows with a NaN prediction', () => {
    const pred = [NaN, 1, 2, 3, 4];
    const target = [1, 0, 0.25, 0.5, 0.75];
    // kept rows 1..4 (4/5 = 0.8, just allowed). Their predictions rank (R - 0.5)/4 = .125,.375,.625,.875,
    // gaussian ±Φ⁻¹(.875) = ±1.1503…, ±Φ⁻¹(.625) = ±0.3186…, then ^1.5 keeping the sign.
    const z = normalPpf(0.875);
    const w = normalPpf(0.625);
    const pStar = [-(z ** 1.5), -(w ** 1.5), w ** 1.5, z ** 1.5];
    // The target mean over ALL five targets is 2.5/5 = 0.5, so the kept centred targets are
    // -.5, -.25, 0, .25 (centring after the filter would use 1.5/4 = .375 instead).
    const expected = textbookPearson([-0.5, -0.25, 0, 0.25].map(pow15), pStar);
    const preDropped = textbookPearson([-0.375, -0.125, 0.125, 0.375].map(pow15), pStar);
    const got = numeraiCorr(pred, target);
    assert.ok(Math.abs(got - expected) < 1e-15, `${got} vs ${expected}`);
    assert.ok(Math.abs(expected - 0.9831599774259524) < 1e-15); // scipy/numpy on the same numbers
    assert.ok(Math.abs(numeraiCorr([1, 2, 3, 4], [0, 0.25, 0.5, 0.75]) - preDropped) < 1e-15);
    assert.ok(Math.abs(got - preDropped) > 0.01, 'centring before filtering must change the value');
  });

  it('asserts that at least 80% of rows survive the NaN filter', () => {
    assert.doesNotThrow(() => numeraiCorr([1, 2, 3, 4, 5], [0, 0.5, 1, 0.25, NaN])); // 4/5 = 0.8
    assert.throws(
      () => numeraiCorr([1, 2, 3, 4, 5], [0, 0.5, 1, NaN, NaN]),
      (e: unknown) => e instanceof NumeraiAssertionError && /only 3 of 5 rows/.test(e.message),
    );
    assert.throws(() => numeraiCorr([], []), NumeraiAssertionError);
  });

  it('skips the target power when targetPow15 is false', () => {
    const pred = [0.1, 0.4, 0.2, 0.9];
    const target = [-1, 2, 0.5, 3];
    const g = [0.125, 0.625, 0.375, 0.875].map(normalPpf).map(pow15);
    const mean = (-1 + 2 + 0.5 + 3) / 4;
    const expected = textbookPearson(target.map((t) => t - mean), g);
    assert.ok(Math.abs(numeraiCorr(pred, target, { targetPow15: false }) - expected) < 1e-15);
  });

  it('is NaN for a constant prediction (zero variance after the transform)', () => {
    assert.ok(Number.isNaN(numeraiCorr([0.5, 0.5, 0.5], [0, 0.5, 1])));
  });
});

describe('signedPower', () => {
  it('keeps the sign and refuses NaN', () => {
    assert.deepEqual([...signedPower([-4, 0, 9], 1.5)], [-8, 0, 27]);
    assert.throws(() => signedPower([1, NaN], 1.5), NumeraiAssertionError);
  });

  it('fails the 0.9 correlation check on a single row, as pandas (ddof 1 std is NaN) does', () => {
    assert.throws(() => signedPower([0.3], 1.5), /correlates NaN/);
  });
});

describe('correlationContribution (BMC)', () => {
  // 8 rows so every mean is a division by a power of two and the ¼ relation below is exact
  const pred = [0.9, 0.1, 0.5, 0.3, 0.8, 0.2, 0.6, 0.4];
  const bench = [0.7, 0.2, 0.1, 0.5, 0.9, 0.4, 0.3, 0.8];
  const target = [1, 0, 0.5, 0.25, 0.75, 0.25, 0.5, 0.5];

  it('equals t_cᵀ r / N with r the benchmark-orthogonal part of gaussian ranks, target ×4', () => {
    const rank = (x: number[]): number[] => x.map((v) => (x.filter((u) => u < v).length + 1 - 0.5) / x.length);
    const p = rank(pred).map(normalPpf);
    const g = rank(bench).map(normalPpf);
    const coef = p.reduce((s, v, i) => s + v * g[i], 0) / g.reduce((s, v) => s + v * v, 0);
    const r = p.map((v, i) => v - g[i] * coef);
    const t4 = target.map((t) => 4 * t); // every target is in [0, 1] → scaled to the 0..4 bins
    const mean = t4.reduce((s, v) => s + v, 0) / 8; // 15/8
    const expected = t4.reduce((s, v, i) => s + (v - mean) * r[i], 0) / 8;
    assert.ok(Math.abs(correlationContribution(pred, bench, target) - expected) < 1e-15);
  });

  it('gives a [0,1] target and the same target ×4 identical scores, and t − 0.5 exactly a quarter', () => {
    const base = correlationContribution(pred, bench, target);
    assert.equal(correlationContribution(pred, bench, target.map((t) => 4 * t)), base);
    // t − 0.5 has negatives, so it is not scaled: centred it is (4t centred)/4
    assert.equal(correlationContribution(pred, bench, target.map((t) => t - 0.5)), base / 4);
  });

  it('drops rows with any NaN and asserts 80% remain', () => {
    const withNaN = [...pred, NaN];
    const full = correlationContribution(pred, bench, target);
    assert.equal(correlationContribution(withNaN, [...bench, 0.5], [...target, 1]), full); // 8/9 kept
    // 8 of 10 kept is exactly 80%: allowed; 8 of 11 is not
    assert.equal(correlationContribution([...pred, NaN, 1], [...bench, 0.1, NaN], [...target, 0, 0]), full);
    assert.throws(
      () => correlationContribution([...pred, NaN, 1, 2], [...bench, 0.1, NaN, 0.2], [...target, 0, 0, NaN]),
      (e: unknown) => e instanceof NumeraiAssertionError && /only 8 of 11 rows/.test(e.message),
    );
  });
});

describe('pearson', () => {
  it('matches the textbook formula and is NaN for constant input or one row', () => {
    assert.ok(Math.abs(pearson([1, 2, 3, 5], [2, 1, 4, 3]) - textbookPearson([1, 2, 3, 5], [2, 1, 4, 3])) < 1e-15);
    assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
    assert.ok(Number.isNaN(pearson([1], [2])));
  });
});
