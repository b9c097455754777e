// Bad input to `status` and `notebook`: no runs, unknown or invalid tags, several runs without
// --tag, and a damaged journal, which status refuses with its line number and never rewrites.
import path from 'node:path';
import { runBadInputTable, type BadInputRow } from '../helpers/bad-input.ts';
import type { TempRepo } from '../helpers/temp-repo.ts';
import { DAMAGED, JOB_LINE, writeJournal } from './journal-fixture.ts';

const usage = (cmd: string) => `why: the command line does not match what \`autoresearch ${cmd}\` accepts`;
const twoRuns = async (r: TempRepo) => {
  await r.git(['branch', 'autoresearch/mar1']);
  await r.git(['branch', 'autoresearch/mar2']);
};

const damaged = (kind: keyof typeof DAMAGED, args: string[]): BadInputRow => ({
  name: `status refuses a damaged journal (${kind}) with its line number`, args,
  setup: (r) => { writeJournal(r.dir, 't', DAMAGED[kind].text); },
  expect: { code: 2, stderr: ['error: cannot read the journal ', path.join('runs', 't', 'journal.jsonl'), DAMAGED[kind].why, `sed -n ${DAMAGED[kind].line}p `] },
});

const rows: BadInputRow[] = [
  { name: 'status with no runs', args: ['status'], expect: { code: 2, stderr: ['error: no runs yet', 'why: runs/ has no run journals', 'fix: start one with `npx autoresearch run`'] } },
  {
    name: 'status of an unknown tag lists the runs', args: ['status', '--tag', 'nope'],
    setup: (r) => { writeJournal(r.dir, 't', `${JOB_LINE}\n`); },
    expect: { code: 2, stderr: ['error: unknown run "nope"', 'why: runs/ has journals for: t', 'fix: pass one of those with --tag'] },
  },
  { name: 'status --tag without a value', args: ['status', '--tag'], expect: { code: 2, stderr: ["error: option '--tag <name>' argument missing", usage('status')] } },
  { name: 'status with a stray argument', args: ['status', 'mar1'], expect: { code: 2, stderr: ["error: too many arguments for 'status'. Expected 0 arguments but got 1.", usage('status')] } },
  damaged('notJson', ['status']),
  damaged('wrongSchema', ['status', '--tag', 't']),
  damaged('noFinalNewline', ['status', '--tag', 't', '--json']),
  {
    name: 'notebook with no runs', args: ['notebook'],
    expect: { code: 2, stderr: ['error: no research runs in this repository', 'why: there is no autoresearch/<tag> branch', 'fix: start one with `autoresearch run --tag <name>`'] },
  },
  {
    name: 'notebook of an unknown tag lists the runs', args: ['notebook', '--tag', 'nope'], setup: twoRuns,
    expect: { code: 2, stderr: ['error: no research run tagged "nope"', 'why: this repository has runs mar1, mar2', 'fix: pick one of them with --tag mar1'] },
  },
  {
    name: 'notebook without --tag when there are several runs', args: ['notebook', '--json'], setup: twoRuns,
    expect: { code: 2, stderr: ['error: several research runs in this repository: mar1, mar2', 'why: the notebook shows one run at a time', 'fix: choose one with --tag, e.g. --tag mar1'] },
  },
  { name: 'notebook of an invalid tag', args: ['notebook', '--tag', 'a b'], expect: { code: 2, stderr: ['error: invalid tag "a b"', 'why: a tag names the branch autoresearch/<tag>', 'fix: choose another --tag'] } },
  { name: 'notebook with an unknown flag', args: ['notebook', '--frob'], expect: { code: 2, stderr: ["error: unknown option '--frob'", usage('notebook')] } },
];

runBadInputTable('bad input: status / notebook', rows);
