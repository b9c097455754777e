import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { runJob, type JobResult } from '../../../harness/runner/process.ts';
import { planSandbox, sandboxInfo } from '../../../harness/runner/sandbox.ts';
import { hostileDir, repoRoot, spec, tinyJobDir, removeTempDirs, tempDir } from './fixture.ts';

after(removeTempDirs);

const WHITELIST = ['HOME', 'LANG', 'NODE_OPTIONS', 'PATH', 'TMPDIR'];
const info = sandboxInfo();

function needBwrap(t: TestContext): boolean {
  if (info.kind === 'bwrap') return true;
  t.skip(`bubblewrap not installed: ${info.note}`);
  return false;
}

/** Copies a hostile module into a fresh train dir with a config.json beside it. */
function trainDirWith(name: string, config: unknown): string {
  const dir = tempDir(`train-${name}-`);
  fs.copyFileSync(path.join(hostileDir(name), 'train.ts'), path.join(dir, 'train.ts'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

async function run(name: string, trainDir: string, isolation: 'auto' | 'none' = 'auto') {
  const j = tinyJobDir(`sandbox-${name}-`);
  const r = await runJob(
    spec({ id: name, trainDir, dataFile: j.dataFile, scratchDir: j.scratchDir, expectedRows: j.nPredict, timeBudgetMs: 30_000 }),
    { isolation },
  );
  return { r, j };
}

function explain(r: JobResult): string {
  return `${r.status}: ${r.message ?? ''}\n--- stdout ---\n${r.stdoutTail}\n--- stderr ---\n${r.stderrTail}`;
}

describe('planSandbox', () => {
  const req = { trainDir: '/snap/train', dataFile: '/runs/fold.bin', scratchDir: '/runs/scratch', heapMb: 384 };

  it('isolates a bwrap job: no network, cleared env, only the whitelisted variables', () => {
    const plan = planSandbox('bwrap', req);
    assert.equal(plan.file, 'bwrap');
    assert.deepEqual(plan.args.slice(0, 4), ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv']);
    const setenv = plan.args.flatMap((a, i) => (a === '--setenv' ? [plan.args[i + 1]] : [])).sort();
    assert.deepEqual(setenv, WHITELIST);
    assert.deepEqual(Object.keys(plan.env).sort(), WHITELIST);
    assert.equal(plan.env.HOME, '/sandbox/scratch');
    assert.equal(plan.env.TMPDIR, '/sandbox/scratch');
    assert.equal(plan.env.NODE_OPTIONS, '--max-old-space-size=384');
  });

  it('mounts train, job data and harness read-only and only scratch writable', () => {
    const a = planSandbox('bwrap', req).args;
    const mounts = (flag: string) => a.flatMap((x, i) => (x === flag ? [`${a[i + 1]} -> ${a[i + 2]}`] : []));
    assert.deepEqual(mounts('--bind'), ['/runs/scratch -> /sandbox/scratch']);
    const ro = mounts('--ro-bind');
    for (const m of [
      '/snap/train -> /sandbox/train',
      '/runs/fold.bin -> /sandbox/job/data.bin',
      `${path.join(repoRoot, 'harness')} -> /sandbox/harness`,
      `${path.join(repoRoot, 'node_modules')} -> /sandbox/node_modules`,
    ]) assert.ok(ro.includes(m), `missing --ro-bind ${m}`);
    const sources = [...ro, ...mounts('--ro-bind-try')].map((m) => m.split(' -> ')[0]);
    for (const hidden of ['.git', 'runs', 'program.md']) {
      assert.ok(!sources.includes(path.join(repoRoot, hidden)), `${hidden} must not be mounted`);
    }
    assert.ok(!sources.includes(repoRoot) && !sources.includes(os.homedir()) && !sources.includes('/'));
    assert.deepEqual(a.slice(a.indexOf('--tmpfs'), a.indexOf('--tmpfs') + 6), ['--tmpfs', '/tmp', '--proc', '/proc', '--dev', '/dev']);
    assert.deepEqual(a.slice(-4), ['--import', a.at(-3), '/sandbox/harness/runner/job-main.ts', '/sandbox/scratch/.job.json']);
  });

  it('runs an unsandboxed job with the same whitelist, in its scratch dir', () => {
    const plan = planSandbox('none', req);
    assert.equal(plan.file, process.execPath);
    assert.equal(plan.cwd, '/runs/scratch');
    assert.deepEqual(Object.keys(plan.env).sort(), WHITELIST);
    assert.equal(plan.env.HOME, '/runs/scratch');
    assert.deepEqual(plan.inside, { trainDir: '/snap/train', dataFile: '/runs/fold.bin', scratchDir: '/runs/scratch' });
    assert.deepEqual(planSandbox('none', req, true).args.slice(0, 3), ['-n', '--', process.execPath]);
  });
});

describe('sandboxed jobs', { concurrency: 2 }, () => {
  it('detects bubblewrap once and explains the isolation', () => {
    assert.equal(sandboxInfo(), info);
    if (info.kind === 'bwrap') assert.match(info.note, /bubblewrap/);
    else assert.match(info.note, /trainer jobs run without .*isolation/);
  });

  for (const isolation of ['auto', 'none'] as const) {
    it(`never passes API keys or other parent variables to the job (isolation ${isolation})`, async () => {
      process.env.ANTHROPIC_API_KEY = 'sk-ant-fake-secret';
      process.env.OPENAI_API_KEY = 'sk-openai-fake-secret';
      try {
        const { r, j } = await run('secret-env', hostileDir('secret-env'), isolation);
        assert.equal(r.status, 'ok', explain(r));
        assert.equal(r.predictions![0], 0);
        const env = JSON.parse(fs.readFileSync(path.join(j.scratchDir, 'env.json'), 'utf8')) as Record<string, string>;
        // bubblewrap's --chdir also sets PWD (to the sandbox's scratch dir)
        const expected = isolation === 'auto' && info.kind === 'bwrap' ? [...WHITELIST, 'PWD'].sort() : WHITELIST;
        assert.deepEqual(Object.keys(env).sort(), expected);
        if (expected.includes('PWD')) assert.equal(env.PWD, '/sandbox/scratch');
        assert.ok(!JSON.stringify(env).includes('fake-secret'));
      } finally {
        delete process.env.ANTHROPIC_API_KEY;
        delete process.env.OPENAI_API_KEY;
      }
    });
  }

  it('cuts the network: a connection to a listening port on 127.0.0.1 never arrives', async (t) => {
    if (!needBwrap(t)) return;
    let connections = 0;
    const server = net.createServer((s) => { connections++; s.destroy(); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const { r } = await run('network', trainDirWith('network', { port }));
      assert.equal(r.status, 'ok', explain(r));
      assert.equal(r.predictions![0], 0, explain(r));
      assert.match(r.stdoutTail, /connect failed: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
      assert.equal(connections, 0);
    } finally {
      server.close();
    }
  });

  it('keeps the repository and paths outside scratch unwritable', async (t) => {
    if (!needBwrap(t)) return;
    const outside = path.join(tempDir('outside-'), 'planted.txt');
    const inHarness = path.join(repoRoot, 'harness', 'runner', 'pwned-by-test.txt');
    try {
      const { r } = await run('write-outside', trainDirWith('write-outside', { paths: [outside, inHarness] }));
      assert.equal(r.status, 'ok', explain(r));
      assert.deepEqual(Array.from(r.predictions!.subarray(0, 3)), [0, 0, 0], explain(r));
      assert.equal(fs.existsSync(outside), false);
      assert.equal(fs.existsSync(inHarness), false);
      assert.match(r.stdoutTail, /write \/sandbox\/harness\/pwned\.ts failed: EROFS/);
    } finally {
      fs.rmSync(inHarness, { force: true });
    }
  });

  it('hides the data directory, .git and the fixture dataset', async (t) => {
    if (!needBwrap(t)) return;
    const dataDir = tempDir('data-');
    const cache = path.join(dataDir, 'cache.bin');
    fs.writeFileSync(cache, 'validation targets');
    const paths = [cache, path.join(repoRoot, '.git', 'HEAD'), path.resolve(repoRoot, '../shared/fixtures/numerai-mini/validation.parquet')];
    for (const p of paths) assert.ok(fs.existsSync(p), `${p} should exist outside the sandbox`);
    const { r } = await run('read-outside', trainDirWith('read-outside', { paths }));
    assert.equal(r.status, 'ok', explain(r));
    assert.deepEqual(Array.from(r.predictions!.subarray(0, 3)), [0, 0, 0], explain(r));
  });
});
