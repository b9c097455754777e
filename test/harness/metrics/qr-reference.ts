// The neutralisation the harness used before the Gram solver: a pivoted Householder QR of [F | 1] in
// plain JS, kept as an independent reference the faster solver must agree with.
import { RCOND } from '../../../harness/metrics/lstsq.ts';

/** A Householder QR with column pivoting of [F | 1], truncated at the numerical rank. */
interface PivotedQr {
  n: number;
  /** column-major n × k: R on and above the diagonal, Householder vectors below (unit diagonal implicit) */
  a: Float64Array;
  tau: Float64Array;
  /** original column of each pivoted column; k − 1 is the intercept */
  perm: Int32Array;
  rank: number;
}

/**
 * Pivoted QR picks the largest remaining column each step, so |R_jj| decreases and approximates the
 * singular values; a step whose remaining norm is ≤ RCOND·|R_00| ends the factorisation. Exactly
 * dependent columns (a constant feature beside the intercept, a duplicated feature) fall below it.
 */
function factor(features: ArrayLike<number>[], n: number): PivotedQr {
  const k = features.length + 1;
  const a = new Float64Array(n * k);
  for (let j = 0; j < features.length; j++) {
    const col = features[j];
    for (let i = 0; i < n; i++) a[j * n + i] = col[i];
  }
  a.fill(1, (k - 1) * n, k * n);
  const perm = Int32Array.from({ length: k }, (_, j) => j);
  const norms = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = j * n; i < (j + 1) * n; i++) s += a[i] * a[i];
    norms[j] = s;
  }
  const tau = new Float64Array(k);
  const tmp = new Float64Array(n);
  let tol = 0;
  let rank = 0;
  for (let j = 0; j < Math.min(n, k); j++) {
    let p = j;
    for (let c = j + 1; c < k; c++) if (norms[c] > norms[p]) p = c;
    if (p !== j) {
      tmp.set(a.subarray(j * n, (j + 1) * n));
      a.copyWithin(j * n, p * n, (p + 1) * n);
      a.set(tmp, p * n);
      norms[p] = norms[j];
      const pj = perm[j];
      perm[j] = perm[p];
      perm[p] = pj;
    }
    const cj = j * n;
    let s = 0;
    for (let i = j; i < n; i++) s += a[cj + i] * a[cj + i];
    const nrm = Math.sqrt(s);
    if (j === 0) tol = RCOND * nrm;
    if (!(nrm > tol)) break;
    const alpha = a[cj + j];
    const beta = alpha >= 0 ? -nrm : nrm;
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < n; i++) a[cj + i] *= scale;
    a[cj + j] = beta;
    tau[j] = (beta - alpha) / beta;
    for (let c = j + 1; c < k; c++) {
      const cc = c * n;
      let d = a[cc + j];
      for (let i = j + 1; i < n; i++) d += a[cj + i] * a[cc + i];
      d *= tau[j];
      a[cc + j] -= d;
      let rest = 0;
      for (let i = j + 1; i < n; i++) {
        const v = a[cc + i] - d * a[cj + i];
        a[cc + i] = v;
        rest += v * v;
      }
      norms[c] = rest;
    }
    rank = j + 1;
  }
  return { n, a, tau, perm, rank };
}

/** Least-squares coefficients of y on the first `rank` pivoted columns: R₁₁β = (Qᵀy)[0, rank). */
function solve(qr: PivotedQr, x: ArrayLike<number>): Float64Array {
  const { n, a, tau, rank } = qr;
  const y = Float64Array.from(x);
  for (let j = 0; j < rank; j++) {
    const cj = j * n;
    let d = y[j];
    for (let i = j + 1; i < n; i++) d += a[cj + i] * y[i];
    d *= tau[j];
    y[j] -= d;
    for (let i = j + 1; i < n; i++) y[i] -= d * a[cj + i];
  }
  const beta = new Float64Array(rank);
  for (let j = rank - 1; j >= 0; j--) {
    let s = y[j];
    for (let c = j + 1; c < rank; c++) s -= a[c * n + j] * beta[c];
    beta[j] = s / a[j * n + j];
  }
  return beta;
}

/** x minus its least-squares fit on [features | 1], through the pivoted QR. */
export function neutralizeQr(x: ArrayLike<number>, features: ArrayLike<number>[]): Float64Array {
  const n = x.length;
  const qr = factor(features, n);
  const beta = solve(qr, x);
  const out = new Float64Array(n);
  for (let j = 0; j < qr.rank; j++) {
    const b = beta[j];
    const c = qr.perm[j];
    if (c === features.length) for (let i = 0; i < n; i++) out[i] += b;
    else {
      const f = features[c];
      for (let i = 0; i < n; i++) out[i] += b * f[i];
    }
  }
  for (let i = 0; i < n; i++) out[i] = x[i] - out[i];
  return out;
}
