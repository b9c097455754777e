// Runs trainer jobs a few at a time. Aborting kills the running jobs and starts no new ones;
// the pool then resolves with the jobs that finished, in spec order.
import os from 'node:os';
import pLimit from 'p-limit';
import { UserError } from '../errors.ts';
import { ABORTED_MESSAGE, runJob, type JobResult, type JobSpec, type RunJobOptions } from './process.ts';

export interface PoolOptions {
  /** concurrent jobs; default os.availableParallelism() */
  workers?: number;
  onResult?(r: JobResult): void;
  signal?: AbortSignal;
  isolation?: RunJobOptions['isolation'];
}

/** Runs every job with at most `workers` at once; resolves with the finished ones, never rejects on a job. */
export async function runPool(specs: JobSpec[], opts: PoolOptions = {}): Promise<JobResult[]> {
  const workers = opts.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers <= 0) {
    throw new UserError(
      'invalid worker count',
      `expected a positive integer for workers, got ${workers}`,
      'set workers to 1 or more (default: the number of CPUs)',
    );
  }
  const { signal } = opts;
  const limit = pLimit(workers);
  const settled = await Promise.all(specs.map((spec) => limit(async (): Promise<JobResult | null> => {
    if (signal?.aborted) return null;
    const r = await runJob(spec, { signal, isolation: opts.isolation });
    if (signal?.aborted && r.status === 'crash' && r.message === ABORTED_MESSAGE) return null;
    opts.onResult?.(r);
    return r;
  })));
  return settled.filter((r): r is JobResult => r !== null);
}
