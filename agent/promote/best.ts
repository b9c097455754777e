// Which candidate of a run to promote: the kept one with the highest payout, or the baseline when
// nothing was kept. A pure function of the journal.
import { UserError } from '../../harness/errors.ts';
import type { EventOf, JournalEvent } from '../events.ts';
import { iterations } from '../state.ts';

export interface Promotable {
  /** 0 for the baseline */
  iteration: number;
  /** the commit whose train/ is exported */
  commit: string;
  payout: number;
  seeds: number[];
  baseline: boolean;
}

/** The kept candidate with the highest payout (the earliest on a tie), else the baseline. */
export function pickPromotable(events: readonly JournalEvent[], tag: string): Promotable {
  let best: Promotable | null = null;
  for (const r of iterations(events)) {
    const d = r.decision;
    if (d?.decision !== 'keep' || d.payout === null) continue;
    if (best && d.payout <= best.payout) continue;
    best = { iteration: r.iteration, commit: r.commit?.sha ?? r.candidate.ref, payout: d.payout, seeds: d.seeds.map((s) => s.seed), baseline: false };
  }
  if (best) return best;
  const base = events.find((e): e is EventOf<'baseline'> => e.type === 'baseline');
  if (!base) {
    throw new UserError(`run "${tag}" has no scored candidate yet`, 'its journal has neither a kept candidate nor a baseline evaluation',
      `let the run get past its baseline (npx autoresearch run --tag ${tag}), then promote`);
  }
  return { iteration: 0, commit: base.ref, payout: base.payout, seeds: base.seeds.map((s) => s.seed), baseline: true };
}
