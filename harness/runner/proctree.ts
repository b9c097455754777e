// A job's process tree as seen in /proc: used to cap the memory of everything a job started
// (the sandbox, node, anything node spawned) and to kill it all, even what left the group, and
// without a sandbox also what left the tree but still carries the job's environment.
import fs from 'node:fs';

/** pid and every descendant of it, from each process's parent pid in /proc/<pid>/stat. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readOrNull(`/proc/${pid}/stat`);
    if (stat === null) continue;
    // comm may contain spaces and parentheses; fields after the last ')' are fixed.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Sum of resident memory (VmRSS) over the given pids, in bytes; exited pids count 0. */
export function residentBytes(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    const status = readOrNull(`/proc/${pid}/status`);
    const m = status?.match(/^VmRSS:\s+(\d+) kB$/m);
    if (m) kb += Number(m[1]);
  }
  return kb * 1024;
}

/** SIGKILLs the process group led by `root` and every process still in its tree. */
export function killTree(root: number): void {
  const pids = processTree(root);
  trySignal(-root);
  for (const pid of pids) trySignal(pid);
}

/**
 * Pids whose environment holds exactly `entry` (e.g. TMPDIR=<a job's scratch dir>). Without a pid
 * namespace this finds what a job started even after it left the job's tree (double fork, setsid);
 * only a process that also replaced its environment escapes it.
 */
export function processesWithEnv(entry: string): number[] {
  const needle = `\0${entry}\0`;
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const env = readOrNull(`/proc/${pid}/environ`);
    if (env !== null && `\0${env}`.includes(needle)) out.push(pid);
  }
  return out;
}

/**
 * Trainer jobs left running under `workRoot` by an orchestrator that died (a SIGKILL in the moment
 * between spawning a job and arming its parent-death signal): bubblewrap processes binding a scratch
 * dir below it, and unsandboxed trainers whose TMPDIR is below it. Only the job's own environment and
 * bubblewrap's arguments are matched, so a shell or editor that merely names the directory is safe.
 */
export function staleJobs(workRoot: string): number[] {
  const prefix = workRoot.endsWith('/') ? workRoot : `${workRoot}/`;
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const env = readOrNull(`/proc/${pid}/environ`);
    if (env !== null && env.split('\0').some((e) => e.startsWith(`TMPDIR=${prefix}`))) { out.push(pid); continue; }
    const argv = (readOrNull(`/proc/${pid}/cmdline`) ?? '').split('\0');
    if (argv.some((a, i) => a === '--bind' && argv[i + 1]?.startsWith(prefix) === true)) out.push(pid);
  }
  return out;
}

/** Kills every stale job under `workRoot` with its process tree; returns how many jobs there were. */
export function sweepStaleJobs(workRoot: string): number {
  const pids = staleJobs(workRoot);
  for (const pid of pids) killTree(pid);
  return pids.length;
}

/** SIGKILLs each pid; those already gone are skipped. */
export function killAll(pids: number[]): void {
  for (const pid of pids) trySignal(pid);
}

function trySignal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone (ESRCH) is the expected case
  }
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
