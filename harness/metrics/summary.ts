// Summaries of a per-era score series as the Numerai agents framework reports them, and the payout proxy.

export interface Summary {
  mean: number;
  /** population std (ddof 0) */
  std: number;
  /** mean / std, NaN when std is 0 */
  sharpe: number;
  /** largest drop of the cumulative score below its running peak, as a positive magnitude */
  max_drawdown: number;
}

export interface PayoutWeights {
  corr: number;
  bmc: number;
}

/** The project's payout proxy weights: 0.75·CORR + 2.25·BMC. */
export const DEFAULT_PAYOUT_WEIGHTS: Readonly<PayoutWeights> = Object.freeze({ corr: 0.75, bmc: 2.25 });

/** mean, std (ddof 0), sharpe and max drawdown of the non-NaN values, in the order given (era order). */
export function summarize(values: ArrayLike<number>): Summary {
  const s: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) s.push(values[i]);
  const n = s.length;
  if (n === 0) return { mean: NaN, std: NaN, sharpe: NaN, max_drawdown: NaN };
  let sum = 0;
  for (const v of s) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of s) ss += (v - mean) * (v - mean);
  const std = Math.sqrt(ss / n);
  // The running peak starts at the first cumulative value, not at 0: a losing first era is no drawdown.
  let cum = 0;
  let peak = -Infinity;
  let dd = 0;
  for (const v of s) {
    cum += v;
    if (cum > peak) peak = cum;
    if (peak - cum > dd) dd = peak - cum;
  }
  return { mean, std, sharpe: std !== 0 ? mean / std : NaN, max_drawdown: dd };
}

/** The payout proxy weights.corr·mean(CORR) + weights.bmc·mean(BMC). */
export function payout(corrMean: number, bmcMean: number, weights: PayoutWeights = DEFAULT_PAYOUT_WEIGHTS): number {
  return weights.corr * corrMean + weights.bmc * bmcMean;
}
