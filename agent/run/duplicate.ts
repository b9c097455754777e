// The duplicate check: a candidate whose train/ source, with comments and whitespace normalised,
// equals an earlier candidate's (or the baseline's) reuses that result instead of re-evaluating.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { JournalEvent } from '../events.ts';

/** Hash of every file under `trainDir` with TypeScript comments dropped and whitespace collapsed. */
export function normalisedSourceHash(trainDir: string): string {
  const h = crypto.createHash('sha256');
  for (const rel of listFiles(trainDir)) {
    const text = fs.readFileSync(path.join(trainDir, rel), 'utf8');
    h.update(rel).update('\0').update(rel.endsWith('.ts') ? normaliseTs(text) : text.replace(/\s+/g, ' ').trim()).update('\0');
  }
  return h.digest('hex');
}

/** TypeScript tokens joined by single spaces: comments and formatting no longer matter. */
export function normaliseTs(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, /* skipTrivia */ true, ts.LanguageVariant.Standard, text);
  const out: string[] = [];
  for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) out.push(scanner.getTokenText());
  return out.join(' ');
}

/** The earliest iteration (0 = baseline) whose source hash equals `hash`, or null. */
export function findDuplicate(events: readonly JournalEvent[], hash: string): number | null {
  for (const e of events) {
    if (e.type === 'baseline' && e.sourceHash === hash) return 0;
    if (e.type === 'candidate' && e.sourceHash === hash && e.outcome === 'edited') return e.iteration;
  }
  return null;
}

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, r));
    else if (entry.isFile()) out.push(r);
  }
  return out;
}
