import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { execa } from 'execa';
import { formatTable, register, scoreFile } from '../../../agent/commands/score.ts';
import { openDuck, sqlString } from '../../../harness/duck.ts';
import { featureSourceFromColumns, scorePerEra, summarizeEras } from '../../../harness/metrics/per-era.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-cmd-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `node agent/bin.mjs score ...` and never rejects. */
function score(...args: string[]) {
  return execa('node', ['agent/bin.mjs', 'score', ...args], { cwd: repoRoot, reject: false });
}

/** 4 eras × 25 rows with missing targets and benchmark values; rows deliberately not sorted by era. */
function makeData() {
  let s = 99;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const n = 100;
  const eraOf = (i: number): number => (i * 3) % 4;
  const fa = Float64Array.from({ length: n }, () => Math.floor(rnd() * 5));
  const fb = Float64Array.from({ length: n }, () => Math.floor(rnd() * 5));
  const signal = Float64Array.from({ length: n }, (_, i) => fa[i] - fb[i] + 3 * rnd());
  const pred = Float64Array.from(signal, (v) => v + rnd());
  const target = Float64Array.from(signal, (v, i) => (i % 17 === 0 ? NaN : Math.min(1, Math.max(0, Math.round(v + 2) / 8))));
  const bench = Float64Array.from(signal, (v, i) => (i % 13 === 0 ? NaN : v + 2 * rnd()));
  const eras = Array.from({ length: n }, (_, i) => String(eraOf(i) + 1).padStart(4, '0'));
  return { n, eras, pred, target, bench, fa, fb };
}

const d = makeData();
const csvPath = path.join(dir, 'preds.csv');
const parquetPath = path.join(dir, 'preds.parquet');
const num = (v: number): string => (Number.isNaN(v) ? '' : String(v));

before(async () => {
  const lines = ['id,era,prediction,target,bench,feature_a,feature_b'];
  for (let i = 0; i < d.n; i++) lines.push([`id${i}`, d.eras[i], num(d.pred[i]), num(d.target[i]), num(d.bench[i]), d.fa[i], d.fb[i]].join(','));
  fs.writeFileSync(csvPath, lines.join('\n') + '\n');
  const con = await openDuck(1);
  await con.run(
    `COPY (SELECT id, era, CAST(prediction AS DOUBLE) AS prediction, CAST(target AS DOUBLE) AS target, CAST(bench AS DOUBLE) AS bench, ` +
      `CAST(feature_a AS TINYINT) AS feature_a, CAST(feature_b AS TINYINT) AS feature_b ` +
      `FROM read_csv(${sqlString(csvPath)}, all_varchar = true)) TO ${sqlString(parquetPath)} (FORMAT parquet)`,
  );
  con.closeSync();
});

/** What the harness computes for the same rows, in the command's JSON shape (NaN → null). */
function expectedReport(): unknown {
  const eraNames = ['0001', '0002', '0003', '0004'];
  const perEra = scorePerEra({
    eraIndex: Int32Array.from(d.eras, (e) => eraNames.indexOf(e)),
    eraNames,
    pred: d.pred,
    target: d.target,
    benchmark: d.bench,
    features: featureSourceFromColumns([d.fa, d.fb]),
  });
  return JSON.parse(JSON.stringify({ per_era: perEra, summary: summarizeEras(perEra) }));
}

const FULL = ['--pred', 'prediction', '--target', 'target', '--benchmark', 'bench', '--features', 'feature_', '--json'];

describe('autoresearch score', () => {
  it('prints per-era and summary JSON equal to scorePerEra for a CSV and for a parquet file', async () => {
    const [csv, parquet] = await Promise.all([score(csvPath, ...FULL), score(parquetPath, ...FULL)]);
    const expected = expectedReport();
    for (const r of [csv, parquet]) {
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 1, 'exactly one JSON line');
      assert.deepEqual(JSON.parse(r.stdout), expected);
    }
    const report = JSON.parse(csv.stdout);
    assert.deepEqual(report.per_era.map((e: { era: string }) => e.era), ['0001', '0002', '0003', '0004']);
    assert.deepEqual(Object.keys(report.summary), ['corr', 'bmc', 'bmc_last_200_eras', 'fnc', 'payout']);
  });

  it('prints a readable table without --json, and omits BMC without --benchmark', async () => {
    const report = await scoreFile(csvPath, { pred: 'prediction', target: 'target', era: 'era' });
    const table = formatTable(report, csvPath);
    assert.match(table, new RegExp(`^corr\\s+${report.summary.corr.mean.toFixed(6).replace('.', '\\.')}\\s`, 'm'));
    assert.match(table, /payout proxy \(0\.75·CORR \+ 2\.25·BMC\): n\/a \(no --benchmark\)/);
    assert.match(table, /^0001\s+\d+\s/m);
    assert.doesNotMatch(table, /^bmc/m);
  });

  it('exits 2 with what/why/fix on stderr and nothing on stdout for bad input', async () => {
    const badCsv = path.join(dir, 'bad.csv');
    fs.writeFileSync(badCsv, 'era,prediction,target\n0001,0.5,0.25\n0001,oops,0.5\n');
    const cases: [string[], RegExp][] = [
      [[path.join(dir, 'missing.csv'), '--pred', 'prediction', '--target', 'target'], /^error: predictions file not found: .*missing\.csv/],
      [[csvPath, '--pred', 'pred', '--target', 'target'], /^error: column "pred" \(--pred\) not found.*\n  why: the file has columns: id, era, prediction/],
      [[badCsv, '--pred', 'prediction', '--target', 'target'], /^error: column "prediction" of .* has a non-numeric value\n  why: data row 2 holds "oops"/],
      [[csvPath, '--pred', 'prediction', '--target', 'target', '--bogus'], /^error: unknown option '--bogus'/],
    ];
    const results = await Promise.all(cases.map(([args]) => score(...args)));
    results.forEach((r, k) => {
      assert.equal(r.exitCode, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, cases[k][1]);
      assert.match(r.stderr, /\n  why: .+\n  fix: .+/);
    });
  });

  it('describes every option in --help', () => {
    const program = new Command('autoresearch');
    register(program);
    const help = program.commands.find((c) => c.name() === 'score')!.helpInformation();
    for (const opt of ['--pred <column>', '--target <column>', '--benchmark <column>', '--features <prefix>', '--era <column>', '--id <column>', '--json']) {
      assert.match(help, new RegExp(`${opt.replace(/[<>]/g, '.')}\\s+\\S`), `help describes ${opt}`);
    }
  });
});
