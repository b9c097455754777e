// Errors of the promoted predictor, split by audience like the project it came from: a mistake in
// the input (a missing file, a live file without the model's features) says what, why and how to
// fix it and exits 2; anything else is a bug and keeps its stack.

/** A problem with the user's input or files; printed as what/why/fix, exit code 2. */
export class RuntimeError extends Error {
  constructor(readonly what: string, readonly why: string, readonly fix: string) {
    super(what);
    this.name = 'RuntimeError';
  }

  format(): string {
    return `error: ${this.what}\n  why: ${this.why}\n  fix: ${this.fix}`;
  }
}

/** Prints an error by audience and returns the exit code (2 for input errors, 1 otherwise). */
export function report(e: unknown): number {
  if (e instanceof RuntimeError) {
    process.stderr.write(e.format() + '\n');
    return 2;
  }
  process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}
