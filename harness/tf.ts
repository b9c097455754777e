// Chooses the tfjs backend a trainer process runs on. tfjs-node (native TensorFlow) is an
// optional dependency that has no prebuilt binary on many machines, so its absence is normal.
// Without it, 'auto' takes the backend measured fastest for the default network's training
// step (bench/train-speed.ts): a fixed order rather than a per-process race, because a choice
// that flipped between processes would make the same seed give different predictions. The
// 'native' backend (tf-native.ts) needs the optional addon built by `npm run build:native`.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Tf } from './contract.ts';
import { UserError } from './errors.ts';
import { setBackendNow } from './tf-native-check.ts';
import { nativeDetail, registerNativeBackend, registerNativeBackendNow } from './tf-native.ts';

export type TfPreference = 'auto' | 'tensorflow' | 'native' | 'wasm' | 'cpu';

export interface LoadedTf {
  tf: Tf;
  /** the active backend's name: "tensorflow", "native", "wasm" or "cpu" */
  backend: string;
  /** why this backend was chosen, when it was not the one asked for or when auto fell back */
  note?: string;
}

export const TF_PREFERENCES: readonly TfPreference[] = ['auto', 'tensorflow', 'native', 'wasm', 'cpu'];

type Fallback = 'native' | 'wasm' | 'cpu';

/** Fallback order after tfjs-node, fastest first, from bench/train-speed.ts on the target machine. */
const AUTO_ORDER: readonly Fallback[] = ['native', 'wasm', 'cpu'];

// A variable specifier keeps TypeScript from resolving a package that is usually not installed.
const TFJS_NODE: string = '@tensorflow/tfjs-node';

let wasmPathsSet = false;

/** Loads tfjs with the preferred backend ('auto': tfjs-node, else the measured-fastest of native, wasm and cpu). */
export async function loadTf(preference: TfPreference = 'auto'): Promise<LoadedTf> {
  if (!TF_PREFERENCES.includes(preference)) {
    throw new UserError(
      `unknown tf backend "${String(preference)}"`,
      `expected one of ${TF_PREFERENCES.join(', ')}`,
      'pass --backend auto (or tensorflow, native, wasm, cpu)',
    );
  }
  if (preference === 'tensorflow') {
    const native = await importTfjsNode();
    if ('tf' in native) return { tf: native.tf, backend: 'tensorflow' };
    throw new UserError(
      'cannot use the tensorflow backend',
      native.reason,
      'install it with `npm install @tensorflow/tfjs-node`, or use --backend auto, wasm or cpu',
    );
  }
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  if (preference !== 'auto') {
    const failure = await activate(tf, preference);
    if (failure === null) return { tf, backend: preference, ...(preference === 'native' ? { note: nativeDetail() } : {}) };
    const fix = { native: 'run `npm run build:native` (needs libopenblas-dev and a C compiler), or use --backend auto', wasm: 'use --backend cpu or auto', cpu: 'use --backend auto' }[preference];
    throw new UserError(`cannot use the ${preference} backend`, failure, fix);
  }
  const native = await importTfjsNode();
  if ('tf' in native) return { tf: native.tf, backend: 'tensorflow', note: 'using tfjs-node (native TensorFlow)' };
  const reasons = [native.reason];
  for (const name of AUTO_ORDER) {
    const failure = await activate(tf, name);
    if (failure === null) return { tf, backend: name, note: `${reasons.join('; ')}; using ${name === 'native' ? nativeDetail() : name}` };
    reasons.push(`${name} failed: ${failure}`);
  }
  throw new Error(`no tf backend could be initialised: ${reasons.join('; ')}`);
}

/**
 * loadTf('auto' | 'native') without awaiting anything, for a job that loads tfjs only when its train
 * module first touches job.tf: the same choice (tfjs-node for 'auto', else the native backend), made
 * synchronously — tfjs's CommonJS build through require, backends whose factories are synchronous.
 * When the choice would need wasm (its start is asynchronous), the reason instead.
 */
export function loadTfNow(preference: 'auto' | 'native'): LoadedTf | { reason: string } {
  const require = createRequire(import.meta.url);
  const reasons: string[] = [];
  if (preference === 'auto') {
    try {
      const tfn = require(TFJS_NODE) as Tf;
      if (setBackendNow(tfn, 'tensorflow')) return { tf: tfn, backend: 'tensorflow', note: 'using tfjs-node (native TensorFlow)' };
      reasons.push('tfjs-node is installed but its tensorflow backend did not initialise');
    } catch (e) {
      const missing = (e as { code?: string }).code === 'MODULE_NOT_FOUND' && firstLine(e).includes(`'${TFJS_NODE}'`);
      reasons.push(missing ? 'tfjs-node not installed' : `tfjs-node failed to load (${firstLine(e)})`);
    }
  }
  try {
    const tf = require('@tensorflow/tfjs') as Tf;
    const failure = registerNativeBackendNow(tf) ?? (setBackendNow(tf, 'native') ? null : 'the native backend did not activate');
    if (failure === null) {
      return { tf, backend: 'native', note: preference === 'auto' ? `${reasons.join('; ')}; using ${nativeDetail()}` : nativeDetail() };
    }
    reasons.push(`native failed: ${failure}`);
  } catch (e) {
    reasons.push(`tfjs failed to load (${firstLine(e)})`);
  }
  return { reason: reasons.join('; ') };
}

type NativeResult = { tf: Tf } | { reason: string };

async function importTfjsNode(): Promise<NativeResult> {
  let mod: { default?: Tf } & Partial<Tf>;
  try {
    mod = await import(TFJS_NODE);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && firstLine(e).includes(`'${TFJS_NODE}'`);
    if (missing) return { reason: 'tfjs-node not installed' };
    return { reason: `tfjs-node failed to load (${firstLine(e)})` };
  }
  // tfjs-node is CommonJS: its exports arrive as the default export, named ones only when detected.
  const tf = (mod.default ?? mod) as Tf;
  try {
    if (await tf.setBackend('tensorflow')) return { tf };
    return { reason: 'tfjs-node is installed but its tensorflow backend did not initialise' };
  } catch (e) {
    return { reason: `tfjs-node backend failed (${firstLine(e)})` };
  }
}

/** Makes `name` the active backend; returns null on success or why it failed. */
async function activate(tf: Tf, name: Fallback): Promise<string | null> {
  try {
    if (name === 'native') {
      const failure = await registerNativeBackend(tf);
      if (failure !== null) return failure;
    }
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (!wasmPathsSet) {
        // In Node the .wasm binaries are read from disk, so the prefix is a directory path.
        const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(path.dirname(entry) + path.sep);
        wasmPathsSet = true;
      }
    }
    if (!(await tf.setBackend(name))) return `tf.setBackend('${name}') returned false`;
    await tf.ready();
    return tf.getBackend() === name ? null : `active backend is ${tf.getBackend()}`;
  } catch (e) {
    return firstLine(e);
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
