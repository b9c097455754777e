// Budgets, as a pure function: iterations and cost count over the whole tag (a resumed run keeps
// spending from the same allowance); hours count from the start of this session.
import type { Config } from '../config.ts';
import type { RunState } from '../state.ts';

export interface BudgetCheck { stop: boolean; reason: string }

/** Whether another iteration may start, given what has been spent and the mean cost per iteration. */
export function checkBudget(state: RunState, budget: Config['budget'], sessionStartMs: number, nowMs: number): BudgetCheck {
  const done = state.counts.kept + state.counts.discarded + state.counts.errors;
  if (budget.max_iterations !== null && done >= budget.max_iterations) {
    return { stop: true, reason: `reached --max-iterations ${budget.max_iterations} (${done} iterations done)` };
  }
  const hours = (nowMs - sessionStartMs) / 3_600_000;
  if (budget.max_hours !== null && hours >= budget.max_hours) {
    return { stop: true, reason: `reached --max-hours ${budget.max_hours} (${hours.toFixed(2)} h this session)` };
  }
  if (budget.max_cost_usd !== null) {
    const perIteration = done > 0 ? state.costUsd / done : 0;
    if (state.costUsd >= budget.max_cost_usd) {
      return { stop: true, reason: `reached --max-cost $${budget.max_cost_usd} ($${state.costUsd.toFixed(4)} spent)` };
    }
    if (state.costUsd + perIteration > budget.max_cost_usd) {
      return {
        stop: true,
        reason: `another iteration (about $${perIteration.toFixed(4)}) would pass --max-cost $${budget.max_cost_usd} ($${state.costUsd.toFixed(4)} spent)`,
      };
    }
  }
  return { stop: false, reason: '' };
}
