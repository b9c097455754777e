// `autoresearch report`: one self-contained HTML file for a run — progress and per-era charts,
// the sortable results table, DO NOT RETRY, learnings.md and the diff of every kept step.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../harness/errors.ts';
import { pickTag } from './status.ts';
import { repoRoot } from './common.ts';

export interface ReportFlags { tag?: string; out?: string }

/** Registers `report` on the CLI. */
export function register(program: Command): void {
  program.command('report')
    .description('write a self-contained HTML report of a run (opens without network)')
    .option('--tag <name>', 'the run (default: the only run, or the most recent one)')
    .option('--out <file>', 'where to write it (default: runs/<tag>/report.html)')
    .action(async (flags: ReportFlags) => {
      const out = await reportCommand(repoRoot(), flags, process.cwd());
      process.stdout.write(`${out}\n`);
    });
}

/** Validates the flags, writes the report and returns its path; bad input throws before anything is written. */
export async function reportCommand(repo: string, flags: ReportFlags, cwd: string = repo): Promise<string> {
  const tag = pickTag(repo, flags.tag);
  const out = flags.out === undefined ? path.join(repo, 'runs', tag, 'report.html') : path.resolve(cwd, flags.out);
  checkOut(out);
  const { writeReport } = await import('../report/build.ts');
  await writeReport(repo, tag, out);
  return out;
}

function checkOut(out: string): void {
  const dir = path.dirname(out);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserError(`cannot write the report to ${out}`, `the directory ${dir} does not exist`,
      `create it first (mkdir -p ${dir}) or pass another --out`);
  }
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) {
    throw new UserError(`cannot write the report to ${out}`, 'that path is a directory', 'pass a file name, e.g. --out report.html');
  }
}
