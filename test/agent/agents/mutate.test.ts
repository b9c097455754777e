import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createAgent } from '../../../agent/agents/index.ts';
import { planMutation } from '../../../agent/agents/mutate.ts';
import type { DoNotRetryRow, NearMiss } from '../../../agent/agents/types.ts';
import type { EventOf, JournalEvent } from '../../../agent/events.ts';
import { makeRepo, proposeContext, SAMPLE_TRAIN, testConfig } from './repo-fixture.ts';

function candidate(iteration: number, settings: Record<string, unknown>): EventOf<'candidate'> {
  return {
    v: 1, t: '2025-01-01T00:00:00.000Z', type: 'candidate', iteration, ref: 'abc', refName: `refs/autoresearch/t/${iteration}`,
    parent: 'def', diff: '', hypothesis: '', category: 'other', subcategory: '', expected: '',
    tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0 }, cost_usd: 0, agent: 'mutate', settings, duplicateOf: null, outcome: 'edited',
  };
}

/** Lines that differ between two sources with the same line count. */
function changedLines(a: string, b: string): string[] {
  const [la, lb] = [a.split('\n'), b.split('\n')];
  assert.equal(la.length, lb.length);
  return lb.filter((l, i) => l !== la[i]);
}

test('30 iterations fed back as events never repeat an assignment and touch only tunable lines', async () => {
  const repo = makeRepo();
  const file = path.join(repo, 'train', 'train.ts');
  const config = testConfig();
  const agent = createAgent('mutate', config, {});
  const events: JournalEvent[] = [];
  const seen = new Set<string>();
  let best = SAMPLE_TRAIN;
  for (let i = 1; i <= 30; i++) {
    const p = await agent.propose(proposeContext(repo, config, { iteration: i, events }));
    assert.equal(p.outcome, 'edited', `iteration ${i}: ${p.error}`);
    assert.deepEqual(p.calls, []);
    const after = fs.readFileSync(file, 'utf8');
    const changed = changedLines(best, after);
    assert.ok(changed.length >= 1, `iteration ${i} changed nothing`);
    for (const line of changed) assert.match(line, /^const [A-Z_]+(: [^=]+)? = [^;]+;$/);
    assert.equal(p.subcategory.split('+').length, changed.length);
    const key = JSON.stringify(p.settings);
    assert.ok(!seen.has(key), `iteration ${i} repeated ${key}`);
    seen.add(key);
    events.push(candidate(i, p.settings!));
    if (i % 10 === 0) best = after; // a keep: the branch moves on
    else fs.writeFileSync(file, best); // a discard reverts train/
  }
  assert.equal(seen.size, 30);
});

test('the same (iteration, events) gives the same plan', () => {
  const input = { source: SAMPLE_TRAIN, iteration: 7, events: [candidate(1, { DROPOUT: 0.3 })], doNotRetry: [], nearMisses: [], combineFrom: 26 };
  assert.deepEqual(planMutation(input), planMutation({ ...input, events: [...input.events] }));
});

test('an EXHAUSTED row (tunable or whole category) is never proposed', () => {
  const doNotRetry: DoNotRetryRow[] = [
    { category: 'regularization', subcategory: 'DROPOUT', status: 'EXHAUSTED (8)' },
    { category: 'architecture', subcategory: '', status: 'EXHAUSTED' },
    { category: 'optimizer', subcategory: 'LEARNING_RATE', status: 'open' },
  ];
  const events: JournalEvent[] = [];
  const touched = new Set<string>();
  // 17 single steps remain: LEARNING_RATE 4, WEIGHT_DECAY 4, BATCH_SIZE 2, EPOCHS 4, LOSS 1, FEATURE_FRACTION 2
  for (let i = 1; i <= 17; i++) {
    const plan = planMutation({ source: SAMPLE_TRAIN, iteration: i, events, doNotRetry, nearMisses: [], combineFrom: 26 });
    assert.ok(!('error' in plan), `iteration ${i}`);
    for (const k of Object.keys(plan.changes)) touched.add(k);
    events.push(candidate(i, plan.settings));
  }
  assert.deepEqual([...touched].sort(), ['BATCH_SIZE', 'EPOCHS', 'FEATURE_FRACTION', 'LEARNING_RATE', 'LOSS', 'WEIGHT_DECAY']);
  const done = planMutation({ source: SAMPLE_TRAIN, iteration: 18, events, doNotRetry, nearMisses: [], combineFrom: 26 });
  assert.deepEqual(done, { error: 'every single-step neighbour of the current tunables has been tried or is EXHAUSTED (HIDDEN, ACTIVATION, DROPOUT, BATCH_NORM); 17 assignments tried so far — change train/ by hand or use an LLM agent' });
});

test('when every neighbour is tried or exhausted it says so and leaves the file alone', async () => {
  const repo = makeRepo('const DROPOUT = 0.2;\nconst BATCH_NORM: boolean = false;\nexport default () => [];\n');
  const file = path.join(repo, 'train', 'train.ts');
  const before = fs.readFileSync(file, 'utf8');
  const config = testConfig();
  const events = [candidate(1, { DROPOUT: 0.2, BATCH_NORM: true })];
  const doNotRetry = [{ category: 'regularization', subcategory: 'DROPOUT', status: 'EXHAUSTED (8)' }];
  const p = await createAgent('mutate', config, {}).propose(proposeContext(repo, config, { iteration: 2, events, doNotRetry }));
  assert.deepEqual(p, {
    outcome: 'no-edit', hypothesis: '', category: 'other', subcategory: '', expected: '', calls: [],
    error: 'every single-step neighbour of the current tunables has been tried or is EXHAUSTED (DROPOUT); 1 assignments tried so far — change train/ by hand or use an LLM agent',
  });
  assert.equal(fs.readFileSync(file, 'utf8'), before);
});

test('from the combine phase on, near-miss changes are merged onto the current assignment', () => {
  const base = Object.fromEntries([['HIDDEN', [64, 32]], ['ACTIVATION', 'gelu'], ['DROPOUT', 0.2], ['BATCH_NORM', false], ['LEARNING_RATE', 0.001],
    ['WEIGHT_DECAY', 0.00012], ['BATCH_SIZE', 1024], ['EPOCHS', 20], ['LOSS', 'pearson'], ['FEATURE_FRACTION', 1]]);
  const nearMisses: NearMiss[] = [
    { iteration: 12, settings: { ...base, DROPOUT: 0.3 }, diff: '', payout: 0.011 },
    { iteration: 17, settings: { ...base, LEARNING_RATE: 0.002 }, diff: '', payout: 0.010 },
  ];
  const events = nearMisses.map((n) => candidate(n.iteration, n.settings!));
  const plans = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) =>
    planMutation({ source: SAMPLE_TRAIN, iteration: from + k, events, doNotRetry: [], nearMisses, combineFrom: 26 }));
  assert.ok(plans(1, 25).every((p) => !('error' in p) && !p.hypothesis.startsWith('combine')));
  const combos = plans(26, 45).filter((p) => !('error' in p) && p.hypothesis.startsWith('combine'));
  assert.ok(combos.length > 0);
  assert.deepEqual(combos[0], {
    changes: { DROPOUT: 0.3, LEARNING_RATE: 0.002 },
    settings: { ...base, DROPOUT: 0.3, LEARNING_RATE: 0.002 },
    hypothesis: 'combine near-misses #12 + #17: DROPOUT 0.2 → 0.3, LEARNING_RATE 0.001 → 0.002',
    category: 'other', subcategory: 'DROPOUT+LEARNING_RATE',
    expected: 'the near-misses\' gains add up and together clear the keep margin',
  });
});

test('mutate learn returns the template when given one, else null', async () => {
  const config = testConfig();
  const ctx = { iteration: 4, prompt: 'p', config, secrets: {} };
  assert.equal(await createAgent('mutate', config, {}).learn(ctx), null);
  assert.deepEqual(await createAgent('mutate', config, {}, { learningsTemplate: (i) => `# Learnings after ${i}` }).learn(ctx), { text: '# Learnings after 4', calls: [] });
});
