// Makes a job.nn net and also reads job.backend (which loads tfjs when the engine is native): the job
// should report that it trained on both.
import type { TrainJob } from '../../../harness/contract.ts';

export default function train(job: TrainJob): Float32Array {
  const net = job.nn.mlp({
    nIn: 1, hidden: [2], nOut: 1, activation: 'relu', batchNorm: false, dropout: 0,
    loss: 'mse', lossWeights: [1], weightDecay: 0, seed: job.seed,
  });
  net.dispose();
  job.log(`engine ${job.nn.engine}, tf backend ${job.backend}`);
  return Float32Array.from({ length: job.predict.x.nRows }, (_, r) => r / job.predict.x.nRows);
}
