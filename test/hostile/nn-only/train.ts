// Trains through job.nn only, never touching job.tf or job.backend, and logs whether tfjs was loaded
// into the process: with the fused native engine the harness should not have loaded it.
import { createRequire } from 'node:module';
import type { FeatureMatrix, TrainJob } from '../../../harness/contract.ts';

function floats(x: FeatureMatrix): Float32Array {
  const out = new Float32Array(x.nRows * x.nFeatures);
  for (let r = 0; r < x.nRows; r++) {
    const b = Math.floor(r / x.rowsPerBlock);
    for (let f = 0; f < x.nFeatures; f++) out[r * x.nFeatures + f] = x.blocks[b][(r - b * x.rowsPerBlock) * x.nFeatures + f] / 4;
  }
  return out;
}

export default function train(job: TrainJob): Float32Array {
  const { x: tx } = job.train;
  const x = floats(tx);
  const y = Float32Array.from({ length: tx.nRows }, (_, r) => x[r * tx.nFeatures]);
  const net = job.nn.mlp({
    nIn: tx.nFeatures, hidden: [4], nOut: 1, activation: 'relu', batchNorm: false, dropout: 0,
    loss: 'mse', lossWeights: [1], weightDecay: 0, seed: job.seed,
  });
  const all = Int32Array.from({ length: tx.nRows }, (_, r) => r);
  for (let epoch = 0; epoch < 5; epoch++) net.step(x, y, new Float32Array(y.length).fill(1), all, 0.01);
  const out = net.predict(floats(job.predict.x), job.predict.x.nRows);
  net.dispose();
  const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@tensorflow/tfjs-core'));
  job.log(`engine ${job.nn.engine}, tfjs loaded: ${loaded}`);
  return out;
}
