import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf, type TfPreference } from '../../harness/tf.ts';
import { UserError } from '../../harness/errors.ts';
import type { Tf } from '../../harness/contract.ts';

async function matmul(tf: Tf): Promise<number[]> {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])));
  const values = Array.from(await product.data());
  product.dispose();
  return values;
}

// First, so that importing tfjs and its backends happens while console output is captured.
test('loadTf("auto") picks a known backend, says why, and prints nothing', async () => {
  const spoken: unknown[] = [];
  const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  for (const k of ['log', 'warn', 'error', 'info'] as const) console[k] = (...a: unknown[]) => { spoken.push(a); };
  let loaded;
  try {
    loaded = await loadTf();
  } finally {
    Object.assign(console, saved);
  }
  assert.deepEqual(spoken, []);
  assert.ok(['tensorflow', 'native', 'wasm', 'cpu'].includes(loaded.backend), loaded.backend);
  assert.equal(loaded.tf.getBackend(), loaded.backend);
  if (loaded.backend === 'tensorflow') assert.equal(loaded.note, 'using tfjs-node (native TensorFlow)');
  else if (loaded.backend === 'native') assert.match(loaded.note ?? '', /^tfjs-node (not installed|failed to load \(.+\)|backend failed \(.+\)|is installed but .+); using cpu backend \+ native kernels \(OpenBLAS [\d.]+, 1 BLAS thread\)$/);
  else assert.match(loaded.note ?? '', /^tfjs-node (not installed|failed to load \(.+\)|backend failed \(.+\)|is installed but .+); native failed: .+; using (wasm|cpu)$/);
  assert.deepEqual(await matmul(loaded.tf), [17, 39]);
});

test('loadTf("cpu") activates the stock cpu backend without a note and multiplies correctly', async () => {
  const loaded = await loadTf('cpu');
  assert.equal(loaded.backend, 'cpu');
  assert.equal(loaded.note, undefined);
  assert.equal(loaded.tf.getBackend(), 'cpu');
  assert.deepEqual(await matmul(loaded.tf), [17, 39]);
});

test('loadTf("wasm") activates wasm, also after another backend was active', async () => {
  await loadTf('cpu');
  const loaded = await loadTf('wasm');
  assert.equal(loaded.backend, 'wasm');
  assert.equal(loaded.tf.getBackend(), 'wasm');
  assert.deepEqual(await matmul(loaded.tf), [17, 39]);
  assert.equal((await loadTf('wasm')).tf.getBackend(), 'wasm');
});

test('loadTf("tensorflow") without tfjs-node is a user error naming the fix', async (t) => {
  const auto = await loadTf('auto');
  if (!auto.note?.startsWith('tfjs-node not installed; ')) {
    t.skip('tfjs-node is installed here');
    return;
  }
  await assert.rejects(loadTf('tensorflow'), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.what, 'cannot use the tensorflow backend');
    assert.equal(e.why, 'tfjs-node not installed');
    assert.equal(e.fix, 'install it with `npm install @tensorflow/tfjs-node`, or use --backend auto, wasm or cpu');
    return true;
  });
});

test('loadTf rejects an unknown preference with the list of choices', async () => {
  await assert.rejects(loadTf('gpu' as TfPreference), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.message, 'unknown tf backend "gpu": expected one of auto, tensorflow, native, wasm, cpu. pass --backend auto (or tensorflow, native, wasm, cpu)');
    return true;
  });
});
