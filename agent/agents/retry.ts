// The named retry policy for model APIs (both SDKs run with maxRetries: 0 so this is the only one):
// retry 408, 429, 5xx (529 overloaded included), connection errors, timeouts and whole-call
// deadlines (withDeadline); never other 4xx;
// wait max(retry-after, exponential backoff); stop at `retries` or when the signal aborts.
import pRetry from 'p-retry';

/** An SDK error reduced to what the policy needs; each agent maps its own SDK's classes to this. */
export interface ApiFailure {
  kind: 'http' | 'connection' | 'abort' | 'other';
  status: number | null;
  headers: Headers | null;
  message: string;
}

export interface RetryOptions {
  /** retries after the first attempt (config.agent.max_retries) */
  retries: number;
  signal?: AbortSignal;
  describe(error: unknown): ApiFailure;
  /** first backoff step; doubled per retry */
  baseMs?: number;
  maxBackoffMs?: number;
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  /** jitter source in [0, 1); backoff is multiplied by 1 + 0.25·random() */
  random?(): number;
}

export const DEFAULT_BASE_MS = 1000;
export const DEFAULT_MAX_BACKOFF_MS = 60_000;

/**
 * A call that did not complete within its whole-call deadline (headers, body and parsing), e.g. a
 * server that sent headers and then stalled the body. Retried like a connection error.
 */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`request timed out: no complete reply within ${ms / 1000} s`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * Runs fn with a signal that aborts when `outer` aborts or `ms` pass, and rejects with
 * DeadlineExceeded at the deadline even if fn ignores its signal: an SDK's own timeout covers
 * only the wait for the response headers.
 */
export async function withDeadline<T>(ms: number, outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (!(ms > 0)) throw new Error(`expected a positive deadline in ms, got ${ms}`);
  const deadline = new AbortController();
  const signal = outer ? AbortSignal.any([outer, deadline.signal]) : deadline.signal;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { const e = new DeadlineExceeded(ms); deadline.abort(e); reject(e); }, ms);
  });
  const call = fn(signal);
  call.catch(() => {}); // once the deadline has won the race, the call's own rejection is moot
  try {
    return await Promise.race([call, expired]);
  } catch (e) {
    if (deadline.signal.aborted && !outer?.aborted) throw deadline.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** True for failures worth another attempt. */
export function isRetryable(f: ApiFailure): boolean {
  if (f.kind === 'connection') return true;
  if (f.kind !== 'http' || f.status === null) return false;
  return f.status === 408 || f.status === 429 || f.status >= 500;
}

/**
 * True when fetch lost the connection while reading a response body: undici rejects with
 * TypeError("terminated"), which neither SDK wraps in its connection-error class.
 */
export function isBodyTerminated(e: unknown): boolean {
  return e instanceof TypeError && e.message === 'terminated';
}

/** The server's requested wait from retry-after-ms or retry-after (seconds or an HTTP date), or null. */
export function retryAfterMs(headers: Headers | null, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (raw == null || raw.trim() === '') return null;
  const seconds = Number(raw.trim());
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The wait before retry number retriesConsumed+1: at least the server's retry-after, else capped exponential backoff. */
export function retryDelayMs(f: ApiFailure, retriesConsumed: number, opts: Pick<RetryOptions, 'baseMs' | 'maxBackoffMs' | 'random'> = {}): number {
  const base = opts.baseMs ?? DEFAULT_BASE_MS;
  const cap = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const jitter = 1 + 0.25 * (opts.random ?? Math.random)();
  const backoff = Math.min(cap, base * 2 ** retriesConsumed * jitter);
  const asked = retryAfterMs(f.headers);
  return Math.round(asked === null ? backoff : Math.max(asked, 0));
}

/** Runs fn under the retry policy; rejects with the last error (or the signal's reason). */
export function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  if (!Number.isInteger(opts.retries) || opts.retries < 0) {
    throw new Error(`expected a non-negative integer for retries, got ${opts.retries}`);
  }
  const sleep = opts.sleep ?? abortableSleep;
  const describe = (e: unknown): ApiFailure =>
    (e instanceof DeadlineExceeded ? { kind: 'connection', status: null, headers: null, message: e.message } : opts.describe(e));
  return pRetry(fn, {
    retries: opts.retries,
    signal: opts.signal,
    minTimeout: 0,
    shouldRetry: ({ error }) => isRetryable(describe(error)),
    onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
      const f = describe(error);
      if (retriesLeft > 0 && isRetryable(f) && !opts.signal?.aborted) {
        await sleep(retryDelayMs(f, retriesConsumed, opts), opts.signal);
      }
    },
  });
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal!.reason); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
