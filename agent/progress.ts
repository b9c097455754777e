// Progress of long commands on stderr: a cli-progress bar with ETA when stderr is a terminal, the
// plain lines otherwise (one per finished job or iteration, so logs and CI output stay greppable),
// nothing with --quiet. stdout is never touched, so --json output stays one clean JSON object.
import cliProgress from 'cli-progress';

/** The subset of a stream progress needs; a test passes a fake with isTTY set. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  quiet?: boolean;
  /** what the bar counts, e.g. "jobs" or "iterations" */
  unit: string;
}

export interface Progress {
  /** Sets the total (null when unknown) and the done count; the bar starts on the first call. */
  setTotal(total: number | null, done?: number): void;
  /** One more unit done (or exactly `done` units); `line` is printed as is when not on a terminal. */
  step(line: string, done?: number): void;
  /** A message that is not a unit of progress: printed above the bar, or as a plain line. */
  log(line: string): void;
  /** Removes timers; the bar's last state stays on screen. */
  stop(): void;
}

/** A progress reporter on `stream` (stderr by default). */
export function createProgress(o: ProgressOptions): Progress {
  const stream = o.stream ?? process.stderr;
  if (o.quiet) return { setTotal() {}, step() {}, log() {}, stop() {} };
  if (!stream.isTTY) {
    const print = (line: string) => { stream.write(line + '\n'); };
    return { setTotal() {}, step: print, log: print, stop() {} };
  }
  return barProgress(stream, o.unit);
}

function barProgress(stream: ProgressStream, unit: string): Progress {
  let multi: cliProgress.MultiBar | null = null;
  let bar: cliProgress.SingleBar | null = null;
  let total: number | null = null;
  let done = 0;
  const payload = (last: string) => ({ unit, last: last.trim().slice(0, 60) });
  const ensure = () => {
    if (multi) return;
    multi = new cliProgress.MultiBar({
      stream: stream as NodeJS.WritableStream, hideCursor: true, clearOnComplete: false, etaBuffer: 20, autopadding: true,
      format: total === null ? '{value} {unit} done | {duration_formatted} | {last}' : '[{bar}] {value}/{total} {unit} | ETA {eta_formatted} | {last}',
    }, cliProgress.Presets.shades_classic);
    bar = multi.create(total ?? 0, done, payload(''));
  };
  return {
    setTotal(t, d) {
      total = t;
      if (d !== undefined) done = d;
      ensure();
      bar!.setTotal(total ?? 0);
      bar!.update(done);
    },
    step(line, d) {
      done = d ?? done + 1;
      ensure();
      bar!.update(done, payload(line));
    },
    log(line) {
      // before the first unit the total is not known yet: messages go out as plain lines
      if (!multi) {
        stream.write(line + '\n');
        return;
      }
      multi.log(line + '\n');
      multi.update();
    },
    stop() {
      multi?.stop();
      multi = null;
    },
  };
}

/**
 * Adapts the run loop's log(line) to progress over iterations: "exp N: KEEP|DISCARD|ERROR — ..."
 * ends iteration N; every other line is a message. `prefix` stamps plain lines (the run's clock).
 */
export function iterationLog(p: Progress, total: number | null, prefix: () => string = () => ''): (line: string) => void {
  let started = false;
  return (line: string) => {
    const m = /^exp (\d+): (KEEP|DISCARD|ERROR) — /.exec(line);
    if (!m) return p.log(prefix() + line);
    if (!started) {
      p.setTotal(total, Number(m[1]) - 1);
      started = true;
    }
    p.step(prefix() + line, Number(m[1]));
  };
}

/**
 * Adapts a command's log(line) to progress: a line with a "[done/total]" counter (how the
 * evaluation reports a finished job) is a step; every other line is a message.
 */
export function jobLog(p: Progress): (line: string) => void {
  return (line: string) => {
    const m = /^\[(\d+)\/(\d+)\] /.exec(line);
    if (!m) return p.log(line);
    const [done, total] = [Number(m[1]), Number(m[2])];
    if (done === 1) p.setTotal(total, 0);
    p.step(line, done);
  };
}
