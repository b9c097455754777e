// The start-up check of the native kernels: each overridden kernel, in every layout it handles
// natively (and one it hands back to the stock kernel), run on the stock cpu backend and on the
// native one from the same inputs. A difference above the tolerance disables the native backend,
// which is what protects results if a tfjs upgrade changes the internals the overrides rely on.
import type { Tf } from './contract.ts';

type Tensor = InstanceType<Tf['Tensor']>;
type T2 = ReturnType<Tf['tensor2d']>;
type Input = (shape: number[], positive?: boolean) => Tensor;
type Case = [label: string, run: (tf: Tf, x: Input) => Tensor | Tensor[]];

/** Largest allowed |native - stock| relative to max(1, |stock|): float32 sums in another order, erf/exp to ~1e-7. */
export const SELF_TEST_TOLERANCE = 2e-5;

const binaries = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'squaredDifference'] as const;
const unaries = ['neg', 'square', 'sqrt', 'rsqrt', 'exp', 'erf', 'abs', 'relu', 'floor', 'reciprocal', 'sigmoid', 'tanh', 'log'] as const;
const layouts: [string, number[], number[]][] = [
  ['full', [37, 19], [37, 19]], ['row', [37, 19], [19]], ['row2', [37, 19], [1, 19]], ['col', [37, 19], [37, 1]],
  ['scalar', [37, 19], []], ['scalar-left', [], [37, 19]], ['general', [3, 1, 5], [1, 4, 5]],
];

const CASES: Case[] = [
  ...binaries.flatMap((op) => layouts.map(([l, a, b]): Case => [`${op} ${l}`, (tf, x) => tf[op](x(a, op === 'div'), x(b, op === 'div'))])),
  ...unaries.map((op): Case => [op, (tf, x) => tf[op](x([41, 13], ['sqrt', 'rsqrt', 'log', 'reciprocal'].includes(op)))]),
  ...[[0], [1], [0, 1], [-1]].flatMap((axis): Case[] => [
    [`sum axis ${axis}`, (tf, x) => [tf.sum(x([53, 29]), axis), tf.sum(x([53, 29]), axis, true)]],
    [`mean axis ${axis}`, (tf, x) => [tf.mean(x([53, 29]), axis), tf.mean(x([7, 3, 5]), axis)]],
  ]),
  ['sum middle axis', (tf, x) => tf.sum(x([4, 5, 6]), 1)],
  ...[false, true].flatMap((ta) => [false, true].map((tb): Case => [`matMul ta=${ta} tb=${tb}`, (tf, x) =>
    tf.matMul(x(ta ? [19, 37] : [37, 19]) as T2, x(tb ? [23, 19] : [19, 23]) as T2, ta, tb)])),
  ['matMul batched', (tf, x) => [tf.matMul(x([3, 7, 5]), x([3, 5, 4])), tf.matMul(x([3, 7, 5]), x([1, 5, 4])), tf.matMul(x([7, 0]) as T2, x([0, 4]) as T2)]],
  ['fused matMul', (tf, x) => ['linear', 'relu', 'sigmoid', 'elu'].map((activation) =>
    tf.fused.matMul({ a: x([37, 19]) as T2, b: x([19, 23]) as T2, bias: x([23]), activation: activation as 'relu' }))],
  ['tile', (tf, x) => [tf.tile(x([1, 1, 1, 7]), [1, 1, 37, 1]), tf.tile(x([1, 5]), [3, 1]), tf.tile(x([2, 3]), [2, 2])]],
  ['transpose', (tf, x) => [tf.transpose(x([37, 19])), tf.transpose(x([3, 4, 5]), [2, 0, 1])]],
  ['batchNorm', (tf, x) => [
    tf.batchNorm(x([37, 19]), x([19]), x([19], true), x([19]), x([19]), 1e-3),
    tf.batchNorm(x([37, 19]), x([19]), x([19], true)),
  ]],
  ['training step', (tf, x) => {
    const [w, xb, y, gamma, beta] = [x([19, 11]), x([37, 19]), x([37, 1]), x([11]), x([11])];
    const g = tf.grads((a: Tensor, b: Tensor) => {
      const h = tf.matMul(b as T2, a as T2);
      const { mean, variance } = tf.moments(h, 0);
      const n = tf.batchNorm(h, mean, variance, beta, gamma, 1e-3);
      const act = n.mul(tf.erf(n.mul(Math.SQRT1_2)).add(1)).mul(0.5);
      return act.sum(1, true).sub(y).square().mean();
    });
    return g([w, xb]);
  }],
];

/**
 * Makes `name` the active backend at once. tfjs's setBackend is async, but for a backend whose factory
 * is synchronous (cpu, native, tensorflow) it finishes before returning; true when it did.
 */
export function setBackendNow(tf: Tf, name: string): boolean {
  if (!tf.findBackendFactory(name)) return false;
  tf.setBackend(name).catch(() => undefined);
  return tf.getBackend() === name && tf.findBackend(name) !== null;
}

/** Runs every case on 'cpu' and on `backend`; null when they agree, else the first disagreement. */
export function selfTest(tf: Tf, backend: string): string | null {
  const previous = tf.getBackend();
  try {
    const stock = runAll(tf, 'cpu');
    const native = runAll(tf, backend);
    for (let c = 0; c < CASES.length; c++) {
      const [a, b] = [stock[c], native[c]];
      if (a.length !== b.length) return `${CASES[c][0]}: ${b.length} outputs, expected ${a.length}`;
      for (let o = 0; o < a.length; o++) {
        const diff = compare(a[o], b[o]);
        if (diff !== null) return `${CASES[c][0]} output ${o}: ${diff}`;
      }
    }
    return null;
  } finally {
    if (previous && tf.getBackend() !== previous) setBackendNow(tf, previous);
  }
}

interface Out { shape: number[]; values: Float32Array | Int32Array | Uint8Array }

function runAll(tf: Tf, backend: string): Out[][] {
  if (!setBackendNow(tf, backend)) throw new Error(`cannot activate ${backend}`);
  return CASES.map(([, run]) => {
    let seed = 12345;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const input: Input = (shape, positive) => tf.tensor(Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => (positive ? 0.1 + next() * 3 : next() * 6 - 3)), shape);
    const outs = tf.tidy(() => [run(tf, input)].flat());
    const read = outs.map((t) => ({ shape: t.shape, values: t.dataSync() as Out['values'] }));
    tf.dispose(outs);
    return read;
  });
}

function compare(a: Out, b: Out): string | null {
  if (a.shape.join(',') !== b.shape.join(',')) return `shape [${b.shape}], expected [${a.shape}]`;
  for (let i = 0; i < a.values.length; i++) {
    const [x, y] = [a.values[i], b.values[i]];
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const err = Math.abs(x - y) / Math.max(1, Math.abs(x));
    if (!(err <= SELF_TEST_TOLERANCE)) return `value ${i} is ${y}, expected ${x}`;
  }
  return null;
}
