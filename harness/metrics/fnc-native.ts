// FNC's least-squares fit through the optional native addon (native/src/neutral.c): it reads an era's
// integer features in place from the FeatureMatrix blocks and makes the same kept-column solve and
// refinement step as leastSquaresFit (lstsq.ts), without copying the features out as float64 columns;
// and the factor's Gram matrix, the one O(n·k²) step, from the same blocks.
// Absent addon: null, and scoring uses the JS fit.
import type { FeatureMatrix } from '../contract.ts';
import { loadNativeAddon } from '../native-addon.ts';
import { factorOfGram, type GramFactor } from './lstsq.ts';

interface NeutralAddon {
  gramBlocks(blocks: Uint8Array[], rowsPerBlock: number, nFeatures: number, columns: Int32Array | null, rows: Int32Array, out: Float64Array): void;
  neutralFit(blocks: Uint8Array[], rowsPerBlock: number, nFeatures: number, columns: Int32Array | null, rows: Int32Array,
    k: number, perm: Int32Array, rank: number, l: Float64Array, y: Float64Array, out: Float64Array): void;
}

/** The fit of y on [features | 1] for matrix rows `rows`, given their factor. */
export type NativeFit = (factor: GramFactor, m: { x: FeatureMatrix; columns: Int32Array | null }, rows: Int32Array, y: Float64Array) => Float64Array;

/** The factor of [features | 1] for matrix rows `rows`, its Gram matrix computed from the integer blocks in place. */
export type NativeFactor = (m: { x: FeatureMatrix; columns: Int32Array | null }, rows: Int32Array) => GramFactor;

let cached: NativeFit | null | undefined;
let cachedFactor: NativeFactor | null | undefined;

function addon(): Partial<NeutralAddon> | null {
  const lib = loadNativeAddon();
  return 'addon' in lib ? (lib.addon as Partial<NeutralAddon>) : null;
}

/**
 * The native factor, or null when the addon is not built (or predates it). Its Gram matrix is exact
 * integer sums, the same numbers gramColumns makes from the same features, so the factor is identical
 * to the JS one; only the O(n·k²) pass runs in C.
 */
export function nativeFactor(): NativeFactor | null {
  if (cachedFactor !== undefined) return cachedFactor;
  const lib = addon();
  const gram = lib?.gramBlocks;
  cachedFactor = typeof gram === 'function'
    ? (m, rows) => {
      const k = (m.columns ? m.columns.length : m.x.nFeatures) + 1;
      const g = new Float64Array(k * k);
      gram.call(lib, m.x.blocks, m.x.rowsPerBlock, m.x.nFeatures, m.columns, rows, g);
      return factorOfGram(g, k, rows.length);
    }
    : null;
  return cachedFactor;
}

/** The native fit, or null when the addon is not built (or predates it). */
export function nativeNeutralFit(): NativeFit | null {
  if (cached !== undefined) return cached;
  const lib = addon();
  const fit = lib?.neutralFit;
  cached = typeof fit === 'function'
    ? (f, m, rows, y) => {
      if (rows.length !== f.n || y.length !== f.n) throw new Error(`nativeNeutralFit: factor of ${f.n} rows, got ${rows.length} rows and ${y.length} values`);
      const out = new Float64Array(f.n);
      fit.call(lib, m.x.blocks, m.x.rowsPerBlock, m.x.nFeatures, m.columns, rows, f.k, f.perm, f.rank, f.l, y, out);
      return out;
    }
    : null;
  return cached;
}
