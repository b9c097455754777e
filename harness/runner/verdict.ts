// How a finished trainer job is judged: pure functions of what the parent observed, so every
// outcome maps to exactly one status and one exact message.
import type { JobStatus } from './process.ts';

export interface Observed {
  /** the parent killed the job because the wall-clock budget ran out */
  timedOut: boolean;
  /** the watchdog killed the job: peak resident bytes of its process tree */
  killedForMemory: number | null;
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  /** predictions read from the scratch dir, or why they could not be read; null when absent */
  predictions: Float64Array | { unreadable: string } | null;
}

export interface Limits { timeBudgetMs: number; memoryMb: number; heapMb: number; expectedRows: number }

export interface Verdict { status: JobStatus; message?: string; predictions?: Float64Array }

const HEAP_OOM = /JavaScript heap out of memory|Reached heap limit|Array buffer allocation failed/;

/** Maps what happened to ok | crash | timeout | invalid | oom with its message. */
export function judge(o: Observed, limits: Limits): Verdict {
  if (o.timedOut) {
    return { status: 'timeout', message: `did not finish within the ${seconds(limits.timeBudgetMs)} s time budget; killed` };
  }
  if (o.killedForMemory !== null) {
    // rounded up: the watchdog kills only above the cap, so the figure must never read as the cap itself
    const used = Math.ceil(o.killedForMemory / 2 ** 20);
    return { status: 'oom', message: `used ${used} MB of memory, above the ${limits.memoryMb} MB cap; killed` };
  }
  if (o.exitCode !== 0) {
    if (HEAP_OOM.test(o.stderr)) {
      return { status: 'oom', message: `ran out of memory (${lastLine(o.stderr, HEAP_OOM)}; heap cap ${limits.heapMb} MB)` };
    }
    const how = o.signal ? `was killed by ${o.signal}` : `exited with code ${o.exitCode}`;
    const last = errorLine(o.stderr);
    return { status: 'crash', message: last ? `${how}: ${last}` : how };
  }
  if (o.predictions === null) return { status: 'crash', message: 'exited (code 0) without returning predictions' };
  if (!(o.predictions instanceof Float64Array)) return { status: 'invalid', message: o.predictions.unreadable };
  const problem = checkPredictions(o.predictions, limits.expectedRows);
  if (problem) return { status: 'invalid', message: problem };
  return { status: 'ok', predictions: o.predictions };
}

/** Why predictions are unusable (wrong length, non-finite, constant), or null when they are fine. */
export function checkPredictions(p: Float64Array, expected: number): string | null {
  if (p.length !== expected) return `expected ${expected} predictions, got ${p.length}`;
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i])) return `prediction ${i} is ${p[i]}`;
  }
  if (p.length > 1 && p.every((v) => v === p[0])) return `all ${p.length} predictions are the same value (${p[0]})`;
  return null;
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

function lastLine(text: string, pattern?: RegExp): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const hit = pattern ? lines.filter((l) => pattern.test(l)) : lines;
  return hit.at(-1) ?? '';
}

/** The line of a stack trace that names the error, skipping frames and node's version footer. */
function errorLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^at |^Node\.js v|^\^+$/.test(l));
  return lines.filter((l) => /\b[A-Za-z]*Error\b/.test(l)).at(-1) ?? lines.at(-1) ?? '';
}
