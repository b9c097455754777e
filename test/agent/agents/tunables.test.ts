import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyTunables, categoryOf, neighbours, parseTunables } from '../../../agent/agents/tunables.ts';
import { SAMPLE_TRAIN } from './repo-fixture.ts';

test('parses every supported tunable form of the sample train file', () => {
  const ts = parseTunables(SAMPLE_TRAIN);
  assert.deepEqual(ts.map(({ name, kind, value, choices }) => ({ name, kind, value, ...(choices ? { choices } : {}) })), [
    { name: 'HIDDEN', kind: 'widths', value: [64, 32] },
    { name: 'ACTIVATION', kind: 'choice', value: 'gelu', choices: ['gelu', 'relu', 'tanh'] },
    { name: 'DROPOUT', kind: 'float', value: 0.2 },
    { name: 'BATCH_NORM', kind: 'boolean', value: false },
    { name: 'LEARNING_RATE', kind: 'float', value: 0.001 },
    { name: 'WEIGHT_DECAY', kind: 'float', value: 0.00012 },
    { name: 'BATCH_SIZE', kind: 'int', value: 1024 },
    { name: 'EPOCHS', kind: 'int', value: 20 },
    { name: 'LOSS', kind: 'choice', value: 'pearson', choices: ['mse', 'pearson'] },
    { name: 'FEATURE_FRACTION', kind: 'float', value: 1 },
  ]);
  for (const t of ts) assert.equal(SAMPLE_TRAIN.slice(t.start, t.end), t.text);
});

test('ignores indented, lower-case, computed and unannotated-string constants', () => {
  const src = "const lower = 1;\n  const INDENTED = 2;\nconst COMPUTED = Math.sqrt(2);\nconst NAME = 'x';\nexport const EXPORTED: number = 3; // kept\nconst FLOATS = [0.1, 0.2];\n";
  assert.deepEqual(parseTunables(src).map((t) => [t.name, t.value]), [['EXPORTED', 3]]);
});

test('rewrites only the value text, keeping every other byte', () => {
  const ts = parseTunables(SAMPLE_TRAIN);
  const out = applyTunables(SAMPLE_TRAIN, ts, { HIDDEN: [128, 64, 32], ACTIVATION: 'relu', BATCH_NORM: true, FEATURE_FRACTION: 1, WEIGHT_DECAY: 0.00006 });
  const want = SAMPLE_TRAIN
    .replace('const HIDDEN = [64, 32];', 'const HIDDEN = [128, 64, 32];')
    .replace("= 'gelu';", "= 'relu';")
    .replace('const BATCH_NORM: boolean = false;', 'const BATCH_NORM: boolean = true;')
    .replace('const WEIGHT_DECAY = 0.00012;', 'const WEIGHT_DECAY = 0.00006;');
  assert.equal(out, want);
});

test('neighbour steps follow the documented table', () => {
  const by = Object.fromEntries(parseTunables(SAMPLE_TRAIN).map((t) => [t.name, neighbours(t).map((s) => [s.value, s.label])]));
  assert.deepEqual(by.LEARNING_RATE, [[0.002, '×2'], [0.0005, '÷2'], [0.0015, '×1.5'], [0.000667, '÷1.5']]);
  assert.deepEqual(by.DROPOUT, [[0.25, '+0.05'], [0.15, '-0.05'], [0.3, '+0.1'], [0.1, '-0.1']]);
  assert.deepEqual(by.EPOCHS, [[25, '+5'], [15, '-5'], [30, '+10'], [10, '-10']]);
  assert.deepEqual(by.BATCH_SIZE, [[2048, '×2'], [512, '÷2']]);
  assert.deepEqual(by.FEATURE_FRACTION, [[0.5, '×0.5'], [0.75, '×0.75']]);
  assert.deepEqual(by.BATCH_NORM, [[true, 'flip']]);
  assert.deepEqual(by.LOSS, [['mse', 'swap']]);
  assert.deepEqual(by.HIDDEN, [
    [[128, 64], 'widths ×2'], [[32, 16], 'widths ÷2'], [[128, 32], 'layer 1 ×2'], [[32, 32], 'layer 1 ÷2'],
    [[64, 64], 'layer 2 ×2'], [[64, 16], 'layer 2 ÷2'], [[64, 32, 16], 'add a layer'], [[64], 'drop the last layer'],
  ]);
  const [high] = parseTunables('const DROPOUT = 0.85;\n');
  assert.deepEqual(neighbours(high).map((s) => s.value), [0.9, 0.8, 0.75]);
  const [one] = parseTunables('const ENSEMBLE_SEEDS = 1;\n');
  assert.deepEqual(neighbours(one).map((s) => s.value), [2, 3]);
});

test('category table', () => {
  const table: [string, string][] = [
    ['HIDDEN', 'architecture'], ['ACTIVATION', 'architecture'], ['BATCH_NORM', 'architecture'],
    ['DROPOUT', 'regularization'], ['WEIGHT_DECAY', 'regularization'], ['LEARNING_RATE', 'optimizer'],
    ['BATCH_SIZE', 'optimizer'], ['LR_END_FRACTION', 'optimizer'], ['EPOCHS', 'training-procedure'], ['LOSS', 'loss'],
    ['TARGETS', 'data/targets'], ['AUX_WEIGHT', 'data/targets'], ['FEATURE_FRACTION', 'features'],
    ['ENSEMBLE_SEEDS', 'ensembling'], ['PATIENCE', 'other'],
  ];
  for (const [name, cat] of table) assert.equal(categoryOf(name), cat, name);
});
