// The results table of a run, one row per candidate after the baseline row, computed from the
// journal alone (it is the record; git and results.parquet are views of it). Column names are
// snake_case, as in runs/<tag>/results.parquet, the report and `inspect --json`.
import path from 'node:path';
import fs from 'node:fs';
import { UserError } from '../../harness/errors.ts';
import { summarize } from '../../harness/metrics/summary.ts';
import { mean, std } from '../../harness/stats.ts';
import type { EventOf, JournalEvent, SeedScore } from '../events.ts';
import { Journal } from '../journal.ts';
import { dropExactCopies, iterations } from '../state.ts';

/** baseline = the starting train/; duplicate = a discard that reused an identical earlier source; pending = no decision yet */
export type ResultStatus = 'baseline' | 'keep' | 'discard' | 'error' | 'duplicate' | 'pending';

export interface ResultRow {
  /** 0 for the baseline */
  iteration: number;
  /** the branch commit for a keep and the baseline; refs/autoresearch/<tag>/<n> otherwise */
  ref: string | null;
  status: ResultStatus;
  /** seed means */
  payout: number | null;
  corr: number | null;
  bmc: number | null;
  fnc: number | null;
  /** of the seed-averaged per-era payout */
  sharpe: number | null;
  max_drawdown: number | null;
  /** sample std (ddof 1) of the seed payouts; null with one seed */
  std: number | null;
  seeds: number[];
  category: string | null;
  hypothesis: string | null;
  /** every LLM call of the iteration (propose, repair, learn) */
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  /** wall-clock seconds of the evaluation */
  seconds: number | null;
  bmc_last_200_eras: number | null;
  corr_with_benchmark: number | null;
}

/** The rows of run `tag` in `repo`: read from runs/<tag>/journal.jsonl; a missing run is a UserError. */
export function resultRows(repo: string, tag: string): ResultRow[] {
  const file = path.join(repo, 'runs', tag, 'journal.jsonl');
  if (!fs.existsSync(file)) {
    throw new UserError(`no run named ${tag}`, `${path.relative(repo, file)} does not exist`, 'pass the tag of a run under runs/ (see `npx autoresearch status`)');
  }
  return rowsFromEvents(Journal.open(file).events());
}

/** The rows for a list of journal events: the baseline (when journaled) first, then candidates by iteration. */
export function rowsFromEvents(events: readonly JournalEvent[]): ResultRow[] {
  // a retried append can write a line twice; reduceState counts it once, and so must the table
  const unique = dropExactCopies(events);
  const usage = usageByIteration(unique);
  const rows: ResultRow[] = [];
  const base = unique.find((e): e is EventOf<'baseline'> => e.type === 'baseline');
  if (base) rows.push(baselineRow(base, usage.get(0)));
  for (const r of iterations(unique)) {
    const c = r.candidate;
    const d = r.decision;
    const used = usage.get(r.iteration) ?? { input: c.tokens.input, output: c.tokens.output, cost: c.cost_usd };
    rows.push({
      iteration: r.iteration,
      ref: d?.decision === 'keep' && r.commit ? r.commit.sha : c.refName,
      status: statusOf(c, d),
      payout: d?.payout ?? null, corr: d?.corr ?? null, bmc: d?.bmc ?? null, fnc: d?.fnc ?? null,
      sharpe: d?.sharpe ?? null, max_drawdown: d?.maxDrawdown ?? null, std: d?.std ?? null,
      seeds: d ? d.seeds.map((s) => s.seed) : [],
      category: c.category, hypothesis: c.hypothesis,
      input_tokens: used.input, output_tokens: used.output, cost_usd: used.cost,
      seconds: d ? d.seconds : null,
      bmc_last_200_eras: d?.bmcLast200 ?? null, corr_with_benchmark: d?.corrWithBenchmark ?? null,
    });
  }
  return rows;
}

function statusOf(c: EventOf<'candidate'>, d: EventOf<'decision'> | null): ResultStatus {
  if (!d) return 'pending';
  if (d.decision === 'discard' && c.duplicateOf !== null) return 'duplicate';
  return d.decision;
}

function baselineRow(b: EventOf<'baseline'>, used: Usage | undefined): ResultRow {
  const s = b.perEra ? summarize(b.perEra) : null;
  const payouts = numbers(b.seeds, 'payout');
  return {
    iteration: 0, ref: b.ref, status: 'baseline', payout: b.payout,
    corr: seedMean(b.seeds, 'corr'), bmc: seedMean(b.seeds, 'bmc'), fnc: seedMean(b.seeds, 'fnc'),
    sharpe: finite(s?.sharpe), max_drawdown: finite(s?.max_drawdown),
    std: payouts && payouts.length > 1 ? std(payouts, 1) : null,
    seeds: b.seeds.map((x) => x.seed), category: null, hypothesis: null,
    input_tokens: used?.input ?? 0, output_tokens: used?.output ?? 0, cost_usd: used?.cost ?? 0,
    seconds: b.seconds ?? null, bmc_last_200_eras: b.bmcLast200 ?? null, corr_with_benchmark: b.corrWithBenchmark ?? null,
  };
}

/** Every seed's value, or null when any seed lacks it (a mean over some seeds would mislead). */
function numbers(seeds: SeedScore[], k: 'corr' | 'bmc' | 'fnc' | 'payout'): number[] | null {
  const v = seeds.map((s) => s[k]);
  return v.length > 0 && v.every((x): x is number => typeof x === 'number' && Number.isFinite(x)) ? v : null;
}

function seedMean(seeds: SeedScore[], k: 'corr' | 'bmc' | 'fnc'): number | null {
  const v = numbers(seeds, k);
  return v ? mean(v) : null;
}

interface Usage { input: number; output: number; cost: number }

function usageByIteration(events: readonly JournalEvent[]): Map<number, Usage> {
  const out = new Map<number, Usage>();
  for (const e of events) {
    if (e.type !== 'llm_call') continue;
    const u = out.get(e.iteration) ?? { input: 0, output: 0, cost: 0 };
    u.input += e.tokens.input;
    u.output += e.tokens.output;
    u.cost += e.cost_usd;
    out.set(e.iteration, u);
  }
  return out;
}


const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
