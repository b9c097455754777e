// Up-front checks of a parquet file's columns against what a load asks for, so a wrong name
// fails before any data is read, naming the file and the closest existing columns.
import path from 'node:path';
import { UserError } from '../errors.ts';

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'HUGEINT']);
const NUMERIC_TYPES = new Set([...INTEGER_TYPES, 'FLOAT', 'DOUBLE']);

/** Up to five existing names closest to `name` (edit distance, then shared prefix). */
export function nearMatches(name: string, candidates: Iterable<string>, limit = 5): string[] {
  const scored: { c: string; d: number }[] = [];
  const maxD = Math.max(3, Math.floor(name.length / 3));
  for (const c of candidates) {
    const d = editDistance(name, c, maxD);
    if (d <= maxD) scored.push({ c, d });
  }
  scored.sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.c);
}

/** Levenshtein distance, giving up (returning max+1) once it exceeds `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

function missingColumn(file: string, col: string, schema: Map<string, string>, role: string): UserError {
  const near = nearMatches(col, schema.keys());
  return new UserError(
    `${role} column "${col}" is missing from ${path.basename(file)}`,
    near.length ? `closest columns in ${file}: ${near.join(', ')}` : `${file} has no column with a similar name`,
    'fix the name in your config, or use a data directory whose files hold this column',
  );
}

/** Throws a UserError unless every column exists, with a type in `allowed` when given. */
export function requireColumns(
  file: string,
  schema: Map<string, string>,
  cols: string[],
  role: string,
  allowed?: Set<string>,
): void {
  for (const col of cols) {
    const type = schema.get(col);
    if (type === undefined) throw missingColumn(file, col, schema, role);
    if (allowed && !allowed.has(type)) {
      throw new UserError(
        `${role} column "${col}" in ${path.basename(file)} has type ${type}`,
        `expected one of ${[...allowed].join(', ')}`,
        'use Numerai v4.2+ files (integer features 0..4, float targets) or re-export the file with these types',
      );
    }
  }
}

/** Feature columns must be integers 0..4 (checked again by value after loading). */
export function requireFeatureColumns(file: string, schema: Map<string, string>, cols: string[]): void {
  requireColumns(file, schema, cols, 'feature', INTEGER_TYPES);
}

/** Target and benchmark columns must be numeric. */
export function requireNumericColumns(file: string, schema: Map<string, string>, cols: string[], role: string): void {
  requireColumns(file, schema, cols, role, NUMERIC_TYPES);
}

/** An unknown target lists the target columns the file does have. */
export function requireTargets(file: string, schema: Map<string, string>, targets: string[]): void {
  for (const t of targets) {
    if (schema.has(t)) continue;
    const available = [...schema.keys()].filter((c) => c.startsWith('target'));
    throw new UserError(
      `unknown target "${t}": not a column of ${path.basename(file)}`,
      available.length ? `available targets: ${available.join(', ')}` : `${file} has no target columns`,
      'choose one of the available targets',
    );
  }
  requireNumericColumns(file, schema, targets, 'target');
}
