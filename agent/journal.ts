// The run journal, runs/<tag>/journal.jsonl: append-only, one schema-checked event per line, fsynced
// before git moves. A damaged line stops the run with its line number; the file is never rewritten,
// because it is the only record of scores that cost hours to compute.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../harness/errors.ts';
import { EventSchema, JOURNAL_VERSION, type JournalEvent, type NewEvent } from './events.ts';

/** The file operations append() performs; tests pass a wrapper to observe or fail them. */
export interface JournalIo {
  openSync(file: string, flags: number): number;
  writeSync(fd: number, data: Buffer): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
}

export interface JournalOptions {
  /** the time stamped on each appended event */
  clock?: () => Date;
  io?: JournalIo;
}

const nodeIo: JournalIo = {
  openSync: (file, flags) => fs.openSync(file, flags),
  writeSync: (fd, data) => fs.writeSync(fd, data, 0, data.length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
};

const { O_WRONLY, O_APPEND, O_CREAT, O_EXCL, O_RDONLY } = fs.constants;

export class Journal {
  readonly file: string;
  private readonly list: JournalEvent[];
  private readonly clock: () => Date;
  private readonly io: JournalIo;

  private constructor(file: string, list: JournalEvent[], opts: JournalOptions) {
    this.file = file;
    this.list = list;
    this.clock = opts.clock ?? (() => new Date());
    this.io = opts.io ?? nodeIo;
  }

  /** Opens (without creating) a journal, validating every line; a missing file is an empty journal. */
  static open(file: string, opts: JournalOptions = {}): Journal {
    const lines = readJournalLines(file);
    const events = lines.map((line, i) => parseLine(file, line, i + 1));
    if (lines.length > 0 && !endsWithNewline(file)) {
      // Appending now would glue the next event onto this line.
      throw new UserError(`cannot read the journal ${file}`,
        `line ${lines.length} has no final newline, so a write to it was interrupted`, repairFix(file, lines.length));
    }
    return new Journal(file, events, opts);
  }

  /** Whether a journal file exists at this path. */
  static exists(file: string): boolean {
    return fs.existsSync(file);
  }

  /** Every event, in the order written. */
  events(): readonly JournalEvent[] {
    return this.list;
  }

  /** Stamps, validates and durably appends one event; any failure throws and nothing is recorded in memory. */
  append(e: NewEvent): JournalEvent {
    const event = EventSchema.parse({ ...e, v: JOURNAL_VERSION, t: this.clock().toISOString() });
    const data = Buffer.from(JSON.stringify(event) + '\n', 'utf8');
    const { fd, dirsToSync } = this.openForAppend();
    try {
      // One write() on an O_APPEND fd: a line is never interleaved with another writer's or split in two.
      const written = this.io.writeSync(fd, data);
      if (written !== data.length) {
        throw new Error(`short write to ${this.file}: ${written} of ${data.length} bytes`);
      }
      this.io.fsyncSync(fd);
    } finally {
      this.io.closeSync(fd);
    }
    this.fsyncDirs(dirsToSync);
    this.list.push(event);
    return event;
  }

  private openForAppend(): { fd: number; dirsToSync: string[] } {
    const dir = path.dirname(this.file);
    const firstNewDir = fs.mkdirSync(dir, { recursive: true });
    try {
      const fd = this.io.openSync(this.file, O_WRONLY | O_APPEND | O_CREAT | O_EXCL);
      return { fd, dirsToSync: firstNewDir ? parentsFrom(dir, path.dirname(firstNewDir)) : [dir] };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    return { fd: this.io.openSync(this.file, O_WRONLY | O_APPEND), dirsToSync: [] };
  }

  // A new directory entry (the file's, or a folder's made for it) is only durable once its parent is fsynced.
  private fsyncDirs(dirs: string[]): void {
    for (const d of dirs) {
      const fd = this.io.openSync(d, O_RDONLY);
      try {
        this.io.fsyncSync(fd);
      } finally {
        this.io.closeSync(fd);
      }
    }
  }
}

/** `dir` and its ancestors up to and including `top`, deepest first. */
function parentsFrom(dir: string, top: string): string[] {
  const out = [dir];
  for (let d = dir; d !== top && path.dirname(d) !== d; ) {
    d = path.dirname(d);
    out.push(d);
  }
  return out;
}

/** The journal's raw lines (without the final newline); a missing file has none. */
export function readJournalLines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function endsWithNewline(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const last = Buffer.alloc(1);
    return size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

function repairFix(file: string, n: number): string {
  return `the journal is never repaired automatically; inspect it with \`sed -n ${n}p ${file}\`, `
    + 'then fix or remove that line by hand, or start a new run with another --tag';
}

function parseLine(file: string, line: string, n: number): JournalEvent {
  const fix = repairFix(file, n);
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    throw new UserError(`cannot read the journal ${file}`, `line ${n} is not valid JSON (${(e as Error).message})`, fix);
  }
  const v = (raw as { v?: unknown } | null)?.v;
  if (typeof v === 'number' && v > JOURNAL_VERSION) {
    throw new UserError(`cannot read the journal ${file}`,
      `line ${n} was written with journal version ${v}, this autoresearch reads version ${JOURNAL_VERSION}`,
      'upgrade autoresearch to the version that wrote this run');
  }
  const parsed = EventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? ` at "${issue.path.join('.')}"` : '';
    throw new UserError(`cannot read the journal ${file}`,
      `line ${n} does not match the journal schema${where}: ${issue.message}`, fix);
  }
  return parsed.data;
}
