import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import type { JobResult } from '../../../harness/runner/process.ts';
import { runPool } from '../../../harness/runner/pool.ts';
import { hostileDir, spec, tinyJobDir, removeTempDirs } from './fixture.ts';

after(removeTempDirs);

function job(id: string, module: string, timeBudgetMs = 30_000) {
  const j = tinyJobDir(`pool-${id}-`);
  return spec({ id, trainDir: hostileDir(module), dataFile: j.dataFile, scratchDir: j.scratchDir, expectedRows: j.nPredict, timeBudgetMs });
}

it('runs every job and returns results in spec order, reporting each as it finishes', async () => {
  const seen: string[] = [];
  const results = await runPool(
    [job('a', 'well-behaved'), job('b', 'nan-predictions'), job('c', 'wrong-length')],
    { workers: 2, onResult: (r) => seen.push(`${r.id}:${r.status}`) },
  );
  assert.deepEqual(results.map((r) => `${r.id}:${r.status}`), ['a:ok', 'b:invalid', 'c:invalid']);
  assert.deepEqual([...seen].sort(), ['a:ok', 'b:invalid', 'c:invalid']);
});

it('on abort kills the running jobs, starts no new ones and returns what finished', async () => {
  const controller = new AbortController();
  const seen: JobResult[] = [];
  // A 10-minute infinite loop: if abort did not kill it, this test would hang, not pass.
  const specs = [job('spin', 'infinite-loop', 600_000), job('quick', 'well-behaved'), job('never', 'well-behaved')];
  const results = await runPool(specs, {
    workers: 2,
    signal: controller.signal,
    onResult: (r) => { seen.push(r); controller.abort(); },
  });
  assert.deepEqual(results.map((r) => `${r.id}:${r.status}`), ['quick:ok']);
  assert.deepEqual(seen.map((r) => r.id), ['quick']);
});

it('rejects a worker count that is not a positive integer', async () => {
  await assert.rejects(runPool([], { workers: 0 }), {
    name: 'UserError',
    message: 'invalid worker count: expected a positive integer for workers, got 0. set workers to 1 or more (default: the number of CPUs)',
  });
});
