// What `run` and `status` refuse, and how a run stops: each refusal exits 2 with what/why/fix and
// leaves git, the journal and the files exactly as they were; SIGINT ends a run cleanly (exit 0,
// a summary, the lock released) and the next run resumes it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempRepo, tinyConfig, type TempRepo } from '../../helpers/temp-repo.ts';
import { invariantViolations, journalEvents, tinyData } from '../../helpers/loop.ts';

let data: string;
const repos: TempRepo[] = [];
before(async () => { data = await tinyData(); });
after(() => { for (const r of repos) r.cleanup(); });

async function repo(): Promise<TempRepo> {
  const r = await makeTempRepo(tinyConfig(data));
  repos.push(r);
  return r;
}

/** A fingerprint of everything a refused command must not touch. */
async function snapshot(r: TempRepo): Promise<string> {
  const h = crypto.createHash('sha256');
  h.update(await r.git(['for-each-ref']));
  h.update(await r.git(['rev-parse', 'HEAD']));
  h.update(await r.git(['status', '--porcelain', '--untracked-files=all', '--ignored']));
  for (const f of ['program.md', 'learnings.md', 'train/train.ts']) {
    const p = path.join(r.dir, f);
    h.update(fs.existsSync(p) ? fs.readFileSync(p) : 'absent');
  }
  const journal = path.join(r.dir, 'runs', 't', 'journal.jsonl');
  h.update(fs.existsSync(journal) ? fs.readFileSync(journal) : 'no journal');
  return h.digest('hex');
}

test('refusals table: exit 2, what/why/fix, nothing touched', async () => {
  const cases: { name: string; prepare(r: TempRepo): Promise<void> | void; args: string[]; message: RegExp }[] = [
    {
      name: 'missing program.md', args: ['run', '--tag', 't'],
      prepare: async (r) => { await r.git(['rm', '-q', 'program.md']); await r.git(['commit', '-qm', 'no brief']); },
      message: /error: program\.md not found\n  why: the research brief is missing/,
    },
    {
      name: 'empty program.md', args: ['run', '--tag', 't'],
      prepare: async (r) => { fs.writeFileSync(path.join(r.dir, 'program.md'), '\n'); await r.git(['commit', '-qam', 'empty brief']); },
      message: /error: program\.md is empty\n/,
    },
    {
      name: 'dirty repository (harness edited)', args: ['run', '--tag', 't'],
      prepare: (r) => fs.appendFileSync(path.join(r.dir, 'harness', 'cv.ts'), '\n// local edit\n'),
      message: /error: the repository has uncommitted changes\n  why: .*harness\/cv\.ts/,
    },
    {
      name: 'dirty train/ on a fresh tag', args: ['run', '--tag', 't'],
      prepare: (r) => fs.writeFileSync(path.join(r.dir, 'train', 'extra.ts'), 'export const X = 1;\n'),
      message: /error: the repository has uncommitted changes\n  why: .*train\/extra\.ts/,
    },
    { name: 'unknown agent', args: ['run', '--tag', 't', '--agent', 'gpt'], prepare: () => {}, message: /error: unknown agent "gpt"/ },
    { name: 'bad tag', args: ['run', '--tag', 'a/b'], prepare: () => {}, message: /error: invalid tag "a\/b"/ },
    { name: 'bad --max-iterations', args: ['run', '--max-iterations', '0'], prepare: () => {}, message: /expected a positive integer for --max-iterations, got 0/ },
    { name: 'unknown flag', args: ['run', '--frobnicate'], prepare: () => {}, message: /error: unknown option '--frobnicate'\n  why: .*\n  fix: run `autoresearch run --help`/ },
    {
      name: 'openai endpoint down', args: ['run', '--tag', 't', '--agent', 'openai'],
      prepare: (r) => fs.writeFileSync(path.join(r.dir, 'autoresearch.yaml'), fs.readFileSync(path.join(r.dir, 'autoresearch.yaml'), 'utf8') + 'agent:\n  openai_base_url: http://127.0.0.1:1/v1\n'),
      message: /error: cannot reach the openai endpoint http:\/\/127\.0\.0\.1:1\/v1\n  why: /,
    },
    { name: 'status of an unknown tag', args: ['status', '--tag', 'nope'], prepare: () => {}, message: /error: unknown run "nope"\n  why: runs\/ has no run journals yet/ },
    { name: 'notebook of an unknown tag', args: ['notebook', '--tag', 'nope'], prepare: () => {}, message: /^error: .*nope/ },
  ];
  for (const c of cases) {
    const r = await repo();
    await c.prepare(r);
    const before = await snapshot(r);
    const res = await r.cli(c.args);
    assert.equal(res.exitCode, 2, `${c.name}: exit ${res.exitCode}\n${res.stderr}`);
    assert.match(res.stderr, c.message, c.name);
    assert.match(res.stderr, /\n  why: .+\n  fix: .+/, `${c.name} says why and how to fix`);
    assert.equal(res.stdout, '', `${c.name}: nothing on stdout`);
    assert.equal(await snapshot(r), before, `${c.name}: state untouched`);
    assert.equal(fs.existsSync(path.join(r.dir, 'runs', '.lock')), false, `${c.name}: no lock left`);
  }
});

test('a corrupt journal line is reported with its line number and the journal is left byte-identical', async () => {
  const r = await repo();
  assert.equal((await r.cli(['run', '--tag', 't', '--max-iterations', '1'])).exitCode, 0);
  const file = path.join(r.dir, 'runs', 't', 'journal.jsonl');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines[2] = '{"v":1,"t":"x","type":"decision","iteration":"oops"}';
  fs.writeFileSync(file, lines.join('\n'));
  const before = await snapshot(r);
  for (const args of [['run', '--tag', 't', '--max-iterations', '2'], ['status', '--tag', 't']]) {
    const res = await r.cli(args);
    assert.equal(res.exitCode, 2, res.stderr);
    assert.match(res.stderr, /journal\.jsonl/);
    assert.match(res.stderr, /line 3/);
    assert.equal(await snapshot(r), before, `${args[0]} left the journal and git untouched`);
  }
});

test('a second run while one is alive is refused; SIGINT stops the first cleanly and the next run resumes it', async () => {
  const r = await repo();
  const first = r.cli(['run', '--tag', 't', '--max-iterations', '6']);
  const journal = path.join(r.dir, 'runs', 't', 'journal.jsonl');
  // wait until the first run is past its start-up checks and evaluating
  for (let i = 0; i < 600; i++) {
    if (fs.existsSync(journal) && fs.readFileSync(journal, 'utf8').includes('"type":"job"')) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const second = await r.cli(['run', '--tag', 'other']);
  assert.equal(second.exitCode, 2);
  assert.match(second.stderr, new RegExp(`error: another autoresearch run \\(pid ${first.pid}, tag t\\)`));
  first.kill('SIGINT');
  const res = await first;
  assert.equal(res.exitCode, 0, res.stderr);
  assert.match(res.stderr, /SIGINT: stopping/);
  assert.match(res.stdout, /^run t: stopped by signal; the run resumes where it stopped\n  iterations \d+, kept \d+/);
  assert.equal(fs.existsSync(path.join(r.dir, 'runs', '.lock')), false, 'the lock is released');
  const end = journalEvents(r.dir, 't').at(-1)!;
  assert.equal(end.type, 'session_end');
  assert.deepEqual(await invariantViolations(r.dir, 't', { interrupted: true }), []);
  const again = await r.cli(['run', '--tag', 't', '--max-iterations', '2']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.deepEqual(await invariantViolations(r.dir, 't'), []);
  const decided = journalEvents(r.dir, 't').filter((e) => e.type === 'decision').length;
  assert.equal(decided, 2);
});
