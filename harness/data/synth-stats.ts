// Small numeric helpers of the synthetic generator: normals, standardising, per-era ranks and
// Numerai's five target levels, unique ids.
import { rngFor, type Rng } from './synth-rng.ts';

/** n standard normals. */
export function normals(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/** Centers `v` in place and scales it to unit standard deviation (population). */
export function standardize(v: Float64Array): void {
  let s = 0;
  let s2 = 0;
  for (const x of v) {
    s += x;
    s2 += x * x;
  }
  const mean = s / v.length;
  const sd = Math.sqrt(Math.max(s2 / v.length - mean * mean, 1e-300));
  for (let i = 0; i < v.length; i++) v[i] = (v[i] - mean) / sd;
}

/** Rank 0..n-1 of each value (ties share the lowest rank); a native sort plus binary search. */
export function rankOf(values: Float64Array): Int32Array {
  const sorted = Float64Array.from(values).sort();
  const rank = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
  }
  return rank;
}

/** Bins each era's values into Numerai's five target levels (5/20/50/20/5 %). */
export function binTarget(y: Float64Array, nEras: number, N: number): Float32Array {
  const out = new Float32Array(nEras * N);
  const era = new Float64Array(N);
  for (let e = 0; e < nEras; e++) {
    for (let i = 0; i < N; i++) era[i] = y[e * N + i];
    const rank = rankOf(era);
    for (let i = 0; i < N; i++) {
      const q = (rank[i] + 0.5) / N;
      out[e * N + i] = q < 0.05 ? 0 : q < 0.25 ? 0.25 : q < 0.75 ? 0.5 : q < 0.95 ? 0.75 : 1;
    }
  }
  return out;
}

/** Percentile rank per era, in (0, 1). */
export function rankPerEra(y: Float64Array, nEras: number, N: number): Float32Array {
  const out = new Float32Array(nEras * N);
  const era = new Float64Array(N);
  for (let e = 0; e < nEras; e++) {
    for (let i = 0; i < N; i++) era[i] = y[e * N + i];
    const rank = rankOf(era);
    for (let i = 0; i < N; i++) out[e * N + i] = (rank[i] + 0.5) / N;
  }
  return out;
}

/** Unique Numerai-style ids: "n" + 15 hex characters. */
export function makeIds(seed: number, n: number): string[] {
  const rng = rngFor(seed, 'ids');
  const seen = new Set<string>();
  const ids: string[] = [];
  while (ids.length < n) {
    const id = 'n' + (rng.uint32() >>> 4).toString(16).padStart(7, '0') + rng.uint32().toString(16).padStart(8, '0');
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}
