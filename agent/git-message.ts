// Commit messages of the lab notebook: a greppable summary line, an optional body, and one trailer per
// field. Trailers carry numbers at full precision so the notebook read back from git equals the journal.

export const STATUSES = ['pending', 'keep', 'discard', 'error'] as const;
export type ExperimentStatus = (typeof STATUSES)[number];

export interface ExperimentFields {
  experiment: number;
  status: ExperimentStatus;
  payout: number | null;
  delta: number | null;
  corr: number | null;
  bmc: number | null;
  seeds: number[];
  category: string;
  hypothesis: string;
}

export interface MessageFields extends ExperimentFields {
  /** free text between the summary and the trailers */
  body?: string;
}

const SUMMARY_HYPOTHESIS_CHARS = 72;
const NONE = 'n/a';
const KEYS = ['Experiment', 'Status', 'Payout', 'Delta', 'Corr', 'BMC', 'Seeds', 'Category', 'Hypothesis'] as const;

/** Collapses line breaks (and the blanks around them) to single spaces, so a value fits one trailer line. */
export function foldLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Renders "exp 12 keep: payout 0.03012 (+0.00120) — <hypothesis>", the body, then the trailers. */
export function formatMessage(f: MessageFields): string {
  check(f);
  const hypothesis = foldLine(f.hypothesis);
  let summary = `exp ${f.experiment} ${f.status}`;
  if (f.payout !== null) summary += `: payout ${f.payout.toFixed(5)}`;
  if (f.payout !== null && f.delta !== null) summary += ` (${signed(f.delta.toFixed(5), f.delta)})`;
  if (hypothesis) summary += ` — ${truncate(hypothesis, SUMMARY_HYPOTHESIS_CHARS)}`;
  const values: Record<(typeof KEYS)[number], string> = {
    Experiment: String(f.experiment),
    Status: f.status,
    Payout: num(f.payout),
    Delta: f.delta === null ? NONE : signed(String(f.delta), f.delta),
    Corr: num(f.corr),
    BMC: num(f.bmc),
    Seeds: f.seeds.join(', '),
    Category: foldLine(f.category),
    Hypothesis: hypothesis,
  };
  const trailers = KEYS.map((k) => (values[k] ? `${k}: ${values[k]}` : `${k}:`)).join('\n');
  const body = f.body?.trim();
  return body ? `${summary}\n\n${body}\n\n${trailers}\n` : `${summary}\n\n${trailers}\n`;
}

/** Reads the trailers of a notebook commit; null when the message has no valid Experiment and Status. */
export function parseTrailers(message: string): ExperimentFields | null {
  const paragraphs = message.trim().split(/\n[ \t]*\n/);
  const found = new Map<string, string>();
  for (const line of paragraphs[paragraphs.length - 1].split('\n')) {
    const m = /^([A-Za-z-]+):[ \t]?(.*)$/.exec(line);
    if (m) found.set(m[1], m[2].trim());
  }
  const experiment = Number(found.get('Experiment') ?? 'x');
  const status = found.get('Status') as ExperimentStatus | undefined;
  if (!Number.isSafeInteger(experiment) || experiment < 0 || !status || !STATUSES.includes(status)) return null;
  const seeds = (found.get('Seeds') ?? '').split(/[,\s]+/).filter(Boolean).map(Number);
  return {
    experiment,
    status,
    payout: parseNum(found.get('Payout')),
    delta: parseNum(found.get('Delta')),
    corr: parseNum(found.get('Corr')),
    bmc: parseNum(found.get('BMC')),
    seeds: seeds.every(Number.isSafeInteger) ? seeds : [],
    category: found.get('Category') ?? '',
    hypothesis: found.get('Hypothesis') ?? '',
  };
}

function check(f: ExperimentFields): void {
  if (!Number.isSafeInteger(f.experiment) || f.experiment < 0) {
    throw new Error(`expected a non-negative integer experiment number, got ${f.experiment}`);
  }
  if (!STATUSES.includes(f.status)) throw new Error(`expected a status among ${STATUSES.join(', ')}, got ${f.status}`);
  for (const k of ['payout', 'delta', 'corr', 'bmc'] as const) {
    const v = f[k];
    if (v !== null && !Number.isFinite(v)) throw new Error(`expected a finite number or null for ${k}, got ${v}`);
  }
  if (!f.seeds.every(Number.isSafeInteger)) throw new Error(`expected integer seeds, got ${f.seeds.join(', ')}`);
}

const num = (v: number | null): string => (v === null ? NONE : String(v));
const signed = (text: string, v: number): string => (v > 0 ? `+${text}` : text);
const truncate = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`);

function parseNum(v: string | undefined): number | null {
  if (v === undefined || v === '' || v === NONE) return null;
  const x = Number(v);
  return Number.isFinite(x) ? x : null;
}
