// A corrupt journal is refused with its line number by every command that reads it, and how a run
// stops: SIGINT ends a run cleanly (exit 0, a summary, the lock released) and the next run resumes
// it. The table of what each command refuses is in test/bad-input/.
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
