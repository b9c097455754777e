// Long commands off a terminal (stderr is a pipe here): one plain progress line per finished job or
// dataset on stderr, and with --json exactly one JSON object on stdout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tinyData } from '../../helpers/loop.ts';
import { makeTempRepo, tinyConfig, type TempRepo } from '../../helpers/temp-repo.ts';

let repo: TempRepo;
before(async () => { repo = await makeTempRepo(tinyConfig(await tinyData()), 'ar-progress-'); });
after(() => repo?.cleanup());

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const oneJson = (stdout: string) => {
  assert.equal(lines(stdout).length, 1, `one line of JSON on stdout, got:\n${stdout}`);
  return JSON.parse(stdout) as Record<string, unknown>;
};

test('data synth --json: one progress line on stderr, the result as JSON on stdout', async () => {
  const out = path.join(repo.dir, 'runs', 'synth');
  const r = await repo.cli(['data', 'synth', '--out', out, '--eras', '30', '--rows-per-era', '20', '--features', '8', '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /^synth: 30 eras × 20 rows × 8 features in \d+\.\ds$/);
  const j = oneJson(r.stdout);
  assert.deepEqual([j.dir, j.rows], [out, { train: 500, validation: 100, live: 20 }]);
  const quiet = await repo.cli(['data', 'synth', '--out', out, '--eras', '30', '--rows-per-era', '20', '--features', '8', '--quiet']);
  assert.equal(quiet.stderr, '');
});

test('eval --json: a [done/total] line per finished job on stderr, the summary as JSON on stdout', async () => {
  const r = await repo.cli(['eval', '--json', '--seeds', '1']);
  assert.equal(r.exitCode, 0, r.stderr);
  const jobs = lines(r.stderr).filter((l) => l.startsWith('['));
  assert.deepEqual(jobs.map((l) => l.replace(/fold \d/, 'fold F').replace(/in [\d.]+s/, 'in Ts')), ['[1/2] fold F seed 1: ok in Ts', '[2/2] fold F seed 1: ok in Ts']);
  assert.deepEqual((oneJson(r.stdout).seeds as { seed: number }[]).map((s) => s.seed), [1]);
});

test('noise --json: four job lines for two seeds × two folds, σ as JSON on stdout', async () => {
  const r = await repo.cli(['noise', '--json', '--seeds', '2']);
  assert.equal(r.exitCode, 0, r.stderr);
  const counters = lines(r.stderr).map((l) => /^\[(\d)\/(\d)\] fold [01] seed [12]: ok in [\d.]+s$/.exec(l)).filter((m) => m !== null).map((m) => `${m![1]}/${m![2]}`);
  assert.deepEqual(counters, ['1/4', '2/4', '3/4', '4/4']);
  assert.deepEqual(oneJson(r.stdout).seeds, [1, 2]);
});
