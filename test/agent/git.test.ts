import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assertClean, formatMessage, keep, listNotebook, listTags, parseTrailers, revertTrain, rewordCandidate,
  snapshotCandidate, startBranch, trainTreeHash, validateTag, workingTrainDiff, type MessageFields,
} from '../../agent/git.ts';
import { UserError } from '../../harness/errors.ts';

const git = (repo: string, ...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
const write = (repo: string, rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), text);
};
const read = (repo: string, rel: string) => fs.readFileSync(path.join(repo, rel), 'utf8');

/** A committed project: train/train.ts, train/util.ts, program.md, learnings.md, runs/.gitkeep. */
function makeRepo(): string {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'notebook-git-'));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.name', 'Test Researcher');
  git(repo, 'config', 'user.email', 'test@example.com');
  git(repo, 'config', 'commit.gpgsign', 'false');
  write(repo, '.gitignore', 'runs/*\n!runs/.gitkeep\n');
  write(repo, 'train/train.ts', 'export const LR = 0.01;\n');
  write(repo, 'train/util.ts', 'export const helper = 1;\n');
  write(repo, 'program.md', '# brief\n');
  write(repo, 'learnings.md', '# learnings\n');
  write(repo, 'runs/.gitkeep', '');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  return repo;
}

const fields = (n: number, over: Partial<MessageFields> = {}): MessageFields => ({
  experiment: n, status: 'pending', payout: null, delta: null, corr: null, bmc: null, seeds: [],
  category: 'optimizer', hypothesis: `raise the learning rate (${n})`, ...over,
});

const userError = (re: RegExp) => (e: unknown) => e instanceof UserError && re.test(e.message);

test('a message renders the summary, body and trailers, and its trailers read back exactly', () => {
  const f = fields(12, {
    status: 'keep', payout: 0.030123456789, delta: 0.0012, corr: 0.0211, bmc: -0.000417, seeds: [42, 17, 73],
    category: 'optimizer/lr', hypothesis: 'a higher learning rate\nconverges before the budget ends',
    body: 'Per-seed payouts: 0.0301, 0.0302, 0.0300',
  });
  const msg = formatMessage(f);
  assert.equal(msg, [
    'exp 12 keep: payout 0.03012 (+0.00120) — a higher learning rate converges before the budget ends',
    '',
    'Per-seed payouts: 0.0301, 0.0302, 0.0300',
    '',
    'Experiment: 12', 'Status: keep', 'Payout: 0.030123456789', 'Delta: +0.0012', 'Corr: 0.0211', 'BMC: -0.000417',
    'Seeds: 42, 17, 73', 'Category: optimizer/lr', 'Hypothesis: a higher learning rate converges before the budget ends', '',
  ].join('\n'));
  const { body: _body, ...trailerFields } = f;
  assert.deepEqual(parseTrailers(msg), { ...trailerFields, hypothesis: 'a higher learning rate converges before the budget ends' });
});

test('a pending message has no scores, and a long hypothesis is cut in the summary only', () => {
  const long = 'x'.repeat(100);
  const msg = formatMessage(fields(3, { hypothesis: long, category: '' }));
  assert.equal(msg.split('\n')[0], `exp 3 pending — ${'x'.repeat(71)}…`);
  assert.deepEqual(parseTrailers(msg), { ...fields(3), hypothesis: long, category: '' });
  assert.equal(parseTrailers('initial commit\n'), null);
  assert.throws(() => formatMessage(fields(1, { payout: Number.NaN })), /expected a finite number or null for payout, got NaN/);
});

test('tags must be a single ref segment', () => {
  validateTag('mar1');
  validateTag('run-2.b_c');
  for (const bad of ['a/b', '', '.x', 'x..y', 'x.lock', 'a b']) assert.throws(() => validateTag(bad), userError(/^invalid tag/));
});

test('startBranch creates autoresearch/<tag> at HEAD and resumes it when it exists', async () => {
  const repo = makeRepo();
  const head = git(repo, 'rev-parse', 'HEAD');
  assert.equal(await startBranch(repo, 'mar1'), head);
  assert.equal(git(repo, 'symbolic-ref', 'HEAD'), 'refs/heads/autoresearch/mar1');
  git(repo, 'checkout', '-q', 'main');
  assert.equal(await startBranch(repo, 'mar1'), head);
  assert.equal(git(repo, 'symbolic-ref', 'HEAD'), 'refs/heads/autoresearch/mar1');
});

test('snapshot commits train/ with added and deleted files without moving HEAD, index or working tree', async () => {
  const repo = makeRepo();
  const head = await startBranch(repo, 't');
  write(repo, 'train/train.ts', 'export const LR = 0.02;\n');
  write(repo, 'train/new.ts', 'export const extra = 2;\n');
  fs.rmSync(path.join(repo, 'train/util.ts'));
  write(repo, 'program.md', '# brief, edited but not part of the candidate\n');
  const status = git(repo, 'status', '--porcelain');
  const index = fs.readFileSync(path.join(repo, '.git/index'));

  const sha = await snapshotCandidate(repo, 't', 1, formatMessage(fields(1)));
  assert.deepEqual(fs.readFileSync(path.join(repo, '.git/index')), index);
  assert.equal(git(repo, 'rev-parse', 'HEAD'), head);
  assert.equal(git(repo, 'status', '--porcelain'), status);
  assert.equal(read(repo, 'train/new.ts'), 'export const extra = 2;\n');
  assert.equal(git(repo, 'rev-parse', 'refs/autoresearch/t/1'), sha);
  assert.equal(git(repo, 'rev-parse', `${sha}^`), head);
  assert.equal(git(repo, 'ls-tree', '-r', '--name-only', sha),
    ['.gitignore', 'learnings.md', 'program.md', 'runs/.gitkeep', 'train/new.ts', 'train/train.ts'].join('\n'));
  assert.equal(git(repo, 'show', `${sha}:train/train.ts`), 'export const LR = 0.02;');
  assert.equal(git(repo, 'show', `${sha}:program.md`), '# brief');
  assert.equal(git(repo, 'log', '-1', '--format=%B', sha), formatMessage(fields(1)).trim());

  const diff = await workingTrainDiff(repo);
  assert.match(diff, /^diff --git a\/train\/new\.ts b\/train\/new\.ts\nnew file mode 100644/m);
  assert.match(diff, /^diff --git a\/train\/util\.ts b\/train\/util\.ts\ndeleted file mode 100644/m);
  assert.match(diff, /^-export const LR = 0\.01;\n\+export const LR = 0\.02;$/m);
  assert.doesNotMatch(diff, /program\.md/);

  assert.equal(await trainTreeHash(repo, sha), git(repo, 'rev-parse', `${sha}:train`));
  assert.equal(await snapshotCandidate(repo, 't', 1, formatMessage(fields(1, { status: 'discard' }))) !== sha, true);
  assert.equal(parseTrailers(git(repo, 'log', '-1', '--format=%B', 'refs/autoresearch/t/1'))?.status, 'discard');
});

test('keep advances the branch with exact trailers, syncs the index, and is idempotent', async () => {
  const repo = makeRepo();
  const head = await startBranch(repo, 't');
  write(repo, 'train/train.ts', 'export const LR = 0.03;\n');
  write(repo, 'train/new.ts', 'export const extra = 3;\n');
  const cand = await snapshotCandidate(repo, 't', 4, formatMessage(fields(4)));
  const final = fields(4, { status: 'keep', payout: 0.0301, delta: 0.0012, corr: 0.02, bmc: 0.0067, seeds: [42, 17] });
  const reworded = await rewordCandidate(repo, 't', 4, formatMessage(final));
  assert.equal(git(repo, 'rev-parse', `${reworded}^{tree}`), git(repo, 'rev-parse', `${cand}^{tree}`));
  assert.equal(git(repo, 'rev-parse', `${reworded}^`), head);

  const sha = await keep(repo, 't', 4, formatMessage(final));
  assert.equal(git(repo, 'rev-parse', 'refs/heads/autoresearch/t'), sha);
  assert.equal(git(repo, 'rev-parse', `${sha}^`), head);
  assert.equal(git(repo, 'rev-parse', `${sha}^{tree}`), git(repo, 'rev-parse', `${cand}^{tree}`));
  assert.equal(git(repo, 'log', '-1', '--format=%(trailers:only,unfold)', sha), [
    'Experiment: 4', 'Status: keep', 'Payout: 0.0301', 'Delta: +0.0012', 'Corr: 0.02', 'BMC: 0.0067', 'Seeds: 42, 17',
    'Category: optimizer', 'Hypothesis: raise the learning rate (4)',
  ].join('\n'));
  assert.equal(git(repo, 'status', '--porcelain'), '');

  assert.equal(await keep(repo, 't', 4, formatMessage(final)), sha);
  assert.equal(git(repo, 'rev-list', '--count', 'HEAD'), '2');
});

test('revertTrain restores train/ to HEAD and removes new files, staged or not', async () => {
  const repo = makeRepo();
  await startBranch(repo, 't');
  write(repo, 'train/train.ts', 'broken(\n');
  fs.rmSync(path.join(repo, 'train/util.ts'));
  write(repo, 'train/sub/new.ts', 'x\n');
  write(repo, 'train/staged.ts', 'y\n');
  git(repo, 'add', 'train/staged.ts');
  write(repo, 'learnings.md', '# learnings, rewritten\n');
  await revertTrain(repo);
  assert.equal(read(repo, 'train/train.ts'), 'export const LR = 0.01;\n');
  assert.equal(read(repo, 'train/util.ts'), 'export const helper = 1;\n');
  assert.equal(fs.existsSync(path.join(repo, 'train/sub')), false);
  assert.equal(fs.existsSync(path.join(repo, 'train/staged.ts')), false);
  assert.equal(git(repo, 'status', '--porcelain'), 'M learnings.md');
});

test('assertClean refuses tracked changes and new train/ files, but not learnings.md or runs/', async () => {
  const repo = makeRepo();
  write(repo, 'learnings.md', 'rewritten\n');
  write(repo, 'runs/.gitkeep', 'touched\n');
  write(repo, 'runs/t/journal.jsonl', '{}\n');
  write(repo, 'notes.txt', 'untracked at the top level\n');
  await assertClean(repo);

  write(repo, 'program.md', 'edited\n');
  await assert.rejects(assertClean(repo), (e: unknown) => e instanceof UserError
    && e.what === 'the repository has uncommitted changes' && e.why.endsWith(': program.md'));
  git(repo, 'checkout', '-q', '--', 'program.md');
  write(repo, 'train/extra.ts', 'x\n');
  git(repo, 'rm', '-q', 'train/util.ts');
  await assert.rejects(assertClean(repo), (e: unknown) => e instanceof UserError && e.why.endsWith(': train/util.ts, train/extra.ts'));
  await assert.rejects(assertClean(fs.mkdtempSync(path.join(os.tmpdir(), 'not-a-repo-'))), userError(/^not a git repository/));
});

test('listNotebook rebuilds the notebook from refs and the branch; listTags finds every run', async () => {
  const repo = makeRepo();
  await startBranch(repo, 'a');
  write(repo, 'train/train.ts', 'export const LR = 0.05;\n');
  await snapshotCandidate(repo, 'a', 1, formatMessage(fields(1)));
  const disc = fields(1, { status: 'discard', payout: 0.01, delta: -0.002, corr: 0.01, bmc: 0.001, seeds: [42], category: 'loss' });
  const discSha = await rewordCandidate(repo, 'a', 1, formatMessage(disc));
  await revertTrain(repo);
  write(repo, 'train/train.ts', 'export const LR = 0.005;\n');
  const k = fields(2, { status: 'keep', payout: 0.04, delta: 0.003, corr: 0.03, bmc: 0.008, seeds: [42, 17, 73] });
  await snapshotCandidate(repo, 'a', 2, formatMessage(fields(2)));
  const candSha = await rewordCandidate(repo, 'a', 2, formatMessage(k));
  const keptSha = await keep(repo, 'a', 2, formatMessage(k));
  write(repo, 'train/train.ts', 'export const LR = 0.006;\n');
  const pendSha = await snapshotCandidate(repo, 'a', 10, 'work in progress\n');
  await revertTrain(repo);

  const rows = await listNotebook(repo, 'a');
  assert.deepEqual(rows, [
    { n: 1, status: 'discard', payout: 0.01, delta: -0.002, corr: 0.01, bmc: 0.001, seeds: [42], category: 'loss',
      hypothesis: 'raise the learning rate (1)', ref: 'refs/autoresearch/a/1', sha: discSha, kept: false, keptSha: null },
    { n: 2, status: 'keep', payout: 0.04, delta: 0.003, corr: 0.03, bmc: 0.008, seeds: [42, 17, 73], category: 'optimizer',
      hypothesis: 'raise the learning rate (2)', ref: 'refs/autoresearch/a/2', sha: candSha, kept: true, keptSha },
    { n: 10, status: 'pending', payout: null, delta: null, corr: null, bmc: null, seeds: [], category: '',
      hypothesis: '', ref: 'refs/autoresearch/a/10', sha: pendSha, kept: false, keptSha: null },
  ]);

  // A run branched from another run's head must not claim that run's keeps.
  await startBranch(repo, 'b');
  write(repo, 'train/train.ts', 'export const LR = 0.007;\n');
  await snapshotCandidate(repo, 'b', 2, formatMessage(fields(2)));
  const b = await listNotebook(repo, 'b');
  assert.deepEqual(b.map((r) => [r.n, r.status, r.kept]), [[2, 'pending', false]]);
  assert.deepEqual(await listTags(repo), ['a', 'b']);
  assert.deepEqual(await listNotebook(repo, 'zzz'), []);
});

test('trainTreeHash is null for a commit without train/', async () => {
  const repo = makeRepo();
  git(repo, 'rm', '-q', '-r', 'train');
  git(repo, 'commit', '-q', '-m', 'no train');
  assert.equal(await trainTreeHash(repo, 'HEAD'), null);
  assert.equal(await trainTreeHash(repo, 'HEAD~1'), git(repo, 'rev-parse', 'HEAD~1:train'));
});
