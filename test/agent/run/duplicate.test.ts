import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findDuplicate, normalisedSourceHash, normaliseTs } from '../../../agent/run/duplicate.ts';
import type { JournalEvent } from '../../../agent/events.ts';

test('normalisation ignores comments and formatting but not code', () => {
  const a = "const LR = 0.001; // learning rate\nconst ACT: 'gelu' | 'relu' = 'gelu';";
  const b = "/* tunables */\nconst LR=0.001;\n\n\nconst ACT:'gelu'|'relu'='gelu';";
  const c = "const LR = 0.002;\nconst ACT: 'gelu' | 'relu' = 'gelu';";
  assert.equal(normaliseTs(a), normaliseTs(b));
  assert.notEqual(normaliseTs(a), normaliseTs(c));
  assert.equal(normaliseTs(a), "const LR = 0.001 ; const ACT : 'gelu' | 'relu' = 'gelu' ;");
});

test('source hash covers every file under train/ and its path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-dup-'));
  try {
    fs.writeFileSync(path.join(dir, 'train.ts'), 'const A = 1;\n');
    const h1 = normalisedSourceHash(dir);
    fs.writeFileSync(path.join(dir, 'train.ts'), '// note\nconst A = 1;   \n');
    assert.equal(normalisedSourceHash(dir), h1);
    fs.writeFileSync(path.join(dir, 'helper.ts'), 'export const B = 2;\n');
    assert.notEqual(normalisedSourceHash(dir), h1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('findDuplicate returns the earliest edited candidate or 0 for the baseline', () => {
  const ev = (e: object) => e as JournalEvent;
  const events = [
    ev({ type: 'baseline', sourceHash: 'base' }),
    ev({ type: 'candidate', iteration: 1, sourceHash: 'x', outcome: 'edited' }),
    ev({ type: 'candidate', iteration: 2, sourceHash: 'y', outcome: 'failed' }),
    ev({ type: 'candidate', iteration: 3, sourceHash: 'x', outcome: 'edited' }),
  ];
  assert.equal(findDuplicate(events, 'base'), 0);
  assert.equal(findDuplicate(events, 'x'), 1);
  assert.equal(findDuplicate(events, 'y'), null, 'a failed proposal is not a result to reuse');
  assert.equal(findDuplicate(events, 'z'), null);
});
