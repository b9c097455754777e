// FNC's least-squares fit through the optional native addon (native/src/neutral.c): it reads an era's
// integer features in place from the FeatureMatrix blocks and makes the same kept-column solve and
// refinement step as leastSquaresFit (lstsq.ts), without copying the features out as float64 columns.
// Absent addon: null, and scoring uses the JS fit.
import type { FeatureMatrix } from '../contract.ts';
import { loadNativeAddon } from '../native-addon.ts';
import type { GramFactor } from './lstsq.ts';

interface NeutralAddon {
  neutralFit(blocks: Uint8Array[], rowsPerBlock: number, nFeatures: number, columns: Int32Array | null, rows: Int32Array,
    k: number, perm: Int32Array, rank: number, l: Float64Array, y: Float64Array, out: Float64Array): void;
}

/** The fit of y on [features | 1] for matrix rows `rows`, given their factor. */
export type NativeFit = (factor: GramFactor, m: { x: FeatureMatrix; columns: Int32Array | null }, rows: Int32Array, y: Float64Array) => Float64Array;

let cached: NativeFit | null | undefined;

/** The native fit, or null when the addon is not built (or predates it). */
export function nativeNeutralFit(): NativeFit | null {
  if (cached !== undefined) return cached;
  const lib = loadNativeAddon();
  const addon = 'addon' in lib ? (lib.addon as Partial<NeutralAddon>) : null;
  const fit = addon?.neutralFit;
  cached = typeof fit === 'function'
    ? (f, m, rows, y) => {
      if (rows.length !== f.n || y.length !== f.n) throw new Error(`nativeNeutralFit: factor of ${f.n} rows, got ${rows.length} rows and ${y.length} values`);
      const out = new Float64Array(f.n);
      fit.call(addon, m.x.blocks, m.x.rowsPerBlock, m.x.nFeatures, m.columns, rows, f.k, f.perm, f.rank, f.l, y, out);
      return out;
    }
    : null;
  return cached;
}
