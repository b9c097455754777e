// One research loop per repository: two loops would edit the same train/ and move the same branch.
// runs/.lock names its holder; a lock whose process is gone (crash, kill -9, reboot) is taken over.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../harness/errors.ts';

export interface LockInfo {
  pid: number;
  tag: string;
  host: string;
  /** ISO time the lock was taken */
  started: string;
}

export interface HeldLock {
  info: LockInfo;
  /** the stale lock this one replaced (its process had exited), or null */
  tookOver: LockInfo | null;
  /** removes the lock if it is still ours; safe to call more than once */
  release(): void;
}

/** Process facts the lock depends on; tests replace them. */
export interface LockDeps {
  pid?: number;
  host?: string;
  now?: () => Date;
  isAlive?: (pid: number) => boolean;
}

const EMPTY_RETRIES = 5;

export const lockFile = (repoDir: string): string => path.join(repoDir, 'runs', '.lock');

/** Takes runs/.lock for this process, replacing a lock whose process has exited; refuses a live one. */
export function acquireLock(repoDir: string, info: { tag: string }, deps: LockDeps = {}): HeldLock {
  const file = lockFile(repoDir);
  const host = deps.host ?? os.hostname();
  const isAlive = deps.isAlive ?? pidAlive;
  const mine: LockInfo = { pid: deps.pid ?? process.pid, tag: info.tag, host, started: (deps.now ?? (() => new Date()))().toISOString() };
  const text = JSON.stringify(mine) + '\n';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (createExclusive(file, text)) return held(repoDir, mine, null);

  const existing = readLockSettled(repoDir);
  if (existing === null) {
    // The holder released between our create and read: try once more, and refuse if that races too.
    if (createExclusive(file, text)) return held(repoDir, mine, null);
    throw raceError(file);
  }
  if (existing.host !== host || isAlive(existing.pid)) throw busyError(file, existing, host);

  const tmp = `${file}.${mine.pid}.${crypto.randomBytes(4).toString('hex')}`;
  writeDurable(tmp, text, 'w');
  fs.renameSync(tmp, file);
  // Two processes may replace the same stale lock at once; only the one whose content survives proceeds.
  const now = readLock(repoDir);
  if (!now || !sameLock(now, mine)) throw raceError(file);
  return held(repoDir, mine, existing);
}

/** The current lock holder, or null when no lock file exists. */
export function readLock(repoDir: string): LockInfo | null {
  const file = lockFile(repoDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const info = parseLock(text);
  if (!info) {
    throw new UserError(`cannot read the lock file ${file}`, 'it does not hold {pid, tag, host, started}',
      'if no autoresearch run is active in this repository, delete it and run again');
  }
  return info;
}

function held(repoDir: string, mine: LockInfo, tookOver: LockInfo | null): HeldLock {
  let released = false;
  return {
    info: mine,
    tookOver,
    release() {
      if (released) return;
      released = true;
      let current: LockInfo | null;
      try {
        current = readLock(repoDir);
      } catch {
        return;
      }
      if (current && sameLock(current, mine)) fs.rmSync(lockFile(repoDir), { force: true });
    },
  };
}

function createExclusive(file: string, text: string): boolean {
  try {
    writeDurable(file, text, 'wx');
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function writeDurable(file: string, text: string, flags: 'w' | 'wx'): void {
  const fd = fs.openSync(file, flags);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

// A lock file is empty only in the instant between its holder's create and write; wait that out.
function readLockSettled(repoDir: string): LockInfo | null {
  for (let i = 0; i < EMPTY_RETRIES; i++) {
    const size = fs.statSync(lockFile(repoDir), { throwIfNoEntry: false })?.size;
    if (size === undefined) return null;
    if (size > 0) break;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return readLock(repoDir);
}

function parseLock(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (Number.isSafeInteger(v.pid) && (v.pid as number) > 0 && typeof v.tag === 'string'
      && typeof v.host === 'string' && typeof v.started === 'string') {
      return { pid: v.pid as number, tag: v.tag, host: v.host, started: v.started };
    }
  } catch {
    // not JSON: reported by the caller as an unreadable lock
  }
  return null;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sameLock = (a: LockInfo, b: LockInfo): boolean =>
  a.pid === b.pid && a.tag === b.tag && a.host === b.host && a.started === b.started;

function busyError(file: string, holder: LockInfo, host: string): UserError {
  const where = holder.host === host ? '' : ` on host ${holder.host}`;
  return new UserError(`another autoresearch run (pid ${holder.pid}, tag ${holder.tag}) is running in this repository${where}`,
    `${file} was taken at ${holder.started}, and only one loop may edit train/ and move the research branch at a time`,
    `wait for it to finish or stop it (kill ${holder.pid}${where}); if that process is not autoresearch, delete ${file}`);
}

function raceError(file: string): UserError {
  return new UserError('another autoresearch run started at the same moment',
    `${file} changed hands while this run was taking it`, 'check `autoresearch status`, then run again if no loop is active');
}
