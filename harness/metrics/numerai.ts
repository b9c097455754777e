// numerai-tools v0.6.0 scores on plain arrays: numerai_corr (CORR), correlation_contribution (BMC/MMC),
// pearson and the signed power. Positions play the role of the sorted id index; NaN means missing.
import { gaussianRank } from './rank.ts';

/** An assertion numerai-tools makes (AssertionError there): too many rows filtered, or a bad power transform. */
export class NumeraiAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumeraiAssertionError';
  }
}

/** numerai-tools' DEFAULT_MAX_FILTERED_INDEX_RATIO. */
export const MAX_FILTERED_RATIO = 0.2;

const slots: Float64Array[] = [];

/** Module-level scratch buffers, grown on demand, so per-era loops allocate nothing. */
function buf(slot: number, n: number): Float64Array {
  const b = slots[slot];
  if (b && b.length >= n) return b.subarray(0, n);
  const fresh = new Float64Array(Math.max(n, (b?.length ?? 0) * 2, 256));
  slots[slot] = fresh;
  return fresh.subarray(0, n);
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Mean over the non-NaN values (pandas Series.mean). */
export function nanMean(x: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v === v) {
      s += v;
      c++;
    }
  }
  return s / c;
}

/** Pearson correlation as np.corrcoef computes it; NaN for fewer than 2 rows or a constant side. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) throw new Error(`pearson: lengths differ (${n} vs ${y.length})`);
  if (n < 2) return NaN;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  const r = sxy / Math.sqrt(sxx) / Math.sqrt(syy);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

function allEqual(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}

/**
 * sign(x)·|x|^p into `out`, with numerai-tools' checks: no NaN, and the result has std 0 or a
 * Pearson correlation of at least 0.9 with its input (pandas' ddof=1 std is NaN for one row, so one row fails).
 */
export function signedPower(x: ArrayLike<number>, p: number, out?: Float64Array): Float64Array {
  const n = x.length;
  const res = out ?? new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v !== v) throw new NumeraiAssertionError('power: data contains NaN');
    // |x|·√|x| for the only power in use: one rounding more than pow, several times faster
    const a = v < 0 ? -v : v;
    const y = p === 1.5 ? a * Math.sqrt(a) : Math.pow(a, p);
    res[i] = v < 0 ? -y : y;
  }
  if (n >= 2 && allEqual(res)) return res;
  const r = pearson(res, x);
  if (!(r >= 0.9)) {
    throw new NumeraiAssertionError(
      `power: the ^${p} transform of ${n} values correlates ${r} with its input; numerai-tools requires >= 0.9`,
    );
  }
  return res;
}

function checkKept(kept: number, n: number, what: string): void {
  // the same float comparison as numerai-tools: len(ids) / len(s) >= (1 - max_filtered_ratio)
  if (!(kept / n >= 1 - MAX_FILTERED_RATIO)) {
    throw new NumeraiAssertionError(
      `${what}: only ${kept} of ${n} rows have every input present; numerai-tools requires at least ` +
        `${(1 - MAX_FILTERED_RATIO) * 100}% (filter_sort_index)`,
    );
  }
}

function lengthsMatch(what: string, ...arrays: ArrayLike<number>[]): number {
  const n = arrays[0].length;
  for (const a of arrays) if (a.length !== n) throw new Error(`${what}: input lengths differ (${arrays.map((x) => x.length).join(', ')})`);
  return n;
}

export interface NumeraiCorrOptions {
  /** raise the centred target to the power 1.5 (numerai-tools' target_pow15); default true */
  targetPow15?: boolean;
}

/**
 * numerai_corr: centre the target over all its non-NaN values, drop rows where either side is NaN
 * (asserting ≥ 80% are kept), then pearson(power(t_c, 1.5), power(gaussian(tie_kept_rank(p)), 1.5)).
 */
export function numeraiCorr(pred: ArrayLike<number>, target: ArrayLike<number>, opts: NumeraiCorrOptions = {}): number {
  const n = lengthsMatch('numeraiCorr', pred, target);
  const tMean = nanMean(target);
  let kept = 0;
  for (let i = 0; i < n; i++) if (pred[i] === pred[i] && target[i] === target[i]) kept++;
  checkKept(kept, n, 'numerai_corr');
  const p = buf(0, kept);
  const t = buf(1, kept);
  for (let i = 0, k = 0; i < n; i++) {
    if (pred[i] === pred[i] && target[i] === target[i]) {
      p[k] = pred[i];
      t[k++] = target[i];
    }
  }
  return numeraiCorrRanked(gaussianRank(p, buf(2, kept)), t, tMean, opts);
}

/**
 * numerai_corr's last steps on complete rows whose predictions are already gaussian(tie_kept_rank(·)):
 * pearson(power(target − targetMean, 1.5), power(gp, 1.5)). Shares one ranking between scores.
 */
export function numeraiCorrRanked(gp: ArrayLike<number>, target: ArrayLike<number>, targetMean: number, opts: NumeraiCorrOptions = {}): number {
  const n = lengthsMatch('numeraiCorrRanked', gp, target);
  const pStar = signedPower(gp, 1.5, buf(3, n));
  const t = buf(4, n);
  for (let i = 0; i < n; i++) t[i] = target[i] - targetMean;
  const tStar = opts.targetPow15 === false ? t : signedPower(t, 1.5, buf(5, n));
  return pearson(tStar, pStar);
}

/**
 * correlation_contribution (BMC against a benchmark, MMC against the meta model): keep rows where all
 * three are present, r = orthogonalise(gaussian(rank(p)), gaussian(rank(m))) without centring,
 * target ×4 when every kept value is in [0, 1], centred; the score is t_cᵀr / N (a covariance).
 */
export function correlationContribution(
  pred: ArrayLike<number>,
  meta: ArrayLike<number>,
  target: ArrayLike<number>,
): number {
  const n = lengthsMatch('correlationContribution', pred, meta, target);
  let kept = 0;
  for (let i = 0; i < n; i++) if (pred[i] === pred[i] && meta[i] === meta[i] && target[i] === target[i]) kept++;
  // numerai-tools filters (meta, pred) then (target, pred) then (target, meta); with kept ≤ every
  // intermediate count, all six of its ratio checks reduce to kept / n.
  checkKept(kept, n, 'correlation_contribution');
  const p = buf(0, kept);
  const m = buf(1, kept);
  const t = buf(2, kept);
  for (let i = 0, k = 0; i < n; i++) {
    if (pred[i] === pred[i] && meta[i] === meta[i] && target[i] === target[i]) {
      p[k] = pred[i];
      m[k] = meta[i];
      t[k++] = target[i];
    }
  }
  return correlationContributionRanked(gaussianRank(p, buf(3, kept)), gaussianRank(m, buf(4, kept)), t);
}

/** correlation_contribution from steps 4–6, on complete rows with gaussian-ranked predictions and meta model. */
export function correlationContributionRanked(gp: ArrayLike<number>, gm: ArrayLike<number>, target: ArrayLike<number>): number {
  const n = lengthsMatch('correlationContributionRanked', gp, gm, target);
  let pg = 0;
  let gg = 0;
  let unit = true;
  for (let i = 0; i < n; i++) {
    pg += gp[i] * gm[i];
    gg += gm[i] * gm[i];
    const v = target[i];
    if (!(v >= 0 && v <= 1)) unit = false;
  }
  const coef = pg / gg;
  const scale = unit ? 4 : 1;
  let tSum = 0;
  for (let i = 0; i < n; i++) tSum += target[i] * scale;
  const tMean = tSum / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (target[i] * scale - tMean) * (gp[i] - gm[i] * coef);
  return s / n;
}
