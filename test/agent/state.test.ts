import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reduceState } from '../../agent/state.ts';
import { JournalBuilder, type ExpOptions } from './knowledge/journal-builder.ts';

test('an empty journal reduces to a fresh state', () => {
  const s = reduceState([]);
  assert.equal(s.iteration, 0);
  assert.equal(s.nextIteration, 1);
  assert.equal(s.sessions, 0);
  assert.equal(s.baseline, null);
  assert.equal(s.best, null);
  assert.deepEqual(s.counts, { kept: 0, discarded: 0, errors: 0, duplicates: 0 });
  assert.equal(s.secondsPerIteration, null);
  assert.equal(s.firstEventTime, null);
  assert.equal(s.pending, null);
});

const counterCases: { name: string; decisions: ('keep' | 'discard' | 'error')[]; kept: number; discarded: number; errors: number; consecutive: number }[] = [
  { name: 'discards and errors both count toward the plateau', decisions: ['discard', 'error', 'discard'], kept: 0, discarded: 2, errors: 1, consecutive: 3 },
  { name: 'a keep resets the plateau count', decisions: ['discard', 'discard', 'keep'], kept: 1, discarded: 2, errors: 0, consecutive: 0 },
  { name: 'discards after the last keep are counted', decisions: ['keep', 'discard', 'keep', 'error', 'discard'], kept: 2, discarded: 2, errors: 1, consecutive: 2 },
];
for (const c of counterCases) {
  test(`counters: ${c.name}`, () => {
    const j = new JournalBuilder().session().baseline(0.02);
    c.decisions.forEach((d, i) => j.exp(i + 1, d, { payout: d === 'error' ? null : 0.02 + i / 1000 }));
    const s = reduceState(j.events);
    assert.deepEqual(s.counts, { kept: c.kept, discarded: c.discarded, errors: c.errors, duplicates: 0 });
    assert.equal(s.consecutiveDiscards, c.consecutive);
    assert.equal(s.iteration, c.decisions.length);
    assert.equal(s.nextIteration, c.decisions.length + 1);
    assert.equal(s.pending, null);
  });
}

test('events journaled twice are counted once', () => {
  const j = new JournalBuilder().session().repeatLast().baseline(0.02).llm(1, 0.5).repeatLast();
  j.exp(1, 'discard', { until: 'candidate' }).repeatLast();
  j.job(1, 0, 42).repeatLast().job(1, 1, 42).job(1, 0, 42);
  j.exp(2, 'keep', { payout: 0.025 }).repeatLast().repeatLast();
  const once = reduceState(new JournalBuilder().session().baseline(0.02).llm(1, 0.5).exp(1, 'discard', { until: 'candidate' })
    .job(1, 0, 42).job(1, 1, 42).exp(2, 'keep', { payout: 0.025 }).events);
  const twice = reduceState(j.events);
  assert.equal(twice.sessions, 1);
  assert.equal(twice.llmCalls, 1);
  assert.equal(twice.costUsd, 0.5);
  assert.deepEqual(twice.tokens, { input: 100, output: 10, cache_read: 0, cache_write: 0 });
  assert.deepEqual(twice.counts, once.counts);
  assert.deepEqual(twice.counts, { kept: 1, discarded: 0, errors: 0, duplicates: 0 });
  assert.deepEqual(twice.incomplete, [1]);
});

test('a decision journaled again for the same iteration replaces the first', () => {
  const j = new JournalBuilder().baseline(0.02).exp(1, 'discard', { until: 'jobs' });
  j.add({ type: 'decision', iteration: 1, decision: 'discard', reason: 'r', payout: 0.01, corr: null, bmc: null, std: null, delta: -0.01, seeds: [], bestBefore: 0.02, seconds: 4 });
  j.add({ type: 'decision', iteration: 1, decision: 'discard', reason: 'r', payout: 0.01, corr: null, bmc: null, std: null, delta: -0.01, seeds: [], bestBefore: 0.02, seconds: 6 });
  const s = reduceState(j.events);
  assert.equal(s.counts.discarded, 1);
  assert.equal(s.consecutiveDiscards, 1);
  assert.equal(s.secondsPerIteration, 6);
});

test('separate LLM calls with identical content but different times are all counted', () => {
  const s = reduceState(new JournalBuilder().llm(1, 0.25).llm(1, 0.25, { input: 5, output: 1 }, 'repair').llm(1, 0.25).events);
  assert.equal(s.llmCalls, 3);
  assert.equal(s.costUsd, 0.75);
  assert.equal(s.tokens.input, 205);
});

test('a candidate replaced by a different ref drops the jobs of the first', () => {
  const j = new JournalBuilder().exp(1, 'discard', { until: 'jobs', ref: 'first' }).exp(1, 'discard', { until: 'candidate', ref: 'second' }).job(1, 0, 42);
  const s = reduceState(j.events);
  assert.equal(s.pending?.candidate.ref, 'second');
  assert.deepEqual([...s.pending!.jobs.keys()], ['0:42']);
});

const pendingCases: { name: string; decision: 'keep' | 'discard'; until: ExpOptions['until']; extra?: 'learnings'; pending: null | { jobs: string[]; decision: string | null; committed: boolean; learned: boolean } }[] = [
  { name: 'candidate only', decision: 'discard', until: 'candidate', pending: { jobs: [], decision: null, committed: false, learned: false } },
  { name: 'jobs finished, no decision', decision: 'discard', until: 'jobs', pending: { jobs: ['0:42', '1:42', '0:17', '1:17'], decision: null, committed: false, learned: false } },
  { name: 'discard decided, no learnings', decision: 'discard', until: 'decision', pending: { jobs: ['0:42', '1:42', '0:17', '1:17'], decision: 'discard', committed: false, learned: false } },
  { name: 'discard with learnings is complete', decision: 'discard', until: 'learnings', pending: null },
  { name: 'keep decided, not committed', decision: 'keep', until: 'decision', pending: { jobs: ['0:42', '1:42', '0:17', '1:17'], decision: 'keep', committed: false, learned: false } },
  { name: 'keep committed, no learnings', decision: 'keep', until: 'commit', pending: { jobs: ['0:42', '1:42', '0:17', '1:17'], decision: 'keep', committed: true, learned: false } },
  { name: 'keep with learnings but no commit', decision: 'keep', until: 'decision', extra: 'learnings', pending: { jobs: ['0:42', '1:42', '0:17', '1:17'], decision: 'keep', committed: false, learned: true } },
  { name: 'keep committed with learnings is complete', decision: 'keep', until: 'learnings', pending: null },
];
for (const c of pendingCases) {
  test(`pending: ${c.name}`, () => {
    const j = new JournalBuilder().session().baseline(0.02).exp(1, 'discard').exp(2, c.decision, { until: c.until, seeds: [42, 17], payout: 0.03 });
    if (c.extra) j.add({ type: 'learnings', iteration: 2, chars: 1, by: 'template' });
    const s = reduceState(j.events);
    assert.equal(s.iteration, 2);
    assert.equal(s.nextIteration, 3);
    assert.deepEqual(s.incomplete, []);
    if (c.pending === null) return assert.equal(s.pending, null);
    assert.equal(s.pending?.iteration, 2);
    assert.equal(s.pending.candidate.ref, 'c2');
    assert.deepEqual([...s.pending.jobs.keys()], c.pending.jobs);
    assert.equal(s.pending.decision?.decision ?? null, c.pending.decision);
    assert.equal(s.pending.committed, c.pending.committed);
    assert.equal(s.pending.learned, c.pending.learned);
  });
}

test('best is the baseline until a keep, then the last keep with its commit sha', () => {
  const j = new JournalBuilder().session().baseline(0.02, { ref: 'base', perEra: [0.01, 0.03] });
  assert.deepEqual(reduceState(j.events).best, { iteration: 0, payout: 0.02, ref: 'base', sha: 'base', perEra: [0.01, 0.03] });
  j.exp(1, 'keep', { payout: 0.024 }).exp(2, 'discard', { payout: 0.0239 });
  assert.deepEqual(reduceState(j.events).best, { iteration: 1, payout: 0.024, ref: 'c1', sha: 'sha1', perEra: undefined });
  j.exp(3, 'keep', { payout: 0.026, until: 'decision' });
  assert.deepEqual(reduceState(j.events).best, { iteration: 3, payout: 0.026, ref: 'c3', sha: null, perEra: undefined });
});

test('cost, tokens, sessions, timing and duplicates are summed over the journal', () => {
  const j = new JournalBuilder().session(1).baseline(0.02, { sigma: 0.004, margin: 0.0046, ref: 'b' })
    .llm(1, 0.1, { input: 1000, output: 200 }).exp(1, 'discard', { seconds: 30 })
    .session(2).llm(2, 0.2, { input: 3000, output: 100 }).llm(2, 0.05, { input: 10, output: 5 }, 'learn')
    .exp(2, 'discard', { duplicateOf: 1, seconds: 0 }).exp(3, 'error', { seconds: 60 });
  const s = reduceState(j.events);
  assert.equal(s.sessions, 2);
  assert.equal(s.lastSession, 2);
  assert.deepEqual(s.baseline, { payout: 0.02, sigma: 0.004, margin: 0.0046, ref: 'b' });
  assert.equal(s.llmCalls, 3);
  assert.equal(Math.round(s.costUsd * 1e9) / 1e9, 0.35);
  assert.deepEqual(s.tokens, { input: 4010, output: 305, cache_read: 0, cache_write: 0 });
  assert.deepEqual(s.counts, { kept: 0, discarded: 2, errors: 1, duplicates: 1 });
  assert.equal(s.secondsPerIteration, 30);
  assert.equal(s.firstEventTime, '2026-01-01T00:00:00.000Z');
  assert.equal(s.lastEventTime, j.events[j.events.length - 1].t);
});

test('baseline jobs (iteration 0) are kept apart for reuse', () => {
  const s = reduceState(new JournalBuilder().session().job(0, 0, 42).job(0, 1, 42).repeatLast().events);
  assert.deepEqual([...s.baselineJobs.keys()], ['0:42', '1:42']);
  assert.equal(s.iteration, 0);
  assert.equal(s.pending, null);
});

test('an earlier iteration left incomplete is reported, the latest is pending', () => {
  const j = new JournalBuilder().baseline(0.02).exp(1, 'keep', { until: 'decision' }).exp(2, 'discard', { until: 'jobs' });
  const s = reduceState(j.events);
  assert.deepEqual(s.incomplete, [1]);
  assert.equal(s.pending?.iteration, 2);
});
