// Near-misses (seed 002, adaptation 6): the discarded candidates that came closest to the best,
// with their diffs — a change that reached 99.5% of the best is often one tweak from a keep.
import type { Category, JournalEvent } from '../events.ts';
import { iterations } from '../state.ts';

export interface NearMiss {
  iteration: number;
  payout: number;
  /** payout minus the best at the time it was scored; null when there was no best */
  delta: number | null;
  /** seeds the payout averages (1 when discarded after the first seed) */
  seeds: number;
  hypothesis: string;
  category: Category;
  subcategory: string;
  diff: string;
  settings?: Record<string, unknown>;
}

/** The n discarded, non-duplicate candidates with the highest payout (earlier first on ties). */
export function nearMisses(events: readonly JournalEvent[], n: number): NearMiss[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer n for nearMisses, got ${n}`);
  const out: NearMiss[] = [];
  for (const r of iterations(events)) {
    const d = r.decision;
    if (!d || d.decision !== 'discard' || d.payout === null || r.candidate.duplicateOf !== null) continue;
    const c = r.candidate;
    out.push({
      iteration: r.iteration, payout: d.payout, delta: d.delta, seeds: d.seeds.length,
      hypothesis: c.hypothesis, category: c.category, subcategory: c.subcategory, diff: c.diff,
      ...(c.settings ? { settings: c.settings } : {}),
    });
  }
  return out.sort((a, b) => b.payout - a.payout || a.iteration - b.iteration).slice(0, n);
}
