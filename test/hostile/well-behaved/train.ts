// Well-behaved: predicts each row's feature sum / (4 * nFeatures) + seed, computed with tf.
import type { TrainJob } from '../../../harness/contract.ts';

export default async function train(job: TrainJob): Promise<Float32Array> {
  const { x } = job.predict;
  const sums = new Float32Array(x.nRows);
  for (let r = 0; r < x.nRows; r++) {
    const b = Math.floor(r / x.rowsPerBlock);
    const base = (r - b * x.rowsPerBlock) * x.nFeatures;
    for (let f = 0; f < x.nFeatures; f++) sums[r] += x.blocks[b][base + f];
  }
  const tf = job.tf;
  const out = tf.tidy(() => tf.tensor1d(sums).div(4 * x.nFeatures).add(job.seed));
  job.log(`trained on ${job.train.nRows} rows with backend ${job.backend}`);
  return (await out.data()) as Float32Array;
}
