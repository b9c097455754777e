// The one-line live header of the report: running or not, phase, best, spend and ETA, the same
// figures `autoresearch status` prints, formatted once for the static file and the live page.
import type { RunStatus } from '../commands/status.ts';

const num = (v: number | null | undefined, d = 5): string => (v === null || v === undefined ? 'n/a' : v.toFixed(d));

/** "running (pid 42) · iteration 3 · phase explore · best payout 0.12345 (exp 2) · spend $0.0100 · ETA …". */
export function statusLine(s: RunStatus): string {
  const parts = [
    s.live ? `running (pid ${s.pid})` : 'not running',
    `iteration ${s.iteration}`,
    `phase ${s.phase ?? 'n/a'}`,
    `best payout ${num(s.best?.payout)}${s.best ? ` (${s.best.iteration === 0 ? 'baseline' : `exp ${s.best.iteration}`})` : ''}`,
    `kept ${s.kept}, discarded ${s.discarded}, errors ${s.errors}`,
    `spend $${s.cost_usd.toFixed(4)}${s.budget?.max_cost_usd != null ? ` of $${s.budget.max_cost_usd}` : ''}`,
  ];
  if (s.eta_seconds !== null) parts.push(`ETA ${(s.eta_seconds / 60).toFixed(1)} min (${s.eta_budget})`);
  return parts.join(' · ');
}
