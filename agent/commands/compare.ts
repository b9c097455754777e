// `autoresearch compare RUN RUN... [--json]`: runs side by side — every baseline row first, then
// every run's best row — each RUN a tag under runs/ or the path of a results.parquet.
import type { Command } from 'commander';
import { UserError } from '../../harness/errors.ts';
import { repoRoot } from './common.ts';

interface CompareFlags { json?: boolean }

export function register(program: Command): void {
  program.command('compare')
    .description('compare runs side by side: baselines first, then each run\'s best, with bmc over the last 200 eras and corr with the benchmark')
    .argument('<runs...>', 'two or more run tags under runs/, or paths of results.parquet files')
    .option('--json', 'print {runs: [{run, source, candidates, kept, cost_usd, baseline, best, gain}]} as one JSON object')
    .action(async (runs: string[], flags: CompareFlags) => {
      if (runs.length < 2) {
        throw new UserError(`compare needs at least two runs, got ${runs.length}`, 'one run has nothing to be compared with',
          `use \`autoresearch inspect ${runs[0] ?? 'RUN'}\` for one run, or name two or more`);
      }
      const { loadRun } = await import('../results/load.ts');
      const { renderCompare, summarizeRun } = await import('../results/table.ts');
      const repo = repoRoot();
      const loaded = [];
      for (const run of runs) loaded.push(await loadRun(repo, process.cwd(), run));
      process.stdout.write(flags.json ? JSON.stringify({ runs: loaded.map(summarizeRun) }) + '\n' : renderCompare(loaded));
    });
}
