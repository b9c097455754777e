import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, lockFile, readLock } from '../../agent/lock.ts';
import { UserError } from '../../harness/errors.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lock-'));
const at = (iso: string) => () => new Date(iso);

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  assert.equal(r.status, 0);
  return r.pid as number;
}

test('the lock records its holder and a second acquire is refused while the holder lives', () => {
  const repo = tmp();
  const lock = acquireLock(repo, { tag: 'mar1' }, { now: at('2026-03-01T10:00:00.000Z') });
  assert.equal(lock.tookOver, null);
  assert.deepEqual(readLock(repo), { pid: process.pid, tag: 'mar1', host: os.hostname(), started: '2026-03-01T10:00:00.000Z' });
  assert.throws(() => acquireLock(repo, { tag: 'other' }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.what, `another autoresearch run (pid ${process.pid}, tag mar1) is running in this repository`);
    assert.equal(e.fix, `wait for it to finish or stop it (kill ${process.pid}); if that process is not autoresearch, delete ${lockFile(repo)}`);
    return true;
  });
  assert.equal(readLock(repo)?.tag, 'mar1');
  lock.release();
  assert.equal(readLock(repo), null);
  lock.release();
  const again = acquireLock(repo, { tag: 'next' });
  assert.equal(readLock(repo)?.tag, 'next');
  again.release();
});

test('a lock left by a dead process is taken over and reported', () => {
  const repo = tmp();
  const stale = { pid: deadPid(), tag: 'old', host: os.hostname(), started: '2026-02-01T00:00:00.000Z' };
  fs.mkdirSync(path.join(repo, 'runs'));
  fs.writeFileSync(lockFile(repo), JSON.stringify(stale) + '\n');
  const lock = acquireLock(repo, { tag: 'new' }, { now: at('2026-03-01T10:00:00.000Z') });
  assert.deepEqual(lock.tookOver, stale);
  assert.deepEqual(readLock(repo), { pid: process.pid, tag: 'new', host: os.hostname(), started: '2026-03-01T10:00:00.000Z' });
  assert.deepEqual(fs.readdirSync(path.join(repo, 'runs')), ['.lock']);
  lock.release();
  assert.equal(fs.existsSync(lockFile(repo)), false);
});

test('a lock from another host is never taken over, since its pid cannot be checked here', () => {
  const repo = tmp();
  fs.mkdirSync(path.join(repo, 'runs'));
  fs.writeFileSync(lockFile(repo), JSON.stringify({ pid: 4242, tag: 'far', host: 'gpu-box', started: 'x' }));
  assert.throws(() => acquireLock(repo, { tag: 't' }, { isAlive: () => false }), (e: unknown) =>
    e instanceof UserError && e.what === 'another autoresearch run (pid 4242, tag far) is running in this repository on host gpu-box');
});

test('release leaves alone a lock that another process has since taken', () => {
  const repo = tmp();
  const lock = acquireLock(repo, { tag: 'a' }, { pid: 111, isAlive: () => false });
  const other = acquireLock(repo, { tag: 'b' }, { pid: 222, isAlive: () => false });
  assert.equal(other.tookOver?.pid, 111);
  lock.release();
  assert.equal(readLock(repo)?.pid, 222);
});

test('an unreadable lock file is reported, not overwritten', () => {
  const repo = tmp();
  fs.mkdirSync(path.join(repo, 'runs'));
  fs.writeFileSync(lockFile(repo), 'garbage');
  assert.throws(() => acquireLock(repo, { tag: 't' }), (e: unknown) =>
    e instanceof UserError && e.what === `cannot read the lock file ${lockFile(repo)}`);
  assert.equal(fs.readFileSync(lockFile(repo), 'utf8'), 'garbage');
});
