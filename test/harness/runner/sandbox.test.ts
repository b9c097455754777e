import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
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
    assert.deepEqual(a.slice(a.indexOf('--tmpfs'), a.indexOf('--tmpfs') + 8), ['--tmpfs', '/tmp', '--proc', '/proc', '--dev', '/dev', '--remount-ro', '/']);
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

  for (const isolation of ['auto', 'none'] as const) {
    it(`kills a fork bomb's detached, orphaned, SIGTERM-ignoring sleepers when the job ends (isolation ${isolation})`, async (t) => {
      if (isolation === 'auto' && !needBwrap(t)) return;
      const marker = `fork-bomb-${process.pid}-${isolation}-${crypto.randomUUID()}`;
      try {
        const repo = fakeRepo('fork-bomb', () => ({ marker }));
        const r = await runIn(repo, isolation);
        assert.equal(r.status, 'crash', explain(r));
        assert.equal(r.message, 'exited with code 1: Error: fork-bomb: 16 sleepers running');
        assert.deepEqual(await survivors(marker), []);
      } finally {
        for (const pid of commandLinesWith(marker)) process.kill(pid, 'SIGKILL');
      }
    });
  }

  it('hides the brief, the journal, git, learnings, HOME and other processes\' API keys from a reader', async (t) => {
    if (!needBwrap(t)) return;
    // a process outside the job whose environment holds a key, as the orchestrator's does
    const holder = spawn('sleep', ['60'], { env: { PATH: process.env.PATH, ANTHROPIC_API_KEY: 'sk-ant-fake-secret' }, stdio: 'ignore' });
    try {
      const repo = fakeRepo('read-secrets', (dir, home) => ({ tag: 'f', paths: {
        'program.md': path.join(dir, 'program.md'), journal: path.join(dir, 'runs/f/journal.jsonl'), '.git/config': path.join(dir, '.git/config'),
        'learnings.md': path.join(dir, 'learnings.md'), '~/.ssh/id_rsa': path.join(home, '.ssh/id_rsa'),
      } }));
      const r = await runIn(repo);
      assert.equal(r.status, 'crash', explain(r));
      assert.equal(r.message, 'exited with code 1: Error: read-secrets: ../program.md ENOENT; ../runs/f/journal.jsonl ENOENT; '
        + '../.git/config ENOENT; ../learnings.md ENOENT; program.md ENOENT; journal ENOENT; .git/config ENOENT; learnings.md ENOENT; '
        + '~/.ssh/id_rsa ENOENT; $HOME/.ssh/id_rsa ENOENT; ../harness/metrics/numerai.ts read; repository above cwd: none; '
        + 'API keys in /proc/*/environ: 0');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('keeps the brief, learnings, git, the harness\'s scoring and the journal unwritable at every guessed path', async (t) => {
    if (!needBwrap(t)) return;
    const scoring = path.join(repoRoot, 'harness', 'metrics', 'numerai.ts');
    const before = sha(fs.readFileSync(scoring));
    const repo = fakeRepo('write-repo', (dir) => ({ tag: 'f', paths: {
      'program.md': path.join(dir, 'program.md'), '.git/HEAD': path.join(dir, '.git/HEAD'),
      'harness/metrics/numerai.ts': path.join(dir, 'harness/metrics/numerai.ts'), journal: path.join(dir, 'runs/f/journal.jsonl'),
    } }));
    const planted = repo.snapshot();
    const r = await runIn(repo);
    assert.equal(r.status, 'crash', explain(r));
    assert.equal(r.message, 'exited with code 1: Error: write-repo: ../program.md EROFS; ../learnings.md EROFS; ../.git/HEAD ENOENT; '
      + '../harness/metrics/numerai.ts EROFS; ../harness/pwned.ts EROFS; ../runs/f/journal.jsonl ENOENT; program.md ENOENT; '
      + '.git/HEAD ENOENT; harness/metrics/numerai.ts ENOENT; journal ENOENT; repository above cwd: none');
    assert.deepEqual(repo.snapshot(), planted);
    assert.equal(sha(fs.readFileSync(scoring)), before);
    assert.equal(fs.existsSync(path.join(repoRoot, 'harness', 'pwned.ts')), false);
  });

  it('scores a module that patched the scoring in its own process exactly like the honest one', async (t) => {
    if (!needBwrap(t)) return;
    const scoring = path.join(repoRoot, 'harness', 'metrics', 'numerai.ts');
    const before = sha(fs.readFileSync(scoring));
    const j = tinyJobDir('sandbox-patch-');
    const job = (name: string) => runJob(spec({
      id: name, trainDir: hostileDir(name), dataFile: j.dataFile, scratchDir: path.join(j.dir, name), expectedRows: j.nPredict, timeBudgetMs: 30_000,
    }));
    const [patched, honest] = await Promise.all([job('patch-scoring'), job('well-behaved')]);
    assert.equal(patched.status, 'ok', explain(patched));
    assert.equal(honest.status, 'ok', explain(honest));
    assert.equal(patched.stdoutTail, 'patch-scoring: imported numerai.ts (numeraiCorr is a function); replacing numeraiCorr: TypeError; '
      + 'patched Math.sqrt (sqrt(4) is now 1), Array and Float64Array sort; rewriting numerai.ts: EROFS\n');
    // the parent scores the predictions, so equal predictions are an equal score
    assert.deepEqual(Array.from(patched.predictions!), Array.from(honest.predictions!));
    assert.equal(sha(fs.readFileSync(scoring)), before);
  });
});

interface FakeRepo { dir: string; trainDir: string; scratchDir: string; dataFile: string; nPredict: number; snapshot(): Record<string, string> }

/**
 * A repository-shaped temp dir around a hostile module: train/ (the module and its config.json),
 * the files a trainer must neither read nor change, a HOME with an SSH key, and the scratch dir
 * where the loop puts a job (runs/f/iter-1/scratch/f0-s1).
 */
function fakeRepo(name: string, config: (dir: string, home: string) => unknown): FakeRepo {
  const dir = tempDir(`repo-${name}-`);
  const home = tempDir('home-');
  const planted: Record<string, string> = {
    'program.md': '# Research brief\n', 'learnings.md': '# Learnings\n', '.git/HEAD': 'ref: refs/heads/main\n',
    '.git/config': '[core]\n', 'runs/f/journal.jsonl': '{"v":1}\n', 'harness/metrics/numerai.ts': 'export const numeraiCorr = 0;\n',
  };
  for (const [rel, text] of Object.entries(planted)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  fs.mkdirSync(path.join(home, '.ssh'));
  fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY\n');
  const trainDir = path.join(dir, 'train');
  fs.mkdirSync(trainDir);
  fs.copyFileSync(path.join(hostileDir(name), 'train.ts'), path.join(trainDir, 'train.ts'));
  fs.writeFileSync(path.join(trainDir, 'config.json'), JSON.stringify(config(dir, home)));
  const j = tinyJobDir(`job-${name}-`);
  const snapshot = () => Object.fromEntries(Object.keys(planted).map((rel) => [rel, sha(fs.readFileSync(path.join(dir, rel)))]));
  return { dir, trainDir, scratchDir: path.join(dir, 'runs', 'f', 'iter-1', 'scratch', 'f0-s1'), dataFile: j.dataFile, nPredict: j.nPredict, snapshot };
}

function runIn(repo: FakeRepo, isolation: 'auto' | 'none' = 'auto'): Promise<JobResult> {
  return runJob(spec({
    id: path.basename(repo.dir), trainDir: repo.trainDir, dataFile: repo.dataFile, scratchDir: repo.scratchDir,
    expectedRows: repo.nPredict, timeBudgetMs: 30_000,
  }), { isolation });
}

/** Live processes whose command line contains `marker`, after a grace period for the kernel to reap them. */
async function survivors(marker: string): Promise<number[]> {
  for (let i = 0; i < 20 && commandLinesWith(marker).length > 0; i++) await new Promise((ok) => setTimeout(ok, 100));
  return commandLinesWith(marker);
}

function commandLinesWith(marker: string): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  });
}

function sha(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}
