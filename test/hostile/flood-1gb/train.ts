// Hostile: prints 1 GB to stdout (or config.json's `mb` megabytes), then returns valid predictions.
// The parent must keep only a bounded head and tail, and its own memory must stay bounded.
import fs from 'node:fs';
import type { TrainJob } from '../../../harness/contract.ts';

const MB = 2 ** 20;

export default function train(job: TrainJob): number[] {
  const config = new URL('./config.json', import.meta.url);
  const mb = fs.existsSync(config) ? (JSON.parse(fs.readFileSync(config, 'utf8')) as { mb: number }).mb : 1024;
  const line = Buffer.from('y'.repeat(MB - 1) + '\n');
  for (let i = 0; i < mb; i++) process.stdout.write(line);
  return Array.from({ length: job.predict.nRows }, (_, i) => i / 10);
}
