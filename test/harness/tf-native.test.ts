import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../../harness/contract.ts';
import { loadTf, loadTfNow } from '../../harness/tf.ts';
import { NATIVE_BACKEND, registerNativeBackend } from '../../harness/tf-native.ts';

const tf = tfjs as unknown as Tf;
type T = ReturnType<Tf['matMul']>;

/** Deterministic data and a small net: dense 20→16→8→1, batch norm, GELU, dropout, Pearson loss, Adam. */
function trainSmall(epochs: number): { losses: number[]; predictions: number[] } {
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const [n, f, batch] = [512, 20, 128];
  const xs = Float32Array.from({ length: n * f }, () => Math.floor(rand() * 5) / 4);
  const ys = Float32Array.from({ length: n }, (_, i) => (xs[i * f] + xs[i * f + 3] * 0.5 + rand() * 0.5) / 2);
  const widths = [f, 16, 8, 1];
  const layers = widths.slice(1).map((out, i) => ({
    w: tf.variable(tf.tensor2d(Float32Array.from({ length: widths[i] * out }, () => (rand() * 2 - 1) * Math.sqrt(6 / widths[i])), [widths[i], out])),
    gamma: tf.variable(tf.ones([out])), beta: tf.variable(tf.zeros([out])),
  }));
  const vars = layers.flatMap((l) => [l.w, l.gamma, l.beta]);
  const opt = tf.train.adam(0.01);
  const forward = (x: T, training: boolean) => {
    let h = x;
    layers.forEach((l, i) => {
      h = tf.matMul(h, l.w as T);
      if (i === layers.length - 1) return;
      const { mean, variance } = tf.moments(h, 0);
      h = tf.batchNorm(h, mean, variance, l.beta, l.gamma, 1e-3);
      h = h.mul(tf.erf(h.mul(Math.SQRT1_2)).add(1)).mul(0.5);
      if (training) h = h.mul(tf.tensor2d(Float32Array.from({ length: h.size }, () => (rand() < 0.8 ? 1.25 : 0)), h.shape as [number, number]));
    });
    return h;
  };
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    let total = 0;
    for (let b = 0; b < n; b += batch) {
      const loss = tf.tidy(() => {
        const x = tf.tensor2d(xs.subarray(b * f, (b + batch) * f), [batch, f]) as T;
        const y = tf.tensor2d(ys.subarray(b, b + batch), [batch, 1]);
        return opt.minimize(() => {
          const p = forward(x, true);
          const [dp, dy] = [p.sub(p.mean()), y.sub(y.mean())];
          return tf.sub(1, dp.mul(dy).sum().div(dp.square().sum().mul(dy.square().sum()).sqrt().add(1e-12))) as ReturnType<Tf['scalar']>;
        }, true, vars)!;
      });
      total += loss.dataSync()[0] / (n / batch);
      loss.dispose();
    }
    losses.push(total);
  }
  const out = tf.tidy(() => {
    const x = tf.tensor2d(xs.subarray(0, 64 * f), [64, f]) as T;
    return layers.reduce((h, l, i) => {
      const z = tf.matMul(h, l.w as T);
      return i === layers.length - 1 ? z : tf.relu(z.sub(z.mean(0)));
    }, x);
  });
  const predictions = Array.from(out.dataSync());
  tf.dispose([out, ...vars]);
  opt.dispose();
  return { losses, predictions };
}

const maxAbsDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('the native backend trains a small net to the same losses and predictions as the stock cpu backend', async (t) => {
  const failure = await registerNativeBackend(tf);
  if (failure !== null) {
    t.skip(failure);
    return;
  }
  await tf.setBackend('cpu');
  const stock = trainSmall(3);
  await tf.setBackend(NATIVE_BACKEND);
  const native = trainSmall(3);
  assert.equal(native.losses.length, 3);
  assert.equal(native.predictions.length, 64);
  assert.ok(stock.losses[2] < stock.losses[0], `stock losses should fall: ${stock.losses}`);
  assert.ok(maxAbsDiff(stock.losses, native.losses) < 1e-4, `losses ${native.losses} vs stock ${stock.losses}`);
  assert.ok(maxAbsDiff(stock.predictions, native.predictions) < 1e-4, 'predictions differ from the stock cpu backend');
  assert.ok(native.predictions.some((p) => p !== native.predictions[0]), 'predictions are not all equal');
});

test('an array read from a native tensor is a copy that later ops cannot overwrite', async (t) => {
  const failure = await registerNativeBackend(tf);
  if (failure !== null) {
    t.skip(failure);
    return;
  }
  await tf.setBackend(NATIVE_BACKEND);
  const a = tf.fill([1000], 3);
  const doubled = a.add(a);
  const read = doubled.dataSync();
  doubled.dispose();
  const again = tf.tidy(() => a.mul(5).add(1));
  assert.equal(read[0], 6);
  assert.equal(read[999], 6);
  assert.equal(again.dataSync()[0], 16);
  tf.dispose([a, again]);
});

test('loadTf("native") names the native path, or is a user error naming the build command', async () => {
  const failure = await registerNativeBackend(tf);
  if (failure === null) {
    const loaded = await loadTf('native');
    assert.equal(loaded.backend, 'native');
    assert.equal(loaded.tf.getBackend(), 'native');
    assert.match(loaded.note ?? '', /^cpu backend \+ native kernels \(OpenBLAS [\d.]+, 1 BLAS thread\)$/);
    return;
  }
  await assert.rejects(loadTf('native'), (e: Error) => {
    assert.equal(e.message, `cannot use the native backend: ${failure}. run \`npm run build:native\` (needs libopenblas-dev and a C compiler), or use --backend auto`);
    return true;
  });
});

test('loadTfNow activates the same backend as loadTf without awaiting, on the same tfjs instance', async () => {
  const failure = await registerNativeBackend(tf);
  const [native, auto] = [loadTfNow('native'), loadTfNow('auto')];
  if (failure !== null) {
    assert.deepEqual(native, { reason: `native failed: ${failure}` });
    assert.deepEqual(auto, { reason: `tfjs-node not installed; native failed: ${failure}` });
    return;
  }
  assert.ok('tf' in native && 'tf' in auto);
  // tfjs's CommonJS build through require is the instance an import gives, so kernels registered on one serve the other
  assert.equal(native.tf.engine(), tf.engine());
  assert.equal(native.backend, 'native');
  assert.match(native.note ?? '', /^cpu backend \+ native kernels \(OpenBLAS [\d.]+, 1 BLAS thread\)$/);
  assert.equal(auto.backend, 'native');
  assert.match(auto.note ?? '', /^tfjs-node not installed; using cpu backend \+ native kernels \(OpenBLAS [\d.]+, 1 BLAS thread\)$/);
  assert.equal(tf.getBackend(), 'native');
  const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
  assert.deepEqual(Array.from(product.dataSync()), [17, 39]);
  await tf.setBackend('cpu');
});
