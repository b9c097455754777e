// Bad input to `eval` and `noise`: numbers out of range, unknown choices, and data directories
// that are missing, not Numerai data, lack the era, targets or features, or hold corrupt parquet.
// Every refusal happens before a trainer starts, so no runs/eval-* or runs/noise-* directory appears.
import path from 'node:path';
import { runBadInputTable, type BadInputRow } from '../helpers/bad-input.ts';
import { badFiles } from './bad-files.ts';

const bad = await badFiles();
const usage = (cmd: string) => `why: the command line does not match what \`autoresearch ${cmd}\` accepts`;
const NOT_PARQUET = ['why: DuckDB says: Invalid Input Error: No magic bytes found at end of file', 'fix: check that the file is a complete parquet file'];

const rows: BadInputRow[] = [
  { name: 'eval --seeds a,b', args: ['eval', '--seeds', 'a,b'], expect: { code: 2, stderr: ['expected comma-separated integer seeds for --seeds (e.g. 42,17,73), got a,b', usage('eval'), 'fix: run `autoresearch eval --help`'] } },
  { name: 'eval --seeds with a repeat', args: ['eval', '--seeds', '7,7'], expect: { code: 2, stderr: ['expected distinct seeds for --seeds, got 7,7', usage('eval')] } },
  { name: 'eval --folds 1', args: ['eval', '--folds', '1'], expect: { code: 2, stderr: ['expected an integer ≥ 2 for --folds, got 1', usage('eval')] } },
  { name: 'eval --embargo -1', args: ['eval', '--embargo', '-1'], expect: { code: 2, stderr: ['expected a non-negative integer for --embargo, got -1', usage('eval')] } },
  { name: 'eval --workers x', args: ['eval', '--workers', 'x'], expect: { code: 2, stderr: ['expected a positive integer for --workers, got x', usage('eval')] } },
  { name: 'eval --backend gpu', args: ['eval', '--backend', 'gpu'], expect: { code: 2, stderr: ["argument 'gpu' is invalid. Allowed choices are auto, tensorflow, native, wasm, cpu.", usage('eval')] } },
  { name: 'eval with a stray argument', args: ['eval', 'train/'], expect: { code: 2, stderr: ["error: too many arguments for 'eval'. Expected 0 arguments but got 1.", usage('eval')] } },
  {
    name: 'eval --data does not exist', args: ['eval', '--data', path.join(bad.notNumerai, 'gone')],
    expect: { code: 2, stderr: [`error: data directory not found: ${path.join(bad.notNumerai, 'gone')}`, 'why: the path given with --data (or data.dir) does not exist', 'fix: point --data at a Numerai v5.x directory'] },
  },
  {
    name: 'eval --data is not Numerai data', args: ['eval', '--data', bad.notNumerai],
    expect: { code: 2, stderr: [`error: features.json not found: ${path.join(bad.notNumerai, 'features.json')}`, 'why: a Numerai data directory holds features.json', 'fix: download it'] },
  },
  {
    name: 'eval --data whose train.parquet has no era', args: ['eval', '--data', bad.noEra],
    expect: { code: 2, stderr: [`error: column "era" is missing from ${path.join(bad.noEra, 'train.parquet')}`, 'why: the file is readable, but a column this command needs is missing', 'fix: use a Numerai file'] },
  },
  {
    name: 'eval --data whose train.parquet has no target', args: ['eval', '--data', bad.noTarget],
    expect: { code: 2, stderr: ['error: unknown target "target"', 'why: train.parquet has no target columns', 'fix: set data.target in autoresearch.yaml'] },
  },
  {
    name: 'eval --data whose train.parquet has no feature columns', args: ['eval', '--data', bad.noFeatures],
    expect: { code: 2, stderr: ['error: feature column "feature_serene_000" is missing from train.parquet', `why: ${path.join(bad.noFeatures, 'train.parquet')} has no column with a similar name`, 'fix: fix the name in your config, or use a data directory'] },
  },
  { name: 'eval --data with a truncated train.parquet', args: ['eval', '--data', bad.truncated], expect: { code: 2, stderr: [`error: cannot read parquet file ${path.join(bad.truncated, 'train.parquet')}`, ...NOT_PARQUET] } },
  { name: 'eval --data with random bytes as train.parquet', args: ['eval', '--data', bad.randomBytes], expect: { code: 2, stderr: [`error: cannot read parquet file ${path.join(bad.randomBytes, 'train.parquet')}`, ...NOT_PARQUET] } },
  { name: 'eval --data with a CSV as train.parquet', args: ['eval', '--data', bad.csvAsParquet], expect: { code: 2, stderr: [`error: cannot read parquet file ${path.join(bad.csvAsParquet, 'train.parquet')}`, ...NOT_PARQUET] } },
  {
    name: 'eval with a feature set the data does not define', args: ['eval', '--config', bad.config.unknownFeatureSet],
    expect: { code: 2, stderr: ['error: unknown feature set "tiny"', 'why: features.json defines: ', 'fix: '] },
  },
  { name: 'noise --seeds 0', args: ['noise', '--seeds', '0'], expect: { code: 2, stderr: ['expected an integer ≥ 2 for --seeds, got 0', usage('noise'), 'fix: run `autoresearch noise --help`'] } },
  { name: 'noise --seeds 1 (σ needs two)', args: ['noise', '--seeds', '1'], expect: { code: 2, stderr: ['expected an integer ≥ 2 for --seeds, got 1', usage('noise')] } },
  { name: 'noise --seeds a,b', args: ['noise', '--seeds', 'a,b'], expect: { code: 2, stderr: ['expected an integer ≥ 2 for --seeds, got a,b', usage('noise')] } },
  { name: 'noise --workers -2', args: ['noise', '--workers', '-2'], expect: { code: 2, stderr: ['expected a positive integer for --workers, got -2', usage('noise')] } },
  { name: 'noise --data is not Numerai data', args: ['noise', '--data', bad.notNumerai], expect: { code: 2, stderr: [`error: features.json not found: ${path.join(bad.notNumerai, 'features.json')}`, 'fix: download it'] } },
];

runBadInputTable('bad input: eval / noise', rows);
