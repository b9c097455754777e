import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { checkHarness, hashHarness, harnessChanges, HarnessChangedError, sealHarness } from '../../harness/integrity.ts';
import { UserError } from '../../harness/errors.ts';

const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** A repository with harness/gate.ts, harness/metrics/numerai.ts and a train/ outside the seal. */
function repo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-integrity-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'harness', 'metrics'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'train'));
  fs.writeFileSync(path.join(dir, 'harness', 'gate.ts'), 'export const margin = 1;\n');
  fs.writeFileSync(path.join(dir, 'harness', 'metrics', 'numerai.ts'), 'export const corr = 2;\n');
  fs.writeFileSync(path.join(dir, 'train', 'train.ts'), 'export default 1;\n');
  return dir;
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

describe('hashHarness', () => {
  it('hashes the sorted relative paths and the bytes of every file under harness/', () => {
    const d = hashHarness(repo());
    const gate = sha('export const margin = 1;\n');
    const numerai = sha('export const corr = 2;\n');
    assert.deepEqual([...d.files], [['harness/gate.ts', gate], ['harness/metrics/numerai.ts', numerai]]);
    assert.equal(d.digest, sha(`harness/gate.ts\0${gate}\0harness/metrics/numerai.ts\0${numerai}\0`));
  });

  it('is the same for the same bytes anywhere, and ignores everything outside harness/', () => {
    const a = repo();
    const b = repo();
    fs.writeFileSync(path.join(b, 'train', 'train.ts'), 'export default 2;\n');
    assert.equal(hashHarness(a).digest, hashHarness(b).digest);
  });

  it('hashes a symlink by its target, not by what it points at', () => {
    const a = repo();
    fs.symlinkSync('gate.ts', path.join(a, 'harness', 'link.ts'));
    assert.equal(hashHarness(a).files.get('harness/link.ts'), sha('symlink:gate.ts'));
  });
});

describe('harnessChanges', () => {
  it('names every modified, added and removed file, sorted by path', () => {
    const dir = repo();
    const before = hashHarness(dir);
    fs.appendFileSync(path.join(dir, 'harness', 'metrics', 'numerai.ts'), '// patched\n');
    fs.rmSync(path.join(dir, 'harness', 'gate.ts'));
    fs.writeFileSync(path.join(dir, 'harness', 'evil.ts'), 'x');
    assert.deepEqual(harnessChanges(before, hashHarness(dir)), ['added harness/evil.ts', 'removed harness/gate.ts', 'modified harness/metrics/numerai.ts']);
  });

  it('is empty when nothing changed, including a rewrite with the same bytes', () => {
    const dir = repo();
    const before = hashHarness(dir);
    fs.writeFileSync(path.join(dir, 'harness', 'gate.ts'), 'export const margin = 1;\n');
    assert.deepEqual(harnessChanges(before, hashHarness(dir)), []);
  });
});

describe('checkHarness', () => {
  it('passes while harness/ matches its seal and stops with a user error naming the change', () => {
    const dir = repo();
    sealHarness(dir);
    checkHarness(dir);
    fs.writeFileSync(path.join(dir, 'train', 'train.ts'), 'export default 3;\n');
    checkHarness(dir);
    fs.appendFileSync(path.join(dir, 'harness', 'metrics', 'numerai.ts'), '// patched\n');
    let caught: unknown;
    try { checkHarness(dir); } catch (e) { caught = e; }
    assert.ok(caught instanceof HarnessChangedError && caught instanceof UserError);
    assert.deepEqual(caught.changes, ['modified harness/metrics/numerai.ts']);
    assert.equal(caught.format(), 'error: harness/ changed during the run (modified harness/metrics/numerai.ts)\n'
      + '  why: the harness defines how every candidate is scored, so no score taken after the change would be comparable with the ones before it; nothing more is evaluated\n'
      + '  fix: restore it with `git checkout -- harness` (and `git clean -fd harness` for added files), then run again to resume');
    fs.writeFileSync(path.join(dir, 'harness', 'metrics', 'numerai.ts'), 'export const corr = 2;\n');
    checkHarness(dir);
  });

  it('lists at most five changes and counts the rest', () => {
    const dir = repo();
    sealHarness(dir);
    for (let i = 0; i < 7; i++) fs.writeFileSync(path.join(dir, 'harness', `added-${i}.ts`), '');
    assert.throws(() => checkHarness(dir), (e: HarnessChangedError) => {
      assert.equal(e.what, 'harness/ changed during the run (added harness/added-0.ts, added harness/added-1.ts, added harness/added-2.ts, '
        + 'added harness/added-3.ts, added harness/added-4.ts, and 2 more)');
      assert.equal(e.changes.length, 7);
      return true;
    });
  });

  it('seals on first use when no session sealed it, and a new seal accepts the new harness', () => {
    const dir = repo();
    checkHarness(dir);
    fs.writeFileSync(path.join(dir, 'harness', 'gate.ts'), 'export const margin = 2;\n');
    assert.throws(() => checkHarness(dir), HarnessChangedError);
    sealHarness(dir);
    checkHarness(dir);
  });
});
