// The proposer's prompt, in three parts so the agents can cache what does not change: `fixed`
// (the human part of program.md and the harness contract) and `learnings` go into cached system
// blocks; `dynamic` (DO NOT RETRY, near-misses, train/ source, recent results, phase, plateau,
// best) is the user message of each iteration. A pure function of the journal, config and files.
import type { Config } from './config-schema.ts';
import { CATEGORIES, type Category, type JournalEvent } from './events.ts';
import { computeDoNotRetry, humanPart, renderDnrTable, type DnrRow } from './knowledge/donotretry.ts';
import { cell, clipLines, num, oneLine, signed } from './knowledge/format.ts';
import { nearMisses } from './knowledge/near-misses.ts';
import { phaseFor, plateauHint } from './knowledge/phase.ts';
import { iterations, reduceState } from './state.ts';

export interface TrainFile {
  /** repository-relative, e.g. "train/train.ts" */
  path: string;
  content: string;
}

export interface PromptInput {
  programMd: string;
  learningsMd: string;
  events: readonly JournalEvent[];
  config: Pick<Config, 'knowledge' | 'phases' | 'plateau' | 'payout' | 'eval'>;
  /** every file under train/ */
  trainFiles: readonly TrainFile[];
  /** the iteration being proposed; defaults to the journal's next iteration */
  iteration?: number;
}

export interface PromptParts { fixed: string; learnings: string; dynamic: string }

export interface RecentResult {
  iteration: number;
  status: 'keep' | 'discard' | 'error';
  payout: number | null;
  delta: number | null;
  category: Category;
  subcategory: string;
  hypothesis: string;
  /** the error reason, or "duplicate of exp N"; "" otherwise */
  note: string;
}

/** Each near-miss diff is cut to this many characters (whole lines) so three fit comfortably. */
export const NEAR_MISS_DIFF_MAX_CHARS = 3000;
/** Free-text sub-categories can multiply; the prompt shows the most telling rows (program.md keeps all). */
export const DNR_MAX_ROWS = 60;

/** Builds the cached (fixed, learnings) and per-iteration (dynamic) parts of the proposer prompt. */
export function buildPrompt(input: PromptInput): PromptParts {
  const { config: cfg, events } = input;
  const state = reduceState(events);
  const iteration = input.iteration ?? state.nextIteration;
  const phase = phaseFor(iteration, cfg.phases);
  const hint = plateauHint(state.consecutiveDiscards, cfg.plateau.threshold);
  const rows = computeDoNotRetry(events, cfg.knowledge);
  const dynamic = [
    `# Iteration ${iteration} — phase ${phase.index + 1} of ${cfg.phases.length}: ${phase.name}`,
    '',
    `Strategy for this phase: ${phase.strategy}`,
    ...(hint ? ['', hint] : []),
    '',
    '## Current best',
    bestSection(events),
    '',
    '## DO NOT RETRY',
    dnrSection(rows),
    '',
    '## Near-misses (discarded candidates closest to the best)',
    nearMissSection(events, cfg.knowledge.near_misses),
    '',
    `## Recent results (last ${cfg.knowledge.recent_results})`,
    recentSection(recentResults(events, cfg.knowledge.recent_results)),
    '',
    '## Current train/ source',
    ...[...input.trainFiles].sort((a, b) => a.path.localeCompare(b.path)).flatMap((f) => [
      '', `### ${f.path}`, `\`\`\`${fence(f.path)}`, f.content.trimEnd(), '```',
    ]),
    '',
    `Propose experiment ${iteration}: edit train/, then call finish_experiment.`,
  ].join('\n');
  return {
    fixed: `${humanPart(input.programMd).trimEnd()}\n\n${contractSection(cfg)}`,
    learnings: `# learnings.md (what earlier experiments taught)\n\n${input.learningsMd.trim() || 'No learnings yet.'}\n`,
    dynamic: `${dynamic}\n`,
  };
}

/** The last n decided experiments, oldest first. */
export function recentResults(events: readonly JournalEvent[], n: number): RecentResult[] {
  const decided = iterations(events).filter((r) => r.decision !== null);
  return (n > 0 ? decided.slice(-n) : []).map((r) => {
    const d = r.decision!;
    const c = r.candidate;
    const note = c.duplicateOf !== null ? `duplicate of exp ${c.duplicateOf}` : d.decision === 'error' ? d.reason : '';
    return {
      iteration: r.iteration, status: d.decision, payout: d.payout, delta: d.delta,
      category: c.category, subcategory: c.subcategory, hypothesis: c.hypothesis, note,
    };
  });
}

function bestSection(events: readonly JournalEvent[]): string {
  const state = reduceState(events);
  const best = state.best;
  if (!best) return 'No baseline measured yet.';
  if (best.iteration === 0) return `The unchanged baseline: payout ${num(best.payout)}.`;
  const r = iterations(events).find((x) => x.iteration === best.iteration);
  const vsBase = state.baseline ? `; ${signed(best.payout - state.baseline.payout)} over the baseline ${num(state.baseline.payout)}` : '';
  return `Payout ${num(best.payout)} from exp ${best.iteration} (CORR ${num(r?.decision?.corr)}, BMC ${num(r?.decision?.bmc)}${vsBase}). ` +
    `It changed: ${oneLine(r?.candidate.hypothesis ?? '', 300)}`;
}

/** At most DNR_MAX_ROWS rows: EXHAUSTED, then PROMISING, then the most tried OPEN ones, in table order. */
function dnrSection(rows: DnrRow[]): string {
  if (!rows.length) return 'No experiments yet.';
  if (rows.length <= DNR_MAX_ROWS) return renderDnrTable(rows);
  const rank = { EXHAUSTED: 0, PROMISING: 1, OPEN: 2 } as const;
  const shown = new Set([...rows].sort((a, b) => rank[a.status] - rank[b.status] || b.trials - a.trials).slice(0, DNR_MAX_ROWS));
  const hidden = rows.filter((r) => !shown.has(r));
  const what = hidden.every((r) => r.status === 'OPEN') ? 'OPEN sub-categories with fewer trials' : 'sub-categories';
  return `${renderDnrTable(rows.filter((r) => shown.has(r)))}\n(${hidden.length} more ${what} not shown.)`;
}

function nearMissSection(events: readonly JournalEvent[], n: number): string {
  const misses = nearMisses(events, n);
  if (!misses.length) return 'None yet.';
  return misses.map((m) => [
    `### exp ${m.iteration} — payout ${num(m.payout)} (Δ ${signed(m.delta)}, ${m.seeds} seed${m.seeds === 1 ? '' : 's'}), ` +
      `${m.category}${m.subcategory ? ` / ${m.subcategory}` : ''}`,
    `Hypothesis: ${oneLine(m.hypothesis, 400)}`,
    ...(m.settings ? [`Settings: ${oneLine(JSON.stringify(m.settings), 400)}`] : []),
    '```diff',
    clipLines(m.diff.trimEnd(), NEAR_MISS_DIFF_MAX_CHARS),
    '```',
  ].join('\n')).join('\n\n');
}

function recentSection(results: RecentResult[]): string {
  if (!results.length) return 'None yet.';
  const lines = results.map((r) => {
    const hyp = r.note ? `${r.hypothesis} [${r.note}]` : r.hypothesis;
    const cat = r.subcategory ? `${r.category} / ${r.subcategory}` : r.category;
    return `| ${r.iteration} | ${r.status} | ${num(r.payout)} | ${signed(r.delta)} | ${cell(cat, 60)} | ${cell(hyp, 160)} |`;
  });
  return ['| Exp | Status | Payout | Δ | Category | Hypothesis |', '|---|---|---|---|---|---|', ...lines].join('\n');
}

function fence(file: string): string {
  const ext = file.slice(file.lastIndexOf('.') + 1);
  return ({ ts: 'ts', mts: 'ts', js: 'js', mjs: 'js', json: 'json', md: 'md' } as Record<string, string>)[ext] ?? '';
}

/** The harness contract: stable for a session, so it caches with program.md. */
function contractSection(cfg: PromptInput['config']): string {
  const seeds = cfg.eval.seeds;
  return `# Harness contract (fixed; the harness enforces it)

You are the research agent. Each iteration you make ONE experiment: edit files under train/, then call finish_experiment.

## What you may change
- Only files under train/. Data loading, CV splits, metrics, the time budget and the NaN check belong to the fixed harness; edits elsewhere are rejected.
- train/ may import only ../harness/contract.ts (types and helpers such as featuresToFloat32) and use the tf handle it is given. No network, no files outside job.scratchDir, no child processes, no new packages.

## What a trainer job receives and returns
The harness calls the default export of train/train.ts once per fold × seed, each in its own sandboxed process:
- job.train: rows to learn from — x (FeatureMatrix of integer features 0..4; featuresToFloat32(x) gives a dense row-major Float32Array scaled to 0..1), featureNames, eras (Int32Array), targets (every target by name, Float32Array, NaN where missing), mainTarget (the scored target), benchmark (benchmark predictions for these rows, or null).
- job.predict: rows to predict — x, featureNames and eras only, never targets.
- job.seed, job.timeBudgetMs, job.deadline (the Date.now() value at which the process is killed), job.tf (tfjs; backend name in job.backend; loaded on first read when job.nn is native, so a module that only uses job.nn should not touch them), job.scratchDir, job.log(message).
- job.nn.mlp(spec): a fused feed-forward net (MlpSpec in harness/contract.ts: hidden widths, activation gelu|relu|elu|tanh|swish, batchNorm, dropout, loss mse|pearson|mse+pearson over masked target columns, AdamW weightDecay, seed). Its step(x, y, mask, rows, lr) runs a whole AdamW step in one native call when the harness has its addon (job.nn.engine 'native'), several times faster than the same net in raw tfjs; predict(x, nRows) and dispose(). Use job.tf for anything it cannot express.
- Return one finite number per predict row, in predict-row order (Float32Array or number[]). Only the order within each era matters. A wrong length, NaN or Infinity makes the experiment an error.
- Determinism: derive every random choice from job.seed; the same code and seed must give the same predictions.
- Budget: ${cfg.eval.job_timeout_s} s per job, predicting included; a job over budget is killed and the experiment is an error. Check job.deadline inside training loops.

## How candidates are scored and kept
payout proxy = ${cfg.payout.corr}·CORR + ${cfg.payout.bmc}·BMC, the mean over out-of-fold eras of era-purged cross-validation, then over seeds [${seeds.join(', ')}]. BMC is the contribution after removing what the benchmark already predicts, so signal the benchmark misses is rewarded on top of plain correlation. The first seed is scored alone and far-below-best candidates stop there; the rest must beat the best multi-seed mean by a margin derived from the measured noise floor. Most experiments are discarded; that is expected.

## Tunables convention
Tunables are UPPER_CASE constants at the top of train/train.ts with literal values of simple forms: number, number array, string union, boolean. Keep that form, add new tunables the same way, and keep the logic below them.

## Categories
Give every experiment one category — ${CATEGORIES.join(', ')} — and a short sub-category naming the knob or idea ("dropout", "activation", "target ensemble"). Reuse the sub-category wording of earlier experiments (see the DO NOT RETRY table) so trials of one idea are counted together.

## Finishing
When the edit is complete, call finish_experiment with: hypothesis (what you changed and why it should raise the payout, one or two sentences), category, subcategory, and expected (the expected effect, e.g. "+0.001 payout, mostly via BMC"). The candidate is type-checked and errors come back to you for repair. Do not resubmit a change identical to an earlier one: duplicates are detected and waste the iteration.
`;
}
