// Everything one research session holds, passed to each step of the loop. Effects (journal, git,
// harness, agent, clock, log) live here so the steps stay small and the tests can drive them.
import type { Harness } from '../../harness/session.ts';
import type { GateConfig } from '../../harness/gate.ts';
import type { Agent } from '../agents/types.ts';
import type { Config, Secrets } from '../config.ts';
import type { Journal } from '../journal.ts';
import { reduceState, type RunState } from '../state.ts';

export interface RunContext {
  repo: string;
  tag: string;
  config: Config;
  secrets: Secrets;
  journal: Journal;
  harness: Harness;
  agent: Agent;
  /** runs/<tag> */
  runDir: string;
  signal: AbortSignal;
  log(line: string): void;
  now(): number;
  /** gate settings with the noise-derived margins filled in (after the baseline) */
  gate?: GateConfig;
}

/** The run state as the journal now says. */
export function stateOf(ctx: RunContext): RunState {
  return reduceState(ctx.journal.events());
}

/** Thrown inside a step when the session is stopping; the iteration stays resumable. */
export class Stopping extends Error {
  constructor() {
    super('stopping');
    this.name = 'Stopping';
  }
}

/** Crash points the fault-injection hook knows (see Secrets.killAt). */
export type FaultPoint = 'after-candidate' | 'after-job' | 'after-decision' | 'after-commit' | 'after-learnings';

/** Dies on the spot (SIGKILL, no cleanup) when AUTORESEARCH_KILL_AT names this point and iteration. */
export function faultPoint(ctx: RunContext, point: FaultPoint, iteration: number): void {
  if (ctx.secrets.killAt === `${point}:${iteration}`) process.kill(process.pid, 'SIGKILL');
}

/** Throws Stopping when a stop was requested. */
export function checkStop(ctx: RunContext): void {
  if (ctx.signal.aborted) throw new Stopping();
}
