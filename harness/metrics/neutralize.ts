// Feature neutralisation as numerai-tools does it: subtract each column's least-squares projection
// onto span(features, 1), cutting directions below 1e-6 of the largest (np.linalg.lstsq rcond=1e-6),
// and feature_neutral_corr (FNC) built on it.
import { gaussian } from './gaussian.ts';
import { numeraiCorr } from './numerai.ts';
import { tieKeptRank } from './rank.ts';

/** numerai-tools' rcond for the least-squares solve. */
export const RCOND = 1e-6;

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

function isConstant(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return x.length >= 2;
}

function assertNoNaN(cols: ArrayLike<number>[], n: number, what: string): void {
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j];
    if (c.length !== n) throw new Error(`neutralize: ${what} column ${j} has ${c.length} rows, expected ${n}`);
    for (let i = 0; i < n; i++) if (c[i] !== c[i]) throw new Error(`neutralize: ${what} column ${j} contains NaN at row ${i}`);
  }
}

/**
 * numerai-tools neutralize: each column of `x` minus `proportion` times its least-squares fit on
 * [features | 1]; a constant column (pandas std 0) becomes all NaN. Columns are arrays of n rows.
 */
export function neutralize(x: ArrayLike<number>[], features: ArrayLike<number>[], proportion = 1): Float64Array[] {
  const n = x.length > 0 ? x[0].length : features.length > 0 ? features[0].length : 0;
  assertNoNaN(x, n, 'data');
  assertNoNaN(features, n, 'feature');
  const qr = factor(features, n);
  const intercept = features.length;
  return x.map((col) => {
    const out = new Float64Array(n);
    if (isConstant(col)) return out.fill(NaN);
    // The fit is summed row by row from the original features in one fixed order, so rows with equal
    // features and equal values stay exactly equal (ties FNC's re-ranking must keep, as numpy's A·β does).
    const beta = solve(qr, col);
    for (let j = 0; j < qr.rank; j++) {
      const b = beta[j];
      const c = qr.perm[j];
      if (c === intercept) for (let i = 0; i < n; i++) out[i] += b;
      else {
        const f = features[c];
        for (let i = 0; i < n; i++) out[i] += b * f[i];
      }
    }
    for (let i = 0; i < n; i++) out[i] = col[i] - proportion * out[i];
    return out;
  });
}

/** x / std₀(x) (numpy's population std), as numerai-tools' variance_normalize. */
export function varianceNormalize(x: Float64Array): Float64Array {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const m = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
  const sd = Math.sqrt(ss / n);
  for (let i = 0; i < n; i++) x[i] /= sd;
  return x;
}

/**
 * feature_neutral_corr: gaussian(tie_kept_rank(pred)) over every row passed (pred must have no NaN),
 * neutralised against the features with an intercept, variance-normalised, then numerai_corr with the
 * target, which drops NaN targets only at that last step (and asserts ≥ 80% of rows remain).
 */
export function featureNeutralCorr(pred: ArrayLike<number>, features: ArrayLike<number>[], target: ArrayLike<number>): number {
  const n = pred.length;
  if (target.length !== n) throw new Error(`featureNeutralCorr: ${n} predictions but ${target.length} targets`);
  for (let i = 0; i < n; i++) if (pred[i] !== pred[i]) throw new Error(`featureNeutralCorr: prediction ${i} is NaN`);
  const g = gaussian(tieKeptRank(pred));
  const [neutral] = neutralize([g], features);
  return numeraiCorr(varianceNormalize(neutral), target);
}
