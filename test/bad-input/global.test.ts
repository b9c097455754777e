// Bad input before any command runs: unknown commands and flags, a missing command, and --config
// files that are missing, not files, not YAML, or not a valid configuration.
import fs from 'node:fs';
import path from 'node:path';
import { runBadInputTable, type BadInputRow } from '../helpers/bad-input.ts';
import { badFiles } from './bad-files.ts';

const bad = await badFiles();
const USAGE = 'why: the command line does not match what `autoresearch` accepts';

const rows: BadInputRow[] = [
  { name: 'unknown command', args: ['frobnicate'], expect: { code: 2, stderr: ["error: unknown command 'frobnicate'", USAGE, 'fix: run `autoresearch --help`'] } },
  { name: 'unknown global flag', args: ['--frobnicate'], expect: { code: 2, stderr: ["error: unknown option '--frobnicate'", USAGE, 'fix: run `autoresearch --help`'] } },
  { name: 'no command at all', args: [], expect: { code: 2, stderr: ['error: missing command', 'why: `autoresearch` needs one of: data, score, eval', 'fix: run `autoresearch --help`'] } },
  { name: 'a group without its subcommand', args: ['data'], expect: { code: 2, stderr: ['error: missing command', 'why: `autoresearch data` needs one of: synth, info', 'fix: run `autoresearch data --help`'] } },
  {
    name: '--config file does not exist', args: ['eval', '--config', 'nope.yaml'],
    expect: { code: 2, stderr: ['error: config file not found: ', 'nope.yaml', 'why: the path given with --config does not exist', 'fix: create it'] },
  },
  {
    name: '--config is a directory', args: ['eval', '--config', path.dirname(bad.config.badYaml)],
    expect: { code: 2, stderr: ['error: config file is not a file: ', 'why: a directory is in its place', 'fix: pass the path of a YAML file with --config'] },
  },
  {
    name: '--config is not valid YAML', args: ['noise', '--config', bad.config.badYaml],
    expect: { code: 2, stderr: [`error: cannot parse ${bad.config.badYaml}`, 'why: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1', 'fix: fix the YAML syntax'] },
  },
  {
    name: '--config top level is a list', args: ['eval', '--config', bad.config.list],
    expect: { code: 2, stderr: [`error: cannot use ${bad.config.list}`, 'why: its top level is not a mapping of keys to values', 'fix: write it as `section:'] },
  },
  {
    name: 'config with an unknown nested key names the nearest valid key', args: ['run', '--config', bad.config.unknownKey],
    expect: { code: 2, stderr: [`error: unknown config key "eval.seed" in ${bad.config.unknownKey}`, 'why: it is not a setting autoresearch knows', 'fix: did you mean "eval.seeds"?'] },
  },
  {
    name: 'autoresearch.yaml with an unknown top-level key names the nearest valid key', args: ['eval'],
    setup: (r) => fs.appendFileSync(path.join(r.dir, 'autoresearch.yaml'), 'datta:\n  dir: x\n'),
    expect: { code: 2, stderr: ['error: unknown config key "datta" in ', 'autoresearch.yaml', 'fix: did you mean "data"?'] },
  },
  {
    name: 'config value of the wrong type', args: ['eval', '--config', bad.config.wrongType],
    expect: { code: 2, stderr: [`error: invalid config value for "cv.folds" in ${bad.config.wrongType}`, 'why: Expected number, received string', 'fix: fix the value'] },
  },
  {
    name: 'config scalar where a list belongs', args: ['noise', '--config', bad.config.notArray],
    expect: { code: 2, stderr: [`error: invalid config value for "eval.seeds" in ${bad.config.notArray}`, 'why: Expected array, received number', 'fix: fix the value'] },
  },
  {
    name: 'bad value from the environment is blamed on the environment, not the file', args: ['eval'], env: { AUTORESEARCH_AGENT: 'gpt' },
    expect: { code: 2, stderr: ['error: invalid config value for "agent.kind" in the environment (AUTORESEARCH_*', "received 'gpt'", 'fix: fix the value'] },
  },
];

runBadInputTable('bad input: global (commands, flags, config files)', rows);
