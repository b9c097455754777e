// Hostile: tries to write every path listed in config.json (outside its scratch dir) and
// into the harness next to its own directory. Prediction i is 1 when write i succeeded.
import fs from 'node:fs';
import type { TrainJob } from '../../../harness/contract.ts';

export default function train(job: TrainJob): number[] {
  const { paths } = JSON.parse(fs.readFileSync(new URL('./config.json', import.meta.url), 'utf8')) as { paths: string[] };
  const targets = [...paths, new URL('../harness/pwned.ts', import.meta.url).pathname];
  const wrote = targets.map((p) => {
    try {
      fs.writeFileSync(p, 'pwned');
      return 1;
    } catch (e) {
      job.log(`write ${p} failed: ${(e as Error).message}`);
      return 0;
    }
  });
  return Array.from({ length: job.predict.nRows }, (_, i) => (i < wrote.length ? wrote[i] : i + 1));
}
