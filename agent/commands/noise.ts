// `autoresearch noise`: re-evaluates the unchanged train/ over N seeds to measure the
// seed-to-seed σ of payout — the noise floor that sets the gate's margin.
import type { Command } from 'commander';
import { marginFromNoise } from '../../harness/gate.ts';
import { noiseFloor } from '../../harness/stats.ts';
import { configFor, defined, intAtLeast, positiveInt, repoRoot } from './common.ts';

interface NoiseFlags { seeds?: number; data?: string; workers?: number; config?: string; json?: boolean; quiet?: boolean }

/** The first n seeds: the configured ones, then a fixed deterministic extension. */
export function noiseSeeds(configured: number[], n: number): number[] {
  const out = configured.slice(0, n);
  for (let s = 1000; out.length < n; s += 137) if (!out.includes(s)) out.push(s);
  return out;
}

export function register(program: Command): void {
  program.command('noise')
    .description("measure the seed-to-seed σ of payout for the current train/ (the gate's noise floor)")
    .option('--seeds <n>', 'number of seeds to evaluate (at least 2; default: gate.noise_seeds)', intAtLeast('--seeds', 2))
    .option('--data <dir>', 'Numerai v5.x data directory (default: the built-in synthetic dataset)')
    .option('--workers <n>', 'concurrent trainer jobs (default: number of cores)', positiveInt('--workers'))
    .option('--config <file>', 'config file (default: autoresearch.yaml if present)')
    .option('--json', 'print one JSON object on stdout')
    .option('--quiet', 'no progress on stderr (a bar on a terminal, one line per finished job otherwise)')
    .action(async (flags: NoiseFlags) => { process.exitCode = await noiseCommand(flags); });
}

async function noiseCommand(flags: NoiseFlags): Promise<number> {
  const repo = repoRoot();
  const { config } = configFor(repo, flags.config, defined({
    data: { dir: flags.data }, eval: { workers: flags.workers }, gate: { noise_seeds: flags.seeds },
  }));
  const seeds = noiseSeeds(config.eval.seeds, config.gate.noise_seeds);
  const { createProgress, jobLog } = await import('../progress.ts');
  const progress = createProgress({ quiet: flags.quiet, unit: 'jobs' });
  const { evaluateWorkingTrain, failureLine } = await import('../evaluation.ts');
  let outcome: Awaited<ReturnType<typeof evaluateWorkingTrain>>;
  try {
    outcome = await evaluateWorkingTrain({ repo, config, seeds, holdout: false, prefix: 'noise', log: jobLog(progress) });
  } finally {
    progress.stop();
  }
  if (!outcome.agg.ok) {
    process.stderr.write(failureLine(outcome.summary) + '\n');
    return 1;
  }
  const payouts = outcome.results.map((r) => r.payout as number);
  const sigma = noiseFloor(payouts);
  const margin = marginFromNoise(sigma, config.eval.seeds.length, config.gate.margin_k);
  const out = { seeds, payouts, mean: outcome.agg.mean.payout, sigma, margin, gate_seeds: config.eval.seeds.length, margin_k: config.gate.margin_k, out: outcome.summary.out };
  if (flags.json) process.stdout.write(JSON.stringify(out) + '\n');
  else {
    process.stdout.write(seeds.map((s, i) => `seed ${String(s).padEnd(6)} payout ${payouts[i].toFixed(5)}`).join('\n') + '\n');
    process.stdout.write(`σ (seed-to-seed, ddof 1) = ${sigma.toFixed(5)}; gate margin ${config.gate.margin_k}·σ/√${config.eval.seeds.length} = ${margin.toFixed(5)}\n`);
  }
  return 0;
}
