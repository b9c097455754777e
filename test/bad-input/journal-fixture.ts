// Journals for the bad-input tables: a valid line, and files damaged the ways a crash or a hand
// edit can damage them.
import fs from 'node:fs';
import path from 'node:path';

/** One valid journal line (a finished job). */
export const JOB_LINE = JSON.stringify({ v: 1, t: '2026-01-01T00:00:00.000Z', type: 'job', iteration: 1, fold: 0, seed: 1, status: 'ok', seconds: 1 });

/** Journal texts that must be refused, each with the line number the refusal names. */
export const DAMAGED: Record<'notJson' | 'wrongSchema' | 'noFinalNewline', { text: string; line: number; why: string }> = {
  notJson: { text: `${JOB_LINE}\n{"v":1,"t":"2026-01-01T00:00:01.000Z","type":"job",\n`, line: 2, why: 'why: line 2 is not valid JSON' },
  wrongSchema: { text: `${JOB_LINE}\n${JOB_LINE}\n{"v":1,"t":"x","type":"decision","iteration":"oops"}\n`, line: 3, why: 'why: line 3 does not match the journal schema at "iteration": Expected number, received string' },
  noFinalNewline: { text: JOB_LINE, line: 1, why: 'why: line 1 has no final newline, so a write to it was interrupted' },
};

/** Writes runs/<tag>/journal.jsonl in the repository. */
export function writeJournal(dir: string, tag: string, text: string): string {
  const file = path.join(dir, 'runs', tag, 'journal.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
