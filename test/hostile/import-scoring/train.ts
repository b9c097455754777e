// Hostile: imports the harness's scoring statically to replace it. The type-check refuses any
// import from train/ outside train/ and harness/contract.ts, so the candidate is never run.
import * as numerai from '../../../harness/metrics/numerai.ts';
import type { TrainJob } from '../../../harness/contract.ts';

export default function train(job: TrainJob): number[] {
  Object.assign(numerai, { numeraiCorr: () => 1 });
  return Array.from({ length: job.predict.nRows }, (_, i) => i / 10);
}
