// FNC's least-squares fit through the optional native addon (native/src/neutral.c): it reads an era's
// integer features in place from the FeatureMatrix blocks and makes the same kept-column solve and
// refinement step as leastSquaresFit (lstsq.ts), without copying the features out as float64 columns;
// and the factor's Gram matrix, the one O(n·k²) step, from the same blocks.
// Absent addon, or kernels that fail their start-up check (fnc-native-check.ts): null, and scoring uses JS.
import type { FeatureMatrix } from '../contract.ts';
import { loadNativeAddon } from '../native-addon.ts';
import { checkNativeFnc } from './fnc-native-check.ts';
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

/** The native kernels once they passed checkNativeFnc, or why they are not used. */
type Kernels = { factor: NativeFactor; fit: NativeFit } | { reason: string };

let kernels: Kernels | undefined;

/**
 * The native factor and fit, checked once per process against the JS ones; the reason when the addon is
 * not built, predates them, or failed the check (then a warning says so, once, and scoring uses JS).
 */
export function nativeFncKernels(): Kernels {
  if (kernels) return kernels;
  const lib = loadNativeAddon();
  if (!('addon' in lib)) return (kernels = { reason: lib.reason });
  const addon = lib.addon as Partial<NeutralAddon>;
  const { gramBlocks, neutralFit } = addon;
  if (typeof gramBlocks !== 'function' || typeof neutralFit !== 'function') {
    return (kernels = { reason: 'the native addon predates the FNC kernels (run `npm run build:native`)' });
  }
  const factor: NativeFactor = (m, rows) => {
    const k = (m.columns ? m.columns.length : m.x.nFeatures) + 1;
    const g = new Float64Array(k * k);
    gramBlocks.call(addon, m.x.blocks, m.x.rowsPerBlock, m.x.nFeatures, m.columns, rows, g);
    return factorOfGram(g, k, rows.length);
  };
  const fit: NativeFit = (f, m, rows, y) => {
    if (rows.length !== f.n || y.length !== f.n) throw new Error(`nativeNeutralFit: factor of ${f.n} rows, got ${rows.length} rows and ${y.length} values`);
    const out = new Float64Array(f.n);
    neutralFit.call(addon, m.x.blocks, m.x.rowsPerBlock, m.x.nFeatures, m.columns, rows, f.k, f.perm, f.rank, f.l, y, out);
    return out;
  };
  const failure = checkNativeFnc(factor, fit);
  if (failure !== null) {
    process.emitWarning(`native FNC kernels failed their start-up check, scoring FNC in JS instead: ${failure}. Rebuild them with \`npm run build:native\`.`);
    return (kernels = { reason: `failed the start-up check: ${failure}` });
  }
  return (kernels = { factor, fit });
}

/**
 * The native factor, or null when the kernels are unavailable. Its Gram matrix is exact integer sums,
 * the same numbers gramColumns makes from the same features, so the factor is identical to the JS one;
 * only the O(n·k²) pass runs in C.
 */
export function nativeFactor(): NativeFactor | null {
  const k = nativeFncKernels();
  return 'factor' in k ? k.factor : null;
}

/** The native fit, or null when the kernels are unavailable. */
export function nativeNeutralFit(): NativeFit | null {
  const k = nativeFncKernels();
  return 'fit' in k ? k.fit : null;
}
