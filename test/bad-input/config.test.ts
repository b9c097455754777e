// Bad input to `config`: unknown keys (named with the nearest valid one), wrong types, a missing
// --config file and unknown flags.
import fs from 'node:fs';
import path from 'node:path';
import { runBadInputTable, type BadInputRow } from '../helpers/bad-input.ts';

const USAGE = 'why: the command line does not match what `autoresearch config` accepts';
const writeConfig = (text: string) => (repo: { dir: string }) => { fs.writeFileSync(path.join(repo.dir, 'autoresearch.yaml'), text); };

const rows: BadInputRow[] = [
  {
    name: 'unknown key in autoresearch.yaml', args: ['config'], setup: writeConfig('eval:\n  seedz: [1, 2]\n'),
    expect: { code: 2, stderr: ['error: unknown config key "eval.seedz"', 'fix: did you mean "eval.seeds"?'] },
  },
  {
    name: 'wrong type for eval.fnc', args: ['config', '--json'], setup: writeConfig('eval:\n  fnc: sometimes\n'),
    expect: { code: 2, stderr: ['error: invalid config value for "eval.fnc"'] },
  },
  {
    name: 'a --config file that does not exist', args: ['config', '--config', 'missing.yaml'],
    expect: { code: 2, stderr: ['error: config file not found:', 'missing.yaml', 'why: the path given with --config does not exist'] },
  },
  { name: 'unknown flag', args: ['config', '--frob'], expect: { code: 2, stderr: ["error: unknown option '--frob'", USAGE] } },
];

runBadInputTable('config: bad input', rows);
