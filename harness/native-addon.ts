// The optional native addon (native/, built by `npm run build:native`): OpenBLAS-backed kernels for
// the 'native' tf backend, the fused MLP and scoring. Absence is normal (no compiler or no
// libopenblas-dev), so loading never throws: it returns why the addon is unavailable instead.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:native` puts the addon, relative to this file (also inside the sandbox). */
const ADDON_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../native/build/Release/autoresearch_native.node');

/** Two BLAS threads beside the JS thread lose to one at F=235, and jobs already run side by side. */
const BLAS_THREADS = 1;

/** What every build of the addon exports; each user casts `addon` to the functions it calls. */
export interface AddonCore {
  setThreads(n: number): void;
  blasInfo(): { threads: number; config: string };
}

export type LoadedAddon = { addon: AddonCore; detail: string } | { reason: string };

let loaded: LoadedAddon | undefined;

/** Loads the addon once (1 BLAS thread); the reason says why the native path is unavailable. */
export function loadNativeAddon(): LoadedAddon {
  if (loaded) return loaded;
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as AddonCore;
    addon.setThreads(BLAS_THREADS);
    const { config, threads } = addon.blasInfo();
    loaded = { addon, detail: `${config.split(' ').slice(0, 2).join(' ')}, ${threads} BLAS thread${threads === 1 ? '' : 's'}` };
  } catch (e) {
    const code = (e as { code?: string }).code;
    loaded = code === 'MODULE_NOT_FOUND'
      ? { reason: 'native addon not built (run `npm run build:native`)' }
      : { reason: `native addon failed to load (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})` };
  }
  return loaded;
}
