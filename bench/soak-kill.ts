// Kill soak: runs the research loop (mutate agent, tiny synthetic data) in a throwaway clone and
// SIGKILLs its whole process group at seeded-random moments, restarting after each kill. After every
// kill the journal/git invariants must hold and no trainer process may outlive the orchestrator; at
// the end the run must equal an uninterrupted run with the same number of iterations.
// Start-up (node, tsx, DuckDB, tf probe) takes 3 s on an idle machine and over 15 s on a loaded one,
// so a fixed window from spawn would mostly hit start-up: a share of kills is aimed there (0.2–8 s
// after spawn) and the rest at a uniform moment after the start's session_start event.
// Usage: node --import tsx bench/soak-kill.ts [--kills 100] [--seed 1] [--iterations 4] [--max-delay 15]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { JournalEvent } from '../agent/events.ts';
import { processTree } from '../harness/runner/proctree.ts';
import { makeTempRepo, tinyConfig, type TempRepo } from '../test/helpers/temp-repo.ts';
import { invariantViolations, journalEvents, outcomeOf, runToCompletion, tinyData } from '../test/helpers/loop.ts';
import { mulberry32 } from '../harness/prng.ts';

export interface SoakOptions {
  kills: number;
  /** seeds the kill delays */
  seed: number;
  /** --max-iterations of the run; grows by one whenever a start finishes before the next kill is due */
  iterations: number;
  /** share of kills aimed at start-up: uniform 0.2–8 s after spawn (default 0.2) */
  startUpShare?: number;
  /** the other kills: uniform 0–maxDelayMs after this start's session_start event (default 15 s) */
  maxDelayMs?: number;
  /** progress lines (one per start) */
  log?: (line: string) => void;
}

export type Phase = 'start-up' | 'baseline' | 'proposal' | 'evaluation' | 'recording' | 'learning' | 'finished';

/** A kill `delayMs` after spawning the run, or after the run's session_start (past start-up, whose length varies with load). */
export interface KillPlan { anchor: 'spawn' | 'session_start'; delayMs: number }

export interface KillRecord extends KillPlan { start: number; lastEvent: string; phase: Phase; iteration: number }

export interface SoakReport {
  kills: KillRecord[];
  starts: number;
  restarts: number;
  /** experiments in the notebook at the end (the final --max-iterations when all went well) */
  iterations: number;
  /** times the target grew because a start finished all its iterations before its kill was due */
  extensions: number;
  violations: string[];
  orphansKilled: number;
  outcomeEqual: boolean;
  seconds: number;
}

const TAG = 'soak';
const ORPHAN_GRACE_MS = 5000;
const START_UP_DELAY_MS = [200, 8000] as const;
// margin 0 makes multi-seed improvements keeps, so kills also land around commits and branch moves
const soakConfig = (data: string) => tinyConfig(data, { gate: { noise_seeds: 2, margin: 0, early_discard: 1 } });

/** Runs the kill soak and returns its figures; violations are collected, never thrown. */
export async function soakKill(o: SoakOptions): Promise<SoakReport> {
  const share = o.startUpShare ?? 0.2;
  const maxDelay = o.maxDelayMs ?? 15_000;
  for (const [flag, v] of [['--kills', o.kills], ['--iterations', o.iterations]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`expected a positive integer for ${flag}, got ${v}`);
  }
  if (!Number.isInteger(o.seed)) throw new Error(`expected an integer for --seed, got ${o.seed}`);
  if (!(share >= 0 && share <= 1)) throw new Error(`expected a share between 0 and 1 for start-up kills, got ${share}`);
  if (!(maxDelay > 0)) throw new Error(`expected a positive number for --max-delay, got ${maxDelay / 1000}`);
  const log = o.log ?? (() => {});
  const started = performance.now();
  const rand = mulberry32(o.seed);
  const data = await tinyData();
  const repo = await makeTempRepo(soakConfig(data), 'ar-soak-');
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-soak-logs-'));
  const report: SoakReport = { kills: [], starts: 0, restarts: 0, iterations: o.iterations, extensions: 0, violations: [], orphansKilled: 0, outcomeEqual: false, seconds: 0 };
  const violate = (where: string, list: string[]) => { for (const v of list) report.violations.push(`${where}: ${v}`); };
  let reference: TempRepo | null = null;
  try {
    while (report.kills.length < o.kills) {
      const start = ++report.starts;
      const before = safeEvents(repo.dir).length;
      const [lo, hi] = START_UP_DELAY_MS;
      const plan: KillPlan = rand() < share
        ? { anchor: 'spawn', delayMs: Math.round(lo + rand() * (hi - lo)) }
        : { anchor: 'session_start', delayMs: Math.round(rand() * maxDelay) };
      const res = await startAndKill(repo.dir, ['--max-iterations', String(report.iterations)], plan, path.join(logDir, `start-${start}.log`));
      const events = safeEvents(repo.dir);
      if (res.killed) {
        const rec = classify(start, plan, events, before);
        report.kills.push(rec);
        log(`start ${start}: killed ${(plan.delayMs / 1000).toFixed(1)}s after ${plan.anchor} in ${rec.phase} (last event ${rec.lastEvent}, iteration ${rec.iteration})`);
        if (res.orphans.length) {
          report.orphansKilled += res.orphans.length;
          violate(`kill ${report.kills.length}`, res.orphans.map((p) => `trainer process outlived the kill: ${p}`));
        }
      } else if (res.exitCode === 0) {
        report.extensions++;
        report.iterations++;
        log(`start ${start}: finished before its kill; target now ${report.iterations} iterations`);
      } else {
        violate(`start ${start}`, [`exited ${res.exitCode ?? res.signal} without being killed: ${tail(res.logFile)}`]);
        break;
      }
      violate(`after start ${start}`, await checkInvariants(repo));
    }
    if (!report.violations.some((v) => v.includes('without being killed'))) {
      const args = ['--tag', TAG, '--max-iterations', String(report.iterations)];
      reference = await makeTempRepo(soakConfig(data), 'ar-soak-ref-');
      const [fin] = await Promise.all([runToCompletion(repo, args, {}, 3), runToCompletion(reference, args, {}, 1)]);
      report.starts += fin.starts;
      violate('final state', await invariantViolations(repo.dir, TAG));
      const [got, want] = await Promise.all([outcomeOf(repo.dir, TAG), outcomeOf(reference.dir, TAG)]);
      report.outcomeEqual = isDeepStrictEqual(got, want);
      report.iterations = got.rows.length;
      if (!report.outcomeEqual) violate('final state', outcomeDiff(got, want));
    }
  } finally {
    report.restarts = report.starts - 1;
    report.seconds = (performance.now() - started) / 1000;
    repo.cleanup();
    reference?.cleanup();
    fs.rmSync(logDir, { recursive: true, force: true });
  }
  return report;
}

interface StartResult { killed: boolean; exitCode: number | null; signal: string | null; orphans: string[]; logFile: string }

/** Starts `run` detached (its own process group), SIGKILLs the group as planned, then hunts for survivors. */
async function startAndKill(dir: string, extra: string[], plan: KillPlan, logFile: string): Promise<StartResult> {
  const journal = path.join(dir, 'runs', TAG, 'journal.jsonl');
  const sessions = () => (read(journal)?.match(/"type":"session_start"/g) ?? []).length;
  const sessionsBefore = sessions();
  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [path.join(dir, 'agent', 'bin.mjs'), 'run', '--tag', TAG, ...extra], {
    cwd: dir, detached: true, stdio: ['ignore', out, out],
    env: { ...process.env, ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', AUTORESEARCH_KILL_AT: '' },
  });
  fs.closeSync(out);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let tree: Proc[] = [];
  let killed = false;
  let timer: NodeJS.Timeout | undefined;
  const kill = () => {
    // The trainers lead their own process groups, so they are found through the tree, not the group.
    tree = processTree(child.pid!).map(identify).filter((p): p is Proc => p !== null);
    killed = true;
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { killed = false; }
  };
  const poll = plan.anchor === 'spawn' ? undefined : setInterval(() => {
    if (sessions() === sessionsBefore) return;
    clearInterval(poll);
    timer = setTimeout(kill, plan.delayMs);
  }, 50);
  if (plan.anchor === 'spawn') timer = setTimeout(kill, plan.delayMs);
  const { code, signal } = await exited;
  clearTimeout(timer);
  clearInterval(poll);
  const orphans = killed ? await survivors(tree, dir) : [];
  return { killed: killed && signal === 'SIGKILL', exitCode: code, signal, orphans, logFile };
}

interface Proc { pid: number; startTime: string; cmd: string }

function identify(pid: number): Proc | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z') return null;
  return { pid, startTime: fields[19], cmd: (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ').trim() };
}

/** Processes from the pre-kill tree, or naming the clone, still alive after a grace period; they are then killed. */
async function survivors(tree: Proc[], dir: string): Promise<string[]> {
  const alive = () => {
    const fromTree = tree.filter((p) => identify(p.pid)?.startTime === p.startTime);
    const named = fs.readdirSync('/proc').map(Number).filter((pid) => Number.isInteger(pid) && pid !== process.pid)
      .map(identify).filter((p): p is Proc => p !== null && p.cmd.includes(dir));
    const byPid = new Map([...fromTree, ...named].map((p) => [p.pid, p]));
    return [...byPid.values()];
  };
  const deadline = Date.now() + ORPHAN_GRACE_MS;
  let left = alive();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = alive();
  }
  for (const p of left) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone meanwhile */ } }
  return left.map((p) => `pid ${p.pid} ${p.cmd.slice(0, 160)}`);
}

/** Where a kill landed, from the last journal event written before it. */
function classify(start: number, plan: KillPlan, events: JournalEvent[], before: number): KillRecord {
  const last = events.at(-1);
  const iteration = Math.max(0, ...events.map((e) => (e.type === 'candidate' ? e.iteration : 0)));
  const decided = events.some((e) => e.type === 'decision' && e.iteration === iteration);
  const rec = (lastEvent: string, phase: Phase): KillRecord => ({ start, ...plan, lastEvent, phase, iteration });
  if (!last || events.length === before) return rec(last ? `${last.type} (earlier start)` : 'none', 'start-up');
  switch (last.type) {
    case 'session_start':
      if (!events.some((e) => e.type === 'baseline')) return rec(last.type, 'baseline');
      return rec(last.type, iteration > 0 && !decided ? 'evaluation' : 'proposal');
    case 'job': return rec(last.type, last.iteration === 0 ? 'baseline' : 'evaluation');
    case 'candidate': return rec(last.type, 'evaluation');
    case 'decision': return rec(last.type, 'recording');
    case 'commit': return rec(last.type, 'learning');
    case 'session_end': return rec(last.type, 'finished');
    default: return rec(last.type, 'proposal');
  }
}

/** invariantViolations, plus the state before the run made its branch (killed during start-up), which it cannot read. */
async function checkInvariants(repo: TempRepo): Promise<string[]> {
  const branch = (await repo.git(['branch', '--list', `autoresearch/${TAG}`])).trim();
  if (branch !== '') return invariantViolations(repo.dir, TAG, { interrupted: true });
  let events: JournalEvent[];
  try { events = journalEvents(repo.dir, TAG); } catch (e) { return [`journal does not parse: ${(e as Error).message}`]; }
  return events.length === 0 ? [] : [`the journal has ${events.length} events but branch autoresearch/${TAG} does not exist`];
}

function outcomeDiff(got: Awaited<ReturnType<typeof outcomeOf>>, want: Awaited<ReturnType<typeof outcomeOf>>): string[] {
  const out: string[] = [];
  const n = Math.max(got.rows.length, want.rows.length);
  for (let i = 0; i < n; i++) {
    if (!isDeepStrictEqual(got.rows[i], want.rows[i])) out.push(`experiment ${i + 1}: ${JSON.stringify(got.rows[i])} != uninterrupted ${JSON.stringify(want.rows[i])}`);
  }
  if (got.learnings !== want.learnings) out.push('learnings.md differs from the uninterrupted run');
  if (got.program !== want.program) out.push('program.md differs from the uninterrupted run');
  return out;
}

function safeEvents(dir: string): JournalEvent[] {
  try { return journalEvents(dir, TAG); } catch { return []; }
}

function read(file: string): string | null {
  try { return fs.readFileSync(file, 'utf8'); } catch { return null; }
}

function tail(file: string): string {
  return (read(file) ?? '').trim().split('\n').slice(-5).join(' | ');
}


/** The figures as printed by the bench. */
export function formatReport(r: SoakReport): string {
  const count = (key: (k: KillRecord) => string) => {
    const m = new Map<string, number>();
    for (const k of r.kills) m.set(key(k), (m.get(key(k)) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  };
  return [
    `kills ${r.kills.length}, violations ${r.violations.length}, restarts ${r.restarts}, starts ${r.starts}`,
    `iterations completed ${r.iterations} (target extended ${r.extensions} times), outcome equals uninterrupted run: ${r.outcomeEqual}`,
    `orphaned trainer processes ${r.orphansKilled}, total time ${r.seconds.toFixed(0)} s`,
    `kills by anchor: ${count((k) => k.anchor)}`,
    `kills by phase: ${count((k) => k.phase)}`,
    `kills by last journal event: ${count((k) => k.lastEvent)}`,
    ...r.violations.map((v) => `VIOLATION ${v}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    kills: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' },
    iterations: { type: 'string', default: '4' }, 'max-delay': { type: 'string', default: '15' },
  } });
  const report = await soakKill({
    kills: Number(values.kills), seed: Number(values.seed), iterations: Number(values.iterations),
    maxDelayMs: Number(values['max-delay']) * 1000, log: (l) => console.error(l),
  });
  console.log(formatReport(report));
  process.exitCode = report.violations.length === 0 && report.outcomeEqual ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
