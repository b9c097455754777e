// Per-era evaluation shared by the harness and `autoresearch score`: CORR, BMC, corr with the
// benchmark and FNC per era (agents framework numerai_metrics.py semantics), then their summaries.
import type { FactorCache } from './factor-cache.ts';
import type { FeatureSource } from './feature-source.ts';
import { nativeFncKernels } from './fnc-native.ts';
import type { GramFactor } from './lstsq.ts';
import { featureFactor, featureNeutralCorr, featureNeutralCorrFit } from './neutralize.ts';
import {
  NumeraiAssertionError,
  correlationContribution,
  correlationContributionRanked,
  nanMean,
  numeraiCorr,
  numeraiCorrRanked,
} from './numerai.ts';
import { gaussianRank } from './rank.ts';
export { featureSourceFromColumns, featureSourceFromMatrix, type FeatureSource } from './feature-source.ts';
import { DEFAULT_PAYOUT_WEIGHTS, payout, summarize, type PayoutWeights, type Summary } from './summary.ts';

export interface EraScore {
  era: string;
  /** rows scored for CORR: prediction and target both present */
  n: number;
  /** NaN when the era has no CORR rows (it is listed only for its benchmark rows) */
  corr: number;
  /** present when the era has rows with prediction, benchmark and target */
  bmc?: number;
  /** present when features were given */
  fnc?: number;
  /** present when the era has rows with prediction and benchmark */
  corr_with_benchmark?: number;
}

export interface PerEraInput {
  /** era index per row, into eraNames */
  eraIndex: Int32Array;
  eraNames: string[];
  pred: Float64Array | Float32Array;
  /** NaN = missing */
  target: Float64Array | Float32Array;
  /** NaN = missing */
  benchmark?: Float64Array | Float32Array;
  /** neutralisers for FNC; omitted = no FNC */
  features?: FeatureSource;
  /** each era's Gram factor, kept for the next candidate scored on the same rows and features */
  factorCache?: FactorCache;
  /** false: FNC's fit in JS even when the native addon could do it (default true; the two agree to ~1e-15) */
  native?: boolean;
}

export interface ScoreSummary {
  corr: Summary;
  bmc?: Summary & { avg_corr_with_benchmark: number };
  bmc_last_200_eras?: Summary & { avg_corr_with_benchmark: number };
  fnc?: Summary;
  payout: number | null;
}

const INTEGER = /^-?\d+$/;

function eraOrder(names: string[]): number[] {
  const idx = names.map((_, i) => i);
  return idx.sort((a, b) => {
    const x = names[a];
    const y = names[b];
    if (INTEGER.test(x) && INTEGER.test(y)) return Number(x) - Number(y) || a - b;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
}

/**
 * A score that trips a numerai-tools assertion (≥ 80% rows kept in numerai_corr, the power-1.5 check
 * on a one-row era) is recorded as NaN for that era instead of aborting the whole evaluation; the
 * summaries then skip it like any NaN era.
 */
export function orNaN(fn: () => number): number {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NumeraiAssertionError) return NaN;
    throw e;
  }
}

function present(x: number): boolean {
  return x === x;
}

interface EraGroups {
  /** row positions grouped by era, each era's rows in input order */
  order: Int32Array;
  /** era e owns order[starts[e], starts[e + 1]) */
  starts: Int32Array;
  maxRows: number;
}

/** Groups rows by era once with a stable counting sort, whether or not the rows come sorted. */
function groupByEra(eraIndex: Int32Array, nEras: number): EraGroups {
  const N = eraIndex.length;
  const starts = new Int32Array(nEras + 1);
  for (let i = 0; i < N; i++) {
    const e = eraIndex[i];
    if (!(e >= 0 && e < nEras)) throw new Error(`scorePerEra: row ${i} has era index ${e}, expected 0..${nEras - 1}`);
    starts[e + 1]++;
  }
  let maxRows = 0;
  for (let e = 0; e < nEras; e++) {
    maxRows = Math.max(maxRows, starts[e + 1]);
    starts[e + 1] += starts[e];
  }
  const order = new Int32Array(N);
  const fillPos = starts.slice(0, nEras);
  for (let i = 0; i < N; i++) order[fillPos[eraIndex[i]]++] = i;
  return { order, starts, maxRows };
}

/** Scratch buffers sized for the largest era, reused by every era. */
interface Buffers {
  p: Float64Array;
  t: Float64Array;
  b: Float64Array;
  gp: Float64Array;
  gb: Float64Array;
  rows: Int32Array;
  features: Float64Array[];
}

function meanOf(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** CORR, BMC and corr with the benchmark of one era's rows (input positions), written into `score`. */
function scoreEra(input: PerEraInput, rows: Int32Array, buf: Buffers, score: EraScore): void {
  const { pred, target, benchmark } = input;
  let m = 0;
  let mb = 0;
  let mc = 0;
  for (const r of rows) {
    const hasP = present(pred[r]);
    const hasT = present(target[r]);
    const hasB = benchmark !== undefined && present(benchmark[r]);
    if (hasP && hasT) m++;
    if (hasP && hasB) mc++;
    if (hasP && hasB && hasT) mb++;
  }
  if (!benchmark || (m === mb && mc === mb)) {
    // CORR, BMC and corr-with-benchmark rows coincide (the usual case): rank once for all three
    for (const r of rows) {
      if (present(pred[r]) && present(target[r])) {
        buf.p[score.n] = pred[r];
        buf.t[score.n] = target[r];
        if (benchmark) buf.b[score.n] = benchmark[r];
        score.n++;
      }
    }
    const t = buf.t.subarray(0, m);
    const gp = gaussianRank(buf.p.subarray(0, m), buf.gp.subarray(0, m));
    score.corr = m > 0 ? orNaN(() => numeraiCorrRanked(gp, t, meanOf(t))) : NaN;
    if (benchmark && m > 0) {
      const b = buf.b.subarray(0, m);
      const gb = gaussianRank(b, buf.gb.subarray(0, m));
      score.bmc = orNaN(() => correlationContributionRanked(gp, gb, t));
      // the benchmark plays the target here: centred and raised to 1.5, not ranked
      score.corr_with_benchmark = orNaN(() => numeraiCorrRanked(gp, b, meanOf(b)));
    }
    return;
  }
  // the three row sets differ: score each on its own rows through the public functions
  const gather = (needTarget: boolean, needBench: boolean): number => {
    let k = 0;
    for (const r of rows) {
      if (!present(pred[r]) || (needTarget && !present(target[r])) || (needBench && !present(benchmark[r]))) continue;
      buf.p[k] = pred[r];
      buf.t[k] = target[r];
      buf.b[k++] = benchmark[r];
    }
    return k;
  };
  const view = (x: Float64Array, k: number): Float64Array => x.subarray(0, k);
  score.n = gather(true, false);
  if (m > 0) score.corr = orNaN(() => numeraiCorr(view(buf.p, m), view(buf.t, m)));
  if (gather(true, true) > 0) score.bmc = orNaN(() => correlationContribution(view(buf.p, mb), view(buf.b, mb), view(buf.t, mb)));
  if (gather(false, true) > 0) score.corr_with_benchmark = orNaN(() => numeraiCorr(view(buf.p, mc), view(buf.b, mc)));
}

/** FNC of one era: rows with a prediction, missing targets kept for the neutralisation. */
function scoreEraFnc(input: PerEraInput, rows: Int32Array, buf: Buffers, features: FeatureSource): number {
  const { pred, target, factorCache: cache } = input;
  let mf = 0;
  for (const r of rows) {
    if (present(pred[r])) {
      buf.rows[mf] = r;
      buf.p[mf] = pred[r];
      buf.t[mf++] = target[r];
    }
  }
  const rowView = buf.rows.subarray(0, mf);
  const id = features.identity;
  const native = input.native !== false && features.matrix ? nativeFncKernels() : null;
  if (native && 'fit' in native && features.matrix) {
    // The native Gram and fit read the features in place: they are never copied out.
    const matrixRows = rowView.map(id ? id.rowOf : (i) => i);
    const m = features.matrix;
    const build = (): GramFactor => native.factor(m, matrixRows);
    return orNaN(() => {
      const f = cache && id ? cache.factorFor(id.id, matrixRows, build) : build();
      return featureNeutralCorrFit(buf.p.subarray(0, mf), buf.t.subarray(0, mf), (y) => native.fit(f, m, matrixRows, y));
    });
  }
  const cols = buf.features.map((fb, f) => {
    const view = fb.subarray(0, mf);
    features.fill(f, rowView, view);
    return view;
  });
  const build = (): GramFactor => featureFactor(cols, mf);
  const factor = (): GramFactor => (cache && id ? cache.factorFor(id.id, rowView.map(id.rowOf), build) : build());
  return orNaN(() => featureNeutralCorr(buf.p.subarray(0, mf), cols, buf.t.subarray(0, mf), factor()));
}

/** Per-era CORR (+ BMC, corr with benchmark, FNC when given), eras in numeric order, empty eras omitted. */
export function scorePerEra(input: PerEraInput): EraScore[] {
  const { eraIndex, eraNames, pred, target, benchmark, features } = input;
  const N = pred.length;
  for (const [name, a] of [['target', target], ['eraIndex', eraIndex], ['benchmark', benchmark ?? pred]] as const) {
    if (a.length !== N) throw new Error(`scorePerEra: ${N} predictions but ${a.length} values in ${name}`);
  }
  const { order, starts, maxRows } = groupByEra(eraIndex, eraNames.length);
  const f64 = (): Float64Array => new Float64Array(maxRows);
  const buf: Buffers = {
    p: f64(), t: f64(), b: f64(), gp: f64(), gb: f64(),
    rows: new Int32Array(maxRows),
    features: Array.from({ length: features?.nFeatures ?? 0 }, f64),
  };
  const out: EraScore[] = [];
  for (const e of eraOrder(eraNames)) {
    const rows = order.subarray(starts[e], starts[e + 1]);
    const score: EraScore = { era: eraNames[e], n: 0, corr: NaN };
    scoreEra(input, rows, buf, score);
    if (score.n === 0 && score.corr_with_benchmark === undefined) continue;
    if (features) score.fnc = scoreEraFnc(input, rows, buf, features);
    out.push(score);
  }
  return out;
}

function lastValues(perEra: EraScore[], key: 'bmc' | 'corr_with_benchmark', lastN: number): number[] {
  const v: number[] = [];
  for (const s of perEra) {
    const x = s[key];
    if (x !== undefined) v.push(x);
  }
  return v.slice(Math.max(0, v.length - lastN));
}

/** Summaries of per-era scores (numeric era order): corr, bmc, bmc over the last `lastN` BMC eras, fnc, payout. */
export function summarizeEras(perEra: EraScore[], opts: { lastN?: number; weights?: PayoutWeights } = {}): ScoreSummary {
  const lastN = opts.lastN ?? 200;
  if (!Number.isInteger(lastN) || lastN <= 0) throw new Error(`summarizeEras: expected a positive integer for lastN, got ${lastN}`);
  const corr = summarize(perEra.map((s) => s.corr));
  const result: ScoreSummary = { corr, payout: null };
  if (perEra.some((s) => s.bmc !== undefined || s.corr_with_benchmark !== undefined)) {
    const all = Number.MAX_SAFE_INTEGER;
    const bmc = summarize(lastValues(perEra, 'bmc', all));
    result.bmc = { ...bmc, avg_corr_with_benchmark: nanMean(lastValues(perEra, 'corr_with_benchmark', all)) };
    result.bmc_last_200_eras = {
      ...summarize(lastValues(perEra, 'bmc', lastN)),
      avg_corr_with_benchmark: nanMean(lastValues(perEra, 'corr_with_benchmark', lastN)),
    };
    result.payout = payout(corr.mean, bmc.mean, opts.weights ?? DEFAULT_PAYOUT_WEIGHTS);
  }
  if (perEra.some((s) => s.fnc !== undefined)) result.fnc = summarize(perEra.map((s) => s.fnc ?? NaN));
  // payout last, so the JSON reads corr, bmc, bmc_last_200_eras, fnc, payout
  const { payout: proxy, ...blocks } = result;
  return { ...blocks, payout: proxy };
}
