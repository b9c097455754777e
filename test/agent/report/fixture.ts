// A hand-written run for report and serve tests that need no real loop: a git repository with one
// commit and a journal with a session, a baseline, a discard and a keep (whose predictions were
// never saved, so the per-era chart explains why it is missing).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { Journal } from '../../../agent/journal.ts';

export interface HandRun { dir: string; cleanup(): void }

const TOKENS = { input: 100, output: 20, cache_read: 0, cache_write: 0 };

/** A repository holding run `t` with the given hypothesis on exp 1 and the given learnings.md. */
export async function handRun(o: { hypothesis?: string; learnings?: string } = {}): Promise<HandRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-report-'));
  const git = (args: string[]) => execa('git', args, { cwd: dir });
  await git(['init', '-q', '-b', 'main']);
  await git(['config', 'user.email', 'test@example.com']);
  await git(['config', 'user.name', 'test']);
  fs.writeFileSync(path.join(dir, 'learnings.md'), o.learnings ?? '# Learnings\n\nNothing yet.\n');
  await git(['add', '-A']);
  await git(['commit', '-q', '--no-gpg-sign', '-m', 'init']);
  const j = Journal.open(path.join(dir, 'runs', 't', 'journal.jsonl'));
  j.append({ type: 'session_start', session: 1, tag: 't', branch: 'autoresearch/t', head: 'abc', agent: 'mutate', resumed: false, config: {}, changed: [] });
  j.append({ type: 'baseline', ref: 'abc', seeds: [{ seed: 1, corr: 0.01, bmc: 0.002, payout: 0.012 }], sigma: 0.01, margin: 0.005, payout: 0.012 });
  const candidate = (iteration: number, hypothesis: string, category: 'features' | 'loss') => j.append({
    type: 'candidate', iteration, ref: `sha${iteration}`, refName: `refs/autoresearch/t/${iteration}`, parent: 'abc', diff: '',
    hypothesis, category, subcategory: '', expected: '', tokens: TOKENS, cost_usd: 0.001, agent: 'mutate', duplicateOf: null, outcome: 'edited',
  });
  const decision = (iteration: number, decision: 'keep' | 'discard', payout: number) => j.append({
    type: 'decision', iteration, decision, reason: 'test', payout, corr: payout / 2, bmc: payout / 4, fnc: null, sharpe: null,
    maxDrawdown: null, std: null, delta: payout - 0.012, seeds: [{ seed: 1, corr: payout / 2, bmc: payout / 4, payout }], bestBefore: 0.012, seconds: 1,
  });
  j.append({ type: 'llm_call', iteration: 1, purpose: 'propose', model: 'claude-test', tokens: TOKENS, cost_usd: 0.0025, ok: true });
  candidate(1, o.hypothesis ?? 'more features', 'features');
  decision(1, 'discard', 0.005);
  j.append({ type: 'learnings', iteration: 1, chars: 10, by: 'template' });
  candidate(2, 'a pearson loss', 'loss');
  decision(2, 'keep', 0.03);
  j.append({ type: 'commit', iteration: 2, sha: 'def' });
  j.append({ type: 'learnings', iteration: 2, chars: 10, by: 'template' });
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
