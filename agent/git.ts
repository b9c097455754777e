// Git as the lab notebook: the branch autoresearch/<tag> advances only on keep; every candidate, kept
// or not, is a commit under refs/autoresearch/<tag>/<n> whose trailers carry its scores. Candidates are
// snapshotted through a temporary index so the user's index, working tree and branch never move.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UserError } from '../harness/errors.ts';
import { parseTrailers, type ExperimentFields, type ExperimentStatus } from './git-message.ts';

export { formatMessage, parseTrailers, foldLine, type ExperimentFields, type ExperimentStatus, type MessageFields } from './git-message.ts';

/** One experiment as recorded in git. `sha` is the candidate ref's commit; `keptSha` the branch commit, if kept. */
export interface NotebookRow extends Omit<ExperimentFields, 'experiment' | 'status'> {
  n: number;
  /** 'pending' when the ref carries no final trailers yet */
  status: ExperimentStatus;
  ref: string;
  sha: string;
  kept: boolean;
  keptSha: string | null;
}

export interface CleanOptions {
  /** tracked paths the loop itself rewrites; a trailing "/" means everything under that folder */
  allow?: string[];
}

const TRAIN = 'train';
const DEFAULT_ALLOW = ['runs/', 'learnings.md'];
const TAG_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export const branchName = (tag: string): string => `autoresearch/${tag}`;
export const candidateRef = (tag: string, n: number): string => `refs/autoresearch/${tag}/${n}`;

/** Refuses a tag that cannot be one path segment of a git ref. */
export function validateTag(tag: string): void {
  if (!TAG_RE.test(tag) || tag.endsWith('.lock') || tag.length > 100) {
    throw new UserError(`invalid tag "${tag}"`,
      'a tag names the branch autoresearch/<tag>, so it must be letters, digits, "-", "_" or single inner dots',
      'choose another --tag, e.g. --tag mar1');
  }
}

/** Refuses to start when tracked files (other than the loop's own) or files under train/ have uncommitted changes. */
export async function assertClean(repo: string, opts: CleanOptions = {}): Promise<void> {
  const g = await openRepo(repo);
  const allow = opts.allow ?? DEFAULT_ALLOW;
  const prefix = (await g.raw(['rev-parse', '--show-prefix'])).trim();
  const entries = (await g.raw(['status', '--porcelain=v1', '-z', '--untracked-files=normal', '--', '.'])).split('\0');
  const blocking: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.length < 4) continue;
    const code = e.slice(0, 2);
    const paths = [e.slice(3)];
    if (code.includes('R') || code.includes('C')) paths.push(entries[++i]);
    for (const full of paths) {
      const p = full.startsWith(prefix) ? full.slice(prefix.length) : full;
      const untracked = code === '??';
      const allowed = allow.some((a) => (a.endsWith('/') ? p.startsWith(a) : p === a));
      const blocks = untracked ? p.startsWith(`${TRAIN}/`) && !allowed : !allowed;
      if (blocks && !blocking.includes(p)) blocking.push(p);
    }
  }
  if (blocking.length === 0) return;
  const shown = blocking.slice(0, 10).join(', ') + (blocking.length > 10 ? ` and ${blocking.length - 10} more` : '');
  throw new UserError('the repository has uncommitted changes',
    `autoresearch commits and reverts train/ on its own, so these changes could be lost or mixed into experiments: ${shown}`,
    'commit them (git add -A && git commit) or stash them (git stash -u), then run again');
}

/** Creates autoresearch/<tag> at HEAD (or checks it out to resume) and returns its head sha. */
export async function startBranch(repo: string, tag: string): Promise<string> {
  validateTag(tag);
  const g = await openRepo(repo);
  await requireCommittable(g);
  const branch = branchName(tag);
  const exists = (await g.raw(['for-each-ref', '--format=%(refname)', `refs/heads/${branch}`])).trim() !== '';
  if (!exists) {
    await g.raw(['checkout', '-q', '-b', branch]);
  } else if ((await currentBranch(g)) !== `refs/heads/${branch}`) {
    await g.raw(['checkout', '-q', branch]);
  }
  return revParse(g, 'HEAD');
}

/** Commits HEAD's tree with train/ taken from the working tree, points refs/autoresearch/<tag>/<n> at it, returns its sha. */
export async function snapshotCandidate(repo: string, tag: string, n: number, message: string): Promise<string> {
  checkRef(tag, n);
  const g = simpleGit({ baseDir: repo });
  const head = await revParse(g, 'HEAD');
  const sha = await withTrainIndex(repo, async (ig) => {
    const tree = (await ig.raw(['write-tree'])).trim();
    return commitTree(g, tree, head, message);
  });
  await g.raw(['update-ref', '-m', `autoresearch: candidate ${n}`, candidateRef(tag, n), sha]);
  return sha;
}

/** Re-points refs/autoresearch/<tag>/<n> at a commit with the same tree and parent and a new message. */
export async function rewordCandidate(repo: string, tag: string, n: number, message: string): Promise<string> {
  checkRef(tag, n);
  const g = simpleGit({ baseDir: repo });
  const c = await commitInfo(g, candidateRef(tag, n));
  const sha = await commitTree(g, c.tree, c.parent, message);
  await g.raw(['update-ref', '-m', `autoresearch: candidate ${n} decided`, candidateRef(tag, n), sha, c.sha]);
  return sha;
}

/** Commits candidate n's tree on the branch (once; a repeat returns the same commit) and syncs index and train/. */
export async function keep(repo: string, tag: string, n: number, message: string): Promise<string> {
  checkRef(tag, n);
  const g = simpleGit({ baseDir: repo });
  const branch = `refs/heads/${branchName(tag)}`;
  const on = await currentBranch(g);
  if (on !== branch) throw new Error(`cannot keep candidate ${n}: HEAD is on ${on ?? 'a detached commit'}, not ${branch}`);
  const head = await commitInfo(g, branch);
  const cand = await commitInfo(g, candidateRef(tag, n));
  const already = head.tree === cand.tree && head.parent === cand.parent && parseTrailers(head.message)?.experiment === n;
  let sha = head.sha;
  if (!already) {
    if (cand.parent !== head.sha) {
      throw new Error(`cannot keep candidate ${n}: it was made on ${cand.parent}, but ${branch} is at ${head.sha}`);
    }
    sha = await commitTree(g, cand.tree, head.sha, message);
    await g.raw(['update-ref', '-m', `autoresearch: keep ${n}`, branch, sha, head.sha]);
  }
  await syncTrain(g);
  return sha;
}

/** Restores train/ (index and files) to HEAD and deletes files under train/ that HEAD does not have. */
export async function revertTrain(repo: string): Promise<void> {
  await syncTrain(simpleGit({ baseDir: repo }));
}

/** The tree hash of train/ at a commit, or null when that commit has no train/. */
export async function trainTreeHash(repo: string, ref: string): Promise<string | null> {
  const g = simpleGit({ baseDir: repo });
  const out = (await g.raw(['ls-tree', '-d', `${ref}^{commit}`, '--', `${TRAIN}`])).trim();
  const m = /^\d+ tree ([0-9a-f]+)\t/.exec(out);
  return m ? m[1] : null;
}

/** Unified diff of the working tree's train/ against HEAD, including new and deleted files. */
export async function workingTrainDiff(repo: string): Promise<string> {
  return withTrainIndex(repo, (ig) => ig.raw(['diff', '--cached', '--no-color', '--no-ext-diff', '--no-textconv', 'HEAD', '--', TRAIN]));
}

/** Every candidate of a run, from git alone: refs/autoresearch/<tag>/* joined with the branch's keep commits. */
export async function listNotebook(repo: string, tag: string): Promise<NotebookRow[]> {
  validateTag(tag);
  const g = await openRepo(repo);
  const refsOut = await g.raw(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(tree)%00%(parent)%00%(contents)%1e',
    `refs/autoresearch/${tag}/`]);
  const kept = new Map<string, { sha: string; message: string }>();
  const branch = `refs/heads/${branchName(tag)}`;
  if ((await g.raw(['for-each-ref', '--format=%(refname)', branch])).trim() !== '') {
    const log = await g.raw(['log', '--first-parent', '--grep=^Experiment: ', '--format=%H%x00%T%x00%P%x00%B%x1e', branch]);
    for (const [sha, tree, parent, message] of records(log)) kept.set(`${tree} ${parent}`, { sha, message });
  }
  const rows: NotebookRow[] = [];
  for (const [ref, sha, tree, parent, message] of records(refsOut)) {
    const n = Number(ref.slice(ref.lastIndexOf('/') + 1));
    if (!Number.isSafeInteger(n) || n < 0) continue;
    const k = kept.get(`${tree} ${parent}`);
    const keptHere = k !== undefined && parseTrailers(k.message)?.experiment === n;
    const f = parseTrailers(keptHere ? k.message : message);
    rows.push({
      n, status: f?.status ?? 'pending', payout: f?.payout ?? null, delta: f?.delta ?? null, corr: f?.corr ?? null,
      bmc: f?.bmc ?? null, seeds: f?.seeds ?? [], category: f?.category ?? '', hypothesis: f?.hypothesis ?? '',
      ref, sha, kept: keptHere, keptSha: keptHere ? k.sha : null,
    });
  }
  return rows.sort((a, b) => a.n - b.n);
}

/** Tags that have a research branch or candidate refs, sorted. */
export async function listTags(repo: string): Promise<string[]> {
  const g = await openRepo(repo);
  const out = await g.raw(['for-each-ref', '--format=%(refname)', 'refs/heads/autoresearch/', 'refs/autoresearch/']);
  const tags = new Set<string>();
  for (const name of out.split('\n').filter(Boolean)) {
    const m = /^refs\/heads\/autoresearch\/([^/]+)$/.exec(name) ?? /^refs\/autoresearch\/([^/]+)\/\d+$/.exec(name);
    if (m) tags.add(m[1]);
  }
  return [...tags].sort();
}

async function openRepo(repo: string): Promise<SimpleGit> {
  const notRepo = () => new UserError(`not a git repository: ${repo}`,
    'autoresearch keeps its lab notebook in git (a branch and refs per run)',
    'run it inside your project\'s repository, or create one: git init && git add -A && git commit -m init');
  if (!fs.existsSync(repo)) throw notRepo();
  const g = simpleGit({ baseDir: repo });
  if (!(await g.checkIsRepo())) throw notRepo();
  return g;
}

async function requireCommittable(g: SimpleGit): Promise<void> {
  try {
    await g.raw(['var', 'GIT_COMMITTER_IDENT']);
    await g.raw(['var', 'GIT_AUTHOR_IDENT']);
  } catch {
    throw new UserError('git does not know who is committing', 'every kept experiment is a commit, which needs a name and email',
      'set them for this repository: git config user.name "Your Name" && git config user.email you@example.com');
  }
  try {
    await g.raw(['rev-parse', '--verify', '-q', 'HEAD^{commit}']);
  } catch {
    throw new UserError('the repository has no commits yet', 'the research branch starts from the current commit',
      'commit your project first: git add -A && git commit -m "initial"');
  }
}

function checkRef(tag: string, n: number): void {
  validateTag(tag);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`expected a non-negative integer experiment number, got ${n}`);
}

async function revParse(g: SimpleGit, rev: string): Promise<string> {
  return (await g.raw(['rev-parse', '--verify', `${rev}^{commit}`])).trim();
}

async function currentBranch(g: SimpleGit): Promise<string | null> {
  try {
    return (await g.raw(['symbolic-ref', '-q', 'HEAD'])).trim() || null;
  } catch {
    return null;
  }
}

async function commitInfo(g: SimpleGit, rev: string): Promise<{ sha: string; tree: string; parent: string; message: string }> {
  const [rec] = records(await g.raw(['log', '-1', '--format=%H%x00%T%x00%P%x00%B%x1e', `${rev}^{commit}`, '--']));
  if (!rec) throw new Error(`no commit at ${rev}`);
  const [sha, tree, parents, message] = rec;
  return { sha, tree, parent: parents.split(' ')[0], message };
}

// No hooks, no signing prompt: the loop runs unattended and every commit must succeed without a human.
async function commitTree(g: SimpleGit, tree: string, parent: string, message: string): Promise<string> {
  return (await g.raw(['commit-tree', '--no-gpg-sign', tree, '-p', parent, '-m', message])).trim();
}

function records(out: string): string[][] {
  return out.split('\x1e').map((r) => r.replace(/^\n/, '')).filter((r) => r !== '').map((r) => r.split('\0'));
}

async function syncTrain(g: SimpleGit): Promise<void> {
  await g.raw(['reset', '-q', 'HEAD', '--', TRAIN]);
  const inHead = (await g.raw(['ls-tree', '-d', 'HEAD', '--', TRAIN])).trim() !== '';
  if (inHead) await g.raw(['checkout', 'HEAD', '--', TRAIN]);
  await g.raw(['clean', '-f', '-d', '-q', '--', TRAIN]);
}

// The environment is inherited unchanged plus GIT_INDEX_FILE; simple-git vets every variable of an
// explicit environment, so the user's own PAGER, EDITOR or GIT_CONFIG_* must be allowed through.
const INHERITED_ENV_OK = {
  allowUnsafeAskPass: true, allowUnsafeConfigPaths: true, allowUnsafeConfigEnvCount: true, allowUnsafeEditor: true,
  allowUnsafePager: true, allowUnsafeSshCommand: true, allowUnsafeGitProxy: true, allowUnsafeDiffExternal: true,
  allowUnsafeTemplateDir: true,
};

async function withTrainIndex<T>(repo: string, fn: (ig: SimpleGit) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoresearch-index-'));
  try {
    const ig = simpleGit({ baseDir: repo, unsafe: INHERITED_ENV_OK })
      .env({ ...process.env, GIT_INDEX_FILE: path.join(dir, 'index') });
    await ig.raw(['read-tree', 'HEAD']);
    if (fs.existsSync(path.join(repo, TRAIN))) await ig.raw(['add', '-A', '--', TRAIN]);
    else await ig.raw(['rm', '-r', '-q', '--cached', '--ignore-unmatch', '--', TRAIN]);
    return await fn(ig);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
