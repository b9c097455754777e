// Errors split by audience: a UserError says what went wrong, why, and how to fix it
// (exit code 2, no state touched); anything else is an internal error and keeps its cause.

export const USER_ERROR_EXIT = 2;

export class UserError extends Error {
  readonly what: string;
  readonly why: string;
  readonly fix: string;

  constructor(what: string, why: string, fix: string) {
    super(`${what}: ${why}. ${fix}`);
    this.name = 'UserError';
    this.what = what;
    this.why = why;
    this.fix = fix;
  }

  /** The three-line message printed to stderr. */
  format(): string {
    return `error: ${this.what}\n  why: ${this.why}\n  fix: ${this.fix}`;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
