// Where FNC reads feature values: a FeatureMatrix (the harness's integer blocks, which the native fit
// reads in place) or one array per feature (`autoresearch score` on a predictions file).
import type { FeatureMatrix } from '../contract.ts';
import { identityOf } from './factor-cache.ts';

/** Feature values for FNC: column `f` at the given input positions, written into `out`. */
export interface FeatureSource {
  nFeatures: number;
  fill(f: number, rows: Int32Array, out: Float64Array): void;
  /** for a FactorCache: an `id` and source rows (`rowOf`) always name the same values, never changed; absent = not cached */
  identity?: { id: string; rowOf(position: number): number };
  /** the integer matrix behind a matrix source: input position i is matrix row identity.rowOf(i); `columns` picks features */
  matrix?: { x: FeatureMatrix; columns: Int32Array | null };
}

/** A FeatureSource over a FeatureMatrix; `rowMap` maps input positions to matrix rows, `columns` picks features. */
export function featureSourceFromMatrix(x: FeatureMatrix, opts: { rowMap?: Int32Array; columns?: ArrayLike<number> } = {}): FeatureSource {
  const cols = opts.columns;
  const map = opts.rowMap;
  return {
    nFeatures: cols ? cols.length : x.nFeatures,
    identity: { id: `matrix ${identityOf(x)}: ${cols ? Array.from(cols).join(',') : 'all'}`, rowOf: (i) => (map ? map[i] : i) },
    matrix: { x, columns: cols ? Int32Array.from(cols) : null },
    fill(f, rows, out) {
      const col = cols ? cols[f] : f;
      for (let i = 0; i < rows.length; i++) {
        const r = map ? map[rows[i]] : rows[i];
        const b = Math.floor(r / x.rowsPerBlock);
        out[i] = x.blocks[b][(r - b * x.rowsPerBlock) * x.nFeatures + col];
      }
    },
  };
}

/** A FeatureSource over one array per feature, indexed by input position. */
export function featureSourceFromColumns(columns: ArrayLike<number>[]): FeatureSource {
  return {
    nFeatures: columns.length,
    identity: { id: `columns ${columns.map((c) => identityOf(c)).join(',')}`, rowOf: (i) => i },
    fill(f, rows, out) {
      const c = columns[f];
      for (let i = 0; i < rows.length; i++) out[i] = c[rows[i]];
    },
  };
}
