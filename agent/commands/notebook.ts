// `autoresearch notebook`: every experiment of a run, read back from git alone (refs and branch
// trailers), so the notebook survives a lost journal and can be read on any clone that has the refs.
import type { Command } from 'commander';
import { UserError } from '../../harness/errors.ts';
import { listNotebook, listTags, validateTag, type NotebookRow } from '../git.ts';

export interface NotebookOptions {
  tag?: string;
  json?: boolean;
}

const HYPOTHESIS_CHARS = 60;

/** Renders one run's notebook as a table, or as JSON {tag, rows}. */
export async function renderNotebook(repo: string, opts: NotebookOptions): Promise<string> {
  const tag = await chooseTag(repo, opts.tag);
  const rows = await listNotebook(repo, tag);
  if (opts.json) return JSON.stringify({ tag, rows }, null, 2) + '\n';
  const kept = rows.filter((r) => r.kept).length;
  const head = `autoresearch/${tag}: ${rows.length} experiment${rows.length === 1 ? '' : 's'}, ${kept} kept\n`;
  return rows.length === 0 ? head : head + '\n' + table(rows);
}

/** Registers `notebook` on the CLI. */
export function register(program: Command): void {
  program.command('notebook')
    .description('show every experiment of a run as recorded in git: status, scores, category, hypothesis, ref')
    .option('--tag <name>', 'the run to show (default: the only run in this repository)')
    .option('--json', 'print {tag, rows} as JSON instead of a table')
    .action(async (opts: NotebookOptions) => {
      process.stdout.write(await renderNotebook(process.cwd(), opts));
    });
}

async function chooseTag(repo: string, wanted: string | undefined): Promise<string> {
  const tags = await listTags(repo);
  if (wanted !== undefined) {
    validateTag(wanted);
    if (tags.includes(wanted)) return wanted;
    throw new UserError(`no research run tagged "${wanted}"`,
      tags.length ? `this repository has runs ${tags.join(', ')}` : 'this repository has no research runs yet',
      tags.length ? `pick one of them with --tag ${tags[0]}` : 'start one with `autoresearch run --tag <name>`');
  }
  if (tags.length === 1) return tags[0];
  if (tags.length === 0) {
    throw new UserError('no research runs in this repository',
      'there is no autoresearch/<tag> branch and no refs/autoresearch/<tag>/ refs', 'start one with `autoresearch run --tag <name>`');
  }
  throw new UserError(`several research runs in this repository: ${tags.join(', ')}`, 'the notebook shows one run at a time',
    `choose one with --tag, e.g. --tag ${tags[0]}`);
}

function table(rows: NotebookRow[]): string {
  const header = ['#', 'status', 'payout', 'delta', 'category', 'hypothesis', 'ref'];
  const body = rows.map((r) => [
    String(r.n),
    r.status === 'keep' && !r.kept ? 'keep (not on branch)' : r.status,
    r.payout === null ? '-' : r.payout.toFixed(5),
    r.delta === null ? '-' : `${r.delta > 0 ? '+' : ''}${r.delta.toFixed(5)}`,
    r.category || '-',
    clip(r.hypothesis || '-', HYPOTHESIS_CHARS),
    r.ref,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const right = new Set([0, 2, 3]);
  const line = (cells: string[]) =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
