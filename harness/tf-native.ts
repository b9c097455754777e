// The 'native' tf backend: tfjs's cpu backend with a buffer pool (tf-native-pool.ts) and the hot
// kernels replaced by OpenBLAS sgemm and vectorised C (tf-native-kernels.ts, native/). The addon
// is optional: built by `npm run build:native`, it is skipped with a reason when absent or when
// it cannot load (no libopenblas). The overrides read tfjs internals, so tfjs is pinned and every
// overridden kernel is checked against the stock cpu kernel when the backend is first activated.
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import type { Tf } from './contract.ts';
import { nativeOverrides, type NativeAddon } from './tf-native-kernels.ts';
import { poolBackendClass, type CpuBackend, type PoolBackend } from './tf-native-pool.ts';
import { selfTest } from './tf-native-check.ts';
import { loadNativeAddon } from './native-addon.ts';

export const NATIVE_BACKEND = 'native';

let registered: string | null | undefined;

/** Registers the 'native' backend once and self-tests it; returns null when it is usable, else why not. */
export function registerNativeBackendNow(tf: Tf): string | null {
  if (registered === undefined) registered = register(tf);
  return registered;
}

/** registerNativeBackendNow for callers that await. */
export function registerNativeBackend(tf: Tf): Promise<string | null> {
  return Promise.resolve(registerNativeBackendNow(tf));
}

function register(tf: Tf): string | null {
  const lib = loadNativeAddon();
  if ('reason' in lib) return lib.reason;
  const addon = lib.addon as NativeAddon;
  const cpu = tf.findBackend('cpu') as unknown as (CpuBackend & { firstUse: boolean }) | null;
  if (!cpu) return 'the tfjs cpu backend is not available';
  // The check below writes to both backends; firstUse would print tfjs's "install tfjs-node" banner.
  cpu.firstUse = false;
  const NativeBackend = poolBackendClass(cpu.constructor as new () => CpuBackend);
  const make = () => Object.assign(new NativeBackend(), { firstUse: false });
  tf.registerBackend(NATIVE_BACKEND, () => make() as unknown as ReturnType<Tf['backend']>, -1);
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: NATIVE_BACKEND });
  const stock = (name: string): KernelFunc => {
    const config = tf.getKernel(name, 'cpu');
    if (!config) throw new Error(`tfjs ${tf.version_core} has no cpu kernel ${name}`);
    return config.kernelFunc;
  };
  try {
    for (const [name, impl] of Object.entries(nativeOverrides(addon, stock))) {
      const fallback = stock(name);
      const kernelFunc = ((args: Parameters<KernelFunc>[0]) =>
        impl(args as Parameters<typeof impl>[0] & { backend: PoolBackend }, fallback)) as KernelFunc;
      tf.unregisterKernel(name, NATIVE_BACKEND);
      tf.registerKernel({ kernelName: name, backendName: NATIVE_BACKEND, kernelFunc } as KernelConfig);
    }
    const failure = selfTest(tf, NATIVE_BACKEND);
    if (failure === null) return null;
    tf.removeBackend(NATIVE_BACKEND);
    return `native kernels disagree with tfjs's cpu kernels (${failure})`;
  } catch (e) {
    if (tf.findBackendFactory(NATIVE_BACKEND)) tf.removeBackend(NATIVE_BACKEND);
    return `native kernels failed their start-up check (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`;
  }
}

/** One line describing the native path, for the harness to print. */
export function nativeDetail(): string {
  const lib = loadNativeAddon();
  return 'reason' in lib ? lib.reason : `cpu backend + native kernels (${lib.detail})`;
}

/** Sets the OpenBLAS thread count of the loaded addon (benchmarks compare 1 and 2). */
export function setNativeThreads(n: number): void {
  const lib = loadNativeAddon();
  if ('addon' in lib) lib.addon.setThreads(n);
}

