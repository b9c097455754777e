import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from '../../agent/config-schema.ts';
import { DNR_START, humanPart, renderDnrTable, updateProgramMd } from '../../agent/knowledge/donotretry.ts';
import { DNR_MAX_ROWS, NEAR_MISS_DIFF_MAX_CHARS, buildPrompt, recentResults, type PromptInput } from '../../agent/prompt.ts';
import { JournalBuilder } from './knowledge/journal-builder.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = ConfigSchema.parse({});
const programMd = fs.readFileSync(path.join(repoRoot, 'program.md'), 'utf8');
const trainFiles = [
  { path: 'train/util.ts', content: 'export const U = 1;\n' },
  { path: 'train/train.ts', content: 'const HIDDEN = [64, 32];\n' },
];

function input(j: JournalBuilder, extra: Partial<PromptInput> = {}): PromptInput {
  return { programMd, learningsMd: '# Learnings\n\nsome text\n', events: j.events, config, trainFiles, ...extra };
}

function journal(): JournalBuilder {
  return new JournalBuilder().session().baseline(0.02)
    .exp(1, 'keep', { payout: 0.023, delta: 0.003, category: 'architecture', subcategory: 'width', hypothesis: 'Widen to [128, 64]' })
    .exp(2, 'discard', { payout: 0.0228, delta: -0.0002, category: 'loss', subcategory: 'huber', hypothesis: 'Huber | robust loss', diff: '-a\n+b' })
    .exp(3, 'error', { category: 'optimizer', reason: 'job crashed: out of memory' })
    .exp(4, 'discard', { payout: 0.0229, duplicateOf: 2, category: 'loss', subcategory: 'huber' });
}

test('the committed program.md carries an up-to-date empty DO NOT RETRY section', () => {
  assert.equal(updateProgramMd(programMd, renderDnrTable([])), programMd);
  assert.ok(humanPart(programMd).startsWith('# Research brief\n'));
  assert.ok(!humanPart(programMd).includes(DNR_START));
});

test('the cached parts do not change from one iteration to the next', () => {
  const j = journal();
  const before = buildPrompt(input(j));
  j.exp(5, 'discard', { category: 'features', delta: -0.01 }).exp(6, 'keep', { payout: 0.03, delta: 0.007 });
  const later = buildPrompt(input(j, { programMd: updateProgramMd(programMd, '| other | table |') }));
  assert.equal(later.fixed, before.fixed);
  assert.equal(later.learnings, before.learnings);
  assert.notEqual(later.dynamic, before.dynamic);
});

test('the fixed part is the human brief followed by the harness contract', () => {
  const { fixed, learnings } = buildPrompt(input(journal()));
  assert.ok(fixed.startsWith(humanPart(programMd).trimEnd() + '\n\n# Harness contract (fixed; the harness enforces it)\n'));
  assert.ok(!fixed.includes(DNR_START) && !fixed.includes('## DO NOT RETRY'));
  assert.ok(fixed.includes('Only files under train/.'));
  assert.ok(fixed.includes('Budget: 600 s per job'));
  assert.ok(fixed.includes('payout proxy = 0.75·CORR + 2.25·BMC'));
  assert.ok(fixed.includes('over seeds [42, 17, 73, 11, 29]'));
  assert.ok(fixed.includes('architecture, loss, optimizer, regularization, data/targets, features, ensembling, training-procedure, other'));
  assert.ok(fixed.includes('call finish_experiment with: hypothesis'));
  assert.equal(learnings, '# learnings.md (what earlier experiments taught)\n\n# Learnings\n\nsome text\n');
});

test('the dynamic part has phase, best, table, near-misses, recent results and every train/ file', () => {
  const { dynamic } = buildPrompt(input(journal()));
  assert.ok(dynamic.startsWith('# Iteration 5 — phase 1 of 8: explore\n\nStrategy for this phase: Make single, focused changes and explore broadly across categories.\n\n## Current best\n'));
  assert.ok(dynamic.includes('Payout 0.02300 from exp 1 (CORR 0.02300, BMC 0.01150; +0.00300 over the baseline 0.02000). It changed: Widen to [128, 64]\n'));
  assert.ok(dynamic.includes('| architecture | width | 1 | 1 | +0.00300 | PROMISING | kept exp 1 (+0.00300) |'));
  assert.ok(dynamic.includes('### exp 2 — payout 0.02280 (Δ −0.00020, 1 seed), loss / huber\nHypothesis: Huber | robust loss\n```diff\n-a\n+b\n```'));
  assert.ok(!dynamic.includes('### exp 4'));
  assert.ok(dynamic.includes([
    '## Recent results (last 10)',
    '| Exp | Status | Payout | Δ | Category | Hypothesis |',
    '|---|---|---|---|---|---|',
    '| 1 | keep | 0.02300 | +0.00300 | architecture / width | Widen to [128, 64] |',
    '| 2 | discard | 0.02280 | −0.00020 | loss / huber | Huber \\| robust loss |',
    '| 3 | error | — | — | optimizer | hypothesis 3 [job crashed: out of memory] |',
    '| 4 | discard | 0.02290 | +0.00290 | loss / huber | hypothesis 4 [duplicate of exp 2] |',
  ].join('\n')));
  assert.ok(dynamic.includes('### train/train.ts\n```ts\nconst HIDDEN = [64, 32];\n```\n\n### train/util.ts\n```ts\nexport const U = 1;\n```'));
  assert.ok(dynamic.endsWith('Propose experiment 5: edit train/, then call finish_experiment.\n'));
  assert.ok(!dynamic.includes('IMPORTANT:'));
});

test('the plateau hint appears once the consecutive discards reach the threshold', () => {
  const j = new JournalBuilder().baseline(0.02);
  for (let i = 1; i <= 3; i++) j.exp(i, 'discard', { delta: -0.001 });
  const cfg = { ...config, plateau: { threshold: 4 } };
  assert.ok(!buildPrompt(input(j, { config: cfg })).dynamic.includes('IMPORTANT:'));
  j.exp(4, 'error');
  assert.ok(buildPrompt(input(j, { config: cfg })).dynamic.includes(
    'Strategy for this phase: Make single, focused changes and explore broadly across categories.\n\n' +
    'IMPORTANT: 4 consecutive experiments have been discarded. Consider switching to a fundamentally different approach or combining near-misses.\n'));
});

test('the phase follows the iteration being proposed', () => {
  const { dynamic } = buildPrompt(input(journal(), { iteration: 26 }));
  assert.ok(dynamic.startsWith('# Iteration 26 — phase 2 of 8: combine\n\nStrategy for this phase: Combine 2-3 changes; mix the near-misses with each other.\n'));
});

test('near-miss diffs are cut to whole lines', () => {
  const line = `+${'x'.repeat(99)}`;
  const diff = Array.from({ length: 100 }, () => line).join('\n');
  const j = new JournalBuilder().baseline(0.02).exp(1, 'discard', { diff });
  const { dynamic } = buildPrompt(input(j));
  const kept = Math.floor((NEAR_MISS_DIFF_MAX_CHARS + 1) / 101);
  assert.ok(dynamic.includes(`\`\`\`diff\n${Array.from({ length: kept }, () => line).join('\n')}\n… (${100 - kept} more lines)\n\`\`\``));
});

test('an empty journal gives a prompt with placeholders', () => {
  const { dynamic } = buildPrompt(input(new JournalBuilder()));
  assert.ok(dynamic.includes('## Current best\nNo baseline measured yet.\n\n## DO NOT RETRY\nNo experiments yet.\n\n## Near-misses (discarded candidates closest to the best)\nNone yet.\n\n## Recent results (last 10)\nNone yet.\n'));
  assert.ok(dynamic.startsWith('# Iteration 1 — phase 1 of 8: explore'));
});

test('recentResults returns the last n decided experiments, oldest first', () => {
  const j = journal().exp(5, 'discard', { until: 'jobs' });
  assert.deepEqual(recentResults(j.events, 2).map((r) => [r.iteration, r.status, r.note]), [[3, 'error', 'job crashed: out of memory'], [4, 'discard', 'duplicate of exp 2']]);
  assert.deepEqual(recentResults(j.events, 0), []);
  assert.equal(recentResults(j.events, 50).length, 4);
});

test('the DO NOT RETRY table in the prompt is capped, keeping exhausted rows first', () => {
  const j = new JournalBuilder().baseline(0.02);
  let i = 0;
  for (let k = 0; k < DNR_MAX_ROWS + 2; k++) j.exp(++i, 'discard', { category: 'features', subcategory: `idea ${String(k).padStart(2, '0')}`, delta: -0.001 });
  for (let k = 0; k < 8; k++) j.exp(++i, 'discard', { category: 'regularization', subcategory: 'dropout', delta: -0.001 });
  const { dynamic } = buildPrompt(input(j));
  const table = dynamic.slice(dynamic.indexOf('## DO NOT RETRY'), dynamic.indexOf('## Near-misses'));
  assert.equal(table.split('\n').filter((l) => /^\| (features|regularization) /.test(l)).length, DNR_MAX_ROWS);
  assert.ok(table.includes('| regularization | dropout | 8 | 0 | −0.00100 | EXHAUSTED | best −0.00100 at exp 63 |'));
  assert.ok(table.includes('| features | idea 58 |') && !table.includes('| features | idea 59 |'));
  assert.ok(table.endsWith('\n(3 more OPEN sub-categories with fewer trials not shown.)\n\n'));
});
