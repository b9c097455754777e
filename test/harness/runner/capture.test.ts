import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OutputCapture } from '../../../harness/runner/capture.ts';

const b = (s: string) => Buffer.from(s, 'utf8');

it('returns everything when the output fits in head and tail', () => {
  const c = new OutputCapture(4, 8);
  c.push(b('abc'));
  c.push(b('defgh'));
  c.push(b('ijkl'));
  assert.equal(c.text(), 'abcdefghijkl');
  assert.equal(c.totalBytes, 12);
});

it('keeps the head and the last bytes with an exact truncation marker', () => {
  const c = new OutputCapture(4, 8);
  for (const piece of ['abc', 'defgh', 'ijklmn', 'opq', 'rstuvwxyz']) c.push(b(piece));
  assert.equal(c.text(), 'abcd\n[... 14 bytes truncated ...]\nstuvwxyz');
  assert.equal(c.totalBytes, 26);
});

it('handles one chunk larger than head and tail together', () => {
  const c = new OutputCapture(3, 5);
  c.push(b('0123456789abcdefghij'));
  assert.equal(c.text(), '012\n[... 12 bytes truncated ...]\nfghij');
});

it('wraps the tail ring across many small chunks', () => {
  const c = new OutputCapture(0, 5);
  for (const ch of 'abcdefghijklmnopq') c.push(b(ch));
  assert.equal(c.text(), '\n[... 12 bytes truncated ...]\nmnopq');
});

it('keeps memory fixed while 50 MB pass through', () => {
  const c = new OutputCapture();
  const chunk = Buffer.alloc(65536, 'y');
  for (let i = 0; i < 800; i++) c.push(chunk);
  assert.equal(c.totalBytes, 52428800);
  assert.equal(c.text(), `${'y'.repeat(8192)}\n[... ${52428800 - 40960} bytes truncated ...]\n${'y'.repeat(32768)}`);
});
