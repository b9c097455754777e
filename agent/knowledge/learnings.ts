// learnings.md (seed 002, adaptation 5): the synthesised, bounded knowledge the agent reads every
// iteration. The template is computed from the journal (the mutate agent's learnings, and the
// fallback when the LLM rewrite fails); the prompt asks a cheaper LLM to synthesise the same
// structure; the validator keeps whatever comes back within bounds or rejects it.
import type { Config } from '../config-schema.ts';
import type { JournalEvent } from '../events.ts';
import { iterations, reduceState } from '../state.ts';
import { bestTrial, groupTrials, type Trial, type TrialGroup } from './donotretry.ts';
import { clipLines, num, oneLine, signed } from './format.ts';

type Knowledge = Config['knowledge'];

/** One bullet; lower priority, then older, is trimmed first. */
interface Item { text: string; priority: number; age: number }

interface Section {
  heading: string;
  counts: string;
  age: number;
  worked: Item[];
  bad: Item[];
  ambiguous: Item[];
}

const DIFF_MAX_CHARS = 4000;

/** learnings.md computed from the journal, organised by category and bounded to learnings_max_chars. */
export function templateLearnings(events: readonly JournalEvent[], cfg: Knowledge): string {
  const state = reduceState(events);
  const groups = groupTrials(events);
  const decided = state.counts.kept + state.counts.discarded + state.counts.errors;
  const head = ['# Learnings', ''];
  if (decided === 0) {
    head.push('No experiments yet. Each category below will list what worked, what is confidently bad and what is still ambiguous.');
  } else {
    const { kept, discarded, errors } = state.counts;
    head.push(`Experiments decided: ${decided} — ${kept} kept, ${discarded} discarded, ${plural(errors, 'error')}.`);
  }
  if (state.best) {
    const base = state.baseline ? ` (baseline ${num(state.baseline.payout)}, ${signed(state.best.payout - state.baseline.payout)})` : '';
    head.push(state.best.iteration === 0
      ? `Current best: the baseline, payout ${num(state.best.payout)}.`
      : `Current best: payout ${num(state.best.payout)} at exp ${state.best.iteration}${base}.`);
  }
  return bound(head, sections(groups, cfg), cfg.learnings_max_chars);
}

/** The instruction for the cheaper LLM to rewrite learnings.md after `iteration`. */
export function learningsPrompt(events: readonly JournalEvent[], currentLearnings: string, iteration: number, cfg: Knowledge): string {
  const record = iterations(events).find((r) => r.iteration === iteration);
  const last = record
    ? [
      `Experiment ${iteration}: ${record.decision?.decision ?? 'undecided'} — ${record.decision?.reason ?? 'no decision recorded'}`,
      `Category: ${record.candidate.category}${record.candidate.subcategory ? ` / ${record.candidate.subcategory}` : ''}`,
      `Hypothesis: ${oneLine(record.candidate.hypothesis, 400)}`,
      `Expected: ${oneLine(record.candidate.expected || '(not stated)', 200)}`,
      `Payout: ${num(record.decision?.payout)} (Δ ${signed(record.decision?.delta)} vs the best before it), ` +
        `CORR ${num(record.decision?.corr)}, BMC ${num(record.decision?.bmc)}, seeds ${record.decision?.seeds.length ?? 0}`,
      '',
      '```diff',
      clipLines(record.candidate.diff.trimEnd(), DIFF_MAX_CHARS),
      '```',
    ].join('\n')
    : `Experiment ${iteration}: not found in the journal.`;
  return [
    `You maintain learnings.md for an autonomous research loop on Numerai data. An agent edits train/, a fixed harness scores it with era-purged cross-validation over several seeds (payout proxy = 0.75·CORR + 2.25·BMC), and only candidates that beat the best by a noise-derived margin are kept.`,
    '',
    '## The experiment that just finished',
    last,
    '',
    '## Facts computed from the journal (counts and deltas here are exact; do not contradict them)',
    '~~~markdown',
    templateLearnings(events, cfg).trimEnd(),
    '~~~',
    '',
    '## The current learnings.md',
    currentLearnings.trim() || '(empty)',
    '',
    '## Your task',
    'Rewrite learnings.md so that it includes what this experiment taught. SYNTHESISE: merge, generalise and drop what is',
    'superseded; never append a log of experiments. Keep this structure:',
    '- `# Learnings`, then one short paragraph with the counts and the current best;',
    '- one `## <category>` section per category that has experiments, each with a counts line and the subsections',
    '  `### What worked` (kept changes with their Δ), `### Confidently bad` (tried at least ' +
      `${cfg.confident_after} times, never kept, always worse), \`### Ambiguous\` (mixed, within noise, or too few trials);`,
    '- state effects as numbers (Δ payout) and name experiments as "exp N".',
    `Stay under ${cfg.learnings_max_chars} characters; when space is short, drop the oldest and least informative points first.`,
    'Reply with the complete new learnings.md as markdown only: no preamble, no code fence around it.',
  ].join('\n');
}

/** The LLM's learnings clipped to maxChars at a line boundary, or null when empty or not markdown. */
export function validateLearnings(text: string, maxChars: number): string | null {
  let body = text.replace(/\r\n?/g, '\n').trim();
  const fenced = /^```(?:markdown|md)?\n([\s\S]*?)\n```$/.exec(body);
  if (fenced) body = fenced[1].trim();
  if (body.replace(/\s/g, '').length < 20) return null;
  if (!/^#{1,6} \S/m.test(body)) return null;
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.test(body)) return null;
  const clipped = wholeLines(body.split('\n'), maxChars - 1);
  return clipped.length ? `${clipped.join('\n')}\n` : null;
}

function sections(groups: TrialGroup[], cfg: Knowledge): Section[] {
  const byCategory = new Map<string, TrialGroup[]>();
  for (const g of groups) byCategory.set(g.category, [...(byCategory.get(g.category) ?? []), g]);
  return [...byCategory].map(([category, gs]) => {
    const trials = gs.flatMap((g) => g.trials);
    const n = (d: Trial['decision']) => trials.filter((t) => t.decision === d).length;
    const section: Section = {
      heading: `## ${category}`,
      counts: `${plural(trials.length, 'trial')}: ${n('keep')} kept, ${n('discard')} discarded, ${plural(n('error'), 'error')}`,
      age: Math.max(...trials.map((t) => t.iteration)),
      worked: [], bad: [], ambiguous: [],
    };
    for (const g of gs) classify(g, cfg, section);
    return section;
  });
}

/** Sorts one sub-category into What worked / Confidently bad / Ambiguous. */
function classify(g: TrialGroup, cfg: Knowledge, s: Section): void {
  const name = g.subcategory || '(general)';
  const age = Math.max(...g.trials.map((t) => t.iteration));
  const keeps = g.trials.filter((t) => t.decision === 'keep');
  for (const t of keeps) {
    s.worked.push({ text: `- exp ${t.iteration} · ${name}: ${signed(t.delta)} (payout ${num(t.payout)}) — ${oneLine(t.hypothesis, 160)}`, priority: 2, age: t.iteration });
  }
  if (keeps.length) return;
  const scored = g.trials.filter((t) => t.delta !== null);
  const errors = g.trials.filter((t) => t.decision === 'error').length;
  const best = bestTrial(g.trials);
  const tried = `${plural(g.trials.length, 'trial')}${errors ? ` (${plural(errors, 'error')})` : ''}`;
  if (scored.length >= cfg.confident_after && scored.every((t) => t.delta! < 0)) {
    s.bad.push({ text: `- ${name}: ${tried}, never kept, always worse (best ${signed(best!.delta)} at exp ${best!.iteration})`, priority: 1, age });
    return;
  }
  const why = errors === g.trials.length ? 'every trial failed: the implementation broke, not necessarily the idea'
    : !best ? 'no delta yet (nothing to compare with)'
      : best.delta! >= 0 ? 'matched or beat the best, but not by the margin (within noise)'
      : `too few scored trials to call (${scored.length} of ${cfg.confident_after})`;
  const last = g.trials[g.trials.length - 1];
  const bestText = best ? `, best ${signed(best.delta)} at exp ${best.iteration}` : '';
  s.ambiguous.push({ text: `- ${name}: ${tried}${bestText} — ${why}; last: ${oneLine(last.hypothesis, 120)}`, priority: 0, age });
}

/** Drops the least informative bullets, then the oldest categories, then trailing lines until it fits. */
function bound(head: string[], all: Section[], maxChars: number): string {
  const dropped = new Set<Item>();
  let shown = all;
  const render = (): string => {
    const lines = [...head];
    if (dropped.size) lines.push(`(${dropped.size} older or less informative entries trimmed to stay within ${maxChars} characters.)`);
    for (const s of shown) {
      lines.push('', s.heading, s.counts);
      for (const [title, items] of [['What worked', s.worked], ['Confidently bad', s.bad], ['Ambiguous', s.ambiguous]] as const) {
        const left = items.filter((i) => !dropped.has(i));
        if (left.length) lines.push('', `### ${title}`, ...left.map((i) => i.text));
      }
    }
    return `${lines.join('\n')}\n`;
  };
  const queue = all.flatMap((s) => [...s.worked, ...s.bad, ...s.ambiguous])
    .sort((a, b) => a.priority - b.priority || a.age - b.age);
  let text = render();
  for (const item of queue) {
    if (text.length <= maxChars) return text;
    dropped.add(item);
    text = render();
  }
  const byAge = [...all].sort((a, b) => a.age - b.age);
  while (text.length > maxChars && shown.length) {
    const oldest = byAge.shift()!;
    shown = shown.filter((s) => s !== oldest);
    text = render();
  }
  if (text.length <= maxChars) return text;
  const lines = wholeLines(text.split('\n'), maxChars - 1);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The leading lines whose joined length fits in max characters. */
function wholeLines(lines: string[], max: number): string[] {
  const out: string[] = [];
  let used = -1;
  for (const line of lines) {
    if (used + line.length + 1 > max) break;
    out.push(line);
    used += line.length + 1;
  }
  return out;
}
