// The DO NOT RETRY table (seed 002, adaptation 9): per category and sub-category, how often it was
// tried, whether it ever produced a keep, and its best delta — computed from the journal and
// rendered into program.md between markers, so the human-written brief around it never changes.
import { UserError } from '../../harness/errors.ts';
import type { Config } from '../config-schema.ts';
import { CATEGORIES, type Category, type EventOf, type JournalEvent } from '../events.ts';
import { iterations } from '../state.ts';
import { cell, signed } from './format.ts';

export type DnrStatus = 'OPEN' | 'PROMISING' | 'EXHAUSTED';

export interface DnrRow {
  category: Category;
  /** normalised (trimmed, lower case); "" when the agent gave none */
  subcategory: string;
  trials: number;
  keeps: number;
  errors: number;
  /** max decision.delta over the trials; null when none has one */
  bestDelta: number | null;
  /** iteration of bestDelta */
  bestAt: number | null;
  status: DnrStatus;
  details: string;
}

/** One decided, non-duplicate experiment. */
export interface Trial {
  iteration: number;
  category: Category;
  subcategory: string;
  decision: EventOf<'decision'>['decision'];
  payout: number | null;
  delta: number | null;
  hypothesis: string;
}

export interface TrialGroup { category: Category; subcategory: string; trials: Trial[] }

export const DNR_START = '<!-- autoresearch:do-not-retry:start -->';
export const DNR_END = '<!-- autoresearch:do-not-retry:end -->';

const HEADER = '| Category | Sub-category | Trials | Keeps | Best Δ | Status | Details |\n|---|---|---|---|---|---|---|';

/** Decided experiments grouped by category and sub-category, in taxonomy then name order. */
export function groupTrials(events: readonly JournalEvent[]): TrialGroup[] {
  const groups = new Map<string, TrialGroup>();
  for (const r of iterations(events)) {
    if (!r.decision || r.candidate.duplicateOf !== null) continue;
    const subcategory = normaliseSubcategory(r.candidate.subcategory);
    const key = `${r.candidate.category}\u0000${subcategory}`;
    const group = groups.get(key) ?? { category: r.candidate.category, subcategory, trials: [] };
    group.trials.push({
      iteration: r.iteration, category: r.candidate.category, subcategory, decision: r.decision.decision,
      payout: r.decision.payout, delta: r.decision.delta, hypothesis: r.candidate.hypothesis,
    });
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) =>
    CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) || a.subcategory.localeCompare(b.subcategory));
}

/** The DO NOT RETRY rows: status PROMISING with a keep, EXHAUSTED after exhausted_after trials without one. */
export function computeDoNotRetry(events: readonly JournalEvent[], cfg: Config['knowledge']): DnrRow[] {
  return groupTrials(events).map(({ category, subcategory, trials }) => {
    const keeps = trials.filter((t) => t.decision === 'keep');
    const errors = trials.filter((t) => t.decision === 'error').length;
    const best = bestTrial(trials);
    const status: DnrStatus = keeps.length > 0 ? 'PROMISING' : trials.length >= cfg.exhausted_after ? 'EXHAUSTED' : 'OPEN';
    const parts: string[] = [];
    if (keeps.length) parts.push(`kept ${keeps.slice(-3).map((t) => `exp ${t.iteration} (${signed(t.delta)})`).join(', ')}`);
    else if (best) parts.push(`best ${signed(best.delta)} at exp ${best.iteration}`);
    if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
    return {
      category, subcategory, trials: trials.length, keeps: keeps.length, errors,
      bestDelta: best?.delta ?? null, bestAt: best?.iteration ?? null, status, details: parts.join('; ') || 'no scored trial',
    };
  });
}

/** The trial with the highest delta (earliest on ties), or null when none has a delta. */
export function bestTrial(trials: readonly Trial[]): Trial | null {
  let best: Trial | null = null;
  for (const t of trials) if (t.delta !== null && (best === null || t.delta > best.delta!)) best = t;
  return best;
}

/** The rows as a markdown table (header only when there are none). */
export function renderDnrTable(rows: readonly DnrRow[]): string {
  const lines = rows.map((r) =>
    `| ${r.category} | ${r.subcategory ? cell(r.subcategory, 60) : '—'} | ${r.trials} | ${r.keeps} | ${signed(r.bestDelta)} | ${r.status} | ${cell(r.details, 160)} |`);
  return [HEADER, ...lines].join('\n');
}

/** program.md with only the generated section replaced (or appended); the human text stays byte-identical. */
export function updateProgramMd(text: string, table: string): string {
  const block = `${DNR_START}\n${generatedSection(table)}${DNR_END}`;
  const span = findSection(text);
  if (!span) return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}\n${block}\n`;
  return text.slice(0, span.start) + block + text.slice(span.end);
}

/** program.md without the generated section, ending in one newline: the stable part the prompt caches. */
export function humanPart(programMd: string): string {
  const span = findSection(programMd);
  const human = span ? programMd.slice(0, span.start) + programMd.slice(span.end) : programMd;
  return `${human.trimEnd()}\n`;
}

function generatedSection(table: string): string {
  return '## DO NOT RETRY\n\n' +
    'Generated from the journal after every iteration; edits between these markers are overwritten. ' +
    'EXHAUSTED: tried many times without a keep. PROMISING: produced a keep. Δ is the multi-seed payout minus the best at the time.\n\n' +
    `${table.trimEnd()}\n`;
}

/** Character span from the start marker to the end of the end marker; null when there are neither. */
function findSection(text: string): { start: number; end: number } | null {
  const start = text.indexOf(DNR_START);
  const end = text.indexOf(DNR_END, start === -1 ? 0 : start);
  if (start === -1 && text.indexOf(DNR_END) === -1) return null;
  if (start === -1 || end === -1) {
    const noStart = start === -1;
    throw new UserError(
      `program.md has a broken DO NOT RETRY section: ${noStart ? 'the end marker has no start marker before it' : 'the start marker has no end marker after it'}`,
      'autoresearch rewrites only the text between the two markers and will not guess where the generated part ends',
      `restore the line ${noStart ? DNR_START : DNR_END}, or delete the remaining marker so the section is appended afresh`,
    );
  }
  return { start, end: end + DNR_END.length };
}

function normaliseSubcategory(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}
