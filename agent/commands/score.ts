// `autoresearch score FILE`: per-era Numerai metrics (CORR, BMC, FNC) of a predictions file,
// computed by the same harness code that scores candidates.
import type { Command } from 'commander';
import { UserError } from '../../harness/errors.ts';
import { featureSourceFromColumns, scorePerEra, summarizeEras, type EraScore, type ScoreSummary } from '../../harness/metrics/per-era.ts';
import type { Summary } from '../../harness/metrics/summary.ts';
import type { PredFileSpec } from '../../harness/predfile.ts';

export interface ScoreOptions {
  pred: string;
  target: string;
  benchmark?: string;
  features?: string;
  era: string;
  id?: string;
  json?: boolean;
}

export interface ScoreReport {
  per_era: EraScore[];
  summary: ScoreSummary;
}

function validate(opts: ScoreOptions): void {
  for (const [flag, value] of [['--pred', opts.pred], ['--target', opts.target], ['--benchmark', opts.benchmark], ['--era', opts.era], ['--id', opts.id], ['--features', opts.features]] as const) {
    if (value !== undefined && value.trim() === '') {
      throw new UserError(`expected a column name for ${flag}, got an empty string`, 'every column option names a column of the file', `pass ${flag} COLUMN`);
    }
  }
  const roles: [string, string | undefined][] = [['--pred', opts.pred], ['--target', opts.target], ['--benchmark', opts.benchmark], ['--era', opts.era]];
  for (let i = 0; i < roles.length; i++) {
    for (let j = i + 1; j < roles.length; j++) {
      if (roles[i][1] !== undefined && roles[i][1] === roles[j][1]) {
        throw new UserError(
          `expected different columns for ${roles[i][0]} and ${roles[j][0]}, got "${roles[i][1]}" for both`,
          'a score compares different columns',
          `pass the intended column to ${roles[j][0]}`,
        );
      }
    }
  }
}

/** Reads the file and scores it per era; the JSON and the table are both printed from this. */
export async function scoreFile(file: string, opts: ScoreOptions): Promise<ScoreReport> {
  validate(opts);
  const spec: PredFileSpec = { path: file, pred: opts.pred, target: opts.target, benchmark: opts.benchmark, era: opts.era, id: opts.id, featurePrefix: opts.features };
  // DuckDB loads in about a second: only when a file is scored, never for the other commands' start-up
  const { readPredFile } = await import('../../harness/predfile.ts');
  const data = await readPredFile(spec);
  const perEra = scorePerEra({
    eraIndex: data.eraIndex,
    eraNames: data.eraNames,
    pred: data.pred,
    target: data.target,
    benchmark: data.benchmark,
    features: opts.features !== undefined ? featureSourceFromColumns(data.features) : undefined,
  });
  if (perEra.length === 0) {
    throw new UserError(`nothing to score in ${file}`, `no row has both a prediction in "${opts.pred}" and a target in "${opts.target}"`, 'check that the prediction and target columns are filled');
  }
  return { per_era: perEra, summary: summarizeEras(perEra) };
}

function fmt(x: number | undefined): string {
  if (x === undefined) return '';
  return Number.isFinite(x) ? x.toFixed(6) : String(x);
}

const SUMMARY_KEYS = ['mean', 'std', 'sharpe', 'max_drawdown'] as const;

/** The human-readable report: summary blocks, then the first and last eras. */
export function formatTable(report: ScoreReport, file: string): string {
  const lines = [`${file}: ${report.per_era.length} eras (${report.per_era[0].era}..${report.per_era[report.per_era.length - 1].era})`, ''];
  const blocks: [string, (Summary & { avg_corr_with_benchmark?: number }) | undefined][] = [
    ['corr', report.summary.corr],
    ['bmc', report.summary.bmc],
    ['bmc_last_200_eras', report.summary.bmc_last_200_eras],
    ['fnc', report.summary.fnc],
  ];
  lines.push(['metric'.padEnd(18), ...SUMMARY_KEYS.map((k) => k.padStart(13)), 'corr_w_bench'.padStart(13)].join(''));
  for (const [name, s] of blocks) {
    if (!s) continue;
    lines.push([name.padEnd(18), ...SUMMARY_KEYS.map((k) => fmt(s[k]).padStart(13)), fmt(s.avg_corr_with_benchmark).padStart(13)].join(''));
  }
  lines.push(`payout proxy (0.75·CORR + 2.25·BMC): ${report.summary.payout === null ? 'n/a (no --benchmark)' : fmt(report.summary.payout)}`, '');
  const rows = report.per_era;
  const shown = rows.length > 12 ? [...rows.slice(0, 5), null, ...rows.slice(-5)] : rows;
  lines.push(['era'.padEnd(10), 'n'.padStart(8), 'corr'.padStart(12), 'bmc'.padStart(12), 'fnc'.padStart(12)].join(''));
  for (const r of shown) {
    if (r === null) lines.push(`  … ${rows.length - 10} more eras (--json prints all)`);
    else lines.push([r.era.padEnd(10), String(r.n).padStart(8), fmt(r.corr).padStart(12), fmt(r.bmc).padStart(12), fmt(r.fnc).padStart(12)].join(''));
  }
  return lines.join('\n') + '\n';
}

/** Registers `score` on the CLI. */
export function register(program: Command): void {
  program
    .command('score')
    .description(
      'Score a predictions file per era with numerai-tools metrics: CORR (numerai_corr), BMC against a benchmark ' +
        'column (correlation_contribution) and FNC (feature-neutral corr); prints mean, std (ddof 0), sharpe and max drawdown.',
    )
    .argument('<file>', 'predictions file: CSV with a header (an empty field or NaN = missing) or parquet')
    .requiredOption('--pred <column>', 'column holding the predictions to score')
    .requiredOption('--target <column>', 'column holding the target (missing targets are skipped per era)')
    .option('--benchmark <column>', 'benchmark predictions column: adds BMC, bmc_last_200_eras, corr with the benchmark and the payout proxy')
    .option('--features <prefix>', 'neutralise against every column whose name starts with PREFIX and add FNC (slow with many features)')
    .option('--era <column>', 'era column; eras are sorted numerically', 'era')
    .option('--id <column>', 'id column, checked for duplicates (default: "id" when the file has one)')
    .option('--json', 'print one JSON object {"per_era": [...], "summary": {...}}; NaN is printed as null')
    .showHelpAfterError(false)
    .action(async (file: string, opts: ScoreOptions) => {
      const report = await scoreFile(file, opts);
      process.stdout.write(opts.json ? JSON.stringify(report) + '\n' : formatTable(report, file));
    });
}
