// `autoresearch inspect RUN [--json]`: one run's results table (baseline first), from its journal
// when RUN is a tag, or from a results.parquet when RUN is a path.
import type { Command } from 'commander';
import { repoRoot } from './common.ts';

interface InspectFlags { json?: boolean }

export function register(program: Command): void {
  program.command('inspect')
    .description('print one run\'s results table: baseline first, payout, corr, bmc, bmc over the last 200 eras, fnc, corr with the benchmark, cost')
    .argument('<run>', 'a run tag under runs/, or the path of a results.parquet')
    .option('--json', 'print {run, source, meta, rows} as one JSON object')
    .action(async (run: string, flags: InspectFlags) => {
      const { loadRun } = await import('../results/load.ts');
      const { renderInspect } = await import('../results/table.ts');
      const loaded = await loadRun(repoRoot(), process.cwd(), run);
      process.stdout.write(flags.json
        ? JSON.stringify({ run: loaded.name, source: loaded.source, meta: loaded.meta, rows: loaded.rows }) + '\n'
        : renderInspect(loaded));
    });
}
