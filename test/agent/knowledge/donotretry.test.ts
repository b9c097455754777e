import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigSchema } from '../../../agent/config-schema.ts';
import {
  DNR_END, DNR_START, computeDoNotRetry, humanPart, renderDnrTable, updateProgramMd,
} from '../../../agent/knowledge/donotretry.ts';
import { UserError } from '../../../harness/errors.ts';
import { JournalBuilder } from './journal-builder.ts';

const knowledge = ConfigSchema.parse({}).knowledge;

/** n discards of one sub-category, deltas −0.001, −0.002, …, optionally followed by one keep. */
function tried(n: number, opts: { keep?: boolean; errors?: number } = {}): JournalBuilder {
  const j = new JournalBuilder().session().baseline(0.02);
  for (let i = 1; i <= n; i++) j.exp(i, 'discard', { category: 'regularization', subcategory: 'dropout', payout: 0.02 - i / 1000, delta: -i / 1000 });
  for (let e = 0; e < (opts.errors ?? 0); e++) j.exp(n + e + 1, 'error', { category: 'regularization', subcategory: 'dropout' });
  if (opts.keep) j.exp(n + (opts.errors ?? 0) + 1, 'keep', { category: 'regularization', subcategory: 'dropout', payout: 0.0215, delta: 0.0015 });
  return j;
}

const statusCases = [
  { name: 'one trial short of exhausted_after stays OPEN', n: 7, keep: false, status: 'OPEN', trials: 7 },
  { name: 'exhausted_after trials without a keep is EXHAUSTED', n: 8, keep: false, status: 'EXHAUSTED', trials: 8 },
  { name: 'a keep makes it PROMISING however many trials', n: 9, keep: true, status: 'PROMISING', trials: 10 },
];
for (const c of statusCases) {
  test(`status: ${c.name}`, () => {
    const rows = computeDoNotRetry(tried(c.n, { keep: c.keep }).events, knowledge);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, c.status);
    assert.equal(rows[0].trials, c.trials);
    assert.equal(rows[0].keeps, c.keep ? 1 : 0);
  });
}

test('errors count as trials and are named in the details', () => {
  const [row] = computeDoNotRetry(tried(6, { errors: 2 }).events, knowledge);
  assert.deepEqual(row, {
    category: 'regularization', subcategory: 'dropout', trials: 8, keeps: 0, errors: 2,
    bestDelta: -0.001, bestAt: 1, status: 'EXHAUSTED', details: 'best −0.00100 at exp 1; 2 errors',
  });
});

test('exhausted_after comes from the config', () => {
  const [row] = computeDoNotRetry(tried(3).events, { ...knowledge, exhausted_after: 3 });
  assert.equal(row.status, 'EXHAUSTED');
});

test('sub-categories merge across case and spacing; duplicates and undecided candidates are not trials', () => {
  const j = new JournalBuilder().baseline(0.02)
    .exp(1, 'discard', { category: 'loss', subcategory: 'Pearson Loss', delta: -0.0005 })
    .exp(2, 'discard', { category: 'loss', subcategory: ' pearson  loss', delta: 0.0001 })
    .exp(3, 'discard', { category: 'loss', subcategory: 'pearson loss', duplicateOf: 2, delta: 0.0001 })
    .exp(4, 'keep', { category: 'architecture', subcategory: 'width', delta: 0.0012 })
    .exp(5, 'discard', { category: 'architecture', subcategory: 'width', delta: -0.002 })
    .exp(6, 'discard', { category: 'optimizer', until: 'jobs' });
  const rows = computeDoNotRetry(j.events, knowledge);
  assert.equal(renderDnrTable(rows), [
    '| Category | Sub-category | Trials | Keeps | Best Δ | Status | Details |',
    '|---|---|---|---|---|---|---|',
    '| architecture | width | 2 | 1 | +0.00120 | PROMISING | kept exp 4 (+0.00120) |',
    '| loss | pearson loss | 2 | 0 | +0.00010 | OPEN | best +0.00010 at exp 2 |',
  ].join('\n'));
});

test('an empty journal renders the header only; pipes in sub-categories are escaped', () => {
  assert.equal(renderDnrTable([]), '| Category | Sub-category | Trials | Keeps | Best Δ | Status | Details |\n|---|---|---|---|---|---|---|');
  const j = new JournalBuilder().baseline(0.02).exp(1, 'error', { category: 'other', subcategory: 'a|b' });
  assert.equal(renderDnrTable(computeDoNotRetry(j.events, knowledge)).split('\n')[2],
    '| other | a\\|b | 1 | 0 | — | OPEN | 1 error |');
});

const HUMAN_BEFORE = '# Research brief\r\n\nKeep   odd   spacing.\n\n';
const HUMAN_AFTER = '\n\n## Notes after the table\nstill human\n';

test('updateProgramMd replaces only the text between the markers', () => {
  const text = `${HUMAN_BEFORE}${DNR_START}\nold generated text\n${DNR_END}${HUMAN_AFTER}`;
  const out = updateProgramMd(text, '| new | table |');
  assert.ok(out.startsWith(`${HUMAN_BEFORE}${DNR_START}\n`));
  assert.ok(out.endsWith(`\n${DNR_END}${HUMAN_AFTER}`));
  assert.ok(out.includes('\n| new | table |\n'));
  assert.ok(!out.includes('old generated text'));
  assert.equal(updateProgramMd(out, '| new | table |'), out);
  assert.equal(humanPart(out), `${HUMAN_BEFORE}${HUMAN_AFTER}`.trimEnd() + '\n');
});

test('updateProgramMd appends the section when the markers are missing, leaving the text as a prefix', () => {
  for (const human of ['# Brief\nno newline at end', '# Brief\n', '']) {
    const out = updateProgramMd(human, 'T');
    assert.ok(out.startsWith(human));
    assert.equal(out.slice(human.length).replace(/^\n+/, ''), `${DNR_START}\n## DO NOT RETRY\n\n` +
      'Generated from the journal after every iteration; edits between these markers are overwritten. ' +
      'EXHAUSTED: tried many times without a keep. PROMISING: produced a keep. Δ is the multi-seed payout minus the best at the time.\n\n' +
      `T\n${DNR_END}\n`);
    assert.equal(humanPart(out), `${human.trimEnd()}\n`);
  }
});

test('a lone marker is a user error and nothing is rewritten', () => {
  const cases = [
    { text: `# Brief\n${DNR_START}\nrest`, message: 'program.md has a broken DO NOT RETRY section: the start marker has no end marker after it' },
    { text: `# Brief\n${DNR_END}\n${DNR_START}\n`, message: 'program.md has a broken DO NOT RETRY section: the start marker has no end marker after it' },
    { text: `# Brief\n${DNR_END}\n`, message: 'program.md has a broken DO NOT RETRY section: the end marker has no start marker before it' },
  ];
  for (const c of cases) {
    assert.throws(() => updateProgramMd(c.text, 'T'), (e: unknown) => e instanceof UserError && e.what === c.message);
  }
});

test('humanPart of text without markers is the text with one final newline', () => {
  assert.equal(humanPart('# Brief\nbody'), '# Brief\nbody\n');
  assert.equal(humanPart('# Brief\nbody\n\n\n'), '# Brief\nbody\n');
});
