// Least squares on A = [F | 1] through the Gram matrix AᵀA: one pass over the rows (exact for
// Numerai's integer features, whose products and sums stay far below 2^53), then all the work on the
// small k × k system. A pivoted Cholesky truncates like numpy's lstsq rcond, and one step of
// iterative refinement (corrected semi-normal equations) brings the fit to the accuracy of a QR solve.
// The factor (O(n·k²)) and the fit (O(n·k)) are separate steps, so one factor serves many fits.

import { gramColumns } from './gram.ts';

/** numpy's rcond as numerai-tools passes it: directions below 1e-6 of the largest are cut. */
export const RCOND = 1e-6;

/**
 * The pivoted Cholesky factor of AᵀA for A = [F | 1], truncated at its numerical rank. It depends only
 * on the feature values, never on what is fitted, so one factor serves every fit on the same rows.
 */
export interface GramFactor {
  /** rows of A */
  n: number;
  /** columns of A: the features, then the intercept at index k − 1 */
  k: number;
  /** L packed by rows, P·AᵀA·Pᵀ ≈ L·Lᵀ on the kept positions: row j (< rank) holds L[j][0..j] from j(j+1)/2 */
  l: Float64Array;
  /** original column of each kept pivoted position (length rank) */
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
function pivotedCholesky(l: Float64Array, k: number): { perm: Int32Array; rank: number } {
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
  return { perm, rank };
}

/** The factor of [cols | 1] (each column's first n values), packed to the kept rank. */
export function factorColumns(cols: Float64Array[], n: number): GramFactor {
  return factorOfGram(gramColumns(cols, n), cols.length + 1, n);
}

/**
 * The factor of A = [F | 1] from its Gram matrix AᵀA (row-major k × k, both triangles, as gramColumns
 * makes it, over n rows). `l` is overwritten.
 */
export function factorOfGram(l: Float64Array, k: number, n: number): GramFactor {
  if (l.length !== k * k) throw new Error(`factorOfGram: a ${k} x ${k} Gram matrix needs ${k * k} values, got ${l.length}`);
  const { perm, rank } = pivotedCholesky(l, k);
  const packed = new Float64Array((rank * (rank + 1)) / 2);
  for (let j = 0; j < rank; j++) packed.set(l.subarray(j * k, j * k + j + 1), (j * (j + 1)) / 2);
  return { n, k, l: packed, perm: perm.slice(0, rank), rank };
}

/** The factor of [a | 1] for a column-major n × m `a`. */
export function factorGram(a: Float64Array, n: number, m: number): GramFactor {
  return factorColumns(Array.from({ length: m }, (_, j) => a.subarray(j * n, (j + 1) * n)), n);
}

/** (P·AᵀA·Pᵀ)₁₁ z = rhs for the leading `rank` positions, in place: L then Lᵀ. */
function cholSolve(f: GramFactor, z: Float64Array): void {
  const { l, rank } = f;
  for (let j = 0; j < rank; j++) {
    const o = (j * (j + 1)) / 2;
    let s = z[j];
    for (let c = 0; c < j; c++) s -= l[o + c] * z[c];
    z[j] = s / l[o + j];
  }
  for (let j = rank - 1; j >= 0; j--) {
    let s = z[j];
    for (let c = j + 1; c < rank; c++) s -= l[(c * (c + 1)) / 2 + j] * z[c];
    z[j] = s / l[(j * (j + 1)) / 2 + j];
  }
}

/** The kept pivoted columns of A in pivot order, the intercept as a column of ones. */
function keptColumns(f: GramFactor, cols: Float64Array[]): Float64Array[] {
  const { n, perm, rank, k } = f;
  let ones: Float64Array | undefined;
  return Array.from(perm.subarray(0, rank), (c) => (c === k - 1 ? (ones ??= new Float64Array(n).fill(1)) : cols[c]));
}

/** Aᵀx over the kept columns `a` (pivot order), four columns per pass so each x[i] is loaded once for four sums. */
function atx(a: Float64Array[], n: number, x: Float64Array): Float64Array {
  const r = a.length;
  const out = new Float64Array(r);
  let j = 0;
  for (; j + 3 < r; j += 4) {
    const a0 = a[j];
    const a1 = a[j + 1];
    const a2 = a[j + 2];
    const a3 = a[j + 3];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      s0 += a0[i] * v;
      s1 += a1[i] * v;
      s2 += a2[i] * v;
      s3 += a3[i] * v;
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
  }
  for (; j < r; j++) {
    const a0 = a[j];
    let s = 0;
    for (let i = 0; i < n; i++) s += a0[i] * x[i];
    out[j] = s;
  }
  return out;
}

/**
 * The fit A·β into `out`, summed row by row over the kept columns in one fixed order (four per pass),
 * so rows with equal features get exactly equal fits (ties FNC's re-ranking must keep, as numpy's A·β does).
 */
function fitOf(a: Float64Array[], n: number, beta: Float64Array, out: Float64Array): Float64Array {
  const r = a.length;
  out.fill(0);
  let j = 0;
  for (; j + 3 < r; j += 4) {
    const a0 = a[j];
    const a1 = a[j + 1];
    const a2 = a[j + 2];
    const a3 = a[j + 3];
    const b0 = beta[j];
    const b1 = beta[j + 1];
    const b2 = beta[j + 2];
    const b3 = beta[j + 3];
    for (let i = 0; i < n; i++) out[i] += b0 * a0[i] + b1 * a1[i] + b2 * a2[i] + b3 * a3[i];
  }
  for (; j < r; j++) {
    const a0 = a[j];
    const b0 = beta[j];
    for (let i = 0; i < n; i++) out[i] += b0 * a0[i];
  }
  return out;
}

/**
 * The least-squares fit of y on A = [cols | 1] (coefficients of the dropped columns are 0), refined
 * once; `f` must be the factor of these very columns. O(n·k): the O(n·k²) work is all in the factor.
 */
export function leastSquaresFit(f: GramFactor, cols: Float64Array[], y: Float64Array): Float64Array {
  if (cols.length !== f.k - 1) throw new Error(`leastSquaresFit: factor of ${f.k - 1} columns, got ${cols.length}`);
  if (y.length !== f.n) throw new Error(`leastSquaresFit: factor of ${f.n} rows, got ${y.length} values`);
  const { n } = f;
  const a = keptColumns(f, cols);
  const beta = atx(a, n, y);
  cholSolve(f, beta);
  const fit = fitOf(a, n, beta, new Float64Array(n));
  const resid = new Float64Array(n);
  for (let i = 0; i < n; i++) resid[i] = y[i] - fit[i];
  const delta = atx(a, n, resid);
  cholSolve(f, delta);
  for (let j = 0; j < f.rank; j++) beta[j] += delta[j];
  return fitOf(a, n, beta, fit);
}
