// The candidate's source as it was at its commit: every file under train/, plus the one file of the
// harness a train module may import (harness/contract.ts, the train contract) and the tfjs engine of
// `job.nn` (harness/nn-tfjs.ts, when the commit has it), read with git so the working tree never matters.
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../harness/errors.ts';
import { importSpecifiers } from './imports.ts';

/** Repository-relative path → file bytes. */
export type SourceFiles = Map<string, Buffer>;

const CONTRACT = 'harness/contract.ts';
/** The tfjs engine behind `job.nn`; it imports the contract only. */
export const NN_ENGINE = 'harness/nn-tfjs.ts';
const SOURCE = /\.(ts|mts|js|mjs)$/;

/** train/** at `commit`, plus harness/contract.ts when a train file imports it, plus the nn engine and the contract when the commit has the engine. */
export async function candidateSources(repo: string, commit: string): Promise<SourceFiles> {
  const git = (args: string[]) => execa('git', args, { cwd: repo, encoding: 'buffer', reject: false, stripFinalNewline: false });
  const listed = await git(['ls-tree', '-r', '-z', '--name-only', commit, '--', 'train/']);
  if (listed.exitCode !== 0) {
    throw new UserError(`cannot read commit ${commit.slice(0, 12)} of ${repo}`, Buffer.from(listed.stderr).toString().trim().split('\n')[0],
      'the run\'s commits must still be in this repository (were its refs deleted or the clone made shallow?)');
  }
  const names = Buffer.from(listed.stdout).toString('utf8').split('\0').filter(Boolean);
  const files: SourceFiles = new Map();
  const show = async (name: string) => {
    const r = await git(['show', `${commit}:${name}`]);
    if (r.exitCode !== 0) throw new Error(`git show ${commit}:${name} failed: ${Buffer.from(r.stderr).toString().trim()}`);
    return Buffer.from(r.stdout);
  };
  for (const name of names) files.set(name, await show(name));
  if (!files.has('train/train.ts')) {
    throw new UserError(`commit ${commit.slice(0, 12)} has no train/train.ts`, 'the harness loads train/train.ts, so this candidate cannot be run', 'promote a run made by this version of autoresearch');
  }
  for (const [name, bytes] of [...files]) {
    if (!SOURCE.test(name)) continue;
    for (const spec of importSpecifiers(bytes.toString('utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(name), spec));
      if (target.startsWith('train/')) continue;
      if (target !== CONTRACT) {
        throw new UserError(`${name} imports ${spec} (${target}), which is outside train/`,
          `a promoted predictor carries train/ and the train contract (${CONTRACT}) only`, 'keep train/ importing nothing of the project but harness/contract.ts');
      }
      if (!files.has(CONTRACT)) files.set(CONTRACT, await show(CONTRACT));
    }
  }
  const engine = await git(['show', `${commit}:${NN_ENGINE}`]);
  if (engine.exitCode === 0) {
    files.set(NN_ENGINE, Buffer.from(engine.stdout));
    if (!files.has(CONTRACT)) files.set(CONTRACT, await show(CONTRACT));
  }
  return files;
}
