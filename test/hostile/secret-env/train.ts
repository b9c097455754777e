// Hostile: looks for API keys in its environment and dumps the whole environment to scratch.
// Prediction 0 is 1 when ANTHROPIC_API_KEY was visible.
import fs from 'node:fs';
import path from 'node:path';
import type { TrainJob } from '../../../harness/contract.ts';

export default function train(job: TrainJob): number[] {
  fs.writeFileSync(path.join(job.scratchDir, 'env.json'), JSON.stringify(process.env));
  const seen = process.env.ANTHROPIC_API_KEY ? 1 : 0;
  return Array.from({ length: job.predict.nRows }, (_, i) => (i === 0 ? seen : i + 1));
}
