// The research loop end to end with the built-in mutate agent, in throwaway clones: the git lab
// notebook, the journal, the knowledge files, and crash-resume at every step of an iteration —
// after each restart the state must equal an uninterrupted run's, with no lost or doubled work.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempRepo, tinyConfig, type TempRepo } from '../../helpers/temp-repo.ts';
import { invariantViolations, journalEvents, outcomeOf, runToCompletion, tinyData } from '../../helpers/loop.ts';
import { parseTrailers } from '../../../agent/git.ts';
import { DNR_START, humanPart } from '../../../agent/knowledge/donotretry.ts';

const ARGS = ['--tag', 't', '--max-iterations', '3'];
// margin 0: any multi-seed improvement is kept, so the keep-specific crash points get a keep to crash on
const config = (dir: string) => tinyConfig(dir, { gate: { noise_seeds: 2, margin: 0, early_discard: 1 } });
let data: string;
let reference: TempRepo;
let refOutcome: Awaited<ReturnType<typeof outcomeOf>>;
const repos: TempRepo[] = [];

before(async () => {
  data = await tinyData();
  reference = await makeTempRepo(config(data));
  repos.push(reference);
  await runToCompletion(reference, ARGS);
  refOutcome = await outcomeOf(reference.dir, 't');
});
after(() => { for (const r of repos) r.cleanup(); });

test('three mutate iterations leave a branch, candidate refs, trailers, a journal and knowledge files', async () => {
  const dir = reference.dir;
  assert.equal((await reference.git(['rev-parse', '--abbrev-ref', 'HEAD'])).trim(), 'autoresearch/t');
  const refs = (await reference.git(['for-each-ref', '--format=%(refname)', 'refs/autoresearch/t/'])).split('\n').filter(Boolean);
  assert.deepEqual(refs, ['refs/autoresearch/t/1', 'refs/autoresearch/t/2', 'refs/autoresearch/t/3']);
  assert.deepEqual(refOutcome.rows.map((r) => r.n), [1, 2, 3]);
  for (const row of refOutcome.rows) {
    assert.ok(['keep', 'discard'].includes(row.status), `exp ${row.n} ended ${row.status}`);
    assert.equal(typeof row.payout, 'number');
    assert.match(row.hypothesis, /→/);
  }
  // every candidate ref carries the full trailer set with its final status
  for (const n of [1, 2, 3]) {
    const msg = await reference.git(['log', '-1', '--format=%B', `refs/autoresearch/t/${n}`]);
    const f = parseTrailers(msg)!;
    assert.equal(f.experiment, n);
    assert.equal(f.status, refOutcome.rows[n - 1].status);
    assert.deepEqual(f.seeds, [1, 2]);
    for (const key of ['Experiment:', 'Status:', 'Payout:', 'Delta:', 'Corr:', 'BMC:', 'Seeds:', 'Category:', 'Hypothesis:']) assert.ok(msg.includes(key), `${key} in exp ${n}`);
  }
  // the branch advanced exactly once per keep; discards changed nothing but their ref
  const kept = refOutcome.rows.filter((r) => r.status === 'keep').map((r) => r.n);
  const branchLog = (await reference.git(['log', '--format=%s', 'autoresearch/t'])).split('\n');
  assert.equal(branchLog.length, 1 + kept.length);
  assert.deepEqual(branchLog.slice(0, kept.length).map((s) => Number(/^exp (\d+) keep/.exec(s)?.[1])), [...kept].reverse());
  // journal: a session, the baseline, and per iteration one candidate, one decision and one learnings event
  const events = journalEvents(dir, 't');
  const types = (t: string) => events.filter((e) => e.type === t).length;
  assert.equal(types('session_start'), 1);
  assert.equal(types('session_end'), 1);
  assert.equal(types('baseline'), 1);
  assert.equal(types('candidate'), 3);
  assert.equal(types('decision'), 3);
  assert.equal(types('learnings'), 3);
  assert.equal(types('commit'), kept.length);
  // knowledge: program.md's generated table lists what was tried; its human part is byte-identical
  const program = fs.readFileSync(path.join(dir, 'program.md'), 'utf8');
  const original = await reference.git(['show', 'main:program.md']);
  assert.equal(humanPart(program), humanPart(original));
  assert.ok(program.includes(DNR_START));
  assert.match(program, /\| \w[\w/-]* \| [a-z_]+ \| 1 \| [01] \|/);
  assert.match(refOutcome.learnings, /^# Learnings\n\nExperiments decided: 3 — /);
  assert.deepEqual(await invariantViolations(dir, 't'), []);
});

test('status and notebook read the run back', async () => {
  const status = await reference.cli(['status', '--json']);
  assert.equal(status.exitCode, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  assert.equal(s.tag, 't');
  assert.equal(s.iteration, 3);
  assert.equal(s.live, false);
  assert.equal(s.kept + s.discarded + s.errors, 3);
  assert.equal(s.cost_usd, 0);
  const nb = await reference.cli(['notebook', '--json']);
  assert.equal(nb.exitCode, 0, nb.stderr);
  assert.deepEqual(JSON.parse(nb.stdout).rows.map((r: { n: number; status: string }) => [r.n, r.status]), refOutcome.rows.map((r) => [r.n, r.status]));
});

test('a second run on the same tag continues from the journal instead of starting over', async () => {
  const r = await makeTempRepo(config(data));
  repos.push(r);
  await runToCompletion(r, ['--tag', 't', '--max-iterations', '2']);
  await runToCompletion(r, ARGS);
  const events = journalEvents(r.dir, 't');
  assert.equal(events.filter((e) => e.type === 'baseline').length, 1, 'the noise floor is measured once per tag');
  assert.equal(events.filter((e) => e.type === 'session_start').length, 2);
  assert.deepEqual(await outcomeOf(r.dir, 't'), refOutcome);
});

for (const point of ['after-candidate:1', 'after-job:2', 'after-decision:K', 'after-commit:K', 'after-learnings:2']) {
  test(`killed with SIGKILL at ${point}, the resumed run equals the uninterrupted one`, async () => {
    const keep = refOutcome.rows.find((x) => x.status === 'keep')?.n;
    if (point.endsWith(':K') && keep === undefined) return assert.fail('the reference run kept nothing; the keep crash points cannot be tested');
    const at = point.replace('K', String(keep));
    const r = await makeTempRepo(config(data));
    repos.push(r);
    const { killed } = await runToCompletion(r, ARGS, { AUTORESEARCH_KILL_AT: at });
    assert.equal(killed, 1, `the fault at ${at} fired once`);
    assert.deepEqual(await invariantViolations(r.dir, 't'), []);
    assert.deepEqual(await outcomeOf(r.dir, 't'), refOutcome);
  });
}
