import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareEras, dataInfo } from '../../../harness/data/info.ts';
import { UserError } from '../../../harness/errors.ts';
import { ALL_BENCHMARKS, ALL_TARGETS, FIXTURE } from './fixture.ts';

test('dataInfo describes the fixture from cheap queries', async () => {
  const info = await dataInfo(FIXTURE);
  assert.deepEqual(info, {
    dir: FIXTURE,
    splits: {
      train: { rows: 9874, eras: 80, first_era: '0001', last_era: '0080' },
      validation: { rows: 2417, eras: 20, first_era: '0081', last_era: '0100' },
      live: { rows: 115, eras: 1, first_era: 'X', last_era: 'X' },
    },
    features: 60,
    feature_sets: { small: 12, medium: 36, all: 60, serenity: 15, wisdom: 15, agility: 15, strength: 15 },
    targets: ALL_TARGETS,
    benchmark_columns: ALL_BENCHMARKS,
  });
});

test('eras sort numerically, numbers before other labels', () => {
  assert.deepEqual(['X', '10', '0002', '1', 'era3'].sort(compareEras), ['1', '0002', '10', 'X', 'era3']);
});

test('dataInfo of a missing directory is a UserError', async () => {
  await assert.rejects(dataInfo('/nonexistent/data'), (e: unknown) => e instanceof UserError && e.what === 'data directory not found: /nonexistent/data');
});
