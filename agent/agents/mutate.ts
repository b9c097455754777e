// The built-in mutate agent: no LLM. A seeded local search over train/train.ts's tunables — one
// single-step neighbour of the current (best) assignment per iteration, and from the combine phase on
// also the near-misses' changes merged onto it. It never proposes a full assignment already tried and
// skips tunables whose DO NOT RETRY row is EXHAUSTED. Deterministic given (iteration, events).
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Category, JournalEvent } from '../events.ts';
import { applyTunables, categoryOf, neighbours, parseTunables, sameValue, type Tunable, type TunableValue } from './tunables.ts';
import type { Agent, AgentDeps, DoNotRetryRow, NearMiss, Proposal } from './types.ts';
import { mulberry32 } from '../../harness/prng.ts';

export interface MutationPlan {
  /** only the tunables that change */
  changes: Record<string, TunableValue>;
  /** the full assignment after the change (journaled as the candidate's settings) */
  settings: Record<string, TunableValue>;
  hypothesis: string;
  category: Category;
  subcategory: string;
  expected: string;
}

export interface PlanInput {
  source: string;
  iteration: number;
  events: readonly JournalEvent[];
  doNotRetry: readonly DoNotRetryRow[];
  nearMisses: readonly NearMiss[];
  /** first iteration at which near-miss combinations are proposed */
  combineFrom: number;
}

interface Option { changes: Record<string, TunableValue>; labels: string[]; from?: number[] }

export const DEFAULT_COMBINE_FROM = 26;

/** Picks the next untried assignment, or explains why there is none. */
export function planMutation(input: PlanInput): MutationPlan | { error: string } {
  const tunables = parseTunables(input.source);
  if (tunables.length === 0) return { error: 'train/train.ts has no UPPER_CASE tunables of the forms mutate can edit' };
  const current = Object.fromEntries(tunables.map((t) => [t.name, t.value])) as Record<string, TunableValue>;
  const byName = new Map(tunables.map((t) => [t.name, t]));
  const exhausted = exhaustedTest(input.doNotRetry);
  const history = new Set<string>();
  for (const e of input.events) if (e.type === 'candidate' && e.settings) history.add(key(e.settings));
  for (const n of input.nearMisses) if (n.settings) history.add(key(n.settings));
  const tried = new Set([...history, key(current)]);
  const untried = (o: Option) => !tried.has(key({ ...current, ...o.changes }));

  const singles = new Map<string, Option[]>();
  for (const t of tunables) {
    if (exhausted(t.name, categoryOf(t.name))) continue;
    const opts = neighbours(t).map((s) => ({ changes: { [t.name]: s.value }, labels: [describe(t, s.value, s.label)] })).filter(untried);
    if (opts.length) singles.set(t.name, opts);
  }
  const combos = input.iteration >= input.combineFrom ? combinations(input.nearMisses, byName, current)
    .filter((o) => !Object.keys(o.changes).some((n) => exhausted(n, categoryOf(n))) && !exhausted(subcategoryOf(o), categoryFor(o)))
    .filter(untried) : [];

  const rng = mulberry32(hashInts(input.iteration, history.size));
  const names = [...singles.keys()];
  let pick: Option | undefined;
  if (combos.length && (names.length === 0 || rng() < 0.5)) pick = combos[Math.floor(rng() * combos.length)];
  else if (names.length) {
    const opts = singles.get(names[Math.floor(rng() * names.length)])!;
    pick = opts[Math.floor(rng() * opts.length)];
  }
  if (!pick) {
    const skipped = tunables.filter((t) => exhausted(t.name, categoryOf(t.name))).map((t) => t.name);
    return { error: `every single-step neighbour of the current tunables has been tried${skipped.length ? ` or is EXHAUSTED (${skipped.join(', ')})` : ''}; ${history.size} assignments tried so far — change train/ by hand or use an LLM agent` };
  }
  const changed = Object.keys(pick.changes);
  return {
    changes: pick.changes,
    settings: { ...current, ...pick.changes },
    hypothesis: pick.from ? `combine near-misses ${pick.from.map((i) => `#${i}`).join(' + ')}: ${pick.labels.join(', ')}` : pick.labels[0],
    category: categoryFor(pick),
    subcategory: subcategoryOf(pick),
    expected: pick.from
      ? 'the near-misses\' gains add up and together clear the keep margin'
      : `tests whether ${changed[0]} is at a local optimum; a move beyond the noise floor means it is not`,
  };
}

/** Creates the mutate agent; learn() returns the template text when one is given, else null. */
export function createMutateAgent(config: Config, deps: AgentDeps = {}): Agent {
  const combineFrom = config.phases.find((p) => p.name === 'combine')?.from ?? DEFAULT_COMBINE_FROM;
  return {
    name: 'mutate',
    async propose(ctx): Promise<Proposal> {
      const file = path.join(ctx.repoDir, 'train', 'train.ts');
      const empty = { hypothesis: '', category: 'other' as const, subcategory: '', expected: '', calls: [] };
      if (!fs.existsSync(file)) return { outcome: 'failed', ...empty, error: `${file} does not exist` };
      const source = fs.readFileSync(file, 'utf8');
      const plan = planMutation({ source, iteration: ctx.iteration, events: ctx.events, doNotRetry: ctx.doNotRetry, nearMisses: ctx.nearMisses, combineFrom });
      if ('error' in plan) return { outcome: 'no-edit', ...empty, error: plan.error };
      fs.writeFileSync(file, applyTunables(source, parseTunables(source), plan.changes));
      const { hypothesis, category, subcategory, expected, settings } = plan;
      return { outcome: 'edited', hypothesis, category, subcategory, expected, settings, calls: [] };
    },
    async learn(ctx) {
      return deps.learningsTemplate ? { text: deps.learningsTemplate(ctx.iteration), calls: [] } : null;
    },
  };
}

/** Each near-miss's changes relative to the current assignment, alone and merged in pairs and triples. */
function combinations(nearMisses: readonly NearMiss[], byName: Map<string, Tunable>, current: Record<string, TunableValue>): Option[] {
  const deltas = nearMisses.flatMap((n) => {
    const changes: Record<string, TunableValue> = {};
    for (const [k, v] of Object.entries(n.settings ?? {})) {
      const t = byName.get(k);
      if (t && isValueFor(t, v) && !sameValue(v, current[k])) changes[k] = v;
    }
    return Object.keys(changes).length ? [{ iteration: n.iteration, changes }] : [];
  });
  const out: Option[] = [];
  const subsets = (1 << deltas.length);
  for (let mask = 1; mask < subsets; mask++) {
    const members = deltas.filter((_, i) => mask & (1 << i));
    const changes: Record<string, TunableValue> = {};
    let conflict = false;
    for (const m of members) for (const [k, v] of Object.entries(m.changes)) {
      if (Object.hasOwn(changes, k) && !sameValue(changes[k], v)) conflict = true;
      changes[k] = v;
    }
    if (conflict) continue;
    const labels = Object.entries(changes).map(([k, v]) => describe(byName.get(k)!, v, ''));
    out.push({ changes, labels, from: members.map((m) => m.iteration) });
  }
  return out;
}

function isValueFor(t: Tunable, v: unknown): v is TunableValue {
  if (t.kind === 'widths') return Array.isArray(v) && v.length > 0 && v.every((n) => Number.isInteger(n) && n > 0);
  if (t.kind === 'choice') return typeof v === 'string' && t.choices!.includes(v);
  if (t.kind === 'boolean') return typeof v === 'boolean';
  return typeof v === 'number' && Number.isFinite(v);
}

function describe(t: Tunable, v: TunableValue, label: string): string {
  const show = (x: TunableValue) => (t.kind === 'choice' ? `'${x}'` : Array.isArray(x) ? `[${x.join(', ')}]` : String(x));
  return `${t.name} ${show(t.value)} → ${show(v)}${label && label !== 'swap' && label !== 'flip' ? ` (${label})` : ''}`;
}

function categoryFor(o: Option): Category {
  const cats = new Set(Object.keys(o.changes).map(categoryOf));
  return cats.size === 1 ? [...cats][0] : 'other';
}

function subcategoryOf(o: Option): string {
  return Object.keys(o.changes).sort().join('+');
}

/** A tunable is skipped when its own row, or its category's row without subcategory, is EXHAUSTED. */
function exhaustedTest(rows: readonly DoNotRetryRow[]): (name: string, category: string) => boolean {
  const dead = rows.filter((r) => /^EXHAUSTED/i.test(r.status.trim()));
  return (name, category) => dead.some((r) => r.subcategory === name || (r.subcategory === '' && r.category === category));
}

/** Canonical form of an assignment: keys sorted, values as JSON. */
function key(settings: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(settings).sort().map((k) => [k, settings[k]]));
}


function hashInts(a: number, b: number): number {
  return Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ 0x5bd1e995;
}
