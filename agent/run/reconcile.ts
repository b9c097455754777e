// Resume reconciliation as a pure function: given what the journal says about an iteration, the
// steps still to run. completeIteration runs exactly these, so a crash between any two journal
// lines is finished on resume, never repeated.
import type { IterationRecord } from '../state.ts';

/**
 * decide: restore train/ from the candidate ref, evaluate (re-using journaled jobs), journal the decision;
 * record: keep → reword the ref, commit on the branch (idempotent), journal the commit;
 *         discard/error → reword the ref, revert train/ (both idempotent);
 * learn:  rewrite program.md's DO NOT RETRY table and learnings.md, journal it.
 */
export type Step = 'decide' | 'record' | 'learn';

/** The steps iteration `rec` still needs, in order. */
export function remainingSteps(rec: Pick<IterationRecord, 'decision' | 'commit' | 'learnings'>): Step[] {
  if (!rec.decision) return ['decide', 'record', 'learn'];
  if (rec.learnings) return [];
  // a keep is recorded once its commit is journaled; a discard's record step (reword + revert) is
  // idempotent and cannot be told apart from "not yet done" by the journal, so it runs again
  const recorded = rec.decision.decision === 'keep' && rec.commit !== null;
  return recorded ? ['learn'] : ['record', 'learn'];
}
