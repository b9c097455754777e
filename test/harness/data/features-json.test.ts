import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseFeaturesJson, readFeaturesJson, resolveFeatureSet } from '../../../harness/data/features-json.ts';
import { UserError } from '../../../harness/errors.ts';
import { ALL_TARGETS, FIXTURE, tmpDir } from './fixture.ts';

test('reads the feature sets and targets of the fixture', () => {
  const fj = readFeaturesJson(FIXTURE);
  assert.deepEqual(Object.keys(fj.featureSets), ['small', 'medium', 'all', 'serenity', 'wisdom', 'agility', 'strength']);
  assert.deepEqual(fj.targets, ALL_TARGETS);
  assert.deepEqual(resolveFeatureSet(fj, 'small').slice(0, 2), ['feature_serene_000', 'feature_wise_001']);
  assert.equal(resolveFeatureSet(fj, 'wisdom').length, 15);
});

test('unknown, empty and inherited names are UserErrors listing the sets', () => {
  const fj = parseFeaturesJson({ feature_sets: { small: ['feature_a'], none: [] }, targets: ['target'] }, 'features.json');
  for (const name of ['huge', 'constructor']) {
    assert.throws(() => resolveFeatureSet(fj, name), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.what, `unknown feature set "${name}"`);
      assert.equal(e.why, 'features.json defines: small (1), none (0)');
      return true;
    });
  }
  assert.throws(() => resolveFeatureSet(fj, 'none'), (e: unknown) => e instanceof UserError && e.what === 'feature set "none" is empty');
});

test('a missing, unparsable or malformed features.json is a UserError', () => {
  const dir = tmpDir('features-json');
  assert.throws(() => readFeaturesJson(dir), (e: unknown) => e instanceof UserError && e.what === `features.json not found: ${path.join(dir, 'features.json')}`);
  fs.writeFileSync(path.join(dir, 'features.json'), '{"feature_sets": ');
  assert.throws(() => readFeaturesJson(dir), (e: unknown) => e instanceof UserError && e.what === `cannot parse ${path.join(dir, 'features.json')}`);
  fs.writeFileSync(path.join(dir, 'features.json'), '{"feature_sets": {"small": [1, 2]}}');
  assert.throws(() => readFeaturesJson(dir), (e: unknown) => e instanceof UserError && e.why === 'feature set "small" is not a list of column names');
});
