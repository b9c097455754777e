// Number and text formatting shared by the DO NOT RETRY table, learnings and the prompt, so a
// payout reads the same everywhere. Five decimals: the noise floor of a payout proxy is ~0.0004,
// so four would round real differences away.
const DECIMALS = 5;

/** A payout as text, "—" when missing. */
export function num(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(DECIMALS);
}

/** A delta with an explicit sign ("+0.00120", "−0.00050"), "—" when missing. */
export function signed(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const text = Math.abs(x).toFixed(DECIMALS);
  if (Number(text) === 0) return `±${text}`;
  return x > 0 ? `+${text}` : `−${text}`;
}

/** Text squeezed onto one line and cut to max characters with an ellipsis. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** A markdown table cell: one line, pipes escaped. */
export function cell(text: string, max = 120): string {
  return oneLine(text, max).replace(/\|/g, '\\|');
}

/** Whole lines of text fitting in max characters, with a note of how many lines were left out. */
export function clipLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.split('\n');
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > max) break;
    kept.push(line);
    used += line.length + 1;
  }
  return `${kept.join('\n')}\n… (${lines.length - kept.length} more lines)`;
}
