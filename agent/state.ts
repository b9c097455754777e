// The run state as a pure function of the journal: what `status` prints, what resume continues
// from, and the per-iteration records the knowledge modules read. A journal line may be written
// twice (a retried append, a resumed step), so every event type has a key and the reducer counts
// each key once: exact copies are dropped, and a later event with the same key replaces the earlier.
import type { EventOf, JournalEvent, Tokens } from './events.ts';

type Candidate = EventOf<'candidate'>;
type Job = EventOf<'job'>;
type Decision = EventOf<'decision'>;

/** Everything the journal says about one iteration (one candidate). */
export interface IterationRecord {
  iteration: number;
  candidate: Candidate;
  /** finished trainer jobs of this candidate, keyed "fold:seed" */
  jobs: Map<string, Job>;
  decision: Decision | null;
  commit: EventOf<'commit'> | null;
  learnings: EventOf<'learnings'> | null;
}

/** The latest iteration whose lifecycle (decision, commit on keep, learnings) is not complete. */
export interface PendingIteration {
  iteration: number;
  candidate: Candidate;
  /** finished fold×seed jobs to reuse on resume, keyed "fold:seed" */
  jobs: Map<string, Job>;
  decision?: Decision;
  /** a commit event exists (only a keep is committed) */
  committed: boolean;
  learned: boolean;
}

export interface RunState {
  /** last iteration that has a candidate event; 0 before the first */
  iteration: number;
  /** number to give the next new candidate */
  nextIteration: number;
  /** distinct sessions started */
  sessions: number;
  /** number of the latest session; 0 before the first */
  lastSession: number;
  baseline: { payout: number; sigma: number; margin: number; ref: string } | null;
  /** the last keep, or the baseline (iteration 0) before any keep */
  best: { iteration: number; payout: number; ref: string; sha: string | null; perEra?: number[] } | null;
  counts: { kept: number; discarded: number; errors: number; duplicates: number };
  /** discards and errors since the last keep (plateau detection) */
  consecutiveDiscards: number;
  costUsd: number;
  tokens: Tokens;
  llmCalls: number;
  /** mean decision.seconds; null before the first decision */
  secondsPerIteration: number | null;
  firstEventTime: string | null;
  lastEventTime: string | null;
  pending: PendingIteration | null;
  /** earlier iterations left incomplete (a journal the loop should not produce; resume reports them) */
  incomplete: number[];
  /** jobs journaled for the baseline evaluation (iteration 0), reusable while no baseline event exists */
  baselineJobs: Map<string, Job>;
}

/** The key of a finished job in IterationRecord.jobs and PendingIteration.jobs. */
export const jobKey = (fold: number, seed: number): string => `${fold}:${seed}`;

/** Reduces the journal to the run state; duplicated events are counted once. */
export function reduceState(events: readonly JournalEvent[]): RunState {
  const unique = dropExactCopies(events);
  const records = iterations(unique);
  const sessions = new Set<number>();
  let baseline: EventOf<'baseline'> | null = null;
  let costUsd = 0;
  let llmCalls = 0;
  const tokens: Tokens = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
  const baselineJobs = new Map<string, Job>();
  for (const e of unique) {
    if (e.type === 'session_start') sessions.add(e.session);
    else if (e.type === 'baseline') baseline = e;
    else if (e.type === 'job' && e.iteration === 0) baselineJobs.set(jobKey(e.fold, e.seed), e);
    else if (e.type === 'llm_call') {
      llmCalls++;
      costUsd += e.cost_usd;
      tokens.input += e.tokens.input;
      tokens.output += e.tokens.output;
      tokens.cache_read += e.tokens.cache_read;
      tokens.cache_write += e.tokens.cache_write;
    }
  }

  const counts = { kept: 0, discarded: 0, errors: 0, duplicates: 0 };
  let consecutiveDiscards = 0;
  let seconds = 0;
  let best: RunState['best'] = baseline
    ? { iteration: 0, payout: baseline.payout, ref: baseline.ref, sha: baseline.ref, perEra: baseline.perEra }
    : null;
  for (const r of records) {
    if (r.candidate.duplicateOf !== null) counts.duplicates++;
    const d = r.decision;
    if (!d) continue;
    seconds += d.seconds;
    if (d.decision === 'keep') {
      counts.kept++;
      consecutiveDiscards = 0;
      if (d.payout !== null) {
        best = { iteration: r.iteration, payout: d.payout, ref: r.candidate.ref, sha: r.commit?.sha ?? null, perEra: d.perEra };
      }
    } else {
      if (d.decision === 'discard') counts.discarded++;
      else counts.errors++;
      consecutiveDiscards++;
    }
  }

  const decided = counts.kept + counts.discarded + counts.errors;
  const last = records.at(-1);
  const iteration = last?.iteration ?? 0;
  return {
    iteration,
    nextIteration: iteration + 1,
    sessions: sessions.size,
    lastSession: sessions.size ? Math.max(...sessions) : 0,
    baseline: baseline ? { payout: baseline.payout, sigma: baseline.sigma, margin: baseline.margin, ref: baseline.ref } : null,
    best,
    counts,
    consecutiveDiscards,
    costUsd,
    tokens,
    llmCalls,
    secondsPerIteration: decided ? seconds / decided : null,
    firstEventTime: unique[0]?.t ?? null,
    lastEventTime: unique.at(-1)?.t ?? null,
    pending: last && !isComplete(last) ? toPending(last) : null,
    incomplete: records.slice(0, -1).filter((r) => !isComplete(r)).map((r) => r.iteration),
    baselineJobs,
  };
}

/**
 * Joins candidate, jobs, decision, commit and learnings per iteration, in iteration order.
 * A repeated candidate with the same ref is a copy; one with a different ref replaces the
 * earlier candidate and drops what was recorded for it. Events of iterations without a
 * candidate (the baseline's jobs, iteration 0) are not records.
 */
export function iterations(events: readonly JournalEvent[]): IterationRecord[] {
  const byIteration = new Map<number, IterationRecord>();
  for (const e of events) {
    if (e.type === 'candidate') {
      const prev = byIteration.get(e.iteration);
      if (prev && prev.candidate.ref === e.ref) continue;
      byIteration.set(e.iteration, { iteration: e.iteration, candidate: e, jobs: new Map(), decision: null, commit: null, learnings: null });
      continue;
    }
    if (e.type !== 'job' && e.type !== 'decision' && e.type !== 'commit' && e.type !== 'learnings') continue;
    const r = byIteration.get(e.iteration);
    if (!r) continue;
    if (e.type === 'job') r.jobs.set(jobKey(e.fold, e.seed), e);
    else if (e.type === 'decision') r.decision = e;
    else if (e.type === 'commit') r.commit = e;
    else r.learnings = e;
  }
  return [...byIteration.values()].sort((a, b) => a.iteration - b.iteration);
}

/** Decision made, committed when kept, learnings written. */
export function isComplete(r: IterationRecord): boolean {
  return r.decision !== null && (r.decision.decision !== 'keep' || r.commit !== null) && r.learnings !== null;
}

function toPending(r: IterationRecord): PendingIteration {
  return {
    iteration: r.iteration,
    candidate: r.candidate,
    jobs: r.jobs,
    ...(r.decision ? { decision: r.decision } : {}),
    committed: r.commit !== null,
    learned: r.learnings !== null,
  };
}

/** The journal without lines written twice by a retried append (they count once). */
export function dropExactCopies(events: readonly JournalEvent[]): JournalEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const key = JSON.stringify(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
