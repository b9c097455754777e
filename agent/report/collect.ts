// Gathers everything the report shows for one run from its journal, git and the working tree;
// the HTML renderer then needs nothing but this object.
import fs from 'node:fs';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { runStatus, type RunStatus } from '../commands/status.ts';
import { validateConfig } from '../config.ts';
import type { EventOf, JournalEvent } from '../events.ts';
import { Journal } from '../journal.ts';
import { computeDoNotRetry, type DnrRow } from '../knowledge/donotretry.ts';
import { rowsFromEvents, type ResultRow } from '../results/rows.ts';
import { keptDiffs, type KeptDiff } from './diffs.ts';
import { renderMarkdown } from './markdown.ts';
import { bestPerEra, type PerEraOutcome } from './per-era.ts';
import { progressSeries, type ProgressSeries } from './progress.ts';

export interface ReportData {
  tag: string;
  /** ISO time the report was built */
  generated: string;
  status: RunStatus;
  rows: ResultRow[];
  progress: ProgressSeries;
  perEra: PerEraOutcome;
  dnr: DnrRow[];
  learnings: { html: string; note: string | null };
  diffs: KeptDiff[];
}

/** A per-era outcome to reuse while the best model has not changed (the live page re-collects often). */
export interface PerEraCache { key: string; value: PerEraOutcome }

/** Everything the report of run `tag` shows. */
export async function collectReport(repo: string, tag: string, cache?: { perEra?: PerEraCache }): Promise<ReportData> {
  const events = Journal.open(path.join(repo, 'runs', tag, 'journal.jsonl')).events();
  const { out: status, st } = runStatus(repo, tag);
  const key = JSON.stringify([st.best?.iteration ?? null, st.best?.payout ?? null]);
  let perEra: PerEraOutcome;
  if (cache?.perEra && cache.perEra.key === key) {
    perEra = cache.perEra.value;
  } else {
    perEra = await bestPerEra(repo, events);
    if (cache) cache.perEra = { key, value: perEra };
  }
  const rows = rowsFromEvents(events);
  return {
    tag, generated: new Date().toISOString(), status, rows, progress: progressSeries(rows), perEra,
    dnr: computeDoNotRetry(events, knowledgeConfig(events)),
    learnings: await learningsOf(repo, tag),
    diffs: await keptDiffs(repo, tag),
  };
}

function knowledgeConfig(events: readonly JournalEvent[]) {
  const start = events.filter((e): e is EventOf<'session_start'> => e.type === 'session_start').pop();
  return validateConfig(start?.config ?? {}, 'the run\'s config snapshot').knowledge;
}

// learnings.md lives in the working tree and belongs to whichever run last wrote it.
async function learningsOf(repo: string, tag: string): Promise<ReportData['learnings']> {
  const file = path.join(repo, 'learnings.md');
  if (!fs.existsSync(file)) return { html: '', note: 'learnings.md does not exist yet' };
  let branch = '';
  try {
    branch = (await simpleGit({ baseDir: repo }).raw(['symbolic-ref', '-q', '--short', 'HEAD'])).trim();
  } catch {
    branch = '';
  }
  const note = branch === `autoresearch/${tag}` ? null
    : `the working tree is on ${branch || 'a detached HEAD'}, not autoresearch/${tag}: learnings.md may belong to another run`;
  return { html: renderMarkdown(fs.readFileSync(file, 'utf8')), note };
}
