// The progress chart's series (Karpathy's progress.png): payout per experiment, the running best
// the gate compared against, and markers on the keeps. Pure over the results table.
import type { ResultRow } from '../results/rows.ts';

export interface ProgressSeries {
  /** "baseline", then the experiment numbers */
  labels: string[];
  /** multi-seed mean payout; null for errors and undecided candidates */
  payout: (number | null)[];
  /** the best the gate compared against after each experiment: the baseline, then the latest keep */
  best: (number | null)[];
  /** the payout where the experiment was kept, null elsewhere */
  kept: (number | null)[];
}

/** Series aligned with `rows` (baseline row first when present). */
export function progressSeries(rows: readonly ResultRow[]): ProgressSeries {
  const out: ProgressSeries = { labels: [], payout: [], best: [], kept: [] };
  let best: number | null = null;
  for (const r of rows) {
    const isBest = (r.status === 'baseline' || r.status === 'keep') && r.payout !== null;
    if (isBest) best = r.payout;
    out.labels.push(r.status === 'baseline' ? 'baseline' : String(r.iteration));
    out.payout.push(r.payout);
    out.best.push(best);
    out.kept.push(r.status === 'keep' ? r.payout : null);
  }
  return out;
}
