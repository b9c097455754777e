// Percentile ranks as numerai-tools computes them: (R − 0.5) / count with R the 1-based pandas
// rank, NaN kept as NaN and excluded from count. Positional order stands in for the sorted id index.
import { normalPpf } from './gaussian.ts';

let keys = new Float64Array(1024);
let pos = new Int32Array(1024);
let rawKeys = new Float64Array(1024);
let rawPos = new Int32Array(1024);
let bucketOf = new Int32Array(1024);
let bucketEnd = new Int32Array(1025);

function ensureCapacity(n: number): void {
  if (keys.length >= n) return;
  const size = Math.max(n, keys.length * 2);
  keys = new Float64Array(size);
  pos = new Int32Array(size);
  rawKeys = new Float64Array(size);
  rawPos = new Int32Array(size);
  bucketOf = new Int32Array(size);
  bucketEnd = new Int32Array(size + 1);
}

/** Sorts k[lo..hi] ascending, moving v alongside (quicksort, median of three, insertion sort for short runs). */
function sortPairs(k: Float64Array, v: Int32Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const a = k[lo];
    const b = k[(lo + hi) >>> 1];
    const c = k[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (k[i] < pivot) i++;
      while (k[j] > pivot) j--;
      if (i <= j) {
        const tk = k[i];
        k[i] = k[j];
        k[j] = tk;
        const tv = v[i];
        v[i] = v[j];
        v[j] = tv;
        i++;
        j--;
      }
    }
    // recurse into the smaller side so the stack stays O(log n)
    if (j - lo < hi - i) {
      sortPairs(k, v, lo, j);
      lo = i;
    } else {
      sortPairs(k, v, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const tk = k[i];
    const tv = v[i];
    let j = i - 1;
    while (j >= lo && k[j] > tk) {
      k[j + 1] = k[j];
      v[j + 1] = v[j];
      j--;
    }
    k[j + 1] = tk;
    v[j + 1] = tv;
  }
}

/**
 * Sorts the non-NaN values of x into keys/pos (value, position); NaN positions get NaN in res.
 * A bucket pass (one bucket per value, spread linearly between min and max) leaves only tiny
 * buckets to the quicksort for the usual smooth prediction distributions; skewed data just
 * leaves bigger buckets, never a wrong order, since the bucket map is monotone.
 */
function sortValues(x: ArrayLike<number>, res: Float64Array): number {
  const n = x.length;
  ensureCapacity(n);
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v === v) {
      rawKeys[count] = v;
      rawPos[count++] = i;
      if (v < min) min = v;
      if (v > max) max = v;
    } else res[i] = NaN;
  }
  const range = max - min;
  if (count <= 64 || !(range > 0 && range < Infinity)) {
    keys.set(rawKeys.subarray(0, count));
    pos.set(rawPos.subarray(0, count));
    if (count > 1) sortPairs(keys, pos, 0, count - 1);
    return count;
  }
  const scale = count / range;
  bucketEnd.fill(0, 0, count + 1);
  for (let i = 0; i < count; i++) {
    const b = Math.min(count - 1, Math.floor((rawKeys[i] - min) * scale));
    bucketOf[i] = b;
    bucketEnd[b + 1]++;
  }
  for (let b = 0; b < count; b++) bucketEnd[b + 1] += bucketEnd[b];
  for (let i = 0; i < count; i++) {
    const at = bucketEnd[bucketOf[i]]++;
    keys[at] = rawKeys[i];
    pos[at] = rawPos[i];
  }
  // bucketEnd[b] now holds the end of bucket b (each start was advanced past its members)
  let start = 0;
  for (let b = 0; b < count; b++) {
    const end = bucketEnd[b];
    if (end - start > 1) sortPairs(keys, pos, start, end - 1);
    start = end;
  }
  return count;
}

/** Calls group(lo, hi) for each run of equal sorted values keys[lo, hi). */
function forEachTieGroup(count: number, group: (lo: number, hi: number) => void): void {
  let lo = 0;
  while (lo < count) {
    let hi = lo + 1;
    while (hi < count && keys[hi] === keys[lo]) hi++;
    group(lo, hi);
    lo = hi;
  }
}

/** Tie-kept percentile rank (pandas method "average"); writes into `out` when given. */
export function tieKeptRank(x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const res = out ?? new Float64Array(x.length);
  const count = sortValues(x, res);
  forEachTieGroup(count, (lo, hi) => {
    // tied positions lo+1 .. hi (1-based) share their mean rank, exactly as pandas sums and divides
    const r = ((lo + 1 + hi) / 2 - 0.5) / count;
    for (let i = lo; i < hi; i++) res[pos[i]] = r;
  });
  return res;
}

let memoCount = -1;
let memo = new Float64Array(0);

/**
 * gaussian(tieKeptRank(x)), bit-identical to composing the two, with Φ⁻¹ memoised per rank for the
 * current count: an era's CORR and BMC rank predictions and benchmark over the same number of rows.
 */
export function gaussianRank(x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const res = out ?? new Float64Array(x.length);
  const count = sortValues(x, res);
  if (count !== memoCount) {
    if (memo.length < 2 * count) memo = new Float64Array(2 * count);
    memo.fill(NaN, 0, 2 * count);
    memoCount = count;
  }
  forEachTieGroup(count, (lo, hi) => {
    let g = memo[lo + hi];
    if (g !== g) g = memo[lo + hi] = normalPpf(((lo + 1 + hi) / 2 - 0.5) / count);
    for (let i = lo; i < hi; i++) res[pos[i]] = g;
  });
  return res;
}

/** Tie-broken percentile rank (pandas method "first": ties ordered by position). */
export function tieBrokenRank(x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const res = out ?? new Float64Array(x.length);
  const count = sortValues(x, res);
  forEachTieGroup(count, (lo, hi) => {
    if (hi - lo > 1) pos.subarray(lo, hi).sort();
    for (let i = lo; i < hi; i++) res[pos[i]] = (i + 1 - 0.5) / count;
  });
  return res;
}
