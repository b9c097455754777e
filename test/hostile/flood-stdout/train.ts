// Hostile: prints 50 MB to stdout, then returns valid predictions.
import type { TrainJob } from '../../../harness/contract.ts';

const MB = 2 ** 20;

export default function train(job: TrainJob): number[] {
  const line = 'x'.repeat(MB - 1) + '\n';
  for (let i = 0; i < 50; i++) process.stdout.write(line);
  return Array.from({ length: job.predict.nRows }, (_, i) => i / 10);
}
