// The generative model of the synthetic Numerai-shaped dataset (pure: arrays in, arrays out).
//
// A fixed universe of stocks is followed through weekly eras. Each stock has persistent latent
// characteristics (AR(1) per era), observed as integer features 0..4 binned per era into five
// equal bins, in groups that share a latent factor. A stock's weekly return is
//   r[s] = A*linear(x[s-1]) + B*regime[s-1]*regimeLinear(x[s-1]) + C*nonlinear(x[s-1])
//        + D*shock[s](x[s-1]) + idiosyncratic[s]
// and the target of era e with horizon h weeks is the sum r[e+1] + ... + r[e+h], binned per era
// into 0, .25, .5, .75, 1 (5/20/50/20/5 %). So:
//  * 20-day (4 weeks) and 60-day (12 weeks) targets of adjacent eras share most of their weekly
//    shocks and idiosyncratic returns: training next to a test block without an embargo of at
//    least 12 eras leaks test-era information (factor shocks for linear models; stock-level
//    returns for models that memorise near-identical feature vectors of persistent stocks);
//  * the benchmark is a noisy linear model of the stable linear part only, so it misses the
//    nonlinear pair interactions and the regime-dependent part; the regime (a Markov sign) is
//    visible to a model through the era's cross-sectional correlation of groups 0 and 1.
import { rngFor } from './synth-rng.ts';
import { binTarget, makeIds, normals, rankOf, rankPerEra, standardize } from './synth-stats.ts';

export interface SynthModelOptions {
  seed: number;
  /** train + validation eras */
  eras: number;
  validationEras: number;
  rowsPerEra: number;
  features: number;
  groups: number;
  /**
   * Scales the predictable parts of the weekly return (linear, regime, nonlinear) while the shocks
   * and idiosyncratic returns stay; omitted = 1. 0.2 brings CORR near Numerai's 0.02–0.03.
   */
  signal?: number;
}

export interface PlantedTerm {
  kind: 'product' | 'gate';
  a: number;
  b: number;
  sign: number;
}

export interface SynthTables {
  /** eras 0..eras-1, then the live era at index `eras` */
  nEras: number;
  rowsPerEra: number;
  nFeatures: number;
  /** (nEras+1) * rowsPerEra ids, era-major */
  ids: string[];
  /** (nEras+1) * rowsPerEra * nFeatures bins 0..4, era-major then stock then feature */
  bins: Uint8Array;
  /** per family and horizon (see TARGET_SPECS): nEras * rowsPerEra values, NaN for nulls */
  targets: Float32Array[];
  /** per BENCHMARK_SPECS: (nEras+1) * rowsPerEra predictions in (0,1) */
  benchmarks: Float32Array[];
}

/** Weekly return weights of the unit-variance components (idiosyncratic variance 1 + KAPPA^2). */
const A_LINEAR = 0.11;
const B_REGIME = 0.08;
const C_NONLINEAR = 0.11;
const D_SHOCK = 0.4;
const KAPPA = 0.5;
/** per-era autocorrelation of the group factors and of the feature-specific latents */
const RHO_GROUP = 0.95;
const RHO_FEATURE = 0.9;
/** share of a raw feature's variance that comes from its group factor */
const LAMBDA = 0.6;
/** how strongly the regime couples group 1 to group 0 */
const GAMMA = 0.6;
const REGIME_SWITCH = 1 / 20;
/** the benchmark: perturbation of the true linear weights, and prediction noise */
const BENCH_PERTURB = 0.35;
const BENCH_NOISE = 0.6;
/** weeks ahead simulated beyond the live era so every horizon resolves */
export const MAX_HORIZON = 12;
/** the 60-day targets of the last eras are not yet resolved (null), like Numerai's newest eras */
const UNRESOLVED_60_ERAS = 8;
const AUX_NULL_RATE = 0.01;

export const FAMILIES = ['ender', 'cyrusd', 'teager2b'] as const;
export const TARGET_SPECS = [
  { family: 0, weeks: 4, name: 'target_ender_20' },
  { family: 0, weeks: 12, name: 'target_ender_60' },
  { family: 1, weeks: 4, name: 'target_cyrusd_20' },
  { family: 1, weeks: 12, name: 'target_cyrusd_60' },
  { family: 2, weeks: 4, name: 'target_teager2b_20' },
] as const;
export const BENCHMARK_SPECS = [
  { family: 0, name: 'v52_lgbm_ender20' },
  { family: 1, name: 'v52_lgbm_cyrusd20' },
  { family: 2, name: 'v52_lgbm_teager2b20' },
  { family: 0, name: 'v52_lgbm_ender60' },
] as const;

/** Centered feature value of a bin, unit variance over five equal bins. */
export const BIN_VALUE = [-2, -1, 0, 1, 2].map((v) => v / Math.SQRT2);

/** Value of one planted nonlinear term given the bins of its two features. */
export function termValue(t: PlantedTerm, binA: number, binB: number): number {
  const xb = BIN_VALUE[binB];
  if (t.kind === 'product') return t.sign * BIN_VALUE[binA] * xb;
  return t.sign * (binA >= 3 ? xb : binA <= 1 ? -xb : 0);
}

/** The nonlinear pair interactions planted for these options (pure function of seed and sizes). */
export function plantedTerms(o: SynthModelOptions): PlantedTerm[] {
  const rng = rngFor(o.seed, 'nonlinear-terms');
  const n = Math.min(6, Math.floor(o.features / 2));
  const terms: PlantedTerm[] = [];
  for (let p = 0; p < n; p++) {
    const a = rng.uint32() % o.features;
    let b = rng.uint32() % o.features;
    while (b === a || (o.groups > 1 && b % o.groups === a % o.groups)) b = (b + 1) % o.features;
    terms.push({ kind: p % 2 === 0 ? 'product' : 'gate', a, b, sign: rng.uniform() < 0.5 ? -1 : 1 });
  }
  return terms;
}

/** Simulates the regime sign of every era (a two-state Markov chain). */
function regimes(o: SynthModelOptions, nEras: number): Int8Array {
  const rng = rngFor(o.seed, 'regime');
  const out = new Int8Array(nEras);
  out[0] = rng.uniform() < 0.5 ? -1 : 1;
  for (let e = 1; e < nEras; e++) out[e] = rng.uniform() < REGIME_SWITCH ? -out[e - 1] : out[e - 1];
  return out;
}

/** Feature bins of every simulated era: persistent latents, group factors, five equal bins per era. */
function simulateBins(o: SynthModelOptions, nEras: number, regime: Int8Array): Uint8Array {
  const { rowsPerEra: N, features: F, groups: G } = o;
  const rng = rngFor(o.seed, 'latents');
  const z = normals(rng, N * G);
  const w = normals(rng, N * F);
  const bins = new Uint8Array(nEras * N * F);
  const raw = new Float64Array(N);
  const sz = Math.sqrt(1 - RHO_GROUP ** 2);
  const sw = Math.sqrt(1 - RHO_FEATURE ** 2);
  const lam = Math.sqrt(LAMBDA);
  const spec = Math.sqrt(1 - LAMBDA);
  for (let e = 0; e < nEras; e++) {
    if (e > 0) {
      for (let k = 0; k < z.length; k++) z[k] = RHO_GROUP * z[k] + sz * rng.normal();
      for (let k = 0; k < w.length; k++) w[k] = RHO_FEATURE * w[k] + sw * rng.normal();
    }
    for (let j = 0; j < F; j++) {
      const g = j % G;
      for (let i = 0; i < N; i++) {
        let f = z[i * G + g];
        if (g === 1) f = (f + GAMMA * regime[e] * z[i * G]) / Math.sqrt(1 + GAMMA * GAMMA);
        raw[i] = lam * f + spec * w[i * F + j];
      }
      const rank = rankOf(raw);
      for (let i = 0; i < N; i++) bins[(e * N + i) * F + j] = Math.floor((rank[i] * 5) / N);
    }
  }
  return bins;
}

/** x . coef for every (era, stock) of `bins`, standardized over all of them. */
function linearScore(bins: Uint8Array, nRows: number, F: number, coef: Float64Array): Float64Array {
  const out = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    let s = 0;
    for (let j = 0; j < F; j++) s += BIN_VALUE[bins[r * F + j]] * coef[j];
    out[r] = s;
  }
  standardize(out);
  return out;
}

/** Runs the generative model. */
export function simulate(o: SynthModelOptions): SynthTables {
  const { rowsPerEra: N, features: F, groups: G } = o;
  const T = o.eras;
  const nSim = T + 1 + MAX_HORIZON;
  const regime = regimes(o, nSim);
  const bins = simulateBins(o, nSim, regime);
  const nRows = nSim * N;
  const coefRng = rngFor(o.seed, 'coefficients');
  const mu = normals(coefRng, F);
  const lin = FAMILIES.map(() => {
    const own = normals(coefRng, F);
    return Float64Array.from(mu, (m, j) => m + 0.6 * own[j]);
  });
  const linScores = lin.map((c) => linearScore(bins, nRows, F, c));
  const regScore = linearScore(bins, nRows, F, normals(coefRng, F));
  const terms = plantedTerms(o);
  const nl = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    let s = 0;
    for (const t of terms) s += termValue(t, bins[r * F + t.a], bins[r * F + t.b]);
    nl[r] = s;
  }
  standardize(nl);
  const shockRng = rngFor(o.seed, 'shocks');
  const shock = new Float64Array(nRows);
  const phi = new Float64Array(F);
  for (let s = 1; s < nSim; s++) {
    const grp = normals(shockRng, G);
    for (let j = 0; j < F; j++) phi[j] = grp[j % G] + 0.3 * shockRng.normal();
    for (let i = 0; i < N; i++) {
      const r = (s - 1) * N + i;
      let v = 0;
      for (let j = 0; j < F; j++) v += BIN_VALUE[bins[r * F + j]] * phi[j];
      shock[s * N + i] = v;
    }
  }
  standardize(shock);
  const idioRng = rngFor(o.seed, 'idiosyncratic');
  const idio = normals(idioRng, nRows);
  // 1 × a constant is exact in floating point, so omitting the knob keeps every dataset byte-identical.
  const g = o.signal ?? 1;
  const [a, b, c] = [g * A_LINEAR, g * B_REGIME, g * C_NONLINEAR];
  const weekly = FAMILIES.map((_, k) => {
    const own = normals(idioRng, nRows);
    const out = new Float64Array(nRows);
    for (let s = 1; s < nSim; s++) {
      for (let i = 0; i < N; i++) {
        const p = (s - 1) * N + i;
        out[s * N + i] =
          a * linScores[k][p] + b * regime[s - 1] * regScore[p] + c * nl[p] +
          D_SHOCK * shock[s * N + i] + idio[s * N + i] + KAPPA * own[s * N + i];
      }
    }
    return out;
  });
  const nullRng = rngFor(o.seed, 'nulls');
  const targets = TARGET_SPECS.map((spec) => {
    const y = new Float64Array(T * N);
    for (let e = 0; e < T; e++) {
      for (let i = 0; i < N; i++) {
        let sum = 0;
        for (let s = e + 1; s <= e + spec.weeks; s++) sum += weekly[spec.family][s * N + i];
        y[e * N + i] = sum;
      }
    }
    const out = binTarget(y, T, N);
    if (spec.weeks > 4) out.fill(NaN, Math.max(0, T - UNRESOLVED_60_ERAS) * N);
    if (spec.name === 'target_cyrusd_20') for (let r = 0; r < out.length; r++) if (nullRng.uniform() < AUX_NULL_RATE) out[r] = NaN;
    return out;
  });
  const benchRng = rngFor(o.seed, 'benchmark');
  const liveRows = (T + 1) * N;
  const benchmarks = BENCHMARK_SPECS.map((spec) => {
    const perturb = normals(benchRng, F);
    const coef = Float64Array.from(lin[spec.family], (c, j) => c + BENCH_PERTURB * perturb[j]);
    const score = linearScore(bins.subarray(0, liveRows * F), liveRows, F, coef);
    for (let r = 0; r < liveRows; r++) score[r] += BENCH_NOISE * benchRng.normal();
    return rankPerEra(score, T + 1, N);
  });
  return {
    nEras: T,
    rowsPerEra: N,
    nFeatures: F,
    ids: makeIds(o.seed, liveRows),
    bins: bins.slice(0, liveRows * F),
    targets,
    benchmarks,
  };
}
