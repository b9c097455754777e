// `promote` end to end on the numerai-mini fixture: a short real mutate run in a throwaway clone,
// the export, then the exported predictor's own train and predict, checked against the harness's
// own prediction of the live rows for the same seeds and eras.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { promoteCommand, type PromoteFlags } from '../../../agent/commands/promote.ts';
import { pickPromotable } from '../../../agent/promote/best.ts';
import { promote } from '../../../agent/promote/export.ts';
import type { ModelManifest } from '../../../agent/promote/runtime/manifest.ts';
import { openDuck } from '../../../harness/duck.ts';
import { isUserError } from '../../../harness/errors.ts';
import { journalEvents } from '../../helpers/loop.ts';
import { makeTempRepo, tinyConfig, type TempRepo } from '../../helpers/temp-repo.ts';
import { harnessLiveRanks } from './harness-reference.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIXTURE = path.resolve(repoRoot, '../shared/fixtures/numerai-mini');
const LIVE = path.join(FIXTURE, 'live.parquet');
let repo: TempRepo;
let tmp: string;
let out: string;
let runResult: Awaited<ReturnType<TempRepo['cli']>>;

/** Runs the exported predictor's CLI the way `npm run` does (tsx from its node_modules). */
const exported = (args: string[]) => execa(process.execPath, ['--import', 'tsx', 'runtime/cli.ts', ...args], { cwd: out, reject: false });

/** Runs `autoresearch promote ...` in the clone; resolves to what it printed, rejects with its error. */
async function promoteCli(flags: PromoteFlags): Promise<string> {
  let printed = '';
  const code = await promoteCommand(flags, repo.dir, (s) => { printed += s; });
  assert.equal(code, 0);
  return printed;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-promote-'));
  repo = await makeTempRepo(tinyConfig(FIXTURE, { data: { dir: FIXTURE, feature_set: 'small', aux_targets: 'all' }, gate: { noise_seeds: 2, margin: 0, early_discard: 1 } }));
  const train = path.join(repo.dir, 'train', 'train.ts');
  fs.writeFileSync(train, fs.readFileSync(train, 'utf8').replace(/const EPOCHS = \d+;/, 'const EPOCHS = 2;').replace(/const HIDDEN = \[[^\]]*\];/, 'const HIDDEN = [16];'));
  await repo.git(['commit', '-qam', 'a small net for the test']);
  runResult = await repo.cli(['run', '--tag', 't', '--max-iterations', '1', '--agent', 'mutate', '--json']);
  assert.equal(runResult.exitCode, 0, runResult.stderr);
  out = path.join(tmp, 'predictor');
});
after(() => {
  repo?.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('run off a terminal: stamped plain lines per job and iteration on stderr, the summary as JSON on stdout', () => {
  assert.match(runResult.stderr, /^\d\d:\d\d:\d\d {3}exp 0 fold [01] seed [12]: ok in [\d.]+s$/m);
  assert.match(runResult.stderr, /^\d\d:\d\d:\d\d exp 1: (KEEP|DISCARD) — /m);
  const j = JSON.parse(runResult.stdout) as Record<string, unknown>;
  assert.deepEqual([j.tag, j.reason, j.iterations, j.cost_usd], ['t', 'reached --max-iterations 1 (1 iterations done)', 1, 0]);
});

test('promote exports the best candidate: its train/ at its commit, pinned versions, no import leaving the directory', async () => {
  const best = pickPromotable(journalEvents(repo.dir, 't'), 't');
  const printed = await promoteCli({ out, json: true });
  const r = JSON.parse(printed) as { iteration: number; commit: string; seeds: number[]; baseline: boolean; files: string[]; holdout_eras: number };
  assert.deepEqual([r.iteration, r.commit, r.seeds, r.baseline, r.holdout_eras], [best.iteration, best.commit, [1, 2], best.iteration === 0, 4]);
  assert.deepEqual(r.files, ['README.md', 'harness/contract.ts', 'harness/nn-tfjs.ts', 'package.json', 'promote.json', 'runtime/cli.ts', 'runtime/ensemble.ts',
    'runtime/errors.ts', 'runtime/manifest.ts', 'runtime/parquet.ts', 'runtime/rows.ts', 'runtime/tf.ts', 'train/train.ts']);
  const atCommit = await execa('git', ['show', `${best.commit}:train/train.ts`], { cwd: repo.dir, stripFinalNewline: false });
  assert.ok(fs.readFileSync(path.join(out, 'train', 'train.ts'), 'utf8') === atCommit.stdout, 'train/train.ts is the commit\'s');
  const pkg = JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@duckdb/node-api', 'tsx']) {
    const installed = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(pkg.dependencies[name], installed, name);
  }
  // every import specifier grep finds is a declared package, a Node built-in or a file inside the directory
  const grep = await execa('grep', ['-rnoE', `(from|import)\\s*\\(?\\s*'[^']+'`, '--include=*.ts', '.'], { cwd: out });
  const specs = grep.stdout.split('\n').map((l) => /^\.\/([^:]+):\d+:.*'([^']+)'$/.exec(l)!).map((m) => ({ file: m[1], spec: m[2] }));
  assert.ok(specs.length >= 20, `found ${specs.length} imports`);
  for (const { file, spec } of specs) {
    if (spec.startsWith('.')) {
      const target = path.resolve(out, path.dirname(file), spec);
      assert.ok(!path.relative(out, target).startsWith('..') && fs.existsSync(target), `${file} imports ${spec}`);
    } else {
      const pkgName = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      assert.ok(spec.startsWith('node:') || pkgName in pkg.dependencies, `${file} imports ${spec}`);
    }
  }
  const text = await promoteCli({ out: path.join(tmp, 'second') });
  assert.equal(text.split('\n')[0], best.baseline
    ? `nothing was kept in run t, so promoted its baseline (payout ${best.payout.toFixed(5)}) to ${path.join(tmp, 'second')}`
    : `promoted exp ${best.iteration} of run t (payout ${best.payout.toFixed(5)}, commit ${best.commit.slice(0, 12)}) to ${path.join(tmp, 'second')}`);
  assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /npm install[\s\S]*npm run train[\s\S]*npm run predict -- live\.parquet --out predictions\.csv/);
});

test('train then predict: 115 ranked rows for the live ids, the same twice, equal to the harness for the same seeds and eras', async () => {
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  const trained = await exported(['train']);
  assert.equal(trained.exitCode, 0, trained.stderr);
  assert.match(trained.stdout, /^froze \d+ rows of 96 eras \(0001\.\.0096; holdout 0097\.\.0100 left out\) into model\//);
  const model = JSON.parse(fs.readFileSync(path.join(out, 'model', 'model.json'), 'utf8')) as ModelManifest;
  const [a, b] = [path.join(tmp, 'a.csv'), path.join(tmp, 'b.csv')];
  const first = await exported(['predict', LIVE, '--out', a]);
  assert.equal(first.exitCode, 0, first.stderr);
  assert.match(first.stderr, /\[1\/2\] seed 1: fitted and predicted in [\d.]+s\n[\s\S]*\[2\/2\] seed 2: fitted/);
  const second = await exported(['predict', LIVE, '--out', b]);
  assert.equal(second.exitCode, 0, second.stderr);
  const text = fs.readFileSync(a, 'utf8');
  assert.equal(fs.readFileSync(b, 'utf8'), text);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'id,prediction');
  assert.equal(lines.length, 116);
  const rows = lines.slice(1).map((l) => l.split(','));
  const con = await openDuck(1);
  const liveIds = (await con.runAndReadAll(`SELECT id FROM read_parquet('${LIVE}')`)).getRows().map((x) => String(x[0]));
  con.closeSync();
  assert.deepEqual(rows.map((x) => x[0]), liveIds);
  const preds = rows.map((x) => Number(x[1]));
  assert.ok(preds.every((p) => p > 0 && p < 1));
  assert.equal(new Set(preds).size, 115);
  const reference = await harnessLiveRanks({
    dataDir: FIXTURE, trainDir: path.join(repo.dir, 'train'), workDir: path.join(tmp, 'harness'), featureSet: 'small',
    targets: model.target_names, mainTarget: model.main_target, benchmark: model.benchmark, trainEras: model.train_eras,
    seeds: model.seeds, timeBudgetMs: 120_000,
  });
  for (const [id, p] of rows.map((x) => [x[0], Number(x[1])] as const)) assert.ok(Math.abs(p - reference.get(id)!) < 1e-6, `${id}: ${p} vs ${reference.get(id)}`);
});

test('predict refuses a live file without the model\'s features, naming them, and writes nothing', async () => {
  const bad = path.join(tmp, 'live-missing.parquet');
  const con = await openDuck(1);
  await con.run(`COPY (SELECT * EXCLUDE (feature_wise_001, feature_strong_011) FROM read_parquet('${LIVE}')) TO '${bad}' (FORMAT parquet)`);
  con.closeSync();
  const dest = path.join(tmp, 'never.csv');
  const r = await exported(['predict', bad, '--out', dest]);
  assert.equal(r.exitCode, 2);
  assert.equal(r.stderr.split('\n')[0], `error: ${bad} lacks 2 column(s) the model was trained on: feature_wise_001, feature_strong_011`);
  assert.equal(fs.existsSync(dest), false);
});

test('promote refuses a non-empty --out without touching it, and an unknown run', async () => {
  const busy = path.join(tmp, 'busy');
  fs.mkdirSync(busy);
  fs.writeFileSync(path.join(busy, 'keep.txt'), 'mine');
  await assert.rejects(promoteCli({ out: busy }), (e: unknown) => isUserError(e) && e.what === `refusing to write into ${busy}`);
  assert.deepEqual(fs.readdirSync(busy), ['keep.txt']);
  await assert.rejects(promote({ repo: repo.dir, tag: 't', out: path.join(busy, 'keep.txt') }), (e: unknown) => isUserError(e) && e.what === `--out is a file: ${path.join(busy, 'keep.txt')}`);
  const fresh = path.join(tmp, 'fresh');
  await assert.rejects(promoteCli({ tag: 'nope', out: fresh }), (e: unknown) => isUserError(e) && e.what === 'unknown run "nope"');
  assert.equal(fs.existsSync(fresh), false);
});
