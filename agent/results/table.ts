// Plain-text tables for `inspect` and `compare`: the baseline row first (seed 000's convention),
// then candidates; BMC over the last 200 eras and the mean corr with the benchmark next to payout.
import type { LoadedRun } from './load.ts';
import { bestRow } from './load.ts';
import type { ResultRow } from './rows.ts';

type Align = 'left' | 'right';
interface Column<T> { head: string; align: Align; cell(x: T): string }

const num = (d: number) => (v: number | null): string => (v === null ? '-' : v.toFixed(d));
const signed = (v: number | null): string => (v === null ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(5)}`);
const clip = (s: string | null, n: number): string => (s === null ? '-' : s.length > n ? `${s.slice(0, n - 1)}…` : s);

const metricColumns: Column<ResultRow>[] = [
  { head: 'payout', align: 'right', cell: (r) => num(5)(r.payout) },
  { head: 'corr', align: 'right', cell: (r) => num(5)(r.corr) },
  { head: 'bmc', align: 'right', cell: (r) => num(5)(r.bmc) },
  { head: 'bmc_200', align: 'right', cell: (r) => num(5)(r.bmc_last_200_eras) },
  { head: 'fnc', align: 'right', cell: (r) => num(5)(r.fnc) },
  { head: 'corr_bench', align: 'right', cell: (r) => num(4)(r.corr_with_benchmark) },
  { head: 'sharpe', align: 'right', cell: (r) => num(3)(r.sharpe) },
  { head: 'max_dd', align: 'right', cell: (r) => num(5)(r.max_drawdown) },
  { head: 'std', align: 'right', cell: (r) => num(5)(r.std) },
  { head: 'seeds', align: 'left', cell: (r) => (r.seeds.length ? r.seeds.join(',') : '-') },
];

/** Renders rows of cells with aligned columns and two spaces between them. */
export function renderTable<T>(columns: Column<T>[], items: readonly T[]): string {
  const cells = items.map((x) => columns.map((c) => c.cell(x)));
  const width = columns.map((c, i) => Math.max(c.head.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((s, i) => (columns[i].align === 'right' ? s.padStart(width[i]) : s.padEnd(width[i]))).join('  ').trimEnd();
  return [line(columns.map((c) => c.head)), ...cells.map(line)].join('\n') + '\n';
}

/** `inspect`: a header line and one row per candidate, baseline first. */
export function renderInspect(run: LoadedRun): string {
  const candidates = run.rows.filter((r) => r.status !== 'baseline');
  const best = bestRow(run.rows);
  const head = `run ${run.name} (${run.source}): ${candidates.length} candidate${candidates.length === 1 ? '' : 's'}, ` +
    `${candidates.filter((r) => r.status === 'keep').length} kept; backend ${run.meta.backend ?? 'unknown'}` +
    (best && best.payout !== null ? `; best ${best.status === 'baseline' ? 'the baseline' : `exp ${best.iteration}`} payout ${best.payout.toFixed(5)}` : '');
  const columns: Column<ResultRow>[] = [
    { head: 'exp', align: 'right', cell: (r) => String(r.iteration) },
    { head: 'status', align: 'left', cell: (r) => r.status },
    ...metricColumns,
    { head: 'tokens', align: 'right', cell: (r) => String(r.input_tokens + r.output_tokens) },
    { head: 'cost', align: 'right', cell: (r) => `$${r.cost_usd.toFixed(4)}` },
    { head: 'sec', align: 'right', cell: (r) => num(1)(r.seconds) },
    { head: 'category', align: 'left', cell: (r) => r.category ?? '-' },
    { head: 'hypothesis', align: 'left', cell: (r) => clip(r.hypothesis, 60) },
  ];
  return `${head}\n\n${renderTable(columns, ordered(run.rows))}`;
}

/** One summary per run for `compare` and its --json. */
export interface RunSummary {
  run: string;
  source: string;
  candidates: number;
  kept: number;
  cost_usd: number;
  baseline: ResultRow | null;
  best: ResultRow | null;
  /** best payout minus baseline payout */
  gain: number | null;
}

/** The baseline, best and totals of a run. */
export function summarizeRun(run: LoadedRun): RunSummary {
  const baseline = run.rows.find((r) => r.status === 'baseline') ?? null;
  const best = bestRow(run.rows);
  const candidates = run.rows.filter((r) => r.status !== 'baseline');
  return {
    run: run.name, source: run.source, candidates: candidates.length,
    kept: candidates.filter((r) => r.status === 'keep').length,
    cost_usd: run.rows.reduce((s, r) => s + r.cost_usd, 0), baseline, best,
    gain: best && baseline && best.payout !== null && baseline.payout !== null ? best.payout - baseline.payout : null,
  };
}

/** `compare`: every run's baseline row first, then every run's best row, side by side. */
export function renderCompare(runs: readonly LoadedRun[]): string {
  const sums = runs.map(summarizeRun);
  type Line = { s: RunSummary; which: 'baseline' | 'best'; row: ResultRow | null };
  const lines: Line[] = [
    ...sums.map((s): Line => ({ s, which: 'baseline', row: s.baseline })),
    ...sums.map((s): Line => ({ s, which: 'best', row: s.best })),
  ];
  const blank = (c: Column<ResultRow>) => (l: Line) => (l.row ? c.cell(l.row) : '-');
  const columns: Column<Line>[] = [
    { head: 'run', align: 'left', cell: (l) => l.s.run },
    { head: 'row', align: 'left', cell: (l) => (l.which === 'baseline' ? 'baseline' : l.row ? (l.row.status === 'baseline' ? 'best (baseline)' : `best (exp ${l.row.iteration})`) : 'best') },
    ...metricColumns.map((c) => ({ head: c.head, align: c.align, cell: blank(c) })),
    { head: 'gain', align: 'right', cell: (l) => (l.which === 'best' ? signed(l.s.gain) : '') },
    { head: 'kept', align: 'right', cell: (l) => (l.which === 'best' ? `${l.s.kept}/${l.s.candidates}` : '') },
    { head: 'cost', align: 'right', cell: (l) => (l.which === 'best' ? `$${l.s.cost_usd.toFixed(4)}` : '') },
  ];
  return renderTable(columns, lines);
}

function ordered(rows: readonly ResultRow[]): ResultRow[] {
  return [...rows.filter((r) => r.status === 'baseline'), ...rows.filter((r) => r.status !== 'baseline')];
}
