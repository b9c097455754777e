// Rewrites runs/<tag>/results.parquet from the journal after every iteration and at session end,
// so the table a researcher opens in the morning is never more than one iteration behind.
import path from 'node:path';
import type { EventOf, JournalEvent } from '../events.ts';
import { rowsFromEvents, type ResultRow } from './rows.ts';
import { RESULTS_SCHEMA_VERSION, writeResultsParquet, type ResultsMeta } from './parquet.ts';

/** The results file of run `tag`. */
export const resultsFile = (repo: string, tag: string): string => path.join(repo, 'runs', tag, 'results.parquet');

/** Writes the run's results.parquet (rows and metadata) from its journal events. */
export async function writeRunResults(o: {
  repo: string; tag: string; events: readonly JournalEvent[]; dataFingerprint: string;
}): Promise<string> {
  const rows = rowsFromEvents(o.events);
  const file = resultsFile(o.repo, o.tag);
  await writeResultsParquet(file, rows, resultsMeta(o.tag, o.events, rows, o.dataFingerprint));
  return file;
}

/** The file metadata: the latest session's config snapshot, the backend the jobs ran on, and a one-line summary. */
export function resultsMeta(tag: string, events: readonly JournalEvent[], rows: readonly ResultRow[], dataFingerprint: string): ResultsMeta {
  const starts = events.filter((e): e is EventOf<'session_start'> => e.type === 'session_start');
  const config = starts.at(-1)?.config ?? {};
  const decisions = events.filter((e): e is EventOf<'decision'> => e.type === 'decision');
  const evalConfig = (config as { eval?: { backend?: unknown } }).eval;
  const backend = decisions.findLast((d) => d.backend)?.backend ?? String(evalConfig?.backend ?? 'unknown');
  return {
    tag, config: JSON.stringify(config), backend, data_fingerprint: dataFingerprint,
    notes: notes(events, rows), schema_version: RESULTS_SCHEMA_VERSION,
  };
}

function notes(events: readonly JournalEvent[], rows: readonly ResultRow[]): string {
  const sessions = new Set(events.filter((e) => e.type === 'session_start').map((e) => (e as EventOf<'session_start'>).session)).size;
  const candidates = rows.filter((r) => r.status !== 'baseline');
  const kept = candidates.filter((r) => r.status === 'keep');
  const best = [...rows].reverse().find((r) => r.status === 'keep') ?? rows.find((r) => r.status === 'baseline');
  const ends = events.filter((e): e is EventOf<'session_end'> => e.type === 'session_end');
  return [
    `${sessions} session${sessions === 1 ? '' : 's'}, ${candidates.length} candidate${candidates.length === 1 ? '' : 's'}, ${kept.length} kept`,
    best && best.payout !== null ? `best: ${best.status === 'baseline' ? 'the baseline' : `exp ${best.iteration}`} payout ${best.payout.toFixed(5)}` : 'no baseline yet',
    ...(ends.length ? [`last session ended: ${ends.at(-1)!.reason}`] : []),
  ].join('; ');
}

/** writeRunResults for the loop: the table is a view of the journal, so a failure is logged, never fatal. */
export async function refreshResults(ctx: { repo: string; tag: string; journal: { events(): readonly JournalEvent[] };
  harness: { ds: { meta: { fingerprint: string } } }; log(line: string): void }): Promise<void> {
  // before the baseline there is nothing to tabulate (and a run that failed to start leaves no file)
  if (!ctx.journal.events().some((e) => e.type === 'baseline')) return;
  try {
    await writeRunResults({ repo: ctx.repo, tag: ctx.tag, events: ctx.journal.events(), dataFingerprint: ctx.harness.ds.meta.fingerprint });
  } catch (e) {
    ctx.log(`could not rewrite ${path.relative(ctx.repo, resultsFile(ctx.repo, ctx.tag))} (the journal is intact; the next iteration retries): ${(e as Error).message}`);
  }
}
