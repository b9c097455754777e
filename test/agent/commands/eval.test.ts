// End-to-end tests of `autoresearch eval` and `autoresearch noise` through the real CLI, harness,
// sandboxed trainer processes and parquet output, each in a throwaway clone of the project.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import YAML from 'yaml';
import { stamp } from '../../../agent/commands/common.ts';
import { scoreFile } from '../../../agent/commands/score.ts';
import { synthesize } from '../../../harness/data/synth.ts';
import { openDuck, sqlString } from '../../../harness/duck.ts';
import { mean, std } from '../../../harness/stats.ts';
import { tinyData } from '../../helpers/loop.ts';
import { makeTempRepo, tinyConfig, type TempRepo } from '../../helpers/temp-repo.ts';

interface Stats { corr: number | null; bmc: number | null; payout: number | null }
interface EvalJson {
  seeds: (Stats & { seed: number })[]; mean: Stats; std: Stats; backend: string | null; sandbox: string; holdout: boolean;
  empty_folds: number[]; jobs: { fold: number; seed: number; status: string; seconds: number; message?: string }[]; out: string;
}
interface NoiseJson { seeds: number[]; payouts: number[]; mean: number; sigma: number; margin: number; gate_seeds: number; margin_k: number; out: string }
type Cli = Awaited<ReturnType<TempRepo['cli']>>;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const KNN_MODULE = path.join(repoRoot, 'test', 'fixtures', 'train-modules', 'knn.ts');
const THROWING_MODULE = path.join(repoRoot, 'test', 'hostile', 'throws', 'train.ts');
/** tinyData(): 48 labelled eras of 40 rows; tinyConfig(): 2 blocked folds, embargo 2, the last 4 eras held out. */
const TINY = { eras: 48, rowsPerEra: 40, holdout: 4 };
const USER_ERROR = /^error: [^\n]+\n {2}why: [^\n]+\n {2}fix: [^\n]+\n?$/;

const repos: TempRepo[] = [];
// The helper makes the tiny dataset once per process and leaves it behind; this process removes it.
const dirs: string[] = [];
async function tiny(): Promise<string> {
  const d = await tinyData();
  if (!dirs.includes(path.dirname(d))) dirs.push(path.dirname(d));
  return d;
}
after(() => {
  for (const r of repos) r.cleanup();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function repo(config: Record<string, unknown>): Promise<TempRepo> {
  const r = await makeTempRepo(config, 'ar-eval-test-');
  repos.push(r);
  return r;
}

function tmpDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** The single JSON object a --json command printed (stdout must be exactly one line). */
function oneJson<T>(res: Cli): T {
  const stdout = String(res.stdout);
  const lines = stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one line of JSON on stdout, got:\n${stdout}`);
  return JSON.parse(lines[0]) as T;
}

async function evalOk(r: TempRepo, args: string[]): Promise<EvalJson> {
  const res = await r.cli(['eval', '--json', ...args]);
  assert.equal(res.exitCode, 0, String(res.stderr));
  return oneJson<EvalJson>(res);
}

function evalDirs(r: TempRepo, prefix = 'eval-'): string[] {
  return fs.readdirSync(path.join(r.dir, 'runs')).filter((d) => d.startsWith(prefix)).sort();
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const con = await openDuck(1);
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    con.closeSync();
  }
}

/** Distinct eras of an oof.parquet, ascending. */
async function oofEras(file: string): Promise<string[]> {
  const rows = await query(`SELECT DISTINCT era FROM read_parquet(${sqlString(file)}) ORDER BY era`);
  return rows.map((row) => String(row.era));
}

const eraLabel = (n: number) => String(n).padStart(4, '0');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// One clone with the default train module for the baseline, determinism, holdout, expanding and
// noise tests; the baseline evaluation is shared because it is the slowest step.
let tinyRepo: Promise<TempRepo> | null = null;
const tinyClone = () => (tinyRepo ??= tiny().then((d) => repo(tinyConfig(d))));
let baseline: Promise<EvalJson> | null = null;
const baselineEval = () => (baseline ??= tinyClone().then((r) => evalOk(r, [])));

test('eval --json prints one summary whose per-seed scores the score command reproduces from oof.parquet', async () => {
  const r = await tinyClone();
  const before = evalDirs(r);
  const out = await baselineEval();
  assert.deepEqual(Object.keys(out).sort(), ['backend', 'empty_folds', 'holdout', 'jobs', 'mean', 'out', 'sandbox', 'seeds', 'std']);
  assert.deepEqual(out.seeds.map((s) => Object.keys(s).sort()), [['bmc', 'corr', 'payout', 'seed'], ['bmc', 'corr', 'payout', 'seed']]);
  assert.deepEqual(out.seeds.map((s) => s.seed), [1, 2]);
  assert.equal(out.backend, 'wasm');
  assert.equal(out.holdout, false);
  assert.deepEqual(out.empty_folds, []);
  const jobKeys = out.jobs.map((j) => `${j.fold}:${j.seed}:${j.status}`).sort();
  assert.deepEqual(jobKeys, ['0:1:ok', '0:2:ok', '1:1:ok', '1:2:ok']);
  for (const j of out.jobs) assert.ok(j.seconds > 0 && Number.isFinite(j.seconds), `job seconds ${j.seconds}`);
  const [s1, s2] = out.seeds as { corr: number; bmc: number; payout: number }[];
  for (const s of [s1, s2]) assert.ok(Math.abs(s.payout - (0.75 * s.corr + 2.25 * s.bmc)) <= 1e-12, `payout ${s.payout}`);
  assert.ok(Math.abs(out.mean.payout! - (s1.payout + s2.payout) / 2) <= 1e-12, 'mean payout is the mean of the seeds');
  const [corr, bmc] = [(s1.corr + s2.corr) / 2, (s1.bmc + s2.bmc) / 2];
  assert.ok(Math.abs(out.mean.payout! - (0.75 * corr + 2.25 * bmc)) <= 1e-12, 'mean payout is 0.75·CORR + 2.25·BMC');
  assert.ok(Math.abs(out.std.payout! - Math.abs(s1.payout - s2.payout) / Math.SQRT2) <= 1e-12, 'std across seeds is ddof 1');

  const dir = path.join(r.dir, out.out);
  assert.deepEqual(evalDirs(r), [...before, path.basename(out.out)].sort());
  assert.match(out.out, /^runs\/eval-\d{8}-\d{6}$/);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')), out);
  const oof = path.join(dir, 'oof.parquet');
  const search = TINY.eras - TINY.holdout;
  const [shape] = await query(`SELECT count(*) AS n, count(DISTINCT id) AS ids, min(era) AS first, max(era) AS last,
    count(DISTINCT fold) AS folds, max(abs(prediction - (prediction_1 + prediction_2) / 2)) AS mean_gap FROM read_parquet(${sqlString(oof)})`);
  assert.deepEqual({ ...shape, mean_gap: Number(shape.mean_gap) < 1e-12 }, {
    n: String(search * TINY.rowsPerEra), ids: String(search * TINY.rowsPerEra), first: '0001', last: eraLabel(search), folds: '2', mean_gap: true,
  });

  // The same numbers through a second path: the score command re-reading the written parquet.
  for (const s of out.seeds) {
    const res = await r.cli(['score', oof, '--pred', `prediction_${s.seed}`, '--target', 'target', '--benchmark', 'benchmark', '--json']);
    assert.equal(res.exitCode, 0, String(res.stderr));
    const report = oneJson<{ per_era: unknown[]; summary: { corr: { mean: number }; bmc: { mean: number }; payout: number } }>(res);
    assert.equal(report.per_era.length, search);
    assert.equal(report.summary.corr.mean, s.corr, `seed ${s.seed} corr`);
    assert.equal(report.summary.bmc.mean, s.bmc, `seed ${s.seed} bmc`);
    assert.equal(report.summary.payout, s.payout, `seed ${s.seed} payout`);
  }
});

test('eval is deterministic per seed: seed 1 again gives the identical payout, and seed 2 a different one', async () => {
  const r = await tinyClone();
  const first = await baselineEval();
  const again = await evalOk(r, ['--seeds', '1', '--quiet']);
  assert.deepEqual(again.seeds, [first.seeds[0]]);
  assert.notEqual(first.seeds[0].payout, first.seeds[1].payout);
  assert.notEqual(again.out, first.out, 'a second evaluation writes its own directory');
});

test('eval --holdout trains on the search eras and scores exactly the last cv.holdout labelled eras', async () => {
  const r = await tinyClone();
  const out = await evalOk(r, ['--holdout', '--seeds', '1', '--quiet']);
  assert.equal(out.holdout, true);
  assert.match(out.out, /^runs\/eval-\d{8}-\d{6}-holdout$/);
  assert.deepEqual(out.jobs.map((j) => [j.fold, j.seed, j.status]), [[0, 1, 'ok']]);
  const eras = await oofEras(path.join(r.dir, out.out, 'oof.parquet'));
  assert.deepEqual(eras, range(TINY.eras - TINY.holdout + 1, TINY.eras).map(eraLabel));
});

test('expanding CV from the config file reports fold 0 as empty and runs no job for it', async () => {
  const r = await tinyClone();
  const config = tinyConfig(await tiny(), { cv: { folds: 2, embargo: 2, mode: 'expanding', downsample: 1, holdout: TINY.holdout } });
  fs.writeFileSync(path.join(r.dir, 'expanding.yaml'), YAML.stringify(config));
  const res = await r.cli(['eval', '--json', '--config', 'expanding.yaml', '--seeds', '1']);
  assert.equal(res.exitCode, 0, String(res.stderr));
  const out = oneJson<EvalJson>(res);
  assert.deepEqual(out.empty_folds, [0]);
  assert.deepEqual(out.jobs.map((j) => [j.fold, j.seed, j.status]), [[1, 1, 'ok']]);
  assert.match(String(res.stderr), /^fold 0: no training eras after the embargo — no predictions$/m);
  // 44 search eras in two blocks of 22: only the second block is scored.
  const eras = await oofEras(path.join(r.dir, out.out, 'oof.parquet'));
  assert.deepEqual(eras, range(23, 44).map(eraLabel));
});

test('noise --seeds 2 reports the seed payouts, their ddof-1 σ and the gate margin 2·σ/√(eval seeds)', async () => {
  const r = await tinyClone();
  const first = await baselineEval();
  const res = await r.cli(['noise', '--seeds', '2', '--json', '--quiet']);
  assert.equal(res.exitCode, 0, String(res.stderr));
  const out = oneJson<NoiseJson>(res);
  assert.deepEqual(out.seeds, [1, 2]);
  assert.deepEqual(out.payouts, first.seeds.map((s) => s.payout), 'the same seeds score the same through noise as through eval');
  const [a, b] = out.payouts;
  const sigma = Math.abs(a - b) / Math.SQRT2;
  assert.ok(Math.abs(out.sigma - sigma) <= 1e-12, `sigma ${out.sigma} vs ${sigma}`);
  assert.ok(Math.abs(out.margin - (3 * sigma) / Math.sqrt(2)) <= 1e-12, `margin ${out.margin}`);
  assert.deepEqual([out.gate_seeds, out.margin_k], [2, 3]);
  assert.ok(Math.abs(out.mean - (a + b) / 2) <= 1e-12);
  assert.match(out.out, /^runs\/noise-\d{8}-\d{6}$/);
  assert.ok(fs.existsSync(path.join(r.dir, out.out, 'summary.json')));
});

test('bad inputs exit 2 with what/why/fix on stderr, nothing on stdout and no run directory', async () => {
  const data = await tiny();
  const corrupt = path.join(tmpDir('ar-eval-corrupt-'), 'data');
  fs.cpSync(data, corrupt, { recursive: true });
  fs.writeFileSync(path.join(corrupt, 'train.parquet'), 'this is not a parquet file\n'.repeat(40));
  const base = tinyConfig(data);
  const withData = (extra: Record<string, unknown>) => ({ ...base, data: { ...(base.data as object), ...extra } });
  const cases: { name: string; args: string[]; command?: string; config?: Record<string, unknown>; what: RegExp; fix?: RegExp }[] = [
    { name: 'missing --data dir', args: ['--data', 'no-such-dir'], what: /^error: data directory not found: .*no-such-dir$/m },
    { name: 'unknown feature set', args: [], config: withData({ feature_set: 'nope' }), what: /^error: unknown feature set "nope"$/m, fix: /choose one of the listed feature sets/ },
    { name: 'unknown target', args: [], config: withData({ target: 'target_nope' }), what: /^error: unknown target "target_nope"$/m },
    { name: 'corrupt parquet', args: [], config: withData({ dir: corrupt }), what: /^error: cannot read parquet file .*train\.parquet$/m },
    { name: '--seeds 1,x', args: ['--seeds', '1,x'], what: /^error: .*expected comma-separated integer seeds for --seeds \(e\.g\. 42,17,73\), got 1,x$/m },
    { name: '--folds 1', args: ['--folds', '1'], what: /^error: .*expected an integer ≥ 2 for --folds, got 1$/m },
    { name: '--backend foo', args: ['--backend', 'foo'], what: /^error: .*'foo' is invalid\. Allowed choices are auto, tensorflow, native, wasm, cpu\.$/m },
    { name: 'noise --seeds 1', command: 'noise', args: ['--seeds', '1'], what: /^error: .*expected an integer ≥ 2 for --seeds, got 1$/m },
    {
      name: 'unknown config key', args: [], config: { ...base, cv: { ...(base.cv as object), embargos: 4 } },
      what: /^error: unknown config key "cv\.embargos" in .*autoresearch\.yaml$/m, fix: /did you mean "cv\.embargo"\?/,
    },
    { name: 'unknown flag', args: ['--bogus'], what: /^error: unknown option '--bogus'$/m },
  ];
  // Flag cases share one clone; a config case gets its own clone with the bad autoresearch.yaml.
  const shared = await repo(base);
  const limit = pLimit(3);
  await Promise.all(cases.map((c) => limit(async () => {
    const r = c.config ? await repo(c.config) : shared;
    const res = await r.cli([c.command ?? 'eval', '--json', ...c.args]);
    const stderr = String(res.stderr);
    assert.equal(res.exitCode, 2, `${c.name}: exit code\n${stderr}`);
    assert.equal(res.stdout, '', `${c.name}: stdout`);
    assert.match(stderr, USER_ERROR, `${c.name}: stderr is one what/why/fix message`);
    assert.match(stderr, c.what, `${c.name}: what`);
    if (c.fix) assert.match(stderr, c.fix, `${c.name}: fix`);
    assert.deepEqual(evalDirs(r, ''), ['.gitkeep'], `${c.name}: nothing written under runs/`);
  })));
});

test('a train module that throws: eval exits 1, names the failed fold and seed, and the JSON says crash', async () => {
  const r = await repo(tinyConfig(await tiny()));
  fs.copyFileSync(THROWING_MODULE, path.join(r.dir, 'train', 'train.ts'));
  const res = await r.cli(['eval', '--json', '--seeds', '7']);
  assert.equal(res.exitCode, 1, String(res.stderr));
  const out = oneJson<EvalJson>(res);
  assert.deepEqual(out.jobs.map((j) => `${j.fold}:${j.seed}:${j.status}`).sort(), ['0:7:crash', '1:7:crash']);
  assert.deepEqual(out.seeds, [{ seed: 7, corr: null, bmc: null, payout: null }]);
  assert.deepEqual(out.mean, { corr: null, bmc: null, payout: null });
  for (const j of out.jobs) assert.match(j.message ?? '', /boom in train/);
  const stderr = String(res.stderr);
  assert.match(stderr, /^evaluation failed: 2 job\(s\) did not finish ok \(first: fold [01] seed 7 crash: .*boom in train.*\)$/m);
  const dir = path.join(r.dir, out.out);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')), out);
  assert.equal(fs.existsSync(path.join(dir, 'oof.parquet')), false, 'no predictions file for a failed evaluation');
});

test('an evaluation never writes into an existing run directory from the same second', async () => {
  const r = await repo(tinyConfig(await tiny()));
  fs.copyFileSync(KNN_MODULE, path.join(r.dir, 'train', 'train.ts'));
  // What an evaluation started in the same second leaves behind, for every second this one may start in.
  const now = Date.now();
  const taken = range(-5, 300).map((s) => path.join(r.dir, 'runs', `eval-${stamp(new Date(now + s * 1000))}`));
  for (const d of taken) {
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'summary.json'), 'another evaluation\n');
  }
  const out = await evalOk(r, ['--seeds', '1', '--quiet']);
  assert.match(out.out, /^runs\/eval-\d{8}-\d{6}-2$/);
  assert.ok(taken.includes(path.join(r.dir, out.out.slice(0, -2))), `${out.out} does not follow a taken directory`);
  for (const d of taken) assert.deepEqual(fs.readdirSync(d), ['summary.json'], `${d} was touched`);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(r.dir, out.out, 'summary.json'), 'utf8')), out);
  assert.ok(fs.existsSync(path.join(r.dir, out.out, 'oof.parquet')));
});

// A memorising model sees the same stocks' overlapping target windows in eras next to each test
// block; only the embargo stops it. 6 blocked folds give 10 block boundaries to leak across.
const LEAK = { seed: 5, eras: 72, validationEras: 12, rowsPerEra: 100, features: 32, folds: 6 };

test('embargo 0 lets a nearest-neighbour model leak through the real harness; embargo 12 stops it', async (t) => {
  const data = path.join(tmpDir('ar-eval-leak-'), 'data');
  await synthesize(data, { seed: LEAK.seed, eras: LEAK.eras, validationEras: LEAK.validationEras, rowsPerEra: LEAK.rowsPerEra, features: LEAK.features });
  const r = await repo(tinyConfig(data, { cv: { folds: LEAK.folds, embargo: 0, mode: 'blocked', downsample: 1, holdout: 0 } }));
  fs.copyFileSync(KNN_MODULE, path.join(r.dir, 'train', 'train.ts'));
  const runs = [];
  for (const embargo of [0, 12]) {
    const out = await evalOk(r, ['--seeds', '1', '--embargo', String(embargo), '--quiet']);
    assert.deepEqual(out.jobs.map((j) => j.fold).sort(), range(0, LEAK.folds - 1));
    const oof = path.join(r.dir, out.out, 'oof.parquet');
    const folds = await query(`SELECT era, min(fold) AS fold FROM read_parquet(${sqlString(oof)}) GROUP BY era ORDER BY era`);
    const report = await scoreFile(oof, { pred: 'prediction_1', target: 'target', benchmark: 'benchmark', era: 'era' });
    runs.push({ embargo, out, folds, perEra: report.per_era });
  }
  const [leaky, purged] = runs;
  assert.deepEqual(leaky.folds, purged.folds, 'both runs test the same eras in the same folds');
  assert.equal(leaky.perEra.length, LEAK.eras);
  const diff = leaky.perEra.map((e, i) => e.corr - purged.perEra[i].corr);
  const m = mean(diff);
  const se = std(diff, 1) / Math.sqrt(diff.length);
  t.diagnostic(`CORR embargo 0: ${leaky.out.mean.corr!.toFixed(4)}, embargo 12: ${purged.out.mean.corr!.toFixed(4)}; ` +
    `per-era difference ${m.toFixed(4)} ± ${se.toFixed(4)} (t = ${(m / se).toFixed(2)}, ${diff.length} eras)`);
  assert.ok(m > 0.05, `leak of ${m} in CORR is too small`);
  assert.ok(m > 4 * se, `leak of ${m} is not large relative to its per-era standard error ${se}`);
});
