// Hostile: ignores SIGTERM, starts a grandchild in its own session (outside the job's process
// group) that also ignores it, records the grandchild's pid in scratch, then spins forever.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TrainJob } from '../../../harness/contract.ts';

export default function train(job: TrainJob): number[] {
  process.on('SIGTERM', () => {});
  const child = spawn(process.execPath, ['-e', "process.on('SIGTERM',()=>{});setInterval(()=>{},1000)"], {
    detached: true, stdio: 'ignore',
  });
  fs.writeFileSync(path.join(job.scratchDir, 'grandchild.pid'), String(child.pid));
  for (;;) { /* spin */ }
}
