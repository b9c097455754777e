import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { TrainEditor } from '../../../agent/agents/editor.ts';

function repo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'editor-'));
  fs.mkdirSync(path.join(dir, 'train'));
  fs.mkdirSync(path.join(dir, 'harness'));
  fs.mkdirSync(path.join(dir, '.git'));
  fs.writeFileSync(path.join(dir, 'train', 'train.ts'), 'const A = 1;\nconst B = 2;\nconst A2 = 1;\n');
  fs.writeFileSync(path.join(dir, 'harness', 'x.ts'), 'export const X = 1;\n');
  fs.writeFileSync(path.join(dir, 'program.md'), '# brief\n');
  fs.writeFileSync(path.join(dir, '.git', 'config'), '[core]\n');
  return dir;
}

test('every path that leaves train/ is refused without reading or writing', () => {
  const dir = repo();
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'editor-outside-'));
  fs.symlinkSync(path.join(dir, 'harness', 'x.ts'), path.join(dir, 'train', 'link.ts'));
  fs.symlinkSync(outside, path.join(dir, 'train', 'linkdir'));
  fs.symlinkSync(path.join(outside, 'made-by-dangling.ts'), path.join(dir, 'train', 'dangling.ts'));
  fs.mkdirSync(path.join(dir, 'train', '.git'));
  const before = fs.readFileSync(path.join(dir, 'harness', 'x.ts'), 'utf8');
  const ed = new TrainEditor(dir);
  const paths = ['../harness/x.ts', 'harness/x.ts', 'train/../harness/x.ts', '/etc/passwd', path.join(dir, 'harness', 'x.ts'),
    'program.md', '.git/config', 'train/.git/config', 'train/link.ts', 'train/linkdir/new.ts', 'train/dangling.ts', '.', 'train.ts'];
  for (const p of paths) {
    for (const input of [
      { command: 'view', path: p },
      { command: 'create', path: p, file_text: 'pwned' },
      { command: 'str_replace', path: p, old_str: 'X', new_str: 'Y' },
      { command: 'insert', path: p, insert_line: 0, insert_text: 'pwned' },
    ]) {
      const out = ed.run(input);
      assert.equal(out.isError, true, `${input.command} ${p}`);
      assert.match(out.content, /^error: .* is outside train\/; only files under train\/ may be viewed or edited/, `${input.command} ${p}`);
    }
  }
  assert.equal(fs.readFileSync(path.join(dir, 'harness', 'x.ts'), 'utf8'), before);
  assert.deepEqual(fs.readdirSync(outside), []);
  assert.equal(fs.existsSync(path.join(dir, 'train.ts')), false);
  assert.equal(ed.edited, false);
});

test('paths inside train/ work relative to the repository or absolute', () => {
  const dir = repo();
  const ed = new TrainEditor(dir);
  assert.deepEqual(ed.run({ command: 'view', path: 'train/train.ts' }), { content: '     1\tconst A = 1;\n     2\tconst B = 2;\n     3\tconst A2 = 1;\n     4\t', isError: false });
  assert.deepEqual(ed.run({ command: 'view', path: path.join(dir, 'train', 'train.ts'), view_range: [2, 3] }), { content: '     2\tconst B = 2;\n     3\tconst A2 = 1;', isError: false });
  assert.deepEqual(ed.run({ command: 'view', path: 'train/train.ts', view_range: [3, 9] }), { content: 'error: view_range [3,9] is outside train/train.ts, which has 4 lines', isError: true });
  assert.equal(ed.run({ command: 'create', path: 'train/models/mlp.ts', file_text: 'export const W = 3;\n' }).isError, false);
  assert.deepEqual(ed.run({ command: 'view', path: 'train' }), { content: 'train/\n  models/\n    mlp.ts\n  train.ts', isError: false });
  assert.deepEqual(ed.changedFiles(), ['train/models/mlp.ts']);
});

test('str_replace needs exactly one match and says how many it found', () => {
  const dir = repo();
  const file = path.join(dir, 'train', 'train.ts');
  const ed = new TrainEditor(dir);
  assert.deepEqual(ed.run({ command: 'str_replace', path: 'train/train.ts', old_str: '= 1;', new_str: '= 5;' }),
    { content: 'error: old_str matches 2 times in train/train.ts; include more surrounding lines so it matches exactly once', isError: true });
  assert.deepEqual(ed.run({ command: 'str_replace', path: 'train/train.ts', old_str: 'const C', new_str: 'x' }),
    { content: 'error: no match for old_str in train/train.ts; view the file and copy the exact text, whitespace included', isError: true });
  assert.equal(ed.edited, false);
  const out = ed.run({ command: 'str_replace', path: 'train/train.ts', old_str: 'const B = 2;', new_str: 'const B = $&3;' });
  assert.equal(out.isError, false);
  assert.equal(fs.readFileSync(file, 'utf8'), 'const A = 1;\nconst B = $&3;\nconst A2 = 1;\n');
  assert.equal(ed.edited, true);
  ed.run({ command: 'str_replace', path: 'train/train.ts', old_str: 'const B = $&3;', new_str: 'const B = 2;' });
  assert.equal(ed.edited, false, 'an edit that is undone is no edit');
});

test('insert goes after insert_line (0 = top) and validates the line', () => {
  const dir = repo();
  const file = path.join(dir, 'train', 'train.ts');
  const ed = new TrainEditor(dir);
  assert.equal(ed.run({ command: 'insert', path: 'train/train.ts', insert_line: 0, insert_text: '// top\n' }).isError, false);
  assert.equal(ed.run({ command: 'insert', path: 'train/train.ts', insert_line: 4, insert_text: 'const Z = 0;' }).isError, false);
  assert.equal(fs.readFileSync(file, 'utf8'), '// top\nconst A = 1;\nconst B = 2;\nconst A2 = 1;\nconst Z = 0;\n');
  assert.deepEqual(ed.run({ command: 'insert', path: 'train/train.ts', insert_line: 9, insert_text: 'x' }),
    { content: 'error: insert_line must be an integer from 0 to 5 for train/train.ts, got 9', isError: true });
  assert.deepEqual(ed.run({ command: 'undo_edit', path: 'train/train.ts' }),
    { content: 'error: unknown command "undo_edit"; use view, create, str_replace or insert', isError: true });
});
