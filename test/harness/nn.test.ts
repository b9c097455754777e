import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Mlp, MlpSpec } from '../../harness/contract.ts';
import { createNnKit } from '../../harness/nn.ts';
import { createNativeMlp, nativeMlpAvailable } from '../../harness/nn-fused.ts';
import { createTfjsMlp } from '../../harness/nn-tfjs.ts';
import { mulberry32 } from '../../harness/prng.ts';
import { loadTf } from '../../harness/tf.ts';

// The reference is the plain tfjs cpu backend: autograd on stock kernels.
const { tf } = await loadTf('cpu');
const nativeMissing = nativeMlpAvailable();

const base: MlpSpec = {
  nIn: 2, hidden: [], nOut: 1, activation: 'gelu', batchNorm: false, dropout: 0, loss: 'mse', lossWeights: [1], weightDecay: 0, seed: 5,
};

/** Rows of features 0..1 and targets with a planted signal; every 7th target of column 1 missing. */
function data(n: number, nIn: number, nOut: number, seed: number): { x: Float32Array; y: Float32Array; mask: Float32Array } {
  const rng = mulberry32(seed);
  const x = Float32Array.from({ length: n * nIn }, () => Math.floor(rng() * 5) / 4);
  const y = new Float32Array(n * nOut);
  const mask = new Float32Array(n * nOut).fill(1);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < nOut; c++) {
      y[r * nOut + c] = Math.round((x[r * nIn] * 0.6 + x[r * nIn + (c + 1) % nIn] * 0.3 + rng() * 0.4) * 4) / 4;
      if (c === 1 && r % 7 === 0) [y[r * nOut + c], mask[r * nOut + c]] = [0, 0];
    }
  }
  return { x, y, mask };
}

/** `steps` steps over shuffled batches of 32, 32 and 20 of 96 rows, then predictions for all rows. */
function trainAndPredict(net: Mlp, spec: MlpSpec, steps: number): Float32Array {
  const n = 96;
  const { x, y, mask } = data(n, spec.nIn, spec.nOut, 99);
  const order = new Int32Array(n).map((_, i) => i);
  const rng = mulberry32(3);
  for (let s = 0; s < steps; s++) {
    if (s % 3 === 0) for (let i = n - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    const at = (s % 3) * 32;
    net.step(x, y, mask, order.subarray(at, at + (s % 3 === 2 ? 20 : 32)), 0.01 * (1 - s / (2 * steps)));
  }
  return net.predict(x, n);
}

/** Each output column minus its mean: Pearson loss leaves the output bias without gradient, so Adam moves it by rounding noise. */
function centred(p: Float32Array, nOut: number): Float32Array {
  const out = new Float32Array(p.length);
  for (let c = 0; c < nOut; c++) {
    let mean = 0;
    for (let i = c; i < p.length; i += nOut) mean += p[i] / (p.length / nOut);
    for (let i = c; i < p.length; i += nOut) out[i] = p[i] - mean;
  }
  return out;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / Math.max(scale, 1e-6);
}

test('tfjs engine: init, prediction and one AdamW step match the spec worked by hand (no hidden layer, MSE)', () => {
  const spec = { ...base, weightDecay: 0.5 };
  const net = createTfjsMlp(tf, spec);
  // He-uniform from the net's own mulberry32 stream: W = (u·2 − 1)·√(6/2), zero bias.
  const u = mulberry32(5);
  const w = [0, 1].map(() => Math.fround((u() * 2 - 1) * Math.sqrt(3)));
  const probe = new Float32Array([1, 0, 0, 1, 0, 0]);
  assert.deepEqual([...net.predict(probe, 3)], [w[0], w[1], 0]);
  // One step on rows 0 and 2 of x = [[1, 0], [0, 1], [1, 1]], y = [1, 0, 0.5]: p = x·W.
  const x = new Float32Array([1, 0, 0, 1, 1, 1]);
  const y = new Float32Array([1, 0, 0.5]);
  net.step(x, y, new Float32Array([1, 1, 1]), new Int32Array([0, 2]), 0.1);
  const p = [w[0], w[0] + w[1]];
  const r = [p[0] - 1, p[1] - 0.5];
  // d/dW of Σ(p − y)²/2 and d/db; Adam's first step moves each parameter by lr·g/(|g| + 1e-7).
  const g = [r[0] + r[1], r[1], r[0] + r[1]];
  const adam = (gi: number) => 0.1 * gi / (Math.abs(gi) + 1e-7);
  const expected = [w[0] - adam(g[0]) - w[0] * 0.1 * 0.5, w[1] - adam(g[1]) - w[1] * 0.1 * 0.5, -adam(g[2])];
  const after = net.predict(probe, 3);
  const b = after[2];
  const got = [after[0] - b, after[1] - b, b];
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 2e-6, `parameter ${i}: ${v} vs ${expected[i]}`));
  net.dispose();
  net.dispose();
  assert.throws(() => net.predict(probe, 3), /nn.mlp: the net was disposed/);
});

test('tfjs engine: bad specs and bad step arguments throw exact messages and leave the net usable', () => {
  assert.throws(() => createTfjsMlp(tf, { ...base, hidden: [4, 0] }), /^Error: nn.mlp: expected an array of positive integers for hidden, got \[4,0\]$/);
  assert.throws(() => createTfjsMlp(tf, { ...base, dropout: 1 }), /expected a dropout in \[0, 1\), got 1/);
  assert.throws(() => createTfjsMlp(tf, { ...base, lossWeights: [1, 1] }), /expected 1 non-negative lossWeights with a positive sum, got \[1,1\]/);
  assert.throws(() => createTfjsMlp(tf, { ...base, activation: 'sigmoid' as MlpSpec['activation'] }), /expected activation gelu, relu, elu, tanh or swish, got "sigmoid"/);
  const net = createTfjsMlp(tf, base);
  const [x, y, m] = [new Float32Array(6), new Float32Array(3), new Float32Array(3).fill(1)];
  assert.throws(() => net.step(x, y, m, new Int32Array([0, 3]), 0.1), /row 3 at position 1 is outside 0\.\.2/);
  assert.throws(() => net.step(x, new Float32Array(2), m, new Int32Array([0, 1]), 0.1), /y and mask must hold 3 rows of 1/);
  assert.throws(() => net.step(x, y, m, new Int32Array([0]), 0.1), /a step needs at least 2 rows, got 1/);
  const before = net.predict(x, 3);
  assert.deepEqual(net.predict(x, 3), before);
  net.dispose();
});

test('tfjs engine releases every tensor it made', () => {
  const before = tf.memory().numTensors;
  const spec: MlpSpec = { ...base, nIn: 4, hidden: [6, 3], batchNorm: true, dropout: 0.3, loss: 'mse+pearson' };
  trainAndPredict(createTfjsMlpDisposing(spec), spec, 6);
  assert.equal(tf.memory().numTensors, before);
});

function createTfjsMlpDisposing(spec: MlpSpec): Mlp {
  const net = createTfjsMlp(tf, spec);
  return { engine: net.engine, step: net.step, predict: (x, n) => { const p = net.predict(x, n); net.dispose(); return p; }, dispose: net.dispose };
}

// Each case: the native engine against the tfjs cpu reference after 20 steps with the same streams.
const CASES: { name: string; spec: Partial<MlpSpec> }[] = [
  { name: 'gelu, batch norm, dropout 0.2, pearson (seed 002 in small)', spec: { hidden: [8, 4], batchNorm: true, dropout: 0.2, loss: 'pearson' } },
  { name: 'relu, no batch norm, mse, two targets with missing values', spec: { hidden: [8], activation: 'relu', loss: 'mse', nOut: 2, lossWeights: [1, 0.5] } },
  { name: 'elu, mse + pearson, weight decay', spec: { hidden: [6, 5], activation: 'elu', loss: 'mse+pearson', weightDecay: 0.01 } },
  { name: 'tanh, batch norm, two targets', spec: { hidden: [7], activation: 'tanh', batchNorm: true, nOut: 2, lossWeights: [1, 1], loss: 'pearson' } },
  { name: 'swish, dropout 0.5, no hidden bias via batch norm', spec: { hidden: [5, 5], activation: 'swish', batchNorm: true, dropout: 0.5, loss: 'mse' } },
  { name: 'no hidden layer', spec: { hidden: [], loss: 'pearson' } },
];

for (const c of CASES) {
  test(`native engine trains the same function as the tfjs cpu reference: ${c.name}`, { skip: nativeMissing ?? false }, () => {
    const spec: MlpSpec = { ...base, nIn: 6, ...c.spec };
    const ref = createTfjsMlp(tf, spec);
    const fast = createNativeMlp(spec);
    const untrained = maxRelDiff(fast.predict(data(96, 6, 1, 99).x, 96), ref.predict(data(96, 6, 1, 99).x, 96));
    assert.ok(untrained < 1e-6, `untrained predictions differ by ${untrained}`);
    const [a, b] = [trainAndPredict(fast, spec, 20), trainAndPredict(ref, spec, 20)];
    const d = spec.loss === 'mse' ? maxRelDiff(a, b) : maxRelDiff(centred(a, spec.nOut), centred(b, spec.nOut));
    assert.ok(d < 1e-5, `after 20 steps predictions differ by ${d} of their scale`);
    // and the training moved them: equality above is not two untrained nets agreeing
    const fresh = createTfjsMlp(tf, spec);
    assert.ok(maxRelDiff(fresh.predict(data(96, 6, 1, 99).x, 96), b) > 1e-2);
    [ref, fast, fresh].forEach((n) => n.dispose());
  });
}

test('the kit is native when the addon has the fused MLP and native is allowed, else tfjs with the reason', () => {
  const lines: string[] = [];
  const kit = createNnKit(() => ({ tf, backend: 'cpu' }), false, (l) => lines.push(l));
  assert.equal(kit.engine, 'tfjs');
  kit.mlp(base).dispose();
  kit.mlp(base).dispose();
  assert.deepEqual(lines, ['nn: tfjs engine on cpu (the cpu backend was asked for)']);
  const auto = createNnKit(() => ({ tf, backend: 'cpu' }), true, (l) => lines.push(l));
  assert.equal(auto.engine, nativeMissing === null ? 'native' : 'tfjs');
  auto.mlp(base).dispose();
  assert.equal(lines[1], nativeMissing === null ? 'nn: fused native MLP (OpenBLAS)' : `nn: tfjs engine on cpu (${nativeMissing})`);
  // the native engine never asks for tf, so a job can leave tfjs unloaded
  let asked = 0;
  const lazy = createNnKit(() => { asked++; return { tf, backend: 'cpu' }; }, true);
  lazy.mlp(base).dispose();
  assert.equal(asked, nativeMissing === null ? 0 : 2);
});
