// Hostile: tries to reach a TCP server on 127.0.0.1 (port from config.json beside this file).
// Prediction 0 is 1 when the connection succeeded, 0 when it failed.
import fs from 'node:fs';
import net from 'node:net';
import type { TrainJob } from '../../../harness/contract.ts';

export default async function train(job: TrainJob): Promise<number[]> {
  const { port } = JSON.parse(fs.readFileSync(new URL('./config.json', import.meta.url), 'utf8')) as { port: number };
  const connected = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 1000 }, () => { socket.end(); resolve(true); });
    socket.on('error', (e) => { job.log(`connect failed: ${e.message}`); resolve(false); });
    socket.on('timeout', () => { socket.destroy(); resolve(false); });
  });
  return Array.from({ length: job.predict.nRows }, (_, i) => (i === 0 ? Number(connected) : i + 1));
}
