import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeMlpAvailable } from '../../../harness/nn-fused.ts';
import { runJob, type JobResult } from '../../../harness/runner/process.ts';
import { hostileDir, spec, tinyJobDir, removeTempDirs } from './fixture.ts';

after(removeTempDirs);

// Jobs expected to finish get a generous budget (they return early); only jobs meant to time out
// spend their whole, small budget.
const FINISH_MS = 30_000;
const TIMEOUT_MS = 3_000;

interface Over { timeBudgetMs?: number; memoryMb?: number; isolation?: 'auto' | 'none'; backend?: 'cpu' | 'auto' }

async function run(name: string, over: Over = {}) {
  const j = tinyJobDir(`runner-${name}-`);
  const r = await runJob(
    spec({
      id: name, trainDir: hostileDir(name), dataFile: j.dataFile, scratchDir: j.scratchDir, expectedRows: j.nPredict,
      timeBudgetMs: over.timeBudgetMs ?? FINISH_MS, memoryMb: over.memoryMb ?? 512, backend: over.backend ?? 'cpu',
    }),
    { isolation: over.isolation ?? 'auto' },
  );
  return { r, j };
}

function explain(r: JobResult): string {
  return `${r.status}: ${r.message ?? ''}\n--- stderr ---\n${r.stderrTail}`;
}

function isGone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

describe('runJob', { concurrency: 2 }, () => {
  for (const backend of ['cpu', 'auto'] as const) {
    it(`returns the predictions a well-behaved module computed (backend ${backend})`, async () => {
      const { r } = await run('well-behaved', { backend });
      assert.equal(r.status, 'ok', explain(r));
      // features (r*7 + f*3) % 5 for f = 0, 1, 2 summed, / 12, + seed 1, in float32
      const expected = Array.from({ length: 12 }, (_, row) => {
        const sum = [0, 1, 2].reduce((s, f) => s + ((row * 7 + f * 3) % 5), 0);
        return Math.fround(Math.fround(sum / 12) + 1);
      });
      assert.deepEqual(Array.from(r.predictions!), expected);
      if (backend === 'cpu') assert.equal(r.backend, 'cpu');
      else assert.match(r.backend!, /^(tensorflow|native|wasm|cpu)$/);
      assert.equal(r.stdoutTail, `trained on 40 rows with backend ${r.backend}\n`);
      assert.equal(r.id, 'well-behaved');
    });
  }

  it('loads tfjs only when the module reads job.tf, if job.nn trains on the fused native engine (backend auto)', async () => {
    const { r, j } = await run('nn-only', { backend: 'auto' });
    assert.equal(r.status, 'ok', explain(r));
    assert.equal(r.predictions!.length, j.nPredict);
    assert.ok(r.predictions!.every(Number.isFinite));
    if (nativeMlpAvailable() === null) {
      assert.equal(r.stdoutTail, 'engine native, tfjs loaded: false\n');
      assert.equal(r.backend, 'nn native', 'no tf backend ran, the fused engine did');
      assert.doesNotMatch(r.stderrTail, /^tf: /m);
    } else {
      // the tfjs engine needs tf, which is loaded before train() as before
      assert.equal(r.stdoutTail, 'engine tfjs, tfjs loaded: true\n');
      assert.match(r.backend!, /^(tensorflow|wasm|cpu)$/);
    }
  });

  it('reports a job that trained on the fused engine and also read job.backend as using both', async () => {
    const { r } = await run('nn-and-tf', { backend: 'auto' });
    assert.equal(r.status, 'ok', explain(r));
    const tf = /tf backend (\S+)\n$/.exec(r.stdoutTail)?.[1];
    assert.match(tf ?? '', /^(tensorflow|native|wasm|cpu)$/, r.stdoutTail);
    if (nativeMlpAvailable() === null) assert.equal(r.backend, `nn native + tf ${tf}`);
    else assert.equal(r.backend, tf, 'the tfjs engine is named by its tf backend alone');
  });

  it('kills an infinite loop when the time budget runs out', async () => {
    const { r } = await run('infinite-loop', { timeBudgetMs: TIMEOUT_MS });
    assert.equal(r.status, 'timeout', explain(r));
    assert.equal(r.message, 'did not finish within the 3 s time budget; killed');
    assert.equal(r.predictions, undefined);
  });

  it('kills a module that ignores SIGTERM, with a grandchild that left the process group', async () => {
    // a longer budget: the module must get as far as spawning its grandchild on a busy machine
    const { r, j } = await run('ignore-sigterm', { timeBudgetMs: 8_000, isolation: 'none' });
    assert.equal(r.status, 'timeout', explain(r));
    const pid = Number(fs.readFileSync(path.join(j.scratchDir, 'grandchild.pid'), 'utf8'));
    assert.ok(pid > 0);
    assert.equal(isGone(pid), true, `grandchild ${pid} is still running`);
  });

  it('stops a memory bomb with the resident-memory watchdog', async () => {
    const { r } = await run('memory-bomb', { memoryMb: 400 });
    assert.equal(r.status, 'oom', explain(r));
    assert.match(r.message!, /^used \d+ MB of memory, above the 400 MB cap; killed$/);
    assert.ok(Number(/used (\d+) MB/.exec(r.message!)![1]) > 400);
  });

  it('rejects NaN predictions from a named train export as invalid', async () => {
    const { r } = await run('nan-predictions');
    assert.equal(r.status, 'invalid', explain(r));
    assert.equal(r.message, 'prediction 3 is NaN');
    assert.equal(r.predictions, undefined);
  });

  it('rejects a wrong number of predictions as invalid', async () => {
    const { r } = await run('wrong-length');
    assert.equal(r.status, 'invalid', explain(r));
    assert.equal(r.message, 'expected 12 predictions, got 11');
  });

  it('rejects constant predictions as invalid', async () => {
    const { r } = await run('constant');
    assert.equal(r.status, 'invalid', explain(r));
    assert.equal(r.message, 'all 12 predictions are the same value (0.5)');
  });

  it('reports process.exit(0) before returning as a crash', async () => {
    const { r } = await run('exit-early');
    assert.equal(r.status, 'crash', explain(r));
    assert.equal(r.message, 'exited (code 0) without returning predictions');
  });

  it('reports an exception as a crash with the error line and the stderr tail', async () => {
    const { r } = await run('throws');
    assert.equal(r.status, 'crash', explain(r));
    assert.equal(r.message, 'exited with code 1: Error: boom in train');
    assert.match(r.stderrTail, /Error: boom in train\n\s+at train \(/);
  });

  it('keeps only the head and tail of 50 MB printed to stdout', async () => {
    const { r } = await run('flood-stdout');
    assert.equal(r.status, 'ok', explain(r));
    const marker = `\n[... ${50 * 2 ** 20 - 8192 - 32768} bytes truncated ...]\n`;
    // compared piecewise: a failing equality on 40 KB strings would print them whole
    const expected = 'x'.repeat(8192) + marker + 'x'.repeat(32767) + '\n';
    assert.equal(r.stdoutTail.length, expected.length);
    assert.ok(r.stdoutTail === expected, `unexpected capture around: ${r.stdoutTail.slice(8180, 8240)}`);
  });

  it('rejects Infinity predictions though the module replaced Number.isFinite in its own process', async () => {
    const { r } = await run('infinite-predictions');
    assert.equal(r.status, 'invalid', explain(r));
    assert.equal(r.message, 'prediction 5 is Infinity');
  });

  it('reads 1 GB printed to stdout with bounded memory and keeps only its head and tail', async (t) => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    // moving 1 GB through a pipe takes long on a loaded machine; the job returns as soon as it is done
    const { r } = await run('flood-1gb', { timeBudgetMs: 180_000 }).finally(() => clearInterval(sampler));
    assert.equal(r.status, 'ok', explain(r));
    assert.equal(r.predictions!.length, 12);
    const marker = `\n[... ${2 ** 30 - 8192 - 32768} bytes truncated ...]\n`;
    const expected = 'y'.repeat(8192) + marker + 'y'.repeat(32767) + '\n';
    assert.equal(r.stdoutTail.length, expected.length);
    assert.ok(r.stdoutTail === expected, `unexpected capture around: ${r.stdoutTail.slice(8180, 8240)}`);
    const grewMb = (peak - before) / 2 ** 20;
    t.diagnostic(`parent RSS grew by ${grewMb.toFixed(0)} MB while reading 1024 MB of stdout`);
    assert.ok(grewMb < 256, `parent RSS grew by ${grewMb.toFixed(0)} MB`);
  });

  it('reports an invalid spec as a crash without starting anything', async () => {
    const r = await runJob(spec({ trainDir: '/nonexistent', dataFile: '/nonexistent', scratchDir: '/nonexistent', expectedRows: 0 }));
    assert.equal(r.status, 'crash');
    assert.equal(r.message, 'invalid job spec: expected a positive integer for expectedRows, got 0');
  });
});

// Processes whose command line or environment names `marker` (bubblewrap's bind of the scratch dir, or
// the trainer's own TMPDIR without bubblewrap).
function processesNaming(marker: string, except: number[] = []): number[] {
  const found: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid || except.includes(Number(d))) continue;
    try {
      const text = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8') + fs.readFileSync(`/proc/${d}/environ`, 'utf8');
      if (text.includes(marker) && !isGone(Number(d))) found.push(Number(d));
    } catch { /* gone, or not ours to read */ }
  }
  return found;
}

const cmdline = (pid: number): string => { try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } };

const waitFor = async (ok: () => boolean, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (ok()) return true;
  return ok();
};

describe('a trainer whose orchestrator is SIGKILLed', () => {
  for (const isolation of ['auto', 'none'] as const) it(`dies with it instead of running out its budget (isolation ${isolation})`, async () => {
    const j = tinyJobDir(`runner-orphan-${isolation}-`);
    const runner = fileURLToPath(new URL('../../../harness/runner/process.ts', import.meta.url));
    const jobSpec = spec({
      id: 'orphan', trainDir: hostileDir('infinite-loop'), dataFile: j.dataFile, scratchDir: j.scratchDir,
      expectedRows: j.nPredict, timeBudgetMs: 120_000, memoryMb: 512, backend: 'cpu',
    });
    const script = `import { runJob } from ${JSON.stringify(runner)}; await runJob(${JSON.stringify(jobSpec)}, { isolation: '${isolation}' });`;
    const orchestrator = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
    const exited = new Promise((r) => orchestrator.once('exit', r));
    try {
      // Wait for the trainer itself: a child forked but not yet exec'd still carries the orchestrator's
      // command line (which names the scratch dir), and a kill in that instant is the spawn race the
      // kill soak measures, not what this test is about.
      const started = () => processesNaming(j.scratchDir, [orchestrator.pid!]).some((pid) => !cmdline(pid).includes('runJob'));
      assert.ok(await waitFor(started, 60_000), 'the trainer never started');
      await new Promise((r) => setTimeout(r, 1000));
      orchestrator.kill('SIGKILL');
      await exited;
      assert.ok(await waitFor(() => processesNaming(j.scratchDir).length === 0, 10_000),
        `trainer processes outlived their orchestrator: ${processesNaming(j.scratchDir).join(', ')}`);
    } finally {
      for (const pid of processesNaming(j.scratchDir)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    }
  });
});
