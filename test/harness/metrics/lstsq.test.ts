import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gram } from '../../../harness/metrics/gram.ts';
import { factorGram, leastSquaresFit } from '../../../harness/metrics/lstsq.ts';
import { featureNeutralCorr, neutralize } from '../../../harness/metrics/neutralize.ts';
import { numeraiCorr } from '../../../harness/metrics/numerai.ts';
import { gaussianRank } from '../../../harness/metrics/rank.ts';
import { neutralizeQr } from './qr-reference.ts';

/** Deterministic pseudo-random integers 0..4 (a linear congruential generator). */
function bins(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor((s / 2147483648) * 5);
  });
}

function columnMajor(cols: Float64Array[]): Float64Array {
  const n = cols[0].length;
  const a = new Float64Array(n * cols.length);
  cols.forEach((c, j) => a.set(c, j * n));
  return a;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/**
 * Collinear like Numerai's features: a duplicate, a constant, a sum of two others, 4 − f (a shift of a
 * rescaled column, dependent on the intercept), then enough independent columns to exercise every
 * path of the 4-column Gram kernel (13 features: three blocks of 4 and one left over).
 */
function collinearFeatures(n: number): { cols: Float64Array[]; rank: number } {
  const base = Array.from({ length: 8 }, (_, j) => bins(n, 100 + j));
  const cols = [
    base[0], base[1], base[0].slice(), new Float64Array(n).fill(2), base[2],
    base[1].map((v, i) => v + base[2][i]), base[3], base[3].map((v) => 4 - v),
    base[4], base[5], base[6], base[7], base[4].map((v, i) => 0.5 * v - base[6][i]),
  ];
  // independent: base[0..7] and the intercept
  return { cols, rank: 9 };
}

describe('gram', () => {
  it('is AᵀA of [F | 1] with both triangles filled', () => {
    // F = [[1,0],[2,1],[0,3]] (rows): AᵀA over columns f0=[1,2,0], f1=[0,1,3], 1=[1,1,1]
    const g = gram(columnMajor([Float64Array.of(1, 2, 0), Float64Array.of(0, 1, 3)]), 3, 2);
    assert.deepEqual([...g], [5, 2, 3, 2, 10, 4, 3, 4, 3]);
  });

  it('gives the same exact integers whether rows come in one tile or several', () => {
    const n = 2500;
    const cols = Array.from({ length: 6 }, (_, j) => bins(n, 7 + j));
    const g = gram(columnMajor(cols), n, 6);
    for (let r = 0; r < 6; r++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += cols[r][i] * cols[5][i];
      assert.equal(g[r * 7 + 5], s);
      assert.equal(g[5 * 7 + r], s);
    }
    assert.equal(g[6 * 7 + 6], n);
  });
});

describe('factorGram and leastSquaresFit', () => {
  it('finds the rank of collinear integer features (duplicate, constant, sums, shifts)', () => {
    const n = 1500;
    const { cols, rank } = collinearFeatures(n);
    assert.equal(factorGram(columnMajor(cols), n, cols.length).rank, rank);
  });

  it('fits like the pivoted Householder QR within 1e-12 on collinear features', () => {
    const n = 1500;
    const { cols } = collinearFeatures(n);
    const y = Float64Array.from({ length: n }, (_, i) => cols[0][i] * 0.3 - cols[5][i] + Math.sin(i * 0.7) * 2);
    const fit = leastSquaresFit(factorGram(columnMajor(cols), n, cols.length), cols, y);
    const resid = y.map((v, i) => v - fit[i]);
    assert.ok(maxAbsDiff(resid, neutralizeQr(y, cols)) < 1e-12);
  });

  it('keeps rows with equal features and equal values exactly tied after neutralising', () => {
    const n = 400;
    const cols = [bins(n, 1), bins(n, 2), bins(n, 3)];
    for (const c of cols) c[200] = c[10];
    const y = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    y[200] = y[10];
    const [r] = neutralize([y], cols);
    assert.equal(r[200], r[10]);
  });

  it('gives the FNC of the QR neutralisation within 1e-12 on collinear features', () => {
    const n = 3000;
    const { cols } = collinearFeatures(n);
    const pred = Float64Array.from({ length: n }, (_, i) => cols[1][i] + cols[8][i] * 0.5 + Math.sin(i * 1.3));
    const target = Float64Array.from({ length: n }, (_, i) => Math.round(((Math.sin(i * 1.3 + 0.4) + 1) / 2) * 4) / 4);
    // numerai_corr re-ranks, so the variance normalisation drops out of the QR side
    const fncQr = numeraiCorr(neutralizeQr(gaussianRank(pred), cols), target);
    const fnc = featureNeutralCorr(pred, cols, target);
    assert.ok(Math.abs(fnc - fncQr) < 1e-12, `${fnc} vs ${fncQr}`);
  });
});
