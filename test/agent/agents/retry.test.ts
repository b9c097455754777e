import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRetryable, retryAfterMs, retryDelayMs, withRetry, type ApiFailure } from '../../../agent/agents/retry.ts';

const http = (status: number, headers: Record<string, string> = {}): ApiFailure => ({ kind: 'http', status, headers: new Headers(headers), message: `${status}` });
const conn: ApiFailure = { kind: 'connection', status: null, headers: null, message: 'socket hang up' };

class Fail extends Error { constructor(readonly f: ApiFailure) { super(f.message); } }
const describe = (e: unknown): ApiFailure => (e instanceof Fail ? e.f : { kind: 'other', status: null, headers: null, message: String(e) });

test('retries 408, 429, 5xx and connection errors, never other 4xx or aborts', () => {
  const table: [ApiFailure, boolean][] = [
    [http(408), true], [http(429), true], [http(500), true], [http(502), true], [http(529), true],
    [http(400), false], [http(401), false], [http(403), false], [http(404), false], [http(422), false],
    [conn, true], [{ kind: 'abort', status: null, headers: null, message: 'aborted' }, false],
    [{ kind: 'other', status: null, headers: null, message: 'bug' }, false],
  ];
  for (const [f, want] of table) assert.equal(isRetryable(f), want, `${f.kind} ${f.status}`);
});

test('retry-after-ms wins over retry-after; seconds and HTTP dates are understood', () => {
  assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' })), 1500);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '0.5' })), 500);
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }), now), 7000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': 'soon' })), null);
  assert.equal(retryAfterMs(new Headers({})), null);
  assert.equal(retryAfterMs(null), null);
});

test('delay is exponential backoff with jitter and a cap, or exactly the server\'s retry-after', () => {
  const zero = { random: () => 0 };
  assert.deepEqual([0, 1, 2, 3].map((n) => retryDelayMs(conn, n, zero)), [1000, 2000, 4000, 8000]);
  assert.equal(retryDelayMs(conn, 10, zero), 60_000);
  assert.equal(retryDelayMs(conn, 0, { random: () => 0.5 }), 1125);
  assert.equal(retryDelayMs(http(429, { 'retry-after': '3' }), 0, zero), 3000);
  assert.equal(retryDelayMs(http(529, { 'retry-after': '1' }), 4, zero), 1000);
});

test('withRetry waits per retry-after, then returns the first success', async () => {
  const sleeps: number[] = [];
  let attempts = 0;
  const out = await withRetry(async () => {
    attempts++;
    if (attempts === 1) throw new Fail(http(529, { 'retry-after': '2' }));
    if (attempts === 2) throw new Fail(conn);
    return 'ok';
  }, { retries: 5, describe, sleep: async (ms) => { sleeps.push(ms); }, random: () => 0 });
  assert.equal(out, 'ok');
  assert.equal(attempts, 3);
  assert.deepEqual(sleeps, [2000, 2000]);
});

test('withRetry gives up at once on a 401 and after `retries` retries otherwise', async () => {
  const sleeps: number[] = [];
  let attempts = 0;
  const unauthorized = new Fail(http(401));
  await assert.rejects(withRetry(async () => { attempts++; throw unauthorized; }, { retries: 5, describe, sleep: async (ms) => { sleeps.push(ms); } }), (e) => e === unauthorized);
  assert.equal(attempts, 1);
  assert.equal(sleeps.length, 0);

  attempts = 0;
  await assert.rejects(withRetry(async () => { attempts++; throw new Fail(http(500)); }, { retries: 2, describe, sleep: async (ms) => { sleeps.push(ms); }, random: () => 0 }), /500/);
  assert.equal(attempts, 3);
  assert.deepEqual(sleeps, [1000, 2000]);
});

test('an abort during the wait rejects with the signal\'s reason and stops retrying', async () => {
  const ac = new AbortController();
  let attempts = 0;
  const reason = new Error('stopped by user');
  const run = withRetry(async () => { attempts++; throw new Fail(http(529)); }, {
    retries: 5, describe, signal: ac.signal,
    sleep: (_ms, signal) => new Promise((_, reject) => { signal!.addEventListener('abort', () => reject(signal!.reason)); ac.abort(reason); }),
  });
  await assert.rejects(run, (e) => e === reason);
  assert.equal(attempts, 1);
});

test('retries must be a non-negative integer', () => {
  assert.throws(() => withRetry(async () => 1, { retries: -1, describe }), { message: 'expected a non-negative integer for retries, got -1' });
});
