// The UPPER_CASE tunables at the top level of train/train.ts, parsed and rewritten textually so that
// everything but the changed values stays byte-identical. Supported forms:
//   const NAME = 0.001;            const HIDDEN = [64, 32];
//   const ACT: 'gelu' | 'relu' = 'gelu';   (the union lists the choices)
//   const BN: boolean = false;     (also `export const`, `: number` / `: number[]` annotations)
import type { Category } from '../events.ts';

export type TunableValue = number | number[] | string | boolean;

export interface Tunable {
  name: string;
  kind: 'int' | 'float' | 'widths' | 'choice' | 'boolean';
  value: TunableValue;
  /** choice: the union's members */
  choices?: string[];
  /** character offsets of the value text in the source */
  start: number;
  end: number;
  text: string;
}

export interface Step { value: TunableValue; label: string }

const LINE = /^(?:export\s+)?const\s+([A-Z][A-Z0-9_]*)\s*(?::\s*([^=]+?))?\s*=\s*(.+?)\s*;/;
const NUMBER = /^-?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const MIN_WIDTH = 4;
const MAX_WIDTH = 4096;

/** Parses the top-level UPPER_CASE tunables of the supported forms, in file order. */
export function parseTunables(source: string): Tunable[] {
  const out: Tunable[] = [];
  let offset = 0;
  for (const line of source.split('\n')) {
    const m = LINE.exec(line);
    if (m) {
      const [, name, annotation = '', raw] = m;
      const start = offset + m[0].lastIndexOf(raw, m[0].length - 1);
      const t = classify(name, annotation.trim(), raw);
      if (t) out.push({ ...t, name, start, end: start + raw.length, text: raw });
    }
    offset += line.length + 1;
  }
  return out;
}

function classify(name: string, annotation: string, raw: string): Pick<Tunable, 'kind' | 'value' | 'choices'> | null {
  if (NUMBER.test(raw) && (annotation === '' || annotation === 'number')) {
    const value = Number(raw.replace(/_/g, ''));
    return { kind: /[.eE]/.test(raw) ? 'float' : 'int', value };
  }
  if ((raw === 'true' || raw === 'false') && (annotation === '' || annotation === 'boolean')) return { kind: 'boolean', value: raw === 'true' };
  const arr = /^\[\s*([\d\s,]*?)\s*,?\s*\]$/.exec(raw);
  if (arr && (annotation === '' || annotation === 'number[]')) {
    const value = arr[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    return value.length > 0 && value.every(Number.isInteger) ? { kind: 'widths', value } : null;
  }
  const str = /^(['"])(.*)\1$/.exec(raw);
  if (str && annotation) {
    const parts = annotation.split('|').map((p) => p.trim());
    const choices = parts.map((p) => /^(['"])(.*)\1$/.exec(p)?.[2]);
    if (choices.every((c): c is string => c !== undefined) && choices.includes(str[2])) return { kind: 'choice', value: str[2], choices };
  }
  return null;
}

/** The source with the given tunables set to new values; every other byte is unchanged. */
export function applyTunables(source: string, tunables: Tunable[], changes: Record<string, TunableValue>): string {
  const edits = tunables.filter((t) => Object.hasOwn(changes, t.name)).sort((a, b) => b.start - a.start);
  let out = source;
  for (const t of edits) out = out.slice(0, t.start) + formatValue(t, changes[t.name]) + out.slice(t.end);
  return out;
}

/** The value as TypeScript source in the style of the original text. */
export function formatValue(t: Tunable, v: TunableValue): string {
  if (t.kind === 'choice') return `${t.text[0]}${v}${t.text[0]}`;
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  if (typeof v === 'number' && t.kind === 'float' && Number.isInteger(v) && !/e/i.test(String(v))) return `${v}.0`;
  return String(v);
}

/** Which research category a tunable belongs to; this function is the documented table. */
export function categoryOf(name: string): Category {
  if (['HIDDEN', 'ACTIVATION', 'BATCH_NORM'].includes(name)) return 'architecture';
  if (['DROPOUT', 'WEIGHT_DECAY'].includes(name)) return 'regularization';
  if (['LEARNING_RATE', 'BATCH_SIZE'].includes(name) || name.startsWith('LR_')) return 'optimizer';
  if (name === 'EPOCHS') return 'training-procedure';
  if (name === 'LOSS') return 'loss';
  if (['TARGETS', 'AUX_WEIGHT'].includes(name)) return 'data/targets';
  if (name.startsWith('FEATURE_')) return 'features';
  if (name.startsWith('ENSEMBLE_')) return 'ensembling';
  return 'other';
}

/**
 * The single-step neighbours of a tunable's current value:
 *   widths               all ×2, all ÷2, one layer ×2 or ÷2, add a layer of half the last, drop the last layer; each in [4, 4096]
 *   name has DROPOUT or PROB    ±0.05, ±0.1, kept in [0, 0.9]
 *   name has FRACTION           ×0.5, ×0.75, ×1.25, ×1.5, kept in (0, 1]
 *   int, name has BATCH, SIZE, WIDTH or UNITS   ×2, ÷2
 *   other int            ±s, ±2s with s = max(1, round(v/4)), never below 1 (0 stays reachable only from 0)
 *   float > 0            ×2, ÷2, ×1.5, ÷1.5 (3 significant digits);  float = 0 → 0.0001, 0.001, 0.01
 *   choice               every other member;  boolean  the other value
 */
export function neighbours(t: Tunable): Step[] {
  const steps = rawSteps(t).filter((s) => !sameValue(s.value, t.value));
  const seen = new Set<string>();
  return steps.filter((s) => { const k = JSON.stringify(s.value); return !seen.has(k) && (seen.add(k), true); });
}

function rawSteps(t: Tunable): Step[] {
  const v = t.value;
  if (t.kind === 'boolean') return [{ value: !v, label: 'flip' }];
  if (t.kind === 'choice') return t.choices!.filter((c) => c !== v).map((c) => ({ value: c, label: 'swap' }));
  if (t.kind === 'widths') return widthSteps(v as number[]);
  const x = v as number;
  if (/DROPOUT|PROB/.test(t.name)) {
    return [0.05, -0.05, 0.1, -0.1].map((d) => ({ value: round6(Math.min(0.9, Math.max(0, x + d))), label: `${d > 0 ? '+' : '-'}${Math.abs(d)}` }));
  }
  if (/FRACTION/.test(t.name)) {
    return [0.5, 0.75, 1.25, 1.5].map((f) => ({ value: sig3(Math.min(1, x * f)), label: `×${f}` })).filter((s) => (s.value as number) > 0);
  }
  if (t.kind === 'int') {
    if (/BATCH|SIZE|WIDTH|UNITS/.test(t.name)) return [{ value: x * 2, label: '×2' }, { value: Math.max(1, Math.round(x / 2)), label: '÷2' }];
    const s = Math.max(1, Math.round(Math.abs(x) / 4));
    const floor = x >= 1 ? 1 : x;
    return [s, -s, 2 * s, -2 * s].map((d) => ({ value: Math.max(floor, x + d), label: `${d > 0 ? '+' : '-'}${Math.abs(d)}` }));
  }
  if (x === 0) return [0.0001, 0.001, 0.01].map((value) => ({ value, label: 'from 0' }));
  return [[2, '×2'], [0.5, '÷2'], [1.5, '×1.5'], [1 / 1.5, '÷1.5']].map(([f, label]) => ({ value: sig3(x * (f as number)), label: label as string }));
}

function widthSteps(w: number[]): Step[] {
  const clamp = (n: number) => Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(n)));
  const out: Step[] = [
    { value: w.map((n) => clamp(n * 2)), label: 'widths ×2' },
    { value: w.map((n) => clamp(n / 2)), label: 'widths ÷2' },
  ];
  w.forEach((_, i) => {
    out.push({ value: w.map((n, j) => (j === i ? clamp(n * 2) : n)), label: `layer ${i + 1} ×2` });
    out.push({ value: w.map((n, j) => (j === i ? clamp(n / 2) : n)), label: `layer ${i + 1} ÷2` });
  });
  if (w.length < 6) out.push({ value: [...w, clamp(w[w.length - 1] / 2)], label: 'add a layer' });
  if (w.length > 1) out.push({ value: w.slice(0, -1), label: 'drop the last layer' });
  return out;
}

/** Structural equality for tunable values (numbers, arrays, strings, booleans). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const sig3 = (x: number) => Number(x.toPrecision(3));
const round6 = (x: number) => Number(x.toFixed(6));
