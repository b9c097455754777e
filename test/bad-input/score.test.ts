// Bad input to `score`: predictions files that are missing, empty, directories, corrupt or CSV
// in disguise, files without the era or target column, and wrong or missing options.
import path from 'node:path';
import { runBadInputTable, type BadInputRow } from '../helpers/bad-input.ts';
import { badFiles } from './bad-files.ts';

const bad = await badFiles();
const COLS = ['--pred', 'feature_serene_000', '--target', 'target'];
const USAGE = 'why: the command line does not match what `autoresearch score` accepts';

const rows: BadInputRow[] = [
  { name: 'missing file argument', args: ['score', ...COLS], expect: { code: 2, stderr: ["error: missing required argument 'file'", USAGE, 'fix: run `autoresearch score --help`'] } },
  { name: 'missing --pred', args: ['score', bad.csvFile, '--target', 'target'], expect: { code: 2, stderr: ["error: required option '--pred <column>' not specified", USAGE] } },
  {
    name: 'file does not exist', args: ['score', path.join(bad.notNumerai, 'preds.csv'), ...COLS],
    expect: { code: 2, stderr: [`error: predictions file not found: ${path.join(bad.notNumerai, 'preds.csv')}`, 'why: the file does not exist', 'fix: check the path of the predictions file'] },
  },
  {
    name: 'a directory where the file belongs', args: ['score', bad.notNumerai, ...COLS],
    expect: { code: 2, stderr: [`error: predictions file is not a file: ${bad.notNumerai}`, 'why: a directory or special file is in its place', 'fix: check the path'] },
  },
  {
    name: 'empty file', args: ['score', bad.emptyFile, ...COLS],
    expect: { code: 2, stderr: [`error: predictions file ${bad.emptyFile} is empty`, 'why: it has no header and no rows', 'fix: write the predictions again'] },
  },
  {
    name: 'truncated parquet', args: ['score', bad.truncatedFile, ...COLS],
    expect: { code: 2, stderr: [`error: cannot read parquet file ${bad.truncatedFile}`, 'No magic bytes found at end of file', 'fix: check that the file is a complete parquet file'] },
  },
  {
    name: 'random bytes named .parquet', args: ['score', bad.randomFile, ...COLS],
    expect: { code: 2, stderr: [`error: cannot read CSV file ${bad.randomFile}`, 'why: DuckDB says: Invalid Input Error: Error when sniffing file', 'fix: check that the file is a CSV with a header row (or a parquet file)'] },
  },
  {
    name: 'a CSV renamed .parquet without the --pred column', args: ['score', bad.csvFile, '--pred', 'prediction', '--target', 'target'],
    expect: { code: 2, stderr: [`error: column "prediction" (--pred) not found in ${bad.csvFile}`, 'why: the file has columns: id, era, target, feature_a', 'fix: pass the right column names'] },
  },
  {
    name: 'parquet without an era column', args: ['score', path.join(bad.noEra, 'train.parquet'), ...COLS],
    expect: { code: 2, stderr: [`error: column "era" (--era) not found in ${path.join(bad.noEra, 'train.parquet')}`, 'why: the file has columns: data_type, feature_serene_000', 'fix: pass the right column names'] },
  },
  {
    name: 'parquet without a target column', args: ['score', path.join(bad.noTarget, 'train.parquet'), ...COLS],
    expect: { code: 2, stderr: [`error: column "target" (--target) not found in ${path.join(bad.noTarget, 'train.parquet')}`, 'why: the file has columns: era, data_type, feature_serene_000', 'fix: pass the right column names'] },
  },
  {
    name: 'the same column for --pred and --target', args: ['score', bad.csvFile, '--pred', 'target', '--target', 'target'],
    expect: { code: 2, stderr: ['error: expected different columns for --pred and --target, got "target" for both', 'why: a score compares different columns', 'fix: pass the intended column to --target'] },
  },
  { name: 'unknown flag', args: ['score', bad.csvFile, ...COLS, '--frob'], expect: { code: 2, stderr: ["error: unknown option '--frob'", USAGE] } },
];

runBadInputTable('bad input: score', rows);
