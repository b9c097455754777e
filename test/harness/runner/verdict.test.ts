import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkPredictions, judge, type Observed } from '../../../harness/runner/verdict.ts';

const limits = { timeBudgetMs: 2500, memoryMb: 512, heapMb: 384, expectedRows: 4 };
const good = Float64Array.of(0.1, 0.2, 0.3, 0.4);
const base: Observed = { timedOut: false, killedForMemory: null, exitCode: 0, signal: null, stderr: '', predictions: good };

const cases: [string, Partial<Observed>, { status: string; message?: string }][] = [
  ['ok', {}, { status: 'ok' }],
  ['timeout wins over everything', { timedOut: true, exitCode: null, signal: 'SIGKILL' },
    { status: 'timeout', message: 'did not finish within the 2.5 s time budget; killed' }],
  ['watchdog kill', { killedForMemory: 600 * 2 ** 20, exitCode: null, signal: 'SIGKILL' },
    { status: 'oom', message: 'used 600 MB of memory, above the 512 MB cap; killed' }],
  ['watchdog kill a few KB above the cap reads as above it', { killedForMemory: 512 * 2 ** 20 + 300 * 1024, exitCode: null, signal: 'SIGKILL' },
    { status: 'oom', message: 'used 513 MB of memory, above the 512 MB cap; killed' }],
  ['V8 heap exhausted', {
    exitCode: 134, signal: null, predictions: null,
    stderr: '<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n 1: 0xb8 node::Abort()\n',
  }, { status: 'oom', message: 'ran out of memory (FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory; heap cap 384 MB)' }],
  ['array buffer allocation failure', { exitCode: 1, predictions: null, stderr: 'RangeError: Array buffer allocation failed\n    at new ArrayBuffer (<anonymous>)\n' },
    { status: 'oom', message: 'ran out of memory (RangeError: Array buffer allocation failed; heap cap 384 MB)' }],
  ['non-zero exit names the error line, not the stack frames', {
    exitCode: 1, predictions: null,
    stderr: 'tf: using cpu\nTypeError: x.map is not a function\n    at train (/sandbox/train/train.ts:3:5)\n\nNode.js v20.20.2\n',
  }, { status: 'crash', message: 'exited with code 1: TypeError: x.map is not a function' }],
  ['non-zero exit without stderr', { exitCode: 3, predictions: null }, { status: 'crash', message: 'exited with code 3' }],
  ['signal', { exitCode: null, signal: 'SIGSEGV', predictions: null }, { status: 'crash', message: 'was killed by SIGSEGV' }],
  ['exit 0 without predictions', { predictions: null }, { status: 'crash', message: 'exited (code 0) without returning predictions' }],
  ['unreadable predictions file', { predictions: { unreadable: 'predictions.bin is not a regular file' } },
    { status: 'invalid', message: 'predictions.bin is not a regular file' }],
  ['wrong length', { predictions: Float64Array.of(1, 2, 3) }, { status: 'invalid', message: 'expected 4 predictions, got 3' }],
  ['infinite', { predictions: Float64Array.of(1, 2, -Infinity, NaN) }, { status: 'invalid', message: 'prediction 2 is -Infinity' }],
  ['constant', { predictions: Float64Array.of(7, 7, 7, 7) }, { status: 'invalid', message: 'all 4 predictions are the same value (7)' }],
];

for (const [name, over, want] of cases) {
  it(`judges ${name}`, () => {
    const v = judge({ ...base, ...over }, limits);
    assert.equal(v.status, want.status);
    assert.equal(v.message, want.message);
    assert.equal(v.predictions, want.status === 'ok' ? good : undefined);
  });
}

it('accepts a single prediction, which cannot be anything but constant', () => {
  assert.equal(checkPredictions(Float64Array.of(0.5), 1), null);
  assert.equal(checkPredictions(Float64Array.of(0.5, NaN), 2), 'prediction 1 is NaN');
  assert.equal(checkPredictions(Float64Array.of(Infinity, 1), 2), 'prediction 0 is Infinity');
});
