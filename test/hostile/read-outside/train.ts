// Hostile: tries to read every path listed in config.json (data cache, .git, HOME secrets).
// Prediction i is 1 when read i succeeded.
import fs from 'node:fs';
import type { TrainJob } from '../../../harness/contract.ts';

export default function train(job: TrainJob): number[] {
  const { paths } = JSON.parse(fs.readFileSync(new URL('./config.json', import.meta.url), 'utf8')) as { paths: string[] };
  const read = paths.map((p) => {
    try {
      fs.readFileSync(p);
      return 1;
    } catch (e) {
      job.log(`read ${p} failed: ${(e as Error).message}`);
      return 0;
    }
  });
  return Array.from({ length: job.predict.nRows }, (_, i) => (i < read.length ? read[i] : i + 1));
}
