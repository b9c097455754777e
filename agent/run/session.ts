// One session of the research loop: the baseline, the pending iteration finished (resume), then
// new iterations until a budget or a stop request ends it. A stop leaves the current iteration
// resumable: its finished jobs are journaled and the next session completes it.
import { checkBudget } from './budget.ts';
import { checkStop, stateOf, Stopping, type RunContext } from './context.ts';
import { ensureBaseline } from './baseline.ts';
import { completeIteration } from './iteration.ts';
import { proposeIteration } from './propose-step.ts';
import { refreshResults } from '../results/write-run.ts';

/** Runs iterations until a budget or a stop; returns why it ended. */
export async function runIterations(ctx: RunContext, sessionStartMs: number): Promise<string> {
  try {
    ctx.gate = await ensureBaseline(ctx);
    const pending = stateOf(ctx).pending;
    if (pending) {
      ctx.log(`resuming exp ${pending.iteration} (${pending.jobs.size} finished jobs reused)`);
      await completeIteration(ctx, pending.iteration);
    }
    for (;;) {
      checkStop(ctx);
      const budget = checkBudget(stateOf(ctx), ctx.config.budget, sessionStartMs, ctx.now());
      if (budget.stop) return budget.reason;
      const n = stateOf(ctx).nextIteration;
      await proposeIteration(ctx, n);
      await completeIteration(ctx, n);
    }
  } catch (e) {
    if (e instanceof Stopping || (ctx.signal.aborted && isAbort(e))) return 'stopped by signal; the run resumes where it stopped';
    throw e;
  } finally {
    await refreshResults(ctx);
  }
}

function isAbort(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  return name === 'AbortError' || name === 'APIUserAbortError' || name === 'Stopping';
}
