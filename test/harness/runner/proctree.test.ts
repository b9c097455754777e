import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ORPHANED_AT_START, withParentDeath } from '../../../harness/runner/process.ts';
import { processTree, staleJobs, sweepStaleJobs } from '../../../harness/runner/proctree.ts';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].some((f) => fs.existsSync(f));
const alive = (pid: number): boolean => {
  const stat = (() => { try { return fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return null; } })();
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
};
const waitFor = async (ok: () => boolean, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (ok()) return true;
  return ok();
};

describe('the parent-death wrapper around a trainer', () => {
  it('runs the job when its parent is the orchestrator that armed it', { skip: SETPRIV ? false : 'util-linux setpriv not found' }, () => {
    const [file, args] = withParentDeath('/bin/echo', ['ran']);
    const r = spawnSync(file, args, { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'ran\n');
  });

  it('gives up without running the job when the orchestrator was gone before the signal was armed', { skip: SETPRIV ? false : 'util-linux setpriv not found' }, () => {
    // a parent pid that is not ours stands for an orchestrator that died between fork and prctl
    const [file, args] = withParentDeath('/bin/echo', ['ran'], process.pid + 1_000_000);
    const r = spawnSync(file, args, { encoding: 'utf8' });
    assert.equal(r.status, ORPHANED_AT_START);
    assert.equal(r.stdout, '');
  });
});

describe('sweeping trainer jobs an earlier session left running', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sweep-'));
  const runDir = path.join(root, 'runs', 'night');
  const started: number[] = [];
  after(() => {
    for (const pid of started) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    fs.rmSync(root, { recursive: true, force: true });
  });
  const start = (args: string[], env: Record<string, string> = {}): number => {
    const c = spawn('/bin/sh', args, { detached: true, stdio: 'ignore', env: { PATH: '/usr/bin:/bin', ...env } });
    c.unref();
    started.push(c.pid!);
    return c.pid!;
  };

  it('kills unsandboxed trainers (TMPDIR below the run) and bubblewrap jobs (binding a scratch below it), nothing else', async () => {
    const trainer = start(['-c', 'sleep 60; :'], { TMPDIR: path.join(runDir, 'iter-3', 'scratch', 'f0-s1') });
    const sandbox = start(['-c', 'sleep 60; :', 'bwrap', '--bind', path.join(runDir, 'iter-4', 'scratch', 'f1-s2'), '/sandbox/scratch']);
    // a shell that merely names the run's directory, and a trainer of another tag with a longer name
    const bystander = start(['-c', 'sleep 60; :', 'tail', path.join(runDir, 'journal.jsonl')]);
    const otherTag = start(['-c', 'sleep 60; :'], { TMPDIR: path.join(`${runDir}-2`, 'iter-1', 'scratch', 'f0-s1') });
    assert.ok(await waitFor(() => [trainer, sandbox, bystander, otherTag].every(alive), 5000));
    // under load a shell may not have started its sleep yet; the sweep must take the whole tree
    assert.ok(await waitFor(() => processTree(trainer).length === 2 && processTree(sandbox).length === 2, 5000), 'the shells did not start their sleeps');

    const stale = staleJobs(runDir);
    assert.ok(stale.includes(trainer) && stale.includes(sandbox), `not found as stale: ${stale.join(', ')}`);
    assert.ok(!stale.includes(bystander) && !stale.includes(otherTag), 'a process that is not a job of this run was taken for one');
    const doomed = [...processTree(trainer), ...processTree(sandbox)];
    assert.equal(doomed.length, 4, 'each shell and its sleep');
    assert.equal(sweepStaleJobs(runDir), stale.length);
    assert.ok(await waitFor(() => doomed.every((pid) => !alive(pid)), 5000), 'a stale job or its child survived the sweep');
    assert.ok(alive(bystander) && alive(otherTag), 'the sweep killed a process that was not a job of this run');
    assert.equal(sweepStaleJobs(runDir), 0);
  });
});
