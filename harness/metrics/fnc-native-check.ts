// The start-up check of FNC's native kernels, run once per process before scoring trusts them: the
// factor from the native Gram must equal the JS factor exactly (both are exact integer sums), and the
// native fit must match the JS fit, on small matrices that take every path — rows across blocks, picked
// columns (gathered) and all columns (read in place), a duplicated and a constant feature (the pivot cuts
// the intercept), full rank. A stale or miscompiled addon then costs speed, never a wrong score.
import type { FeatureMatrix } from '../contract.ts';
import { factorColumns, leastSquaresFit, type GramFactor } from './lstsq.ts';

type Source = { x: FeatureMatrix; columns: Int32Array | null };

/** Largest allowed |native − JS| of a fit, relative to max(1, max |y|): both refine once, in other orders. */
export const FIT_TOLERANCE = 1e-9;

/** A rows × nf byte matrix in blocks of `per` rows, from a fixed LCG; `shape` may overwrite bytes. */
function matrix(rows: number, nf: number, per: number, shape: (bytes: Uint8Array) => void): FeatureMatrix {
  let s = 12345;
  const bytes = Uint8Array.from({ length: rows * nf }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor(s / 65536) % 5;
  });
  shape(bytes);
  const blocks: Uint8Array[] = [];
  for (let r = 0; r < rows; r += per) blocks.push(bytes.slice(r * nf, Math.min(rows, r + per) * nf));
  return { nRows: rows, nFeatures: nf, rowsPerBlock: per, blocks };
}

function columnsOf({ x, columns }: Source, rows: Int32Array): Float64Array[] {
  const picked = columns ? Array.from(columns) : Array.from({ length: x.nFeatures }, (_, j) => j);
  return picked.map((c) => Float64Array.from(rows, (r) => x.blocks[Math.floor(r / x.rowsPerBlock)][(r % x.rowsPerBlock) * x.nFeatures + c]));
}

function sameFactor(a: GramFactor, b: GramFactor): boolean {
  const same = (p: ArrayLike<number>, q: ArrayLike<number>) => p.length === q.length && Array.from(p).every((v, i) => Object.is(v, q[i]));
  return a.n === b.n && a.k === b.k && a.rank === b.rank && same(a.perm, b.perm) && same(a.l, b.l);
}

/** null when the native factor and fit agree with the JS ones on every case, else what differed. */
export function checkNativeFnc(
  factor: (m: Source, rows: Int32Array) => GramFactor,
  fit: (f: GramFactor, m: Source, rows: Int32Array, y: Float64Array) => Float64Array,
): string | null {
  const nf = 9;
  const rankDeficient = matrix(90, nf, 16, (b) => {
    for (let r = 0; r < 90; r++) {
      b[r * nf + 5] = b[r * nf + 1];
      b[r * nf + 6] = 2;
    }
  });
  const fullRank = matrix(90, 4, 16, () => {});
  const rows = Int32Array.from({ length: 60 }, (_, i) => (i * 37 + 5) % 90);
  const cases: [string, Source][] = [
    ['all columns, a duplicated and a constant feature', { x: rankDeficient, columns: null }],
    ['picked columns', { x: rankDeficient, columns: Int32Array.of(0, 1, 3, 5, 6, 8) }],
    ['all columns in place, full rank', { x: fullRank, columns: null }],
  ];
  try {
    for (const [label, source] of cases) {
      const cols = columnsOf(source, rows);
      const want = factorColumns(cols, rows.length);
      const got = factor(source, rows);
      if (!sameFactor(got, want)) return `the factor differs from the JS one (${label})`;
      const y = Float64Array.from(rows, (r, i) => Math.sin(r) + 0.25 * cols[0][i]);
      const a = fit(got, source, rows, y);
      const b = leastSquaresFit(want, cols, y);
      const scale = Math.max(1, ...Array.from(y, Math.abs));
      for (let i = 0; i < rows.length; i++) {
        if (!(Math.abs(a[i] - b[i]) <= FIT_TOLERANCE * scale)) return `the fit differs from the JS one at row ${i} (${label}): ${a[i]} vs ${b[i]}`;
      }
    }
  } catch (e) {
    return `the check threw (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`;
  }
  return null;
}
