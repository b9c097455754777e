// Executes text-editor tool commands (Anthropic's str_replace_based_edit_tool, text_editor_20250728:
// view, create, str_replace, insert) for a model, confined to <repo>/train/. Anything that resolves
// outside train/ — `..`, an absolute path, a symlink whose target leaves train/, a .git entry — is
// answered with a tool error before any read or write happens.
import fs from 'node:fs';
import path from 'node:path';

export interface ToolOutput { content: string; isError: boolean }

/** What the model sends; every field but command and path depends on the command. */
export interface EditorInput {
  command?: unknown; path?: unknown; file_text?: unknown; old_str?: unknown; new_str?: unknown;
  insert_line?: unknown; insert_text?: unknown; view_range?: unknown;
}

const MAX_VIEW_CHARS = 100_000;
const SNIPPET_LINES = 4;

/** A per-proposal editor: runs commands and remembers each touched file's original content. */
export class TrainEditor {
  private readonly trainDir: string;
  private readonly originals = new Map<string, string | null>();

  constructor(readonly repoDir: string) {
    this.trainDir = path.join(path.resolve(repoDir), 'train');
  }

  /** Runs one tool command; never throws for bad input. */
  run(input: unknown): ToolOutput {
    const cmd = (typeof input === 'object' && input !== null ? input : {}) as EditorInput;
    const where = this.resolve(cmd.path);
    if ('error' in where) return fail(where.error);
    try {
      switch (cmd.command) {
        case 'view': return this.view(where.abs, where.rel, cmd.view_range);
        case 'create': return this.create(where.abs, where.rel, cmd.file_text);
        case 'str_replace': return this.replace(where.abs, where.rel, cmd.old_str, cmd.new_str);
        case 'insert': return this.insert(where.abs, where.rel, cmd.insert_line, cmd.insert_text ?? cmd.new_str);
        default: return fail(`unknown command ${JSON.stringify(cmd.command)}; use view, create, str_replace or insert`);
      }
    } catch (e) {
      return fail(`${String(cmd.command)} ${where.rel} failed: ${(e as Error).message}`);
    }
  }

  /** Repository-relative paths whose content now differs from before this editor first touched them. */
  changedFiles(): string[] {
    const out: string[] = [];
    for (const [abs, before] of this.originals) {
      const now = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : null;
      if (now !== before) out.push(path.relative(path.resolve(this.repoDir), abs).split(path.sep).join('/'));
    }
    return out.sort();
  }

  /** True when at least one file under train/ was changed. */
  get edited(): boolean {
    return this.changedFiles().length > 0;
  }

  private resolve(p: unknown): { abs: string; rel: string } | { error: string } {
    if (typeof p !== 'string' || p.trim() === '') return { error: 'missing "path"; give a path under train/, e.g. train/train.ts' };
    const abs = path.isAbsolute(p) ? path.normalize(p) : path.resolve(this.repoDir, p);
    const rel = path.relative(path.resolve(this.repoDir), abs).split(path.sep).join('/');
    const refuse = { error: `${p} is outside train/; only files under train/ may be viewed or edited (paths are relative to the repository root, e.g. train/train.ts)` };
    const inTrain = path.relative(this.trainDir, abs);
    if (inTrain.startsWith('..') || path.isAbsolute(inTrain)) return refuse;
    if (inTrain.split(path.sep).some((s) => s === '.git')) return refuse;
    let realTrain: string;
    try { realTrain = fs.realpathSync(this.trainDir); } catch { return { error: 'this repository has no train/ directory' }; }
    let existing = abs;
    while (!fs.existsSync(existing)) {
      if (isDanglingLink(existing)) return refuse;
      existing = path.dirname(existing);
    }
    const real = path.relative(realTrain, fs.realpathSync(existing));
    if (real.startsWith('..') || path.isAbsolute(real)) return refuse;
    return { abs, rel: rel === 'train' ? 'train/' : rel };
  }

  private view(abs: string, rel: string, range: unknown): ToolOutput {
    if (!fs.existsSync(abs)) return fail(`${rel} does not exist`);
    if (fs.statSync(abs).isDirectory()) return ok(listDir(abs, rel));
    const lines = fs.readFileSync(abs, 'utf8').split('\n');
    let [from, to] = [1, lines.length];
    if (range !== undefined && range !== null) {
      if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isInteger)) {
        return fail(`view_range must be [start, end] with integers, got ${JSON.stringify(range)}`);
      }
      [from, to] = [range[0] as number, range[1] === -1 ? lines.length : (range[1] as number)];
      if (from < 1 || from > lines.length || to < from || to > lines.length) {
        return fail(`view_range ${JSON.stringify(range)} is outside ${rel}, which has ${lines.length} lines`);
      }
    }
    const text = numbered(lines.slice(from - 1, to), from);
    return ok(text.length > MAX_VIEW_CHARS ? `${text.slice(0, MAX_VIEW_CHARS)}\n… truncated; use view_range to see the rest` : text);
  }

  private create(abs: string, rel: string, fileText: unknown): ToolOutput {
    if (typeof fileText !== 'string') return fail('create needs "file_text" (the whole new file)');
    if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) return fail(`${rel} is a directory`);
    this.remember(abs);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, fileText);
    return ok(`created ${rel} (${fileText.split('\n').length} lines)`);
  }

  private replace(abs: string, rel: string, oldStr: unknown, newStr: unknown): ToolOutput {
    if (typeof oldStr !== 'string' || oldStr === '') return fail('str_replace needs a non-empty "old_str"');
    if (newStr !== undefined && typeof newStr !== 'string') return fail('"new_str" must be a string');
    const text = readFile(abs, rel);
    if (typeof text !== 'string') return text;
    const count = text.split(oldStr).length - 1;
    if (count === 0) return fail(`no match for old_str in ${rel}; view the file and copy the exact text, whitespace included`);
    if (count > 1) return fail(`old_str matches ${count} times in ${rel}; include more surrounding lines so it matches exactly once`);
    const at = text.indexOf(oldStr);
    const next = text.slice(0, at) + (newStr ?? '') + text.slice(at + oldStr.length);
    this.remember(abs);
    fs.writeFileSync(abs, next);
    const line = text.slice(0, at).split('\n').length;
    return ok(`edited ${rel}\n${snippet(next, line, (newStr ?? '').split('\n').length)}`);
  }

  private insert(abs: string, rel: string, lineArg: unknown, insertText: unknown): ToolOutput {
    if (typeof insertText !== 'string') return fail('insert needs "insert_text"');
    const text = readFile(abs, rel);
    if (typeof text !== 'string') return text;
    const lines = text.split('\n');
    const nLines = text.endsWith('\n') ? lines.length - 1 : lines.length;
    if (!Number.isInteger(lineArg) || (lineArg as number) < 0 || (lineArg as number) > nLines) {
      return fail(`insert_line must be an integer from 0 to ${nLines} for ${rel}, got ${JSON.stringify(lineArg)}`);
    }
    const at = lineArg as number;
    const added = insertText.replace(/\n$/, '').split('\n');
    lines.splice(at, 0, ...added);
    this.remember(abs);
    const next = lines.join('\n');
    fs.writeFileSync(abs, next);
    return ok(`edited ${rel}\n${snippet(next, at + 1, added.length)}`);
  }

  private remember(abs: string): void {
    if (!this.originals.has(abs)) this.originals.set(abs, fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : null);
  }
}

const ok = (content: string): ToolOutput => ({ content, isError: false });
const fail = (content: string): ToolOutput => ({ content: `error: ${content}`, isError: true });

function isDanglingLink(p: string): boolean {
  try { return fs.lstatSync(p).isSymbolicLink(); } catch { return false; }
}

function readFile(abs: string, rel: string): string | ToolOutput {
  if (!fs.existsSync(abs)) return fail(`${rel} does not exist; use create to make it`);
  if (fs.statSync(abs).isDirectory()) return fail(`${rel} is a directory`);
  return fs.readFileSync(abs, 'utf8');
}

function numbered(lines: string[], first: number): string {
  return lines.map((l, i) => `${String(first + i).padStart(6)}\t${l}`).join('\n');
}

function snippet(text: string, line: number, count: number): string {
  const lines = text.split('\n');
  const from = Math.max(1, line - SNIPPET_LINES);
  const to = Math.min(lines.length, line + count - 1 + SNIPPET_LINES);
  return numbered(lines.slice(from - 1, to), from);
}

/** Files and directories up to two levels deep, hidden entries skipped. */
function listDir(abs: string, rel: string, depth = 0): string {
  const out: string[] = depth === 0 ? [`${rel.replace(/\/?$/, '/')}`] : [];
  for (const e of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const childRel = `${rel.replace(/\/$/, '')}/${e.name}`;
    out.push(`${'  '.repeat(depth + 1)}${e.name}${e.isDirectory() ? '/' : ''}`);
    if (e.isDirectory() && depth < 1) out.push(listDir(path.join(abs, e.name), childRel, depth + 1));
  }
  return out.filter((l) => l !== '').join('\n');
}
