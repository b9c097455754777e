// `autoresearch data synth|info`: create the built-in synthetic Numerai-shaped dataset, or
// describe a data directory (splits, features, feature sets, targets, benchmarks).
import type { Command } from 'commander';
import type { DataInfo } from '../../harness/data/info.ts';
import type { SynthOptionLabels, SynthResult } from '../../harness/data/synth.ts';
import { nonNegativeInt, positiveInt } from './common.ts';

export interface SynthFlags {
  out: string;
  seed?: number;
  eras?: number;
  validationEras?: number;
  rowsPerEra?: number;
  features?: number;
  groups?: number;
  quiet?: boolean;
  json?: boolean;
}

const LABELS: SynthOptionLabels = {
  seed: '--seed',
  eras: '--eras',
  validationEras: '--validation-eras',
  rowsPerEra: '--rows-per-era',
  features: '--features',
  groups: '--groups',
};

/** Runs `data synth` with parsed flags. */
export async function runSynth(flags: SynthFlags): Promise<SynthResult> {
  const { out, quiet: _quiet, json: _json, ...rest } = flags;
  const opts = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const { synthesize } = await import('../../harness/data/synth.ts');
  return synthesize(out, opts, LABELS);
}

/** One-paragraph summary of a synthetic dataset just written. */
export function formatSynth(r: SynthResult): string {
  const o = r.options;
  return (
    `wrote a synthetic Numerai-shaped dataset to ${r.dir}\n` +
    `  seed ${o.seed}; train ${r.rows.train} rows (${o.eras - o.validationEras} eras), ` +
    `validation ${r.rows.validation} rows (${o.validationEras} eras), live ${r.rows.live} rows (1 era)\n` +
    `  ${r.featureNames.length} features in ${o.groups} groups; targets ${r.targetNames.join(', ')}\n` +
    `  benchmarks ${r.benchmarkNames.join(', ')}\n`
  );
}

/** The human-readable form of `data info`. */
export function formatInfo(info: DataInfo): string {
  const lines = [`${info.dir}`];
  for (const [name, s] of Object.entries(info.splits)) {
    lines.push(s ? `  ${name.padEnd(11)} ${String(s.rows).padStart(9)} rows  ${String(s.eras).padStart(5)} eras  ${s.first_era}..${s.last_era}` : `  ${name.padEnd(11)} (no file)`);
  }
  lines.push(`  features    ${info.features}`);
  lines.push(`  feature sets ${Object.entries(info.feature_sets).map(([k, v]) => `${k} (${v})`).join(', ')}`);
  lines.push(`  targets     ${info.targets.join(', ') || '(none)'}`);
  lines.push(`  benchmarks  ${info.benchmark_columns.join(', ') || '(none)'}`);
  return lines.join('\n') + '\n';
}

function usageError(sub: string) {
  return (message: string, write: (s: string) => void) => {
    const what = message.trim().replace(/^error:\s*/, '');
    write(`error: ${what}\n  why: the command line does not match what \`autoresearch data ${sub}\` accepts\n  fix: run \`autoresearch data ${sub} --help\` to see every option\n`);
  };
}

/** Registers `data` with its `synth` and `info` subcommands. */
export function register(program: Command): void {
  const data = program
    .command('data')
    .description('Create the synthetic Numerai-shaped dataset or describe a Numerai data directory.')
    .showHelpAfterError(false);
  data
    .command('synth')
    .description(
      'Write a deterministic synthetic dataset in Numerai\'s layout (train/validation/live parquet, features.json, ' +
        'benchmark models): 20/60-day targets whose windows overlap across eras, a benchmark that captures only the ' +
        'linear part of the signal, nonlinear interactions and era regimes it misses.',
    )
    .requiredOption('--out <dir>', 'output directory: new, empty, or a synthetic dataset written earlier (replaced)')
    .option('--seed <n>', 'random seed (default 0)', nonNegativeInt('--seed'))
    .option('--eras <n>', 'train + validation eras (default 240; one live era follows)', positiveInt('--eras'))
    .option('--validation-eras <n>', 'of which validation eras (default: one sixth of --eras)', positiveInt('--validation-eras'))
    .option('--rows-per-era <n>', 'rows (stocks) per era (default 200)', positiveInt('--rows-per-era'))
    .option('--features <n>', 'number of features (default 48)', positiveInt('--features'))
    .option('--groups <n>', 'feature groups, 1 to 8 (default 4)', positiveInt('--groups'))
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print the result as one JSON object on stdout')
    .showHelpAfterError(false)
    .configureOutput({ outputError: usageError('synth') })
    .action(async (flags: SynthFlags) => {
      const { createProgress } = await import('../progress.ts');
      // the generator reports no steps of its own, so progress is one unit: the whole dataset
      const progress = createProgress({ quiet: flags.quiet, unit: 'datasets' });
      const started = performance.now();
      progress.setTotal(1, 0);
      let r: SynthResult;
      try {
        r = await runSynth(flags);
        progress.step(`synth: ${r.options.eras} eras × ${r.options.rowsPerEra} rows × ${r.featureNames.length} features in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      } finally {
        progress.stop();
      }
      process.stdout.write(flags.json ? JSON.stringify(r) + '\n' : formatSynth(r));
    });
  data
    .command('info')
    .description('Describe a data directory: rows, eras and era range per split, features, feature sets, targets, benchmark columns.')
    .argument('<dir>', 'a Numerai data directory (or one written by `data synth`)')
    .option('--json', 'print one JSON object')
    .showHelpAfterError(false)
    .configureOutput({ outputError: usageError('info') })
    .action(async (dir: string, flags: { json?: boolean }) => {
      const { dataInfo } = await import('../../harness/data/info.ts');
      const info = await dataInfo(dir);
      process.stdout.write(flags.json ? JSON.stringify(info, null, 2) + '\n' : formatInfo(info));
    });
}
