// The lifecycle of one iteration after its candidate is journaled: decide (evaluate, or reuse a
// duplicate's result, or record the agent's failure), record (keep → commit on the branch;
// discard/error → final trailers on the candidate ref and train/ reverted), learn. Each step
// first checks the journal, so running this on a half-finished iteration after a crash finishes
// exactly the missing steps — never twice.
import { formatMessage, keep, revertTrain, rewordCandidate, candidateRef } from '../git.ts';
import { iterations, isComplete, type IterationRecord } from '../state.ts';
import { remainingSteps } from './reconcile.ts';
import type { EventOf } from '../events.ts';
import { evaluateCandidate, type DecisionFields } from './evaluate-step.ts';
import { learnStep } from './learn-step.ts';
import { restoreTrainFrom } from './gitx.ts';
import { checkStop, faultPoint, stateOf, type RunContext } from './context.ts';

/** Runs whatever is missing of iteration `n`'s decide → record → learn (see remainingSteps). */
export async function completeIteration(ctx: RunContext, n: number): Promise<void> {
  const record = () => iterations(ctx.journal.events()).find((r) => r.iteration === n);
  const first = record();
  if (!first) throw new Error(`iteration ${n} has no candidate in the journal`);
  const steps = remainingSteps(first);
  if (steps.includes('decide')) {
    const d = await decide(ctx, first.candidate, first.jobs);
    checkStop(ctx);
    ctx.journal.append({ type: 'decision', ...d });
    faultPoint(ctx, 'after-decision', n);
    ctx.log(`exp ${n}: ${d.decision.toUpperCase()} — ${d.reason}`);
  }
  const rec = record()!;
  if (steps.includes('record')) await recordDecision(ctx, rec);
  if (steps.includes('learn')) {
    await learnStep(ctx, n);
    faultPoint(ctx, 'after-learnings', n);
  }
  if (!isComplete(record()!)) throw new Error(`iteration ${n} did not complete`);
}

/** Keep → the commit on the branch (journaled); discard/error → final trailers on the ref and train/ reverted. */
async function recordDecision(ctx: RunContext, rec: IterationRecord): Promise<void> {
  const n = rec.iteration;
  const decision = rec.decision!;
  const message = formatMessage({
    experiment: n, status: decision.decision, payout: decision.payout, delta: decision.delta, corr: decision.corr,
    bmc: decision.bmc, seeds: decision.seeds.map((s) => s.seed), category: rec.candidate.category,
    hypothesis: rec.candidate.hypothesis,
    body: [rec.candidate.expected ? `Expected: ${rec.candidate.expected}` : '', `Reason: ${decision.reason}`].filter(Boolean).join('\n'),
  });
  await rewordCandidate(ctx.repo, ctx.tag, n, message);
  if (decision.decision === 'keep') {
    const sha = await keep(ctx.repo, ctx.tag, n, message);
    faultPoint(ctx, 'after-commit', n);
    ctx.journal.append({ type: 'commit', iteration: n, sha });
  } else {
    await revertTrain(ctx.repo);
  }
}

async function decide(ctx: RunContext, cand: EventOf<'candidate'>, jobs: Map<string, EventOf<'job'>>): Promise<DecisionFields> {
  const n = cand.iteration;
  const bestBefore = stateOf(ctx).best?.payout ?? null;
  const none = { payout: null, corr: null, bmc: null, fnc: null, sharpe: null, maxDrawdown: null, std: null, delta: null, seeds: [], bestBefore, seconds: 0 };
  if (cand.outcome !== 'edited') {
    return { iteration: n, decision: 'error', reason: `the agent produced no evaluable edit (${cand.outcome}${cand.error ? `: ${cand.error}` : ''})`, ...none };
  }
  if (cand.duplicateOf !== null) return duplicateDecision(ctx, n, cand.duplicateOf, bestBefore);
  await restoreTrainFrom(ctx.repo, candidateRef(ctx.tag, n));
  return evaluateCandidate(ctx, n, jobs);
}

function duplicateDecision(ctx: RunContext, n: number, of: number, bestBefore: number | null): DecisionFields {
  const events = ctx.journal.events();
  const earlier = events.find((e): e is EventOf<'decision'> => e.type === 'decision' && e.iteration === of);
  const base = events.find((e): e is EventOf<'baseline'> => e.type === 'baseline');
  const payout = of === 0 ? (base?.payout ?? null) : (earlier?.payout ?? null);
  return {
    iteration: n, decision: 'discard',
    reason: `duplicate of ${of === 0 ? 'the baseline' : `exp ${of}`} (identical train/ source once comments and whitespace are ignored); its result is reused, not re-evaluated`,
    payout, corr: earlier?.corr ?? null, bmc: earlier?.bmc ?? null, fnc: earlier?.fnc ?? null, sharpe: earlier?.sharpe ?? null,
    bmcLast200: earlier?.bmcLast200 ?? null, corrWithBenchmark: earlier?.corrWithBenchmark ?? null,
    maxDrawdown: earlier?.maxDrawdown ?? null, std: earlier?.std ?? null,
    delta: payout !== null && bestBefore !== null ? payout - bestBefore : null,
    seeds: earlier?.seeds ?? [], bestBefore, seconds: 0,
  };
}
