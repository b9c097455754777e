// Bad input to `inspect`: unknown runs (named with the runs that exist), paths that are missing or
// not results tables, a missing argument.
import path from 'node:path';
import { FIXTURE, runBadInputTable, type BadInputRow } from '../helpers/bad-input.ts';

const usage = (cmd: string) => `why: the command line does not match what \`autoresearch ${cmd}\` accepts`;
const NO_RUNS = ['error: unknown run "nope"', 'why: runs/ has no run journals yet', 'fix: start one with `npx autoresearch run`, or pass the path of a results.parquet'];
const train = path.join(FIXTURE, 'train.parquet');

const rows: BadInputRow[] = [
  { name: 'inspect: unknown run', args: ['inspect', 'nope'], expect: { code: 2, stderr: NO_RUNS } },
  { name: 'inspect: missing argument', args: ['inspect'], expect: { code: 2, stderr: ["error: missing required argument 'run'", usage('inspect')] } },
  {
    name: 'inspect: a results.parquet that does not exist', args: ['inspect', 'runs/x/results.parquet'],
    expect: { code: 2, stderr: ['error: results file not found:', path.join('runs', 'x', 'results.parquet'), 'why: the file does not exist'] },
  },
  {
    name: 'inspect: a parquet file that is not a results table', args: ['inspect', train],
    expect: { code: 2, stderr: [`error: ${train} is not an autoresearch results table`, 'why: it has no columns iteration, ref, status, payout'] },
  },
];

runBadInputTable('inspect: bad input', rows);
