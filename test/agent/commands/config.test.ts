import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { renderConfig } from '../../../agent/commands/config.ts';
import { ConfigSchema } from '../../../agent/config-schema.ts';
import { leaves, resolveWithSources } from '../../../agent/results/config-sources.ts';
import { cli } from '../results/run-dir.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-config-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'autoresearch.yaml'), 'eval:\n  seeds: [5, 6]\n  workers: 2\nagent:\n  model: from-file\n');

test('every leaf is attributed to the highest layer that set it', () => {
  const r = resolveWithSources({ cwd: dir, env: { AUTORESEARCH_MODEL: 'from-env' }, overrides: { budget: { max_iterations: 3 } } });
  assert.equal(r.config.agent.model, 'from-env');
  assert.deepEqual(r.config.eval.seeds, [5, 6]);
  assert.deepEqual(
    ['eval.seeds', 'eval.workers', 'agent.model', 'budget.max_iterations', 'cv.folds', 'eval.fnc', 'prices.claude-haiku-4-5.input'].map((k) => r.sources[k]),
    ['file', 'file', 'env', 'flag', 'default', 'default', 'default'],
  );
  // one source per leaf of the resolved config, and nothing else
  assert.deepEqual(Object.keys(r.sources), leaves(r.config).map(([k]) => k));
  assert.equal(Object.keys(r.sources).length, 64);
});

test('the YAML output is the resolved config, every value followed by its source', async () => {
  const text = await renderConfig(dir, undefined, { AUTORESEARCH_MODEL: 'from-env' }, false);
  assert.deepEqual(YAML.parse(text), ConfigSchema.parse({ eval: { seeds: [5, 6], workers: 2 }, agent: { model: 'from-env' } }));
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    '# autoresearch: resolved configuration (defaults < autoresearch.yaml < environment < flags)',
    '# file: autoresearch.yaml',
    '# each value is followed by its source: default, file, env or flag',
  ]);
  for (const want of ['  seeds: [ 5, 6 ] # file', '  workers: 2 # file', '  fnc: auto # default', '  model: from-env # env', '  folds: 4 # default']) {
    assert.ok(lines.includes(want), `has the line "${want}"`);
  }
});

test('`config --json` prints {file, config, sources}; `config --print` the YAML', () => {
  const r = cli(dir, ['config', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['file', 'config', 'sources']);
  assert.equal(out.file, 'autoresearch.yaml');
  assert.deepEqual(out.config.eval.seeds, [5, 6]);
  assert.equal(out.sources['eval.workers'], 'file');
  const y = cli(dir, ['config', '--print']);
  assert.equal(y.code, 0, y.stderr);
  assert.equal(YAML.parse(y.stdout).eval.workers, 2);
});

test('a bad config file or a missing --config file exits 2 with the config error', () => {
  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, 'eval:\n  seedz: [1]\n');
  const r = cli(dir, ['config', '--config', 'bad.yaml']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: unknown config key "eval\.seedz" in .*bad\.yaml\n {2}why: .*\n {2}fix: did you mean "eval\.seeds"\?/);
  const missing = cli(dir, ['config', '--config', 'nope.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error: config file not found: .*nope\.yaml\n/);
});
