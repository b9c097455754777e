// The bad-input table: each row runs the real CLI (`node agent/bin.mjs ...`) in a temporary clone
// with no API keys, and must exit 2 with one what/why/fix message naming the problem, print
// nothing on stdout and no stack trace, and leave the clone's state byte-identical. Every command
// adds its rows in test/bad-input/<command>.test.ts through runBadInputTable.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { makeTempRepo, tinyConfig, type TempRepo } from './temp-repo.ts';

export interface BadInputRow {
  name: string;
  args: string[];
  /** prepares the clone (the snapshot is taken after it); a row with setup gets a clone of its own; may return a cleanup */
  setup?(repo: TempRepo): void | (() => void) | Promise<void | (() => void)>;
  /** extra environment for the CLI (API keys and AUTORESEARCH_* are removed unless set here) */
  env?: Record<string, string>;
  /** a RegExp the stderr must match, or phrases it must contain, e.g. the what, why and fix of the error */
  expect: { code: 2; stderr: RegExp | string[] };
  /**
   * A defect this table found whose fix lies outside the table's files: the row still runs and
   * prints its failure, but as a node:test todo, so the gap stays visible without failing CI.
   */
  knownGap?: string;
}

export interface TableOptions {
  /** autoresearch.yaml of every clone (default: tinyConfig on the read-only fixture) */
  config?: Record<string, unknown>;
  /** CLI processes at once (default 2) */
  concurrency?: number;
}

/** Everything a refused command must leave as it was. */
export interface StateSnapshot {
  branch: string;
  head: string;
  refs: string;
  status: string;
  /** sha256 of `git diff HEAD --binary`: content changes of files that were already dirty */
  diff: string;
  /** sha256 of program.md, learnings.md and autoresearch.yaml */
  files: Record<string, string>;
  /** every path under runs/ with the sha256 of its bytes (journals, the lock, caches), or "dir" */
  runs: Record<string, string>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE = path.resolve(repoRoot, '../shared/fixtures/numerai-mini');

const ONE_ERROR = /(?:^|\n)error: [^\n]+\n {2}why: [^\n]+\n {2}fix: [^\n]+\n?$/;
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

const sha = (b: Buffer | string): string => crypto.createHash('sha256').update(b).digest('hex');

/** The environment a row's CLI sees: this process's, without keys, run settings or the test runner's markers. */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(ANTHROPIC|OPENAI|AUTORESEARCH)_/.test(k) || k === 'NODE_TEST_CONTEXT') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs `node agent/bin.mjs ...args` in the clone; never rejects. */
export async function runCli(dir: string, args: string[], env?: Record<string, string>) {
  const res = await execa(process.execPath, [path.join(dir, 'agent', 'bin.mjs'), ...args], {
    cwd: dir, reject: false, extendEnv: false, env: cliEnv(env), timeout: 180_000, stdin: 'ignore',
  });
  return { code: res.exitCode, signal: res.signal, stdout: String(res.stdout), stderr: String(res.stderr) };
}

function listRuns(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const abs = path.join(dir, rel);
  if (!fs.existsSync(abs)) return out;
  for (const ent of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = path.join(rel, ent.name);
    if (ent.isDirectory()) Object.assign(out, { [r]: 'dir' }, listRuns(dir, r));
    else out[r] = ent.isFile() ? sha(fs.readFileSync(path.join(dir, r))) : 'special';
  }
  return out;
}

/** A snapshot of the clone's git state, tracked brief files and runs/. */
export async function snapshotState(dir: string): Promise<StateSnapshot> {
  // no optional locks: a snapshot must not take .git/index.lock while a CLI of another row runs git
  const git = async (args: string[]) => (await execa('git', ['--no-optional-locks', ...args], { cwd: dir, reject: false })).stdout;
  const files: Record<string, string> = {};
  for (const f of ['program.md', 'learnings.md', 'autoresearch.yaml']) {
    const p = path.join(dir, f);
    files[f] = fs.existsSync(p) ? sha(fs.readFileSync(p)) : 'absent';
  }
  return {
    branch: await git(['symbolic-ref', '-q', 'HEAD']),
    head: await git(['rev-parse', 'HEAD']),
    refs: await git(['for-each-ref']),
    status: await git(['status', '--porcelain', '--untracked-files=all', '--ignored']),
    diff: sha(await git(['diff', 'HEAD', '--binary'])),
    files,
    runs: listRuns(path.join(dir, 'runs')),
  };
}

/** Asserts the outcome of one row: exit code, one what/why/fix message with the expected phrases, no stdout. */
export function assertRefused(row: BadInputRow, res: Awaited<ReturnType<typeof runCli>>): void {
  const ctx = `${row.name}: autoresearch ${row.args.join(' ')}\n--- stderr ---\n${res.stderr}`;
  assert.equal(res.code, row.expect.code, `exit code\n${ctx}`);
  assert.doesNotMatch(res.stderr, STACK_FRAME, `no stack trace\n${ctx}`);
  assert.doesNotMatch(res.stderr, /internal error/, `a user error, not an internal one\n${ctx}`);
  assert.match(res.stderr, ONE_ERROR, `ends with one error/why/fix message\n${ctx}`);
  const want = row.expect.stderr;
  if (want instanceof RegExp) assert.match(res.stderr, want, ctx);
  else for (const phrase of want) assert.ok(res.stderr.includes(phrase), `stderr names "${phrase}"\n${ctx}`);
  assert.equal(res.stdout, '', `nothing on stdout\n${ctx}`);
}

/** Registers one node:test suite running `rows` against temp clones: a shared one, plus one per row with setup. */
export function runBadInputTable(title: string, rows: BadInputRow[], opts: TableOptions = {}): void {
  const config = opts.config ?? tinyConfig(FIXTURE);
  const owned: TempRepo[] = [];
  let shared: TempRepo | null = null;
  describe(title, { concurrency: opts.concurrency ?? 2 }, () => {
    before(async () => {
      if (rows.some((r) => !r.setup)) shared = await makeTempRepo(config, 'ar-bad-input-');
    });
    after(() => {
      shared?.cleanup();
      for (const r of owned) r.cleanup();
    });
    for (const row of rows) {
      test(row.name, row.knownGap ? { todo: row.knownGap } : {}, async () => {
        let repo = shared;
        let cleanup: void | (() => void) = undefined;
        if (row.setup) {
          repo = await makeTempRepo(config, 'ar-bad-input-');
          owned.push(repo);
          cleanup = await row.setup(repo);
        }
        try {
          const dir = repo!.dir;
          const before = await snapshotState(dir);
          const res = await runCli(dir, row.args, row.env);
          assertRefused(row, res);
          assert.deepEqual(await snapshotState(dir), before, `${row.name}: state untouched`);
        } finally {
          if (typeof cleanup === 'function') cleanup();
        }
      });
    }
  });
}
