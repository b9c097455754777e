// Bad input to `run`: budgets and counts out of range, an unknown agent, the claude agent without
// a key, a dirty repository, a live or unreadable lock, a damaged journal and unusable data. The
// refusal must come before the lock is kept, the branch is made or the journal is written.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBadInputTable, type BadInputRow } from '../helpers/bad-input.ts';
import type { TempRepo } from '../helpers/temp-repo.ts';
import { badFiles } from './bad-files.ts';
import { DAMAGED, writeJournal } from './journal-fixture.ts';

const bad = await badFiles();
const USAGE = 'why: the command line does not match what `autoresearch run` accepts';
const DIRTY = ['error: the repository has uncommitted changes', 'fix: commit them (git add -A && git commit) or stash them (git stash -u), then run again'];

/** Holds runs/.lock with the pid of a live process this test started; the cleanup ends it. */
function liveLock(r: TempRepo): () => void {
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  const lock = { pid: sleeper.pid, tag: 'other', host: os.hostname(), started: '2026-01-01T00:00:00.000Z' };
  fs.writeFileSync(path.join(r.dir, 'runs', '.lock'), JSON.stringify(lock) + '\n');
  return () => { sleeper.kill('SIGKILL'); };
}

const damaged = (kind: keyof typeof DAMAGED): BadInputRow => ({
  name: `damaged journal (${kind}) is refused with its line number`, args: ['run', '--tag', 't', '--agent', 'mutate'],
  setup: (r) => { writeJournal(r.dir, 't', DAMAGED[kind].text); },
  expect: { code: 2, stderr: ['error: cannot read the journal ', path.join('runs', 't', 'journal.jsonl'), DAMAGED[kind].why, `fix: the journal is never repaired automatically; inspect it with \`sed -n ${DAMAGED[kind].line}p `] },
});

const rows: BadInputRow[] = [
  { name: '--max-iterations 0', args: ['run', '--max-iterations', '0'], expect: { code: 2, stderr: ["error: option '--max-iterations <n>' argument '0' is invalid. expected a positive integer for --max-iterations, got 0", USAGE, 'fix: run `autoresearch run --help`'] } },
  { name: '--max-cost -1', args: ['run', '--max-cost', '-1'], expect: { code: 2, stderr: ['expected a positive number for --max-cost, got -1', USAGE] } },
  { name: '--max-hours abc', args: ['run', '--max-hours', 'abc'], expect: { code: 2, stderr: ['expected a positive number for --max-hours, got abc', USAGE] } },
  { name: '--max-hours 0', args: ['run', '--max-hours', '0'], expect: { code: 2, stderr: ['expected a positive number for --max-hours, got 0', USAGE] } },
  { name: '--workers x', args: ['run', '--workers', 'x'], expect: { code: 2, stderr: ['expected a positive integer for --workers, got x', USAGE] } },
  { name: 'stray argument', args: ['run', 'mar1'], expect: { code: 2, stderr: ["error: too many arguments for 'run'. Expected 0 arguments but got 1.", USAGE] } },
  { name: 'unknown --agent', args: ['run', '--tag', 't', '--agent', 'gpt5'], expect: { code: 2, stderr: ['error: unknown agent "gpt5"', 'why: expected claude, openai or mutate', 'fix: pass --agent claude, --agent openai or --agent mutate'] } },
  {
    name: '--agent claude without ANTHROPIC_API_KEY', args: ['run', '--tag', 't', '--agent', 'claude'],
    expect: { code: 2, stderr: ['error: the claude agent needs an API key', 'why: ANTHROPIC_API_KEY is not set', 'fix: export ANTHROPIC_API_KEY=', 'or run with --agent mutate'] },
  },
  { name: 'invalid --tag', args: ['run', '--tag', 'a/b', '--agent', 'mutate'], expect: { code: 2, stderr: ['error: invalid tag "a/b"', 'why: a tag names the branch autoresearch/<tag>', 'fix: choose another --tag'] } },
  {
    name: 'uncommitted changes to a tracked harness file', args: ['run', '--tag', 't', '--agent', 'mutate'],
    setup: (r) => fs.appendFileSync(path.join(r.dir, 'harness', 'cv.ts'), '\n// local edit\n'),
    expect: { code: 2, stderr: [...DIRTY, 'harness/cv.ts'] },
  },
  {
    name: 'uncommitted changes to train/ on a new tag', args: ['run', '--tag', 't', '--agent', 'mutate'],
    setup: (r) => fs.appendFileSync(path.join(r.dir, 'train', 'train.ts'), '\n// local edit\n'),
    expect: { code: 2, stderr: [...DIRTY, 'train/train.ts'] },
  },
  {
    name: 'another live run holds the lock', args: ['run', '--tag', 't', '--agent', 'mutate'], setup: liveLock,
    expect: { code: 2, stderr: ['error: another autoresearch run (pid ', 'tag other) is running in this repository', 'why: ', 'only one loop may edit train/', 'fix: wait for it to finish or stop it (kill '] },
  },
  {
    name: 'an unreadable lock file', args: ['run', '--tag', 't', '--agent', 'mutate'],
    setup: (r) => fs.writeFileSync(path.join(r.dir, 'runs', '.lock'), 'garbage\n'),
    expect: { code: 2, stderr: ['error: cannot read the lock file ', 'why: it does not hold {pid, tag, host, started}', 'fix: if no autoresearch run is active in this repository, delete it'] },
  },
  damaged('notJson'),
  damaged('wrongSchema'),
  damaged('noFinalNewline'),
  {
    name: 'an empty program.md', args: ['run', '--tag', 't', '--agent', 'mutate'],
    setup: async (r) => { fs.writeFileSync(path.join(r.dir, 'program.md'), '\n'); await r.git(['commit', '-qam', 'empty brief']); },
    expect: { code: 2, stderr: ['error: program.md is empty', 'why: the agent needs a research brief', 'fix: write the goal'] },
  },
  {
    name: 'program.md missing', args: ['run', '--tag', 't', '--agent', 'mutate'],
    setup: async (r) => { await r.git(['rm', '-q', 'program.md']); await r.git(['commit', '-qm', 'no brief']); },
    expect: { code: 2, stderr: ['error: program.md not found', 'why: the research brief is missing from ', 'fix: write program.md'] },
  },
  { name: 'unknown flag', args: ['run', '--frobnicate'], expect: { code: 2, stderr: ["error: unknown option '--frobnicate'", USAGE, 'fix: run `autoresearch run --help`'] } },
  {
    name: 'the openai endpoint is down', args: ['run', '--tag', 't', '--agent', 'openai'],
    setup: (r) => fs.appendFileSync(path.join(r.dir, 'autoresearch.yaml'), 'agent:\n  openai_base_url: http://127.0.0.1:1/v1\n'),
    expect: { code: 2, stderr: ['error: cannot reach the openai endpoint http://127.0.0.1:1/v1', 'why: '] },
  },
  {
    name: 'data that is not Numerai', args: ['run', '--tag', 't', '--agent', 'mutate', '--data', bad.notNumerai],
    setup: () => {},
    expect: { code: 2, stderr: [`error: features.json not found: ${path.join(bad.notNumerai, 'features.json')}`, 'fix: download it'] },
  },
];

runBadInputTable('bad input: run', rows);
