// When a run will hit its budget, as a pure function: the earliest of the iteration, hours and
// cost budgets, projected from the mean time and cost per iteration so far.
import type { Config } from '../config.ts';

export interface Eta { seconds: number; budget: 'max_iterations' | 'max_hours' | 'max_cost_usd' }

/** The earliest budget the run will reach and the seconds until then; null without a budget or history. */
export function etaToBudget(o: {
  budget: Config['budget']; done: number; secondsPerIteration: number | null; costUsd: number;
  sessionStartMs: number | null; nowMs: number;
}): Eta | null {
  const { budget, done, secondsPerIteration: spi } = o;
  const etas: Eta[] = [];
  if (budget.max_iterations !== null && spi !== null) {
    etas.push({ seconds: Math.max(0, budget.max_iterations - done) * spi, budget: 'max_iterations' });
  }
  if (budget.max_hours !== null && o.sessionStartMs !== null) {
    etas.push({ seconds: Math.max(0, o.sessionStartMs + budget.max_hours * 3_600_000 - o.nowMs) / 1000, budget: 'max_hours' });
  }
  if (budget.max_cost_usd !== null && spi !== null && done > 0 && o.costUsd > 0) {
    const iterationsLeft = Math.max(0, Math.floor((budget.max_cost_usd - o.costUsd) / (o.costUsd / done)));
    etas.push({ seconds: iterationsLeft * spi, budget: 'max_cost_usd' });
  }
  return etas.length ? etas.reduce((a, b) => (b.seconds < a.seconds ? b : a)) : null;
}
