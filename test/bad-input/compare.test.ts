// Bad input to `compare`: too few runs, unknown runs (named with the runs that exist), a missing
// argument and unknown flags.
import { runBadInputTable, type BadInputRow } from '../helpers/bad-input.ts';

const usage = (cmd: string) => `why: the command line does not match what \`autoresearch ${cmd}\` accepts`;
const NO_RUNS = ['error: unknown run "nope"', 'why: runs/ has no run journals yet', 'fix: start one with `npx autoresearch run`, or pass the path of a results.parquet'];

const rows: BadInputRow[] = [
  { name: 'compare: one run', args: ['compare', 'nope'], expect: { code: 2, stderr: ['error: compare needs at least two runs, got 1', 'why: one run has nothing to be compared with'] } },
  { name: 'compare: unknown runs', args: ['compare', 'nope', 'other'], expect: { code: 2, stderr: NO_RUNS } },
  { name: 'compare: no arguments', args: ['compare'], expect: { code: 2, stderr: ["error: missing required argument 'runs'", usage('compare')] } },
  { name: 'compare: unknown flag', args: ['compare', 'a', 'b', '--frob'], expect: { code: 2, stderr: ["error: unknown option '--frob'", usage('compare')] } },
];

runBadInputTable('compare: bad input', rows);
