// Native implementations of the kernels a dense net's training step spends its time in, for the
// 'native' backend (harness/tf-native.ts). Each handles float32 in the layouts a training step
// produces (full, row- or column-broadcast, scalar; reductions over leading or trailing axes)
// and hands every other case to the stock cpu kernel, so coverage never changes what is computed.
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { PoolBackend } from './tf-native-pool.ts';

/** The functions native/src/addon.c exports; every `out` is written in full. */
export interface NativeAddon {
  sgemm(ta: boolean, tb: boolean, m: number, n: number, k: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number): void;
  binary(op: number, rows: number, cols: number, a: Float32Array, ars: number, acs: number, b: Float32Array, brs: number, bcs: number, out: Float32Array): void;
  unary(op: number, n: number, x: Float32Array, out: Float32Array): void;
  sumRows(rows: number, cols: number, x: Float32Array, scale: number, out: Float32Array): void;
  sumCols(rows: number, cols: number, x: Float32Array, scale: number, out: Float32Array): void;
  transpose(rows: number, cols: number, x: Float32Array, out: Float32Array): void;
  batchNorm(rows: number, cols: number, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, eps: number, out: Float32Array): void;
  setThreads(n: number): void;
  blasInfo(): { threads: number; config: string };
}

/** Kernel name → native implementation; `stock` is the cpu kernel it falls back to. */
export type Override = (args: { inputs: Record<string, TensorInfo | undefined>; backend: PoolBackend; attrs: NamedAttrMap }, stock: KernelFunc) => TensorInfo | TensorInfo[];

/** Order matches the op enums in native/src/kernels.h. */
const BINARY_OPS = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference'] as const;
const UNARY_OPS = ['Neg', 'Square', 'Sqrt', 'Rsqrt', 'Exp', 'Erf', 'Abs', 'Relu', 'Floor', 'Reciprocal', 'Sigmoid', 'Tanh', 'Log'] as const;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function f32(backend: PoolBackend, t: TensorInfo): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

/** Row and column strides of `shape` read as the [rows, cols] view of `out`, or null if that needs general broadcasting. */
function strides(shape: number[], out: number[], cols: number): [number, number] | null {
  const n = size(shape);
  if (n === size(out)) return shape.length <= out.length && shape.every((d, i) => d === out[out.length - shape.length + i]) ? [cols, 1] : null;
  if (n === 1) return [0, 0];
  const padded = [...new Array<number>(out.length - shape.length).fill(1), ...shape];
  const last = padded.length - 1;
  if (padded[last] === cols && padded.slice(0, last).every((d) => d === 1)) return [0, 1];
  if (padded[last] === 1 && padded.slice(0, last).every((d, i) => d === out[i])) return [1, 0];
  return null;
}

function broadcastShape(a: number[], b: number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1, y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

function binary(addon: NativeAddon, op: number): Override {
  return ({ inputs, backend, attrs }, stock) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const [av, bv] = [f32(backend, a), f32(backend, b)];
    const out = broadcastShape(a.shape, b.shape);
    if (!av || !bv || !out) return stock({ inputs, backend, attrs });
    const cols = out.length ? out[out.length - 1] : 1;
    const rows = cols === 0 ? 0 : size(out) / cols;
    const [sa, sb] = [strides(a.shape, out, cols), strides(b.shape, out, cols)];
    if (!sa || !sb) return stock({ inputs, backend, attrs });
    const values = backend.take(size(out));
    addon.binary(op, rows, cols, av, sa[0], sa[1], bv, sb[0], sb[1], values);
    return backend.makeTensorInfo(out, 'float32', values);
  };
}

function unary(addon: NativeAddon, op: number): Override {
  return ({ inputs, backend, attrs }, stock) => {
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    if (!xv) return stock({ inputs, backend, attrs });
    const values = backend.take(xv.length);
    addon.unary(op, xv.length, xv, values);
    return backend.makeTensorInfo(x.shape, 'float32', values);
  };
}

/** Sum or Mean over a leading or a trailing run of axes, the two layouts a dense net reduces over. */
function reduce(addon: NativeAddon, mean: boolean): Override {
  return ({ inputs, backend, attrs }, stock) => {
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    const rank = x.shape.length;
    const raw = attrs.axis as number | number[];
    const axes = [...new Set((Array.isArray(raw) ? raw : [raw]).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
    const leading = axes.length > 0 && axes[0] === 0 && contiguous;
    const trailing = axes.length > 0 && axes[axes.length - 1] === rank - 1 && contiguous;
    if (!xv || rank === 0 || !(leading || trailing) || xv.length === 0) return stock({ inputs, backend, attrs });
    const kept = x.shape.filter((_, i) => !axes.includes(i));
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
    const keptSize = size(kept);
    const reduced = xv.length / keptSize;
    const values = backend.take(keptSize);
    const scale = mean ? 1 / reduced : 1;
    if (leading) addon.sumRows(reduced, keptSize, xv, scale, values);
    else addon.sumCols(keptSize, reduced, xv, scale, values);
    return backend.makeTensorInfo(outShape, 'float32', values);
  };
}

function batchMatMul(addon: NativeAddon, a: TensorInfo, b: TensorInfo, ta: boolean, tb: boolean, backend: PoolBackend): TensorInfo | null {
  const [av, bv] = [f32(backend, a), f32(backend, b)];
  if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return null;
  const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
  const [m, k, k2, n] = [ta ? ac : ar, ta ? ar : ac, tb ? bc : br, tb ? br : bc];
  const [batchA, batchB] = [size(a.shape.slice(0, -2)), size(b.shape.slice(0, -2))];
  const outer = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (k !== k2 || !outer || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return null;
  const batch = Math.max(batchA, batchB);
  if (batch !== size(outer)) return null;
  const values = backend.take(batch * m * n);
  for (let i = 0; i < batch; i++) {
    if (k === 0) values.fill(0, i * m * n, (i + 1) * m * n);
    else addon.sgemm(ta, tb, m, n, k, av, batchA === 1 ? 0 : i * m * k, bv, batchB === 1 ? 0 : i * k * n, values, i * m * n);
  }
  return backend.makeTensorInfo([...outer, m, n], 'float32', values);
}

/** Every override, by kernel name. */
export function nativeOverrides(addon: NativeAddon, stockKernel: (name: string) => KernelFunc): Record<string, Override> {
  const table: Record<string, Override> = {};
  BINARY_OPS.forEach((name, op) => { table[name] = binary(addon, op); });
  UNARY_OPS.forEach((name, op) => { table[name] = unary(addon, op); });
  table.Sum = reduce(addon, false);
  table.Mean = reduce(addon, true);
  table.BatchMatMul = ({ inputs, backend, attrs }, stock) =>
    batchMatMul(addon, inputs.a as TensorInfo, inputs.b as TensorInfo, !!attrs.transposeA, !!attrs.transposeB, backend) ?? stock({ inputs, backend, attrs });
  table._FusedMatMul = ({ inputs, backend, attrs }, stock) => {
    const { a, b, bias, preluActivationWeights } = inputs;
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    const nativeAct = ({ linear: -1, relu: UNARY_OPS.indexOf('Relu'), sigmoid: UNARY_OPS.indexOf('Sigmoid') } as Record<string, number>)[activation];
    const product = nativeAct === undefined || preluActivationWeights ? null : batchMatMul(addon, a!, b!, !!attrs.transposeA, !!attrs.transposeB, backend);
    if (!product) return stock({ inputs, backend, attrs });
    let current = product;
    if (bias) {
      const sum = table.Add({ inputs: { a: current, b: bias }, backend, attrs: {} }, stockKernel('Add')) as TensorInfo;
      backend.disposeData(current.dataId);
      current = sum;
    }
    if (nativeAct >= 0) {
      const values = backend.take(size(current.shape));
      addon.unary(nativeAct, values.length, f32(backend, current)!, values);
      backend.disposeData(current.dataId);
      current = backend.makeTensorInfo(current.shape, 'float32', values);
    }
    return current;
  };
  // batchNorm's gradient tiles a [1,1,1,N] vector down the batch: whole copies of x, made by doubling.
  table.Tile = ({ inputs, backend, attrs }, stock) => {
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    const reps = attrs.reps as number[];
    const first = reps.findIndex((r) => r > 1);
    const wholeCopies = first < 0 || x.shape.slice(0, first + 1).every((d) => d === 1);
    if (!xv || !wholeCopies || xv.length === 0) return stock({ inputs, backend, attrs });
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const values = backend.take(size(outShape));
    values.set(xv, 0);
    for (let filled = xv.length; filled < values.length; filled *= 2) values.copyWithin(filled, 0, Math.min(filled, values.length - filled));
    return backend.makeTensorInfo(outShape, 'float32', values);
  };
  table.Transpose = ({ inputs, backend, attrs }, stock) => {
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    const perm = attrs.perm as number[];
    if (!xv || x.shape.length !== 2 || perm[0] !== 1 || perm[1] !== 0) return stock({ inputs, backend, attrs });
    const values = backend.take(xv.length);
    addon.transpose(x.shape[0], x.shape[1], xv, values);
    return backend.makeTensorInfo([x.shape[1], x.shape[0]], 'float32', values);
  };
  table.FusedBatchNorm = ({ inputs, backend, attrs }, stock) => {
    const { x, mean, variance, scale, offset } = inputs as Record<string, TensorInfo>;
    const cols = x.shape[x.shape.length - 1];
    const vecs = [mean, variance, scale, offset].map((t) => (t ? f32(backend, t) : null));
    const xv = f32(backend, x);
    const ok = xv && vecs[0] && vecs[1] && [mean, variance, scale, offset].every((t, i) => !t || (vecs[i] && t.shape.length === 1 && t.shape[0] === cols));
    if (!ok || x.shape.length < 2) return stock({ inputs, backend, attrs });
    const values = backend.take(xv.length);
    const eps = (attrs.varianceEpsilon as number | undefined) ?? 0.001;
    addon.batchNorm(xv.length / cols, cols, xv, vecs[0]!, vecs[1]!, vecs[2], vecs[3], eps, values);
    return backend.makeTensorInfo(x.shape, 'float32', values);
  };
  return table;
}
