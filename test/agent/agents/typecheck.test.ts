import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { typecheckTrain } from '../../../agent/agents/typecheck.ts';
import { makeRepo, SAMPLE_TRAIN } from './repo-fixture.ts';

test('the clean sample passes and a type error is reported tsc-style with a repo-relative path', () => {
  const dir = makeRepo();
  const clean = typecheckTrain(dir);
  assert.deepEqual({ ok: clean.ok, diagnostics: clean.diagnostics, files: clean.files }, { ok: true, diagnostics: [], files: ['train/train.ts'] });
  process.stdout.write(`# typecheck: first ${clean.ms.toFixed(0)} ms`);

  fs.writeFileSync(path.join(dir, 'train', 'train.ts'), SAMPLE_TRAIN.replace('const DROPOUT = 0.2;', "const DROPOUT: number = '0.2';"));
  fs.writeFileSync(path.join(dir, 'train', 'helpers.ts'), 'export const half = (x: number): number => x / 2;\nexport const bad: string = half(1);\n');
  const broken = typecheckTrain(dir);
  process.stdout.write(`, warm ${broken.ms.toFixed(0)} ms\n`);
  assert.equal(broken.ok, false);
  assert.deepEqual(broken.files, ['train/helpers.ts', 'train/train.ts']);
  assert.deepEqual(broken.diagnostics, [
    "train/helpers.ts(2,14): error TS2322: Type 'number' is not assignable to type 'string'.",
    "train/train.ts(7,7): error TS2322: Type 'string' is not assignable to type 'number'.",
  ]);
});

test('an entry point whose export does not match TrainFn fails the contract check', () => {
  const dir = makeRepo('export default function train(rows: string): number { return rows.length; }\n');
  const r = typecheckTrain(dir);
  assert.equal(r.ok, false);
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0], /^train\/train\.ts: error TS2322: its export does not match TrainFn in harness\/contract\.ts: Type '\(rows: string\) => number' is not assignable to type 'TrainFn'\./);

  fs.writeFileSync(path.join(dir, 'train', 'train.ts'), 'export const unrelated = 1;\n');
  assert.deepEqual(typecheckTrain(dir).diagnostics, ['train/train.ts: error: it exports neither a default function nor a function named train; the harness calls one of them']);

  fs.rmSync(path.join(dir, 'train', 'train.ts'));
  assert.deepEqual(typecheckTrain(dir).diagnostics, ['train/train.ts: error: the file is missing; the harness loads it as the entry point']);
});

test('train/ may not import the harness beyond contract.ts or anything else outside train/', () => {
  const dir = makeRepo(SAMPLE_TRAIN.replace("import { featuresToFloat32 } from '../harness/contract.ts';",
    "import { featuresToFloat32 } from '../harness/contract.ts';\nimport { X } from '../harness/x.ts';\nexport const leak = X;\nexport const later = () => import('../program.md');"));
  fs.writeFileSync(path.join(dir, 'train', 'util.ts'), "export { featuresToFloat32 } from '../harness/contract.ts';\nexport * from './train.ts';\n");
  const r = typecheckTrain(dir);
  assert.deepEqual(r.diagnostics.filter((d) => d.includes('may import only')), [
    "train/train.ts(4,19): error: train/ may import only files under train/, harness/contract.ts and packages, not '../harness/x.ts'",
    "train/train.ts(6,35): error: train/ may import only files under train/, harness/contract.ts and packages, not '../program.md'",
  ]);
});
