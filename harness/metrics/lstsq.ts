// Least squares on A = [F | 1] through the Gram matrix AᵀA: one pass over the rows (exact for
// Numerai's integer features, whose products and sums stay far below 2^53), then all the work on the
// small k × k system. A pivoted Cholesky truncates like numpy's lstsq rcond, and one step of
// iterative refinement (corrected semi-normal equations) brings the fit to the accuracy of a QR solve.

import { gram } from './gram.ts';

/** numpy's rcond as numerai-tools passes it: directions below 1e-6 of the largest are cut. */
export const RCOND = 1e-6;

/** The pivoted Cholesky factor of AᵀA for A = [F | 1], truncated at its numerical rank. */
export interface GramFactor {
  /** rows of A */
  n: number;
  /** columns of A: the features, then the intercept at index k − 1 */
  k: number;
  /** A column-major (n × (k − 1), the intercept implied), as float64 */
  a: Float64Array;
  /** k × k row-major; its lower triangle's first `rank` columns hold L, with P·AᵀA·Pᵀ ≈ L·Lᵀ */
  l: Float64Array;
  /** original column of each pivoted position */
  perm: Int32Array;
  rank: number;
}

/** Swaps positions j < p of a symmetric matrix kept in its lower triangle (LAPACK dsyswapr). */
function symSwap(s: Float64Array, k: number, j: number, p: number): void {
  const at = (r: number, c: number): number => r * k + c;
  const swap = (x: number, y: number): void => {
    const t = s[x];
    s[x] = s[y];
    s[y] = t;
  };
  swap(at(j, j), at(p, p));
  for (let c = 0; c < j; c++) swap(at(j, c), at(p, c));
  for (let c = j + 1; c < p; c++) swap(at(c, j), at(p, c));
  for (let c = p + 1; c < k; c++) swap(at(c, j), at(c, p));
}

/**
 * Pivoted Cholesky of the Gram matrix: each step takes the largest remaining Schur-complement
 * diagonal, which is the squared norm a pivoted Householder QR would pick, and stops once it falls to
 * RCOND² of the first, the QR's |R_jj| ≤ RCOND·|R_00|. Exactly dependent columns (a constant feature
 * beside the intercept, a duplicated feature) leave a rounding residue far below that cut.
 */
export function factorGram(a: Float64Array, n: number, m: number): GramFactor {
  const k = m + 1;
  const l = gram(a, n, m);
  const perm = Int32Array.from({ length: k }, (_, j) => j);
  const col = new Float64Array(k);
  let cut = 0;
  let rank = 0;
  for (let j = 0; j < k; j++) {
    let p = j;
    for (let c = j + 1; c < k; c++) if (l[c * k + c] > l[p * k + p]) p = c;
    const d = l[p * k + p];
    if (j === 0) cut = RCOND * RCOND * d;
    if (!(d > cut)) break;
    if (p !== j) {
      symSwap(l, k, j, p);
      const t = perm[j];
      perm[j] = perm[p];
      perm[p] = t;
    }
    const ljj = Math.sqrt(d);
    l[j * k + j] = ljj;
    for (let c = j + 1; c < k; c++) col[c] = l[c * k + j] /= ljj;
    for (let c = j + 1; c < k; c++) {
      const v = col[c];
      const oc = c * k;
      for (let c2 = j + 1; c2 <= c; c2++) l[oc + c2] -= v * col[c2];
    }
    rank = j + 1;
  }
  return { n, k, a, l, perm, rank };
}

/** (P·AᵀA·Pᵀ)₁₁ z = rhs for the leading `rank` positions, in place: L then Lᵀ. */
function cholSolve(f: GramFactor, z: Float64Array): void {
  const { k, l, rank } = f;
  for (let j = 0; j < rank; j++) {
    let s = z[j];
    for (let c = 0; c < j; c++) s -= l[j * k + c] * z[c];
    z[j] = s / l[j * k + j];
  }
  for (let j = rank - 1; j >= 0; j--) {
    let s = z[j];
    for (let c = j + 1; c < rank; c++) s -= l[c * k + j] * z[c];
    z[j] = s / l[j * k + j];
  }
}

/** Aᵀx restricted to the pivoted columns kept, in pivot order. */
function atx(f: GramFactor, x: Float64Array): Float64Array {
  const { n, a, perm, rank, k } = f;
  const out = new Float64Array(rank);
  for (let j = 0; j < rank; j++) {
    const c = perm[j];
    let s = 0;
    if (c === k - 1) for (let i = 0; i < n; i++) s += x[i];
    else {
      const o = c * n;
      for (let i = 0; i < n; i++) s += a[o + i] * x[i];
    }
    out[j] = s;
  }
  return out;
}

/**
 * The fit A·β into `out`, summed row by row over the pivoted columns in one fixed order, so rows
 * with equal features get exactly equal fits (ties FNC's re-ranking must keep, as numpy's A·β does).
 */
function fitOf(f: GramFactor, beta: Float64Array, out: Float64Array): Float64Array {
  const { n, a, perm, rank, k } = f;
  out.fill(0);
  for (let j = 0; j < rank; j++) {
    const b = beta[j];
    const c = perm[j];
    if (c === k - 1) for (let i = 0; i < n; i++) out[i] += b;
    else {
      const o = c * n;
      for (let i = 0; i < n; i++) out[i] += b * a[o + i];
    }
  }
  return out;
}

/** The least-squares fit of y on A (coefficients of the dropped columns are 0), refined once. */
export function leastSquaresFit(f: GramFactor, y: Float64Array): Float64Array {
  const beta = atx(f, y);
  cholSolve(f, beta);
  const fit = fitOf(f, beta, new Float64Array(f.n));
  const resid = new Float64Array(f.n);
  for (let i = 0; i < f.n; i++) resid[i] = y[i] - fit[i];
  const delta = atx(f, resid);
  cholSolve(f, delta);
  for (let j = 0; j < f.rank; j++) beta[j] += delta[j];
  return fitOf(f, beta, fit);
}
