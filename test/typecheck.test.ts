// The whole project type-checks under `strict` — agent, harness, train, tests and benchmarks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('tsc --noEmit reports no errors', async () => {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const res = await execa(process.execPath, [tsc, '--noEmit', '-p', path.join(ROOT, 'tsconfig.json')], { cwd: ROOT, reject: false });
  assert.equal(res.exitCode, 0, `${res.stdout}\n${res.stderr}`);
});
