// Progress on stderr: a bar on a terminal, the plain lines otherwise, nothing when quiet; and the
// adapters that turn the evaluation's and the run loop's log lines into steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, iterationLog, jobLog, type ProgressStream } from '../../agent/progress.ts';

function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  return { isTTY, columns: 100, text: '', write(chunk: string) { this.text += chunk; return true; } };
}

test('on a terminal a bar with the count, the unit and an ETA is drawn, messages above it', () => {
  const s = fakeStream(true);
  const p = createProgress({ stream: s, unit: 'jobs' });
  p.log('backend: wasm');
  const log = jobLog(p);
  for (let i = 1; i <= 4; i++) log(`[${i}/4] fold ${i % 2} seed 1: ok in 1.0s`);
  log('a message between jobs');
  p.stop();
  const plain = s.text.replace(/\x1B\[[0-9;?]*[A-Za-z]|\x1B[78]/g, '');
  assert.ok(s.text.startsWith('backend: wasm\n'), 'a message before the first job is a plain line');
  assert.match(plain, /\[\u2588{40}\] 4\/4 jobs \| ETA  0s \| \[4\/4\] fold 0 seed 1: ok in 1\.0s/);
  assert.ok(plain.includes('a message between jobs\n'));
});

test('off a terminal every step and message is one plain line, exactly as logged', () => {
  const s = fakeStream(false);
  const p = createProgress({ stream: s, unit: 'iterations' });
  const log = iterationLog(p, 3, () => '12:00:00 ');
  log('baseline: payout 0.01000');
  log('  exp 1 fold 0 seed 1: ok in 2.0s');
  log('exp 1: KEEP — mean payout 0.02 beats best');
  log('exp 2: DISCARD — below best');
  p.stop();
  assert.equal(s.text, '12:00:00 baseline: payout 0.01000\n12:00:00   exp 1 fold 0 seed 1: ok in 2.0s\n' +
    '12:00:00 exp 1: KEEP — mean payout 0.02 beats best\n12:00:00 exp 2: DISCARD — below best\n');
});

test('a resumed run starts its bar at the iterations already done', () => {
  const s = fakeStream(true);
  const p = createProgress({ stream: s, unit: 'iterations' });
  iterationLog(p, 10)('exp 7: ERROR — the candidate crashed');
  p.stop();
  assert.match(s.text.replace(/\x1B\[[0-9;?]*[A-Za-z]|\x1B[78]/g, ''), / 7\/10 iterations \| ETA /);
});

test('--quiet prints nothing, on a terminal or not', () => {
  for (const tty of [true, false]) {
    const s = fakeStream(tty);
    const p = createProgress({ stream: s, unit: 'jobs', quiet: true });
    jobLog(p)('[1/1] fold 0 seed 1: ok in 1.0s');
    p.log('message');
    p.stop();
    assert.equal(s.text, '');
  }
});
