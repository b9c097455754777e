// Faulty: row 3 gets NaN. Exported by name to cover modules without a default export.
import type { TrainJob } from '../../../harness/contract.ts';

export function train(job: TrainJob): number[] {
  return Array.from({ length: job.predict.nRows }, (_, i) => (i === 3 ? NaN : i / 10));
}
