// Helpers for tests that run the research loop: a shared tiny synthetic dataset, running a tag to
// completion across SIGKILLs, and the invariants a journal + git pair must satisfy after any crash.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { synthesize } from '../../harness/data/synth.ts';
import { Journal } from '../../agent/journal.ts';
import type { EventOf, JournalEvent } from '../../agent/events.ts';
import { candidateRef, listNotebook, parseTrailers } from '../../agent/git.ts';
import { humanPart } from '../../agent/knowledge/donotretry.ts';
import type { TempRepo } from './temp-repo.ts';

let tiny: string | null = null;

/** A tiny synthetic dataset (48 eras × 40 rows × 12 features), made once per test process. */
export async function tinyData(): Promise<string> {
  if (tiny && fs.existsSync(path.join(tiny, 'features.json'))) return tiny;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-tiny-'));
  process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'data');
  await synthesize(dir, { seed: 3, eras: 48, validationEras: 8, rowsPerEra: 40, features: 12 });
  tiny = dir;
  return dir;
}

export function journalEvents(repo: string, tag: string): JournalEvent[] {
  return [...Journal.open(path.join(repo, 'runs', tag, 'journal.jsonl')).events()];
}

/** Runs `run` until it exits normally, restarting after each SIGKILL (faults only on the first start). */
export async function runToCompletion(r: TempRepo, args: string[], env: Record<string, string> = {}, maxStarts = 6): Promise<{ starts: number; killed: number }> {
  let killed = 0;
  for (let start = 1; start <= maxStarts; start++) {
    const res = await r.cli(['run', ...args], { env: start === 1 ? env : {} });
    if (res.signal === 'SIGKILL') { killed++; continue; }
    if (res.exitCode !== 0) throw new Error(`run exited ${res.exitCode}:\n${res.stderr}`);
    return { starts: start, killed };
  }
  throw new Error(`run did not finish in ${maxStarts} starts`);
}

/** The comparable outcome of a run: each experiment's status, payout and hypothesis, and the files it wrote. */
export async function outcomeOf(repo: string, tag: string) {
  const rows = await listNotebook(repo, tag);
  return {
    rows: rows.map((r) => ({ n: r.n, status: r.status, payout: r.payout, category: r.category, hypothesis: r.hypothesis, kept: r.kept })),
    learnings: fs.readFileSync(path.join(repo, 'learnings.md'), 'utf8'),
    program: fs.readFileSync(path.join(repo, 'program.md'), 'utf8'),
  };
}

/**
 * Checks the journal/git invariants; returns the violations (empty when all hold). `interrupted`
 * checks a run stopped mid-iteration, where two states are valid by design because resume finishes
 * them: a keep journaled but not yet (or not yet journaled as) committed, and a train/ edited by
 * an interrupted proposal (the next start sets it aside and restores train/).
 */
export async function invariantViolations(repo: string, tag: string, opts: { interrupted?: boolean } = {}): Promise<string[]> {
  const v: string[] = [];
  let events: JournalEvent[];
  try {
    events = journalEvents(repo, tag);
  } catch (e) {
    return [`journal does not parse: ${(e as Error).message}`];
  }
  const of = <T extends JournalEvent['type']>(t: T) => events.filter((e): e is EventOf<T> => e.type === t);
  const cands = of('candidate').map((c) => c.iteration);
  if (new Set(cands).size !== cands.length) v.push(`a candidate iteration was journaled twice: ${cands.join(',')}`);
  cands.forEach((n, i) => { if (n !== i + 1) v.push(`iterations are not contiguous: ${cands.join(',')}`); });
  const decisions = of('decision').map((d) => d.iteration);
  if (new Set(decisions).size !== decisions.length) v.push(`an iteration was decided twice: ${decisions.join(',')}`);
  const jobs = of('job').map((j) => `${j.iteration}:${j.fold}:${j.seed}`);
  const dupJobs = jobs.filter((k, i) => jobs.indexOf(k) !== i);
  if (dupJobs.length) v.push(`fold x seed jobs run twice: ${dupJobs.join(', ')}`);
  const g = simpleGit({ baseDir: repo });
  // a run killed during start-up may not have made its branch yet; that is a valid state only with no candidates
  if ((await g.raw(['branch', '--list', `autoresearch/${tag}`])).trim() === '') {
    return cands.length ? [...v, `journal has ${cands.length} candidates but no branch autoresearch/${tag}`] : v;
  }
  const log = await g.raw(['log', '--first-parent', '--format=%B%x1e', `autoresearch/${tag}`]);
  const keptInGit = log.split('\x1e').map((m) => parseTrailers(m)).filter((f) => f !== null).map((f) => f!.experiment).reverse();
  const keptInJournal = of('decision').filter((d) => d.decision === 'keep').map((d) => d.iteration);
  const committed = new Set(of('commit').map((c) => c.iteration));
  const same = (a: number[], b: number[]) => JSON.stringify(a) === JSON.stringify(b);
  const settled = keptInJournal.filter((n) => committed.has(n));
  const unsettled = keptInJournal.filter((n) => !committed.has(n));
  const keepsOk = opts.interrupted
    ? unsettled.length <= 1 && (same(keptInGit, settled) || same(keptInGit, keptInJournal))
    : unsettled.length === 0 && same(keptInGit, keptInJournal);
  if (!keepsOk) v.push(`branch keeps [${keptInGit}] != journal keeps [${keptInJournal}] (committed: [${settled}])`);
  for (const n of cands) {
    const ok = (await g.raw(['for-each-ref', candidateRef(tag, n)])).trim() !== '';
    if (!ok) v.push(`candidate ref ${candidateRef(tag, n)} is missing`);
  }
  const program = fs.readFileSync(path.join(repo, 'program.md'), 'utf8');
  const programAtHead = await g.raw(['show', 'HEAD:program.md']);
  if (humanPart(program) !== humanPart(programAtHead)) v.push('program.md human part changed');
  if ((program.match(/autoresearch:do-not-retry:start/g) ?? []).length !== 1) v.push('program.md markers are not well formed');
  const learnings = fs.readFileSync(path.join(repo, 'learnings.md'), 'utf8');
  if (!learnings.startsWith('# Learnings')) v.push('learnings.md is not well formed');
  const dirtyTrain = (await g.raw(['status', '--porcelain', '--', 'train'])).trim();
  const pending = cands.filter((n) => !decisions.includes(n));
  if (dirtyTrain && pending.length === 0 && !opts.interrupted) v.push(`train/ is dirty with no pending candidate: ${dirtyTrain}`);
  return v;
}
