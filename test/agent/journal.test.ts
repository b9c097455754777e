import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal, readJournalLines, type JournalIo } from '../../agent/journal.ts';
import type { NewEvent } from '../../agent/events.ts';
import { UserError } from '../../harness/errors.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'journal-'));
const fixedClock = (iso: string) => () => new Date(iso);

const start: NewEvent = {
  type: 'session_start', session: 1, tag: 'mar1', branch: 'autoresearch/mar1', head: 'abc123',
  agent: 'mutate', resumed: false, config: { seeds: [42] }, changed: [],
};
const job: NewEvent = { type: 'job', iteration: 1, fold: 0, seed: 42, status: 'ok', seconds: 1.5 };
const commit: NewEvent = { type: 'commit', iteration: 1, sha: 'def456' };

/** Wraps node:fs and records each call, so the test sees which descriptors were fsynced. */
function recordingIo(log: string[], failWrite = false): JournalIo {
  const names = new Map<number, string>();
  return {
    openSync(file, flags) {
      const fd = fs.openSync(file, flags);
      names.set(fd, file);
      log.push(`open ${path.basename(file)}`);
      return fd;
    },
    writeSync(fd, data) {
      if (failWrite) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      log.push(`write ${data.length}`);
      return fs.writeSync(fd, data);
    },
    fsyncSync(fd) {
      log.push(`fsync ${path.basename(names.get(fd) ?? '?')}`);
      fs.fsyncSync(fd);
    },
    closeSync(fd) {
      fs.closeSync(fd);
    },
  };
}

test('appended events come back identical after reopening, stamped with version and clock time', () => {
  const file = path.join(tmp(), 'runs', 'mar1', 'journal.jsonl');
  assert.equal(Journal.exists(file), false);
  const j = Journal.open(file, { clock: fixedClock('2026-03-01T10:00:00.000Z') });
  assert.deepEqual(j.events(), []);
  const a = j.append(start);
  const b = j.append(job);
  assert.equal(a.v, 1);
  assert.equal(a.t, '2026-03-01T10:00:00.000Z');
  assert.equal(Journal.exists(file), true);

  const again = Journal.open(file, { clock: fixedClock('2026-03-01T11:00:00.000Z') });
  assert.deepEqual(again.events(), [a, b]);
  again.append(commit);
  assert.equal(again.events().length, 3);
  const lines = readJournalLines(file);
  assert.equal(lines.length, 3);
  assert.deepEqual(JSON.parse(lines[2]), { v: 1, t: '2026-03-01T11:00:00.000Z', type: 'commit', iteration: 1, sha: 'def456' });
  assert.equal(fs.readFileSync(file, 'utf8').endsWith('}\n'), true);
});

test('schema defaults are filled in when appending', () => {
  const file = path.join(tmp(), 'journal.jsonl');
  const e = Journal.open(file).append({ type: 'llm_call', iteration: 2, purpose: 'learn', model: 'm',
    tokens: { input: 10, output: 5 } as never, cost_usd: 0.01, ok: true });
  assert.deepEqual(e.type === 'llm_call' && e.tokens, { input: 10, output: 5, cache_read: 0, cache_write: 0 });
});

test('a new file is fsynced along with its directory; later appends fsync only the file', () => {
  const dir = tmp();
  const file = path.join(dir, 'journal.jsonl');
  const log: string[] = [];
  const j = Journal.open(file, { io: recordingIo(log), clock: fixedClock('2026-03-01T10:00:00.000Z') });
  j.append(commit);
  const len = Buffer.byteLength(readJournalLines(file)[0] + '\n');
  assert.deepEqual(log, ['open journal.jsonl', `write ${len}`, 'fsync journal.jsonl', `open ${path.basename(dir)}`, `fsync ${path.basename(dir)}`]);
  log.length = 0;
  j.append(commit);
  assert.deepEqual(log, ['open journal.jsonl', `write ${len}`, 'fsync journal.jsonl']);
});

test('folders made for a new journal are fsynced up to the one that already existed', () => {
  const root = tmp();
  const log: string[] = [];
  Journal.open(path.join(root, 'runs', 't', 'journal.jsonl'), { io: recordingIo(log) }).append(commit);
  assert.deepEqual(log.filter((l) => l.startsWith('fsync')), ['fsync journal.jsonl', 'fsync t', 'fsync runs', `fsync ${path.basename(root)}`]);
});

test('a failed write throws and the event is not recorded', () => {
  const file = path.join(tmp(), 'journal.jsonl');
  const j = Journal.open(file, { io: recordingIo([], true) });
  assert.throws(() => j.append(commit), /ENOSPC/);
  assert.deepEqual(j.events(), []);
});

test('an invalid event is refused before anything is written', () => {
  const file = path.join(tmp(), 'journal.jsonl');
  const j = Journal.open(file);
  assert.throws(() => j.append({ type: 'commit', iteration: 'one', sha: 'x' } as never));
  assert.equal(fs.existsSync(file), false);
});

test('a corrupt line 3 is reported by number and the file is left byte-for-byte unchanged', () => {
  const file = path.join(tmp(), 'journal.jsonl');
  const j = Journal.open(file);
  j.append(start);
  j.append(job);
  fs.appendFileSync(file, '{"v":1,"t":"x","type":"commit","iterat\n');
  j.append(commit);
  const before = fs.readFileSync(file);
  assert.throws(() => Journal.open(file), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.what, `cannot read the journal ${file}`);
    assert.match(e.why, /^line 3 is not valid JSON/);
    assert.match(e.fix, /sed -n 3p/);
    return true;
  });
  assert.deepEqual(fs.readFileSync(file), before);
});

test('a line that is JSON but not a journal event names the line and the field', () => {
  const file = path.join(tmp(), 'journal.jsonl');
  fs.writeFileSync(file, JSON.stringify({ v: 1, t: 'x', type: 'commit', iteration: 1, sha: 'a' }) + '\n'
    + JSON.stringify({ v: 1, t: 'x', type: 'commit', iteration: 'two', sha: 'b' }) + '\n');
  assert.throws(() => Journal.open(file), (e: unknown) =>
    e instanceof UserError && e.why === 'line 2 does not match the journal schema at "iteration": Expected number, received string');
});

test('a journal from a newer version is refused with an upgrade hint', () => {
  const file = path.join(tmp(), 'journal.jsonl');
  fs.writeFileSync(file, JSON.stringify({ v: 2, t: 'x', type: 'commit', iteration: 1, sha: 'a' }) + '\n');
  assert.throws(() => Journal.open(file), (e: unknown) =>
    e instanceof UserError && e.why === 'line 1 was written with journal version 2, this autoresearch reads version 1');
});

test('a last line without its newline is refused instead of being appended to', () => {
  const file = path.join(tmp(), 'journal.jsonl');
  fs.writeFileSync(file, JSON.stringify({ v: 1, t: 'x', type: 'commit', iteration: 1, sha: 'a' }));
  const before = fs.readFileSync(file);
  assert.throws(() => Journal.open(file), (e: unknown) =>
    e instanceof UserError && e.why === 'line 1 has no final newline, so a write to it was interrupted');
  assert.deepEqual(fs.readFileSync(file), before);
});
