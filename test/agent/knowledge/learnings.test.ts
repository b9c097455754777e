import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from '../../../agent/config-schema.ts';
import { learningsPrompt, templateLearnings, validateLearnings } from '../../../agent/knowledge/learnings.ts';
import { JournalBuilder } from './journal-builder.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const knowledge = ConfigSchema.parse({}).knowledge;

function mixed(): JournalBuilder {
  return new JournalBuilder().session().baseline(0.02)
    .exp(1, 'discard', { category: 'regularization', subcategory: 'dropout', delta: -0.001 })
    .exp(2, 'discard', { category: 'regularization', subcategory: 'Dropout', delta: -0.002 })
    .exp(3, 'discard', { category: 'regularization', subcategory: 'dropout', delta: -0.0005 })
    .exp(4, 'keep', { category: 'architecture', subcategory: 'width', payout: 0.0232, delta: 0.0032, hypothesis: 'wider [128,64]' })
    .exp(5, 'discard', { category: 'architecture', subcategory: 'activation', delta: 0.0001, hypothesis: 'swish' })
    .exp(6, 'error', { category: 'loss', subcategory: 'huber', hypothesis: 'huber loss' })
    .exp(7, 'discard', { category: 'loss', subcategory: 'mse', delta: -0.003, hypothesis: 'mse loss' });
}

test('the committed learnings.md is the template of an empty journal', () => {
  assert.equal(fs.readFileSync(path.join(repoRoot, 'learnings.md'), 'utf8'), templateLearnings([], knowledge));
});

test('the template sorts sub-categories into what worked, confidently bad and ambiguous', () => {
  assert.equal(templateLearnings(mixed().events, knowledge), `# Learnings

Experiments decided: 7 — 1 kept, 5 discarded, 1 error.
Current best: payout 0.02320 at exp 4 (baseline 0.02000, +0.00320).

## architecture
2 trials: 1 kept, 1 discarded, 0 errors

### What worked
- exp 4 · width: +0.00320 (payout 0.02320) — wider [128,64]

### Ambiguous
- activation: 1 trial, best +0.00010 at exp 5 — matched or beat the best, but not by the margin (within noise); last: swish

## loss
2 trials: 0 kept, 1 discarded, 1 error

### Ambiguous
- huber: 1 trial (1 error) — every trial failed: the implementation broke, not necessarily the idea; last: huber loss
- mse: 1 trial, best −0.00300 at exp 7 — too few scored trials to call (1 of 3); last: mse loss

## regularization
3 trials: 0 kept, 3 discarded, 0 errors

### Confidently bad
- dropout: 3 trials, never kept, always worse (best −0.00050 at exp 3)
`);
});

const confidentCases = [
  { name: 'confident_after − 1 worse trials stay ambiguous', confidentAfter: 4, section: '### Ambiguous' },
  { name: 'confident_after worse trials are confidently bad', confidentAfter: 3, section: '### Confidently bad' },
];
for (const c of confidentCases) {
  test(`confidence: ${c.name}`, () => {
    const text = templateLearnings(mixed().events, { ...knowledge, confident_after: c.confidentAfter });
    const dropout = text.split('\n').findIndex((l) => l.startsWith('- dropout'));
    const heading = text.split('\n').slice(0, dropout).reverse().find((l) => l.startsWith('### '));
    assert.equal(heading, c.section);
  });
}

test('a trial that matched the best keeps its sub-category out of confidently bad', () => {
  const j = mixed().exp(8, 'discard', { category: 'regularization', subcategory: 'dropout', delta: 0 });
  const text = templateLearnings(j.events, knowledge);
  assert.ok(text.includes('- dropout: 4 trials, best ±0.00000 at exp 8 — matched or beat the best, but not by the margin (within noise); last: hypothesis 8\n'));
  assert.ok(!text.includes('### Confidently bad'));
});

test('bounding drops the oldest ambiguous points first and never cuts a line', () => {
  const full = templateLearnings(mixed().events, knowledge).split('\n');
  for (const max of [700, 600, 400, 200, 60, 12]) {
    const text = templateLearnings(mixed().events, { ...knowledge, learnings_max_chars: max });
    assert.ok(text.length <= max, `${text.length} > ${max}`);
    for (const line of text.split('\n')) {
      assert.ok(full.includes(line) || line.startsWith('('), `line not in the unbounded text: ${line}`);
    }
  }
  const at = (max: number) => templateLearnings(mixed().events, { ...knowledge, learnings_max_chars: max });
  const has = (text: string) => ['- activation', '- huber', '- mse', '- dropout', '- exp 4 · width'].filter((b) => text.includes(b));
  assert.ok(at(700).includes('\n(2 older or less informative entries trimmed to stay within 700 characters.)\n'));
  assert.deepEqual(has(at(700)), ['- mse', '- dropout', '- exp 4 · width']);
  assert.deepEqual(has(at(600)), ['- dropout', '- exp 4 · width']);
  assert.deepEqual(has(at(400)), []);
  assert.deepEqual(at(400).split('\n').filter((l) => l.startsWith('## ')), ['## architecture', '## loss', '## regularization']);
});

test('the learnings prompt names the experiment, the exact facts and the structure to keep', () => {
  const text = learningsPrompt(mixed().events, '# Learnings\n\nold text\n', 7, knowledge);
  assert.ok(text.includes('Experiment 7: discard — discard\nCategory: loss / mse\nHypothesis: mse loss\n'));
  assert.ok(text.includes('Payout: 0.02000 (Δ −0.00300 vs the best before it), CORR 0.02000, BMC 0.01000, seeds 1'));
  assert.ok(text.includes('```diff\n--- a/train/train.ts\n+++ b/train/train.ts\n-const X = 6;\n+const X = 7;\n```'));
  assert.ok(text.includes(`~~~markdown\n${templateLearnings(mixed().events, knowledge).trimEnd()}\n~~~`));
  assert.ok(text.includes('## The current learnings.md\n# Learnings\n\nold text\n'));
  assert.ok(text.includes('SYNTHESISE'));
  assert.ok(text.includes('Stay under 12000 characters'));
  assert.ok(learningsPrompt([], '', 3, knowledge).includes('Experiment 3: not found in the journal.'));
});

const validCases: { name: string; input: string; max: number; out: string | null }[] = [
  { name: 'plain markdown passes with a final newline', input: '# Learnings\n\nDropout is bad.  ', max: 1000, out: '# Learnings\n\nDropout is bad.\n' },
  { name: 'a markdown code fence around the reply is removed', input: '```markdown\n# Learnings\n\nDropout is bad here.\n```\n', max: 1000, out: '# Learnings\n\nDropout is bad here.\n' },
  { name: 'CRLF becomes LF', input: '# Learnings\r\n\r\nDropout is bad here.\r\n', max: 1000, out: '# Learnings\n\nDropout is bad here.\n' },
  { name: 'too long is clipped at a line boundary', input: '# Learnings\n\nfirst line here\nsecond line here', max: 30, out: '# Learnings\n\nfirst line here\n' },
  { name: 'empty is rejected', input: '   \n\n', max: 1000, out: null },
  { name: 'text without a heading is rejected', input: 'Sure! Here are the updated learnings for you.', max: 1000, out: null },
  { name: 'control characters are rejected', input: '# Learnings\n\nbinary \u0001 junk in the reply', max: 1000, out: null },
];
for (const c of validCases) {
  test(`validateLearnings: ${c.name}`, () => {
    assert.equal(validateLearnings(c.input, c.max), c.out);
  });
}
