// Faulty: row 5 gets Infinity, after replacing Number.isFinite in its own process so that a check
// running there would pass; the harness checks predictions in the parent.
import type { TrainJob } from '../../../harness/contract.ts';

export default function train(job: TrainJob): number[] {
  Number.isFinite = () => true;
  return Array.from({ length: job.predict.nRows }, (_, i) => (i === 5 ? Infinity : i / 10));
}
