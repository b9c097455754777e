// Feature neutralisation as numerai-tools does it: subtract each column's least-squares projection
// onto span(features, 1), cutting directions below 1e-6 of the largest (np.linalg.lstsq rcond=1e-6),
// and feature_neutral_corr (FNC) built on it.
import { gaussian } from './gaussian.ts';
import { factorColumns, leastSquaresFit, type GramFactor } from './lstsq.ts';
import { numeraiCorr } from './numerai.ts';
import { tieKeptRank } from './rank.ts';

function isConstant(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return x.length >= 2;
}

/** Checks column lengths, and values for NaN unless `lengthsOnly` (features whose factor is already built). */
function assertNoNaN(cols: ArrayLike<number>[], n: number, what: string, lengthsOnly = false): void {
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j];
    if (c.length !== n) throw new Error(`neutralize: ${what} column ${j} has ${c.length} rows, expected ${n}`);
    if (lengthsOnly) continue;
    for (let i = 0; i < n; i++) if (c[i] !== c[i]) throw new Error(`neutralize: ${what} column ${j} contains NaN at row ${i}`);
  }
}

/** Float64 columns as the solver reads them: Float64Arrays as they are, anything else copied. */
function asColumns(features: ArrayLike<number>[]): Float64Array[] {
  return features.map((c) => (c instanceof Float64Array ? c : Float64Array.from(c)));
}

/** The factor neutralize fits with on these features (n rows each), after checking them for NaN. */
export function featureFactor(features: ArrayLike<number>[], n: number): GramFactor {
  const cols = asColumns(features);
  assertNoNaN(cols, n, 'feature');
  return factorColumns(cols, n);
}

/**
 * numerai-tools neutralize: each column of `x` minus `proportion` times its least-squares fit on
 * [features | 1]; a constant column (pandas std 0) becomes all NaN. Columns are arrays of n rows.
 * `factor`, when given, must be factorColumns of these very features (e.g. from a FactorCache); the
 * features were checked for NaN when it was built.
 */
export function neutralize(x: ArrayLike<number>[], features: ArrayLike<number>[], proportion = 1, factor?: GramFactor): Float64Array[] {
  const n = x.length > 0 ? x[0].length : features.length > 0 ? features[0].length : 0;
  assertNoNaN(x, n, 'data');
  const cols = asColumns(features);
  assertNoNaN(cols, n, 'feature', factor !== undefined);
  const f = factor ?? factorColumns(cols, n);
  return x.map((col) => {
    const out = new Float64Array(n);
    if (isConstant(col)) return out.fill(NaN);
    const fit = leastSquaresFit(f, cols, Float64Array.from(col));
    for (let i = 0; i < n; i++) out[i] = col[i] - proportion * fit[i];
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
 * `factor` as in neutralize: the features' factor, computed once and reused across predictions.
 */
export function featureNeutralCorr(pred: ArrayLike<number>, features: ArrayLike<number>[], target: ArrayLike<number>, factor?: GramFactor): number {
  const n = pred.length;
  if (target.length !== n) throw new Error(`featureNeutralCorr: ${n} predictions but ${target.length} targets`);
  for (let i = 0; i < n; i++) if (pred[i] !== pred[i]) throw new Error(`featureNeutralCorr: prediction ${i} is NaN`);
  const g = gaussian(tieKeptRank(pred));
  const [neutral] = neutralize([g], features, 1, factor);
  return numeraiCorr(varianceNormalize(neutral), target);
}

/**
 * featureNeutralCorr with the least-squares fit on [features | 1] supplied by `fit` (the native one
 * reads the features in place): the same ranking, neutralisation, normalisation and corr.
 */
export function featureNeutralCorrFit(pred: ArrayLike<number>, target: ArrayLike<number>, fit: (y: Float64Array) => Float64Array): number {
  const n = pred.length;
  if (target.length !== n) throw new Error(`featureNeutralCorr: ${n} predictions but ${target.length} targets`);
  for (let i = 0; i < n; i++) if (pred[i] !== pred[i]) throw new Error(`featureNeutralCorr: prediction ${i} is NaN`);
  const g = gaussian(tieKeptRank(pred));
  const neutral = new Float64Array(n);
  if (isConstant(g)) neutral.fill(NaN);
  else {
    const f = fit(g);
    for (let i = 0; i < n; i++) neutral[i] = g[i] - f[i];
  }
  return numeraiCorr(varianceNormalize(neutral), target);
}
