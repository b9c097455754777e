// Chooses the tfjs backend the way the harness that scored the candidate does: tfjs-node (an
// optional dependency, often without a prebuilt binary) when it loads, else wasm, else cpu. A fixed
// order, never a race, so the same seed gives the same predictions on the same machine.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tfModule from '@tensorflow/tfjs';
import { RuntimeError } from './errors.ts';

export type Tf = typeof tfModule;
export type Backend = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKENDS: readonly Backend[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

// A variable specifier keeps TypeScript from resolving a package that is usually not installed.
const TFJS_NODE: string = '@tensorflow/tfjs-node';

/** Loads tfjs on the preferred backend; returns the namespace and the backend's name. */
export async function loadTf(preference: Backend): Promise<{ tf: Tf; backend: string }> {
  if (preference === 'auto' || preference === 'tensorflow') {
    const native = await tfjsNode();
    if (native) return { tf: native, backend: 'tensorflow' };
    if (preference === 'tensorflow') {
      throw new RuntimeError('cannot use the tensorflow backend', 'tfjs-node is not installed or does not load here', 'npm install @tensorflow/tfjs-node, or pass --backend auto');
    }
  }
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  const order: ('wasm' | 'cpu')[] = preference === 'cpu' ? ['cpu'] : preference === 'wasm' ? ['wasm'] : ['wasm', 'cpu'];
  const reasons: string[] = [];
  for (const name of order) {
    try {
      if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        // In Node the .wasm binaries are read from disk, so the prefix is a directory path.
        wasm.setWasmPaths(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        if (tf.getBackend() === name) return { tf, backend: name };
      }
      reasons.push(`${name} did not initialise`);
    } catch (e) {
      reasons.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new RuntimeError(`no tf backend could be initialised (${preference})`, reasons.join('; '), 'run `npm install` in this directory, or pass --backend cpu');
}

async function tfjsNode(): Promise<Tf | null> {
  try {
    const mod = (await import(TFJS_NODE)) as { default?: Tf } & Partial<Tf>;
    // tfjs-node is CommonJS: its exports arrive as the default export.
    const tf = (mod.default ?? mod) as Tf;
    return (await tf.setBackend('tensorflow')) ? tf : null;
  } catch {
    return null;
  }
}
