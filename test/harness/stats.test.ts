import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  lnGamma, mean, noiseFloor, pairedTTestGreater, regIncBeta, std, studentTCdf, studentTSf, wilsonInterval, Z95,
} from '../../harness/stats.ts';

function near(actual: number, expected: number, tol: number, label = ''): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${label} expected ${expected}, got ${actual} (|Δ| = ${Math.abs(actual - expected)})`);
}

test('mean and std with ddof 0 and 1', () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  near(std([1, 2, 3, 4]), Math.sqrt(1.25), 1e-15);
  near(std([1, 2, 3, 4], 1), Math.sqrt(5 / 3), 1e-15);
  assert.ok(Number.isNaN(mean([])));
  assert.ok(Number.isNaN(std([])));
  assert.ok(Number.isNaN(std([0.01], 1)));
  assert.equal(std([0.01]), 0);
});

test('std keeps its digits for payout-sized values with tiny spread', () => {
  // numpy.std([0.0280001, 0.0280002, 0.0280003], ddof=1)
  near(std([0.0280001, 0.0280002, 0.0280003], 1), 9.999999999940612e-8, 1e-20);
});

test('lnGamma and the regularised incomplete beta match closed forms', () => {
  near(lnGamma(5), Math.log(24), 1e-13);
  near(lnGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14);
  near(lnGamma(0.25), Math.log(3.6256099082219087), 1e-14);
  near(regIncBeta(0.3, 1, 1), 0.3, 1e-15);
  near(regIncBeta(0.7, 3, 1), 0.7 ** 3, 1e-15);
  near(regIncBeta(0.5, 4.5, 4.5), 0.5, 1e-15);
  assert.equal(regIncBeta(0, 2, 3), 0);
  assert.equal(regIncBeta(1, 2, 3), 1);
  assert.ok(Number.isNaN(regIncBeta(1.5, 2, 3)));
});

// Upper tails P(T > t) from mpmath at 40 digits (scipy.stats.t.sf agrees to 1e-15).
const T_SF: [t: number, df: number, sf: number][] = [
  [2.0, 10, 0.036694017385370182809],
  [1.0, 1, 0.25],
  [0.5, 3, 0.32572398242407549722],
  [-1.5, 7, 0.91135075650501498342],
  [3.0, 4.5, 0.017190433944379811929],
  [0.1, 200, 0.46022224625216051938],
  [-4.0, 2, 0.97140452079103168293],
  [2.5, 1000, 0.0062892839005453984049],
  [6.0, 5, 0.00092306914479700721301],
  [0.0, 8, 0.5],
];

for (const [t, df, sf] of T_SF) {
  test(`Student t upper tail at t = ${t}, df = ${df} is ${sf}`, () => {
    near(studentTSf(t, df), sf, 1e-10);
    near(studentTCdf(t, df), 1 - sf, 1e-10);
  });
}

test('Student t far tail keeps relative precision', () => {
  const sf = studentTSf(10, 30);
  assert.ok(Math.abs(sf / 2.2876257041148065963e-11 - 1) < 1e-9, `got ${sf}`);
});

test('Student t matches the closed forms for df = 1 and df = 2', () => {
  for (const t of [-3, -0.7, 0.2, 1.3, 8]) {
    near(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-14, `df 1, t ${t}`);
    near(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-14, `df 2, t ${t}`);
  }
  assert.equal(studentTSf(Infinity, 4), 0);
  assert.equal(studentTSf(-Infinity, 4), 1);
  assert.ok(Number.isNaN(studentTSf(1, 0)));
});

test('paired t-test (greater) matches scipy.stats.ttest_rel', () => {
  const best = [0.020, 0.010, -0.005, 0.030, 0.015, 0.000, 0.025, -0.010];
  const noisy = [0.034, 0.002, 0.006, 0.021, 0.027, -0.006, 0.031, -0.019];
  const r = pairedTTestGreater(noisy, best);
  assert.equal(r.n, 8);
  assert.equal(r.df, 7);
  near(r.meanDiff, 0.001375, 1e-15);
  near(r.t, 0.3772651856886841, 1e-12);
  near(r.pValue, 0.3585770332402178, 1e-12);
  const steady = best.map((b, i) => b + 0.0015 + 0.0002 * i);
  const s = pairedTTestGreater(steady, best);
  near(s.t, 12.701705922171781, 1e-9);
  near(s.pValue, 2.1691945273942765e-6, 1e-15);
});

test('paired t-test degenerate cases', () => {
  assert.equal(pairedTTestGreater([2, 3, 4], [1, 2, 3]).pValue, 0);
  assert.equal(pairedTTestGreater([1, 2, 3], [2, 3, 4]).pValue, 1);
  assert.equal(pairedTTestGreater([1, 2, 3], [1, 2, 3]).pValue, 1);
  assert.ok(Number.isNaN(pairedTTestGreater([2], [1]).pValue));
  assert.throws(() => pairedTTestGreater([1, 2], [1]), /aligned samples, got lengths 2 and 1/);
});

// Wilson bounds evaluated in mpmath at 40 digits with z = Φ⁻¹(0.975) = scipy.stats.norm.ppf(0.975).
const WILSON: [s: number, n: number, lower: number, upper: number][] = [
  [0, 10, 0, 0.2775327998628892],
  [5, 10, 0.236593090512564, 0.763406909487436],
  [1, 20, 0.0088814488007953916, 0.23613119344674203],
  [22, 358, 0.040929159947988473, 0.091287471547523333],
  [20, 20, 0.83887484194718065, 1],
  [3, 7, 0.15821985525146971, 0.74954163547234278],
];

for (const [s, n, lower, upper] of WILSON) {
  test(`Wilson interval for ${s}/${n} is [${lower}, ${upper}]`, () => {
    const ci = wilsonInterval(s, n);
    near(ci.lower, lower, 1e-14);
    near(ci.upper, upper, 1e-14);
  });
}

test('Wilson interval edge cases', () => {
  assert.deepEqual(wilsonInterval(0, 0), { lower: 0, upper: 1 });
  assert.equal(Z95, 1.959963984540054);
  assert.throws(() => wilsonInterval(3, 2), /0 ≤ successes ≤ trials, got 3 of 2/);
  assert.throws(() => wilsonInterval(1.5, 4), RangeError);
  assert.throws(() => wilsonInterval(1, 4, 0), /z > 0/);
});

test('noise floor is the sample std (ddof 1) of the seed payouts', () => {
  near(noiseFloor([0.028, 0.0232, 0.0328]), 0.0048, 1e-16);
  near(noiseFloor([0.01, 0.02]), Math.SQRT1_2 * 0.01, 1e-17);
  assert.throws(() => noiseFloor([0.02]), /at least 2 seed payouts, got 1/);
});
