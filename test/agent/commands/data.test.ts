import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { execa } from 'execa';
import { formatInfo, register } from '../../../agent/commands/data.ts';
import { dataInfo } from '../../../harness/data/info.ts';
import { UserError } from '../../../harness/errors.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURE = path.resolve(repoRoot, '../shared/fixtures/numerai-mini');
const cli = (...args: string[]) => execa('node', [path.join(repoRoot, 'agent/bin.mjs'), 'data', ...args], { cwd: repoRoot, reject: false });
const created: string[] = [];
process.on('exit', () => {
  for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ar-data-${prefix}-`));
  created.push(dir);
  return dir;
};

test('data synth writes a dataset that data info --json describes exactly', async () => {
  const out = path.join(tmp('cli-synth'), 'syn');
  const made = await cli('synth', '--out', out, '--seed', '3', '--eras', '30', '--rows-per-era', '20', '--features', '8');
  assert.equal(made.exitCode, 0, made.stderr);
  assert.match(made.stdout, /^wrote a synthetic Numerai-shaped dataset to /);
  assert.match(made.stdout, /seed 3; train 500 rows \(25 eras\), validation 100 rows \(5 eras\), live 20 rows \(1 era\)/);
  const info = await cli('info', out, '--json');
  assert.equal(info.exitCode, 0, info.stderr);
  assert.deepEqual(JSON.parse(info.stdout), {
    dir: out,
    splits: {
      train: { rows: 500, eras: 25, first_era: '0001', last_era: '0025' },
      validation: { rows: 100, eras: 5, first_era: '0026', last_era: '0030' },
      live: { rows: 20, eras: 1, first_era: 'X', last_era: 'X' },
    },
    features: 8,
    feature_sets: { small: 2, medium: 6, all: 8, serenity: 2, wisdom: 2, agility: 2, strength: 2 },
    targets: ['target', 'target_ender_20', 'target_ender_60', 'target_cyrusd_20', 'target_cyrusd_60', 'target_teager2b_20'],
    benchmark_columns: ['v52_lgbm_ender20', 'v52_lgbm_cyrusd20', 'v52_lgbm_teager2b20', 'v52_lgbm_ender60'],
  });
});

/** Runs `data ...` in-process on a fresh program, mapping errors the way agent/cli.ts does. */
async function inProcess(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const program = new Command('autoresearch').exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => {} });
  register(program);
  try {
    await program.parseAsync(['node', 'autoresearch', 'data', ...args]);
    return { code: 0, stderr };
  } catch (e) {
    if (e instanceof CommanderError) return { code: 2, stderr };
    if (e instanceof UserError) return { code: 2, stderr: stderr + e.format() };
    throw e;
  }
}

test('data info prints the fixture as a table', async () => {
  const text = formatInfo(await dataInfo(FIXTURE));
  assert.match(text, /train\s+9874 rows\s+80 eras {2}0001\.\.0080/);
  assert.match(text, /validation\s+2417 rows\s+20 eras {2}0081\.\.0100/);
  assert.match(text, /live\s+115 rows\s+1 eras {2}X\.\.X/);
  assert.match(text, /feature sets small \(12\), medium \(36\), all \(60\), serenity \(15\)/);
});

test('bad data synth inputs exit 2 through the real CLI and write nothing', async () => {
  const root = tmp('cli-bad');
  const out = path.join(root, 'out');
  const parse = await cli('synth', '--out', out, '--eras', '0');
  assert.equal(parse.exitCode, 2);
  assert.ok(parse.stderr.startsWith("error: option '--eras <n>' argument '0' is invalid. expected a positive integer for --eras, got 0\n"), parse.stderr);
  const range = await cli('synth', '--out', out, '--eras', '5');
  assert.equal(range.exitCode, 2);
  assert.ok(range.stderr.startsWith('error: invalid synthetic dataset options: expected an integer from 20 to 5000 for --eras, got 5\n'), range.stderr);
  assert.deepEqual(fs.readdirSync(root), []);
});

test('every bad data synth flag is refused with an exact message before anything is written', async () => {
  const root = tmp('cmd-bad');
  const out = path.join(root, 'out');
  const cases: [string[], string][] = [
    [['--rows-per-era', 'abc'], "argument 'abc' is invalid. expected a positive integer for --rows-per-era, got abc"],
    [['--seed', '-1'], "argument '-1' is invalid. expected a non-negative integer for --seed, got -1"],
    [['--features', '3'], 'error: invalid synthetic dataset options: expected an integer from 4 to 5000 for --features, got 3'],
    [['--groups', '9'], 'error: invalid synthetic dataset options: expected an integer from 1 to 8 for --groups, got 9'],
    [['--eras', '30', '--validation-eras', '25'], 'error: invalid synthetic dataset options: expected an integer from 1 to 20 for --validation-eras, got 25'],
  ];
  for (const [args, msg] of cases) {
    const r = await inProcess('synth', '--out', out, ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.ok(r.stderr.includes(msg), `${args.join(' ')}: ${r.stderr}`);
  }
  const missing = await inProcess('synth');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /required option '--out <dir>' not specified/);
  assert.deepEqual(fs.readdirSync(root), []);
});

test('data synth refuses a non-empty directory that is not a synthetic dataset', async () => {
  const dir = tmp('cmd-nonempty');
  fs.writeFileSync(path.join(dir, 'keep.txt'), 'precious');
  const r = await inProcess('synth', '--out', dir, '--eras', '30', '--rows-per-era', '20', '--features', '8');
  assert.equal(r.code, 2);
  assert.ok(r.stderr.startsWith(`error: refusing to write into ${dir}\n  why: the directory is not empty and has no synthetic.json`), r.stderr);
  assert.deepEqual(fs.readdirSync(dir), ['keep.txt']);
});

test('data info of a missing directory exits 2', async () => {
  const r = await inProcess('info', '/nonexistent/numerai');
  assert.equal(r.code, 2);
  assert.ok(r.stderr.startsWith('error: data directory not found: /nonexistent/numerai'), r.stderr);
});
