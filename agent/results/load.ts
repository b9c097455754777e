// Resolves a RUN argument of `inspect` and `compare`: a tag under runs/ (rows read from its
// journal, so a live run shows its latest iteration) or the path of a results.parquet.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../harness/errors.ts';
import { runTags } from '../commands/status.ts';
import { Journal } from '../journal.ts';
import { readResultsParquet, type ResultsMeta } from './parquet.ts';
import { rowsFromEvents, type ResultRow } from './rows.ts';
import { resultsFile, resultsMeta } from './write-run.ts';

export interface LoadedRun {
  /** the tag (from the file's metadata for a path) */
  name: string;
  /** where the rows were read from, relative to the repository when inside it */
  source: string;
  rows: ResultRow[];
  meta: Partial<ResultsMeta>;
}

/** Loads one RUN; an unknown tag is a UserError naming the runs that exist. */
export async function loadRun(repo: string, cwd: string, run: string): Promise<LoadedRun> {
  if (looksLikePath(run)) {
    const file = path.resolve(cwd, run);
    const { rows, meta } = await readResultsParquet(file);
    return { name: meta.tag ?? path.basename(path.dirname(file)), source: shown(repo, file), rows, meta };
  }
  const tags = runTags(repo);
  if (!tags.includes(run)) {
    throw new UserError(`unknown run "${run}"`,
      tags.length ? `runs/ has these runs: ${[...tags].sort().join(', ')}` : 'runs/ has no run journals yet',
      tags.length ? 'pass one of those tags, or the path of a results.parquet' : 'start one with `npx autoresearch run`, or pass the path of a results.parquet');
  }
  const journal = path.join(repo, 'runs', run, 'journal.jsonl');
  const events = Journal.open(journal).events();
  const rows = rowsFromEvents(events);
  const saved = resultsFile(repo, run);
  const fingerprint = fs.existsSync(saved) ? ((await readResultsParquet(saved)).meta.data_fingerprint ?? 'unknown') : 'unknown';
  return { name: run, source: shown(repo, journal), rows, meta: resultsMeta(run, events, rows, fingerprint) };
}

/** The best row: the last keep (each keep beat the best before it), else the baseline. */
export function bestRow(rows: readonly ResultRow[]): ResultRow | null {
  return [...rows].reverse().find((r) => r.status === 'keep') ?? rows.find((r) => r.status === 'baseline') ?? null;
}

const looksLikePath = (run: string): boolean => run.endsWith('.parquet') || run.includes('/') || run.includes(path.sep);

function shown(repo: string, file: string): string {
  const rel = path.relative(repo, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}
