// The standalone check: imports that leave the directory, name a missing file or an undeclared package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSpecifiers, packageOf, strayImports } from '../../../agent/promote/imports.ts';

test('importSpecifiers finds static, type, side-effect, re-export and literal dynamic imports', () => {
  const text = [
    "import fs from 'node:fs';", "import type { X } from '../harness/contract.ts';", "import './side.ts';",
    "export { y } from \"./y.ts\";", "const m = await import('@scope/pkg/sub');", "const v = await import(NAME);",
  ].join('\n');
  assert.deepEqual(importSpecifiers(text).sort(), ['../harness/contract.ts', './side.ts', './y.ts', '@scope/pkg/sub', 'node:fs']);
  assert.deepEqual([packageOf('@scope/pkg/sub'), packageOf('tsx/esm'), packageOf('execa')], ['@scope/pkg', 'tsx', 'execa']);
});

test('strayImports names each import that leaves the directory, is missing, or is undeclared', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-imports-'));
  try {
    fs.mkdirSync(path.join(root, 'train'));
    fs.mkdirSync(path.join(root, 'node_modules', 'x'), { recursive: true });
    fs.writeFileSync(path.join(root, 'node_modules', 'x', 'i.ts'), "import '../../../outside.ts';");
    fs.writeFileSync(path.join(root, 'ok.ts'), 'export const ok = 1;');
    fs.writeFileSync(path.join(root, 'train', 'train.ts'), [
      "import { ok } from '../ok.ts';", "import fs from 'node:fs';", "import path from 'path';", "import * as tf from '@tensorflow/tfjs';",
      "import { c } from '../../harness/contract.ts';", "import { m } from './missing.ts';", "import _ from 'lodash';",
    ].join('\n'));
    assert.deepEqual(strayImports(root, ['@tensorflow/tfjs']), [
      { file: 'train/train.ts', specifier: '../../harness/contract.ts', why: 'points outside the directory' },
      { file: 'train/train.ts', specifier: './missing.ts', why: 'names a file that does not exist' },
      { file: 'train/train.ts', specifier: 'lodash', why: 'names a package package.json does not declare' },
    ]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
