// Small, dependency-free statistics for the gate and for run reports: moments, the Student t
// distribution (through the regularised incomplete beta), a one-sided paired t-test, the Wilson
// score interval for rates, and the seed noise floor. Pure functions; no I/O.

export interface PairedTTest {
  /** Number of pairs. */
  n: number;
  /** Mean of the differences a − b. */
  meanDiff: number;
  /** Sample std (ddof 1) of the differences. */
  sdDiff: number;
  /** t statistic; ±Infinity when every difference is the same non-zero value. */
  t: number;
  df: number;
  /** One-sided p-value for H1: mean(a − b) > 0; NaN with fewer than 2 pairs. */
  pValue: number;
}

export interface Interval {
  lower: number;
  upper: number;
}

/** z for a two-sided 95% interval: Φ⁻¹(0.975). */
export const Z95 = 1.959963984540054;

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Standard deviation with `ddof` delta degrees of freedom (0 = population, 1 = sample); NaN when n ≤ ddof. */
export function std(xs: readonly number[], ddof: 0 | 1 = 0): number {
  const n = xs.length;
  if (n <= ddof) return NaN;
  const m = mean(xs);
  // Two-pass sum of squared deviations: payouts are ~1e-2 with spreads ~1e-3, where the
  // one-pass E[x²] − m² formula loses most of its significant digits.
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (n - ddof));
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for I_x(a, b) (modified Lentz), valid for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const eps = 1e-16;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < eps) return h;
  }
  throw new Error(`incomplete beta continued fraction did not converge (x=${x}, a=${a}, b=${b})`);
}

/** Regularised incomplete beta I_x(a, b) for 0 ≤ x ≤ 1, a, b > 0. */
export function regIncBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) return NaN;
  if (x === 0) return 0;
  if (x === 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  // The fraction converges fast only on one side of the mean; use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Upper tail P(T > t) of Student's t with `df` degrees of freedom (df may be fractional). */
export function studentTSf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2); computing the small tail directly avoids 1 − (1 − p) cancellation.
  const half = 0.5 * regIncBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? half : 1 - half;
}

/** CDF P(T ≤ t) of Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  return studentTSf(-t, df);
}

/** One-sided paired t-test of H1: mean(a − b) > 0 over aligned pairs (a[i], b[i]). */
export function pairedTTestGreater(a: readonly number[], b: readonly number[]): PairedTTest {
  if (a.length !== b.length) throw new Error(`paired t-test needs aligned samples, got lengths ${a.length} and ${b.length}`);
  const d = a.map((x, i) => x - b[i]);
  const n = d.length;
  const meanDiff = mean(d);
  const sdDiff = std(d, 1);
  const df = n - 1;
  if (n < 2) return { n, meanDiff, sdDiff, t: NaN, df, pValue: NaN };
  if (sdDiff === 0) {
    // Every difference is equal: the sign is certain, and a zero difference is no evidence of improvement.
    const t = meanDiff > 0 ? Infinity : meanDiff < 0 ? -Infinity : 0;
    return { n, meanDiff, sdDiff, t, df, pValue: meanDiff > 0 ? 0 : 1 };
  }
  const t = meanDiff / (sdDiff / Math.sqrt(n));
  return { n, meanDiff, sdDiff, t, df, pValue: studentTSf(t, df) };
}

/** Wilson score interval for `successes` out of `trials` (z = 1.96 by default); [0, 1] with no trials. */
export function wilsonInterval(successes: number, trials: number, z: number = Z95): Interval {
  if (!Number.isInteger(trials) || trials < 0 || !Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`Wilson interval needs integers 0 ≤ successes ≤ trials, got ${successes} of ${trials}`);
  }
  if (!(z > 0)) throw new RangeError(`Wilson interval needs z > 0, got ${z}`);
  if (trials === 0) return { lower: 0, upper: 1 };
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials));
  // At 0/n and n/n the bounds are exactly 0 and 1; clamping removes the ±1e-17 rounding residue.
  return {
    lower: successes === 0 ? 0 : Math.max(0, center - half),
    upper: successes === trials ? 1 : Math.min(1, center + half),
  };
}

/**
 * σ of one run's payout, estimated from the payouts of the same code under different seeds.
 * ddof 1 because the seed count is tiny (3–5): the population formula would understate σ by
 * √((n−1)/n) — 18% at n = 3 — and a margin built on it would let noise through as keeps.
 */
export function noiseFloor(seedPayouts: readonly number[]): number {
  if (seedPayouts.length < 2) {
    throw new RangeError(`noise floor needs at least 2 seed payouts, got ${seedPayouts.length}`);
  }
  return std(seedPayouts, 1);
}
