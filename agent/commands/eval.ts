// `autoresearch eval`: scores the current train/ with era-purged CV over several seeds, prints
// per-seed and mean CORR, BMC and payout, and writes out-of-fold predictions and a summary.
import { Option, type Command } from 'commander';
import type { EvalOutcome } from '../evaluation.ts';
import { configFor, defined, intAtLeast, nonNegativeInt, positiveInt, repoRoot, seedList } from './common.ts';

interface EvalFlags {
  data?: string; seeds?: number[]; folds?: number; embargo?: number; workers?: number; holdout?: boolean;
  json?: boolean; config?: string; backend?: 'auto' | 'tensorflow' | 'native' | 'wasm' | 'cpu'; quiet?: boolean;
}

export function register(program: Command): void {
  program.command('eval')
    .description('evaluate the current train/ with era-purged CV over several seeds')
    .option('--data <dir>', 'Numerai v5.x data directory (default: the built-in synthetic dataset)')
    .option('--seeds <list>', 'comma-separated seeds (default from config: 42,17,73,11,29)', seedList)
    .option('--folds <n>', 'number of CV folds (at least 2)', intAtLeast('--folds', 2))
    .option('--embargo <n>', 'eras dropped on each side of every test block', nonNegativeInt('--embargo'))
    .option('--workers <n>', 'concurrent trainer jobs (default: number of cores)', positiveInt('--workers'))
    .option('--holdout', 'score the locked holdout eras instead of the CV folds')
    .addOption(new Option('--backend <name>', 'tf backend').choices(['auto', 'tensorflow', 'native', 'wasm', 'cpu']))
    .option('--config <file>', 'config file (default: autoresearch.yaml if present)')
    .option('--json', 'print one JSON object on stdout')
    .option('--quiet', 'no progress on stderr (a bar on a terminal, one line per finished job otherwise)')
    .action(async (flags: EvalFlags) => { process.exitCode = await evalCommand(flags); });
}

async function evalCommand(flags: EvalFlags): Promise<number> {
  const repo = repoRoot();
  const { config } = configFor(repo, flags.config, defined({
    data: { dir: flags.data }, cv: { folds: flags.folds, embargo: flags.embargo },
    eval: { seeds: flags.seeds, workers: flags.workers, backend: flags.backend },
  }));
  const { createProgress, jobLog } = await import('../progress.ts');
  const progress = createProgress({ quiet: flags.quiet, unit: 'jobs' });
  const { evaluateWorkingTrain, failureLine } = await import('../evaluation.ts');
  let outcome: EvalOutcome;
  try {
    outcome = await evaluateWorkingTrain({ repo, config, seeds: config.eval.seeds, holdout: flags.holdout === true, prefix: 'eval', log: jobLog(progress) });
  } finally {
    progress.stop();
  }
  if (flags.json) process.stdout.write(JSON.stringify(outcome.summary) + '\n');
  else process.stdout.write(table(outcome));
  if (!outcome.agg.ok) {
    process.stderr.write(failureLine(outcome.summary) + '\n');
    return 1;
  }
  return 0;
}

const fmt = (v: number | null): string => (v === null ? '     n/a' : (v >= 0 ? ' ' : '') + v.toFixed(5));

function table({ results, agg, summary }: EvalOutcome): string {
  const lines = ['seed        corr       bmc    payout'];
  for (const r of results) lines.push(`${String(r.seed).padEnd(6)} ${fmt(r.corr)} ${fmt(r.bmc)} ${fmt(r.payout)}${r.ok ? '' : '   (failed)'}`);
  lines.push(`mean   ${fmt(agg.mean.corr)} ${fmt(agg.mean.bmc)} ${fmt(agg.mean.payout)}`);
  lines.push(`std    ${fmt(agg.std.corr)} ${fmt(agg.std.bmc)} ${fmt(agg.std.payout)}`);
  lines.push(`backend: ${summary.backend ?? 'unknown'}; predictions and summary in ${summary.out}/`);
  return lines.join('\n') + '\n';
}
