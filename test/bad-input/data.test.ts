// Bad input to `data info` and `data synth`: paths that are missing, not directories or not Numerai
// data, train files without an era or that are not parquet at all, and out-of-range options.
import path from 'node:path';
import { runBadInputTable, type BadInputRow } from '../helpers/bad-input.ts';
import { badFiles } from './bad-files.ts';

const bad = await badFiles();
const NOT_PARQUET = ['why: DuckDB says: Invalid Input Error: No magic bytes found at end of file', 'fix: check that the file is a complete parquet file'];
const usage = (sub: string) => `why: the command line does not match what \`autoresearch data ${sub}\` accepts`;

const rows: BadInputRow[] = [
  { name: 'info: missing directory argument', args: ['data', 'info'], expect: { code: 2, stderr: ["error: missing required argument 'dir'", usage('info'), 'fix: run `autoresearch data info --help`'] } },
  {
    name: 'info: directory does not exist', args: ['data', 'info', path.join(bad.notNumerai, 'gone')],
    expect: { code: 2, stderr: [`error: data directory not found: ${path.join(bad.notNumerai, 'gone')}`, 'why: the path does not exist', 'fix: download the Numerai data there'] },
  },
  {
    name: 'info: a file where the directory belongs', args: ['data', 'info', bad.emptyFile],
    expect: { code: 2, stderr: [`error: data path is not a directory: ${bad.emptyFile}`, 'why: a file is in its place', 'fix: pass the directory that holds train.parquet'] },
  },
  {
    name: 'info: a directory that is not Numerai data', args: ['data', 'info', bad.notNumerai],
    expect: { code: 2, stderr: [`error: features.json not found: ${path.join(bad.notNumerai, 'features.json')}`, 'why: a Numerai data directory holds features.json next to train.parquet', 'fix: download it with the Numerai API'] },
  },
  {
    name: 'info: train.parquet without an era column', args: ['data', 'info', bad.noEra],
    expect: { code: 2, stderr: [`error: column "era" is missing from ${path.join(bad.noEra, 'train.parquet')}`, 'why: the file is readable, but a column this command needs is missing', 'fix: use a Numerai file (era, id, feature_* and target columns)'] },
  },
  {
    name: 'info: truncated train.parquet', args: ['data', 'info', bad.truncated],
    expect: { code: 2, stderr: [`error: cannot read parquet file ${path.join(bad.truncated, 'train.parquet')}`, ...NOT_PARQUET] },
  },
  {
    name: 'info: random bytes as train.parquet', args: ['data', 'info', bad.randomBytes],
    expect: { code: 2, stderr: [`error: cannot read parquet file ${path.join(bad.randomBytes, 'train.parquet')}`, ...NOT_PARQUET] },
  },
  {
    name: 'info: a CSV renamed train.parquet', args: ['data', 'info', bad.csvAsParquet],
    expect: { code: 2, stderr: [`error: cannot read parquet file ${path.join(bad.csvAsParquet, 'train.parquet')}`, ...NOT_PARQUET] },
  },
  { name: 'synth: missing --out', args: ['data', 'synth'], expect: { code: 2, stderr: ["error: required option '--out <dir>' not specified", usage('synth'), 'fix: run `autoresearch data synth --help`'] } },
  {
    name: 'synth: --out is a directory of other files', args: ['data', 'synth', '--out', bad.notNumerai],
    expect: { code: 2, stderr: [`error: refusing to write into ${bad.notNumerai}`, 'why: the directory is not empty and has no synthetic.json', 'fix: choose an empty or new directory for --out'] },
  },
  {
    name: 'synth: --out is a file', args: ['data', 'synth', '--out', bad.emptyFile],
    expect: { code: 2, stderr: [`error: output path is not a directory: ${bad.emptyFile}`, 'why: a file is in its place', 'fix: choose another --out path'] },
  },
  {
    name: 'synth: --eras not a number', args: ['data', 'synth', '--out', 'runs/new-data', '--eras', 'abc'],
    expect: { code: 2, stderr: ["error: option '--eras <n>' argument 'abc' is invalid. expected a positive integer for --eras, got abc", usage('synth')] },
  },
  {
    name: 'synth: --seed negative', args: ['data', 'synth', '--out', 'runs/new-data', '--seed', '-1'],
    expect: { code: 2, stderr: ["error: option '--seed <n>' argument '-1' is invalid. expected a non-negative integer for --seed, got -1", usage('synth')] },
  },
  {
    name: 'synth: --groups out of range', args: ['data', 'synth', '--out', 'runs/new-data', '--groups', '9'],
    expect: { code: 2, stderr: ['error: invalid synthetic dataset options: expected an integer from 1 to 8 for --groups, got 9', 'why: the generator needs these', 'fix: pass a value in the stated range'] },
  },
];

runBadInputTable('bad input: data info / data synth', rows);
