// The native engine of `job.nn.mlp`: the whole AdamW step (gather, forward, masked loss, backward,
// update) is one call into native/src/dense.c on OpenBLAS, where the same net in tfjs issues
// hundreds of kernel calls. It trains the function harness/nn-tfjs.ts defines, from the same stream.
import { checkMlpSpec, checkMlpStep, type Mlp, type MlpSpec } from './contract.ts';
import { loadNativeAddon } from './native-addon.ts';

interface DenseAddon {
  denseCreate(widths: Int32Array, activation: number, batchNorm: boolean, dropout: number, loss: number, lossWeights: Float64Array, weightDecay: number, seed: number): object;
  denseStep(net: object, x: Float32Array, y: Float32Array, mask: Float32Array, rows: Int32Array, lr: number): void;
  densePredict(net: object, x: Float32Array, nRows: number, out: Float32Array): void;
  denseFree(net: object): void;
  densePhaseSeconds(net: object): Float64Array;
}

/** The phases of a step, in dense.h's PHASE_* order. */
export const MLP_PHASES = ['gather', 'matmul forward', 'elementwise', 'loss', 'matmul backward', 'optimizer'] as const;

const handles = new WeakMap<Mlp, () => object>();

/** Seconds a native net has spent in each phase of its steps so far (for bench/train-speed.ts). */
export function nativeMlpPhases(mlp: Mlp): Record<(typeof MLP_PHASES)[number], number> {
  const handle = handles.get(mlp);
  const addon = denseAddon();
  if (!handle || typeof addon === 'string') throw new Error('nativeMlpPhases: not a net of the native engine');
  const s = addon.densePhaseSeconds(handle());
  return Object.fromEntries(MLP_PHASES.map((p, i) => [p, s[i]])) as Record<(typeof MLP_PHASES)[number], number>;
}

/** Order matches ACT_* and LOSS_* in native/src/dense.h. */
const ACTIVATIONS = ['gelu', 'relu', 'elu', 'tanh', 'swish'] as const;
const LOSSES = ['mse', 'pearson', 'mse+pearson'] as const;

function denseAddon(): DenseAddon | string {
  const lib = loadNativeAddon();
  if ('reason' in lib) return lib.reason;
  const addon = lib.addon as Partial<DenseAddon>;
  return typeof addon.denseCreate === 'function' ? (addon as DenseAddon) : 'the native addon predates the fused MLP (run `npm run build:native`)';
}

/** null when the native engine can be used, else why not. */
export function nativeMlpAvailable(): string | null {
  const a = denseAddon();
  return typeof a === 'string' ? a : null;
}

/** A net in native memory (freed by dispose, or by the garbage collector). */
export function createNativeMlp(spec: MlpSpec): Mlp {
  checkMlpSpec(spec);
  const addon = denseAddon();
  if (typeof addon === 'string') throw new Error(`nn.mlp: the native engine is unavailable: ${addon}`);
  const widths = Int32Array.from([spec.nIn, ...spec.hidden, spec.nOut]);
  let net: object | null = addon.denseCreate(widths, ACTIVATIONS.indexOf(spec.activation), spec.batchNorm, spec.dropout,
    LOSSES.indexOf(spec.loss), Float64Array.from(spec.lossWeights), spec.weightDecay, spec.seed >>> 0);
  const alive = (): object => {
    if (!net) throw new Error('nn.mlp: the net was disposed');
    return net;
  };
  const mlp: Mlp = {
    engine: 'native',
    step(x, y, mask, rows, lr) {
      const n = alive();
      checkMlpStep(spec, x, y, mask, rows, lr);
      addon.denseStep(n, x, y, mask, rows, lr);
    },
    predict(x, nRows) {
      const n = alive();
      if (!(x instanceof Float32Array) || !Number.isInteger(nRows) || nRows < 0 || x.length !== nRows * spec.nIn) {
        throw new Error(`nn.mlp predict: expected a Float32Array of ${nRows} rows of ${spec.nIn}, got ${x?.length} values`);
      }
      const out = new Float32Array(nRows * spec.nOut);
      addon.densePredict(n, x, nRows, out);
      return out;
    },
    dispose() {
      if (net) addon.denseFree(net);
      net = null;
    },
  };
  handles.set(mlp, alive);
  return mlp;
}
