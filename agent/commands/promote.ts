// `autoresearch promote`: exports a run's best candidate (the baseline when nothing was kept) as a
// standalone predictor directory with `train` and `predict` commands.
import type { Command } from 'commander';
import { pickTag } from './status.ts';
import { repoRoot } from './common.ts';

export interface PromoteFlags { tag?: string; out: string; data?: string; json?: boolean }

/** Registers `promote`. */
export function register(program: Command): void {
  program.command('promote')
    .description('export the best candidate of a run as a standalone predictor (train + predict, Numerai upload CSV)')
    .option('--tag <name>', 'the run (default: the only run, or the most recent one)')
    .requiredOption('--out <dir>', 'a new or empty directory to write the predictor into (never overwritten)')
    .option('--data <dir>', 'the Numerai data directory (default: the one the run was scored on)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: PromoteFlags) => { process.exitCode = await promoteCommand(flags, repoRoot(), (s) => process.stdout.write(s)); });
}

/** Runs `promote` in `repo`, printing through `write`; returns the exit code. */
export async function promoteCommand(flags: PromoteFlags, repo: string, write: (s: string) => void): Promise<number> {
  const tag = pickTag(repo, flags.tag);
  const { promote } = await import('../promote/export.ts');
  const r = await promote({ repo, tag, out: flags.out, data: flags.data });
  const m = r.manifest;
  if (flags.json) {
    write(JSON.stringify({ out: r.out, ...m, files: r.files }) + '\n');
    return 0;
  }
  const which = m.baseline
    ? `nothing was kept in run ${tag}, so promoted its baseline (payout ${m.payout.toFixed(5)})`
    : `promoted exp ${m.iteration} of run ${tag} (payout ${m.payout.toFixed(5)}, commit ${m.commit.slice(0, 12)})`;
  write(
    `${which} to ${r.out}\n` +
    `  seeds ${m.seeds.join(', ')}; ${r.files.length} files; no imports from this repository\n` +
    `  next: cd ${r.out} && npm install && npm run train && npm run predict -- live.parquet --out predictions.csv\n`,
  );
  return 0;
}
