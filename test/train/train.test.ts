import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureMatrix, TrainJob } from '../../harness/contract.ts';
import { createNnKit } from '../../harness/nn.ts';
import { loadTf } from '../../harness/tf.ts';
import train from '../../train/train.ts';

const N_FEATURES = 12;

/** Features 0..4 from a fixed LCG; the planted target depends on features 3 and 7 only. */
function plantedRows(nRows: number, seed: number): { x: FeatureMatrix; signal: Float32Array } {
  const block = new Uint8Array(nRows * N_FEATURES);
  let s = seed;
  for (let i = 0; i < block.length; i++) block[i] = ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 16) % 5;
  const signal = new Float32Array(nRows).map((_, r) => {
    const [a, b] = [block[r * N_FEATURES + 3], block[r * N_FEATURES + 7]];
    return (a + (b - 2) * (b - 2)) / 8;
  });
  return { x: { nRows, nFeatures: N_FEATURES, rowsPerBlock: 512, blocks: split(block, nRows, 512) }, signal };
}

function split(bytes: Uint8Array, nRows: number, rowsPerBlock: number): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  for (let r = 0; r < nRows; r += rowsPerBlock) blocks.push(bytes.slice(r * N_FEATURES, Math.min(nRows, r + rowsPerBlock) * N_FEATURES));
  return blocks;
}

function corr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let [ma, mb] = [0, 0];
  for (let i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}

const loaded = await loadTf();
const trainSet = plantedRows(2000, 11);
const predictSet = plantedRows(500, 12);
const names = Array.from({ length: N_FEATURES }, (_, i) => `feature_${i}`);
// Noisy 5-level main target with missing rows; an all-but-empty aux target the default ignores.
const main = trainSet.signal.map((v, r) => (r % 50 === 0 ? NaN : Math.round(Math.min(1, Math.max(0, v / 1.5 + ((r * 7919) % 13) / 26 - 0.25)) * 4) / 4));
const aux = new Float32Array(2000).fill(NaN).map((v, r) => (r < 100 ? 0.5 : v));

function job(seed: number, deadline = Date.now() + 60_000, log: string[] = []): TrainJob {
  return {
    train: { nRows: 2000, featureNames: names, x: trainSet.x, eras: new Int32Array(2000).map((_, r) => 1 + Math.floor(r / 100)), targetNames: ['target', 'target_aux_20'], targets: { target: main, target_aux_20: aux }, mainTarget: 'target', benchmark: null },
    predict: { nRows: 500, featureNames: names, x: predictSet.x, eras: new Int32Array(500).fill(21) },
    seed, timeBudgetMs: deadline - Date.now(), deadline, tf: loaded.tf, backend: loaded.backend, scratchDir: '/nonexistent', log: (m) => log.push(m),
    nn: createNnKit(() => loaded, true),
  };
}

test('train returns one finite prediction per predict row that tracks the planted signal', async () => {
  const before = loaded.tf.memory().numTensors;
  const preds = await train(job(1));
  assert.equal(preds.length, 500);
  assert.ok(preds.every(Number.isFinite));
  const c = corr(preds, predictSet.signal);
  assert.ok(c > 0.3, `correlation with the planted target was ${c}`);
  assert.equal(loaded.tf.memory().numTensors, before, 'tensors leaked');
});

test('the same seed gives bit-identical predictions, a different seed different ones', async () => {
  const [a, b, c] = [await train(job(7)), await train(job(7)), await train(job(8))];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('a deadline already passed still returns predictions, trained for at most one epoch', async () => {
  const log: string[] = [];
  const preds = await train(job(3, Date.now() - 1, log));
  assert.equal(preds.length, 500);
  assert.ok(preds.every(Number.isFinite));
  assert.match(log.join("\n"), /^member 0: [01] epochs on the (native|tfjs) engine, \d+ ms since start$/);
});
