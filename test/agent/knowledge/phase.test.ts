import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PHASES } from '../../../agent/config-schema.ts';
import { phaseFor, plateauHint } from '../../../agent/knowledge/phase.ts';
import { UserError } from '../../../harness/errors.ts';

const phaseCases: [number, number, string][] = [
  [0, 0, 'explore'], [1, 0, 'explore'], [25, 0, 'explore'], [26, 1, 'combine'], [50, 1, 'combine'],
  [51, 2, 'rethink'], [75, 2, 'rethink'], [76, 3, 'exploit'], [267, 3, 'exploit'], [268, 4, 'robustness'],
  [300, 4, 'robustness'], [301, 5, 'tabular-architectures'], [351, 6, 'training-paradigms'],
  [400, 6, 'training-paradigms'], [401, 7, 'ensemble-diversity'], [5000, 7, 'ensemble-diversity'],
];
for (const [iteration, index, name] of phaseCases) {
  test(`iteration ${iteration} is in phase ${index} (${name}) of seed 002's eight`, () => {
    const p = phaseFor(iteration, DEFAULT_PHASES);
    assert.equal(p.index, index);
    assert.equal(p.name, name);
    assert.equal(p.strategy, DEFAULT_PHASES[index].strategy);
  });
}

test('phases listed out of order are matched by their start', () => {
  const phases = [{ name: 'late', from: 10, strategy: 'L' }, { name: 'early', from: 3, strategy: 'E' }];
  assert.deepEqual(phaseFor(1, phases), { index: 1, name: 'early', strategy: 'E' });
  assert.deepEqual(phaseFor(9, phases), { index: 1, name: 'early', strategy: 'E' });
  assert.deepEqual(phaseFor(10, phases), { index: 0, name: 'late', strategy: 'L' });
});

test('no phases is a user error', () => {
  assert.throws(() => phaseFor(1, []), (e: unknown) => e instanceof UserError && e.what === 'expected at least one entry in phases, got none');
});

const plateauCases: [number, number, string | null][] = [
  [0, 15, null],
  [14, 15, null],
  [15, 15, 'IMPORTANT: 15 consecutive experiments have been discarded. Consider switching to a fundamentally different approach or combining near-misses.'],
  [22, 15, 'IMPORTANT: 22 consecutive experiments have been discarded. Consider switching to a fundamentally different approach or combining near-misses.'],
  [1, 1, 'IMPORTANT: 1 consecutive experiments have been discarded. Consider switching to a fundamentally different approach or combining near-misses.'],
];
for (const [count, threshold, hint] of plateauCases) {
  test(`plateau hint at ${count} consecutive discards with threshold ${threshold}`, () => {
    assert.equal(plateauHint(count, threshold), hint);
  });
}
