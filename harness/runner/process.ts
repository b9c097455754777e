// Runs one trainer job as a sandboxed child process and reports what happened. It never rejects:
// every job ends as ok | crash | timeout | invalid | oom. The child leads its own process group;
// on timeout, memory overrun or abort the whole group and its process tree are SIGKILLed.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { readBin } from '../binfile.ts';
import { OutputCapture } from './capture.ts';
import { killAll, killTree, processesWithEnv, processTree, residentBytes } from './proctree.ts';
import { JOB_FILES, planSandbox, sandboxInfo, type ChildSpec, type SandboxKind } from './sandbox.ts';
import { judge, type Observed } from './verdict.ts';

export type JobStatus = 'ok' | 'crash' | 'timeout' | 'invalid' | 'oom';

export interface JobSpec {
  id: string;
  trainDir: string;
  dataFile: string;
  seed: number;
  expectedRows: number;
  timeBudgetMs: number;
  memoryMb: number;
  scratchDir: string;
  backend?: 'auto' | 'tensorflow' | 'native' | 'wasm' | 'cpu';
}

export interface JobResult {
  id: string;
  status: JobStatus;
  seconds: number;
  predictions?: Float64Array;
  message?: string;
  stdoutTail: string;
  stderrTail: string;
  /**
   * What the job trained on, from its result.json: the tf backend when tfjs was loaded ('native',
   * 'wasm', ...), 'nn native' when it trained only through job.nn's fused native MLP, 'nn native + tf
   * <backend>' when it used both; undefined when it used neither (or did not finish).
   */
  backend?: string;
}

export interface RunJobOptions {
  /** aborting kills the job; it then ends as 'crash' with ABORTED_MESSAGE */
  signal?: AbortSignal;
  /** 'auto' uses bubblewrap when sandboxInfo() found it; 'none' runs the job unsandboxed */
  isolation?: 'auto' | 'none';
}

export const ABORTED_MESSAGE = 'aborted before it finished';

const WATCH_MS = 200;
/** A predictions file larger than this is not read: it cannot hold a sane number of rows. */
const PREDICTIONS_SLACK_BYTES = 64 * 2 ** 20;

const live = new Set<number>();
let exitHookInstalled = false;

/** Runs one trainer job under its time and memory budget; never rejects. */
export async function runJob(spec: JobSpec, opts: RunJobOptions = {}): Promise<JobResult> {
  const started = performance.now();
  const stdout = new OutputCapture();
  const stderr = new OutputCapture();
  const finish = (v: { status: JobStatus; message?: string; predictions?: Float64Array; backend?: string }): JobResult => ({
    id: spec.id,
    ...v,
    seconds: (performance.now() - started) / 1000,
    stdoutTail: stdout.text(),
    stderrTail: stderr.text(),
  });
  const invalidSpec = checkSpec(spec);
  if (invalidSpec) return finish({ status: 'crash', message: `invalid job spec: ${invalidSpec}` });
  if (opts.signal?.aborted) return finish({ status: 'crash', message: ABORTED_MESSAGE });
  try {
    return await execute(spec, opts, { stdout, stderr }, finish);
  } catch (e) {
    return finish({ status: 'crash', message: `runner failed: ${e instanceof Error ? e.message : String(e)}` });
  }
}

type Finish = (v: { status: JobStatus; message?: string; predictions?: Float64Array; backend?: string }) => JobResult;

async function execute(
  spec: JobSpec, opts: RunJobOptions, io: { stdout: OutputCapture; stderr: OutputCapture }, finish: Finish,
): Promise<JobResult> {
  const scratch = path.resolve(spec.scratchDir);
  fs.mkdirSync(scratch, { recursive: true });
  for (const f of Object.values(JOB_FILES)) fs.rmSync(path.join(scratch, f), { force: true });
  const info = sandboxInfo();
  const kind: SandboxKind = opts.isolation === 'none' ? 'none' : info.kind;
  const heapMb = Math.max(16, Math.floor(spec.memoryMb * 0.75));
  const plan = planSandbox(
    kind,
    { trainDir: path.resolve(spec.trainDir), dataFile: path.resolve(spec.dataFile), scratchDir: scratch, heapMb },
    kind === 'none' && opts.isolation !== 'none' && info.cutNetwork,
  );
  const deadline = Date.now() + spec.timeBudgetMs;
  const child: ChildSpec = {
    ...plan.inside, seed: spec.seed, timeBudgetMs: spec.timeBudgetMs, deadline, backend: spec.backend ?? 'auto',
  };
  fs.writeFileSync(plan.specFile, JSON.stringify(child));

  const [file, args] = withParentDeath(plan.file, plan.args);
  const sub = execa(file, args, {
    cwd: plan.cwd, env: plan.env, extendEnv: false, detached: true, buffer: false, reject: false,
    stdin: 'ignore', cleanup: false,
  });
  sub.stdout?.on('data', (c: Buffer) => io.stdout.push(c));
  sub.stderr?.on('data', (c: Buffer) => io.stderr.push(c));
  const pid = sub.pid;
  let timedOut = false;
  let killedForMemory: number | null = null;
  let aborted = false;
  // bubblewrap's pid namespace takes everything the job started down with it; without it, what
  // left the tree is found by the job's own TMPDIR in its environment
  const jobEnv = `TMPDIR=${plan.env.TMPDIR}`;
  const kill = () => {
    if (pid !== undefined) killTree(pid);
    if (kind === 'none') killAll(processesWithEnv(jobEnv));
  };
  const onAbort = () => { aborted = true; kill(); };
  if (pid !== undefined) trackLive(pid);
  const timer = setTimeout(() => { timedOut = true; kill(); }, spec.timeBudgetMs);
  const capBytes = spec.memoryMb * 2 ** 20;
  const watchdog = setInterval(() => {
    if (pid === undefined || timedOut || killedForMemory !== null) return;
    const rss = residentBytes(processTree(pid));
    if (rss > capBytes) { killedForMemory = rss; kill(); }
  }, WATCH_MS);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // A grandchild that escaped the group could hold the pipes open after the job died.
  sub.once('exit', () => setTimeout(() => { sub.stdout?.destroy(); sub.stderr?.destroy(); }, 2000).unref());
  const res = await sub;
  clearTimeout(timer);
  clearInterval(watchdog);
  opts.signal?.removeEventListener('abort', onAbort);
  if (pid !== undefined) { kill(); live.delete(pid); }

  if (aborted) return finish({ status: 'crash', message: ABORTED_MESSAGE });
  if (pid === undefined || (res.failed && res.exitCode === undefined && res.signal === undefined && !timedOut)) {
    return finish({ status: 'crash', message: `could not start the job: ${res.shortMessage ?? res.message}` });
  }
  const observed: Observed = {
    timedOut,
    killedForMemory,
    exitCode: res.exitCode ?? null,
    signal: res.signal ?? null,
    stderr: io.stderr.text(),
    predictions: res.exitCode === 0 ? readPredictions(scratch, spec.expectedRows) : null,
  };
  const verdict = judge(observed, { ...spec, heapMb });
  return finish({ ...verdict, backend: verdict.status === 'ok' ? readBackend(scratch) : undefined });
}

/** Reads predictions.bin defensively: the job wrote it, so it may be a symlink, huge or malformed. */
function readPredictions(scratch: string, expectedRows: number): Observed['predictions'] {
  const file = path.join(scratch, JOB_FILES.predictions);
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!st) return null;
  if (!st.isFile()) return { unreadable: `${JOB_FILES.predictions} is not a regular file` };
  if (st.size > expectedRows * 16 + PREDICTIONS_SLACK_BYTES) {
    return { unreadable: `${JOB_FILES.predictions} is ${st.size} bytes, far more than ${expectedRows} predictions need` };
  }
  try {
    const p = readBin(file, ['predictions']).arrays.predictions;
    if (p instanceof Float64Array) return p;
    return { unreadable: `${JOB_FILES.predictions} has no Float64 section named predictions` };
  } catch (e) {
    return { unreadable: `${JOB_FILES.predictions} is unreadable: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function readBackend(scratch: string): string | undefined {
  const file = path.join(scratch, JOB_FILES.result);
  if (!fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) return undefined;
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as { backend?: unknown; nn?: unknown };
    const tf = typeof r.backend === 'string' ? r.backend : undefined;
    // the tfjs engine runs on the tf backend, which already names it
    if (r.nn !== 'native') return tf;
    return tf === undefined ? 'nn native' : `nn native + tf ${tf}`;
  } catch {
    return undefined;
  }
}

function checkSpec(s: JobSpec): string | null {
  if (typeof s.id !== 'string' || s.id === '') return `expected a non-empty id, got ${JSON.stringify(s.id)}`;
  for (const k of ['expectedRows', 'timeBudgetMs', 'memoryMb'] as const) {
    if (!Number.isInteger(s[k]) || s[k] <= 0) return `expected a positive integer for ${k}, got ${s[k]}`;
  }
  if (!Number.isInteger(s.seed)) return `expected an integer for seed, got ${s.seed}`;
  for (const k of ['trainDir', 'dataFile', 'scratchDir'] as const) {
    if (typeof s[k] !== 'string' || s[k] === '') return `expected a path for ${k}, got ${JSON.stringify(s[k])}`;
  }
  return null;
}

/** Jobs still running when the orchestrator exits are killed with it, sandboxed or not. */
function trackLive(pid: number): void {
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => { for (const p of live) killTree(p); });
}

// A job whose orchestrator died (even by SIGKILL) has nobody to read its result and must not go on
// using the CPU. The trainer runs in its own process group so a timeout can kill it whole, which also
// takes it out of the orchestrator's group. util-linux's setpriv sets the parent-death signal before
// it execs anything (bubblewrap or node); bubblewrap's --die-with-parent then carries it inside.
// A parent that died between the fork and setpriv's prctl would never deliver the signal, so a shell
// between them checks, after the prctl, that its parent is still this process, and gives up if not.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => fs.existsSync(f)) ?? null;
const SH = ['/bin/sh', '/usr/bin/sh'].find((f) => fs.existsSync(f)) ?? null;
/** Exit status of a job whose orchestrator was gone before its parent-death signal was armed. */
export const ORPHANED_AT_START = 97;
export function withParentDeath(file: string, args: string[], parentPid = process.pid): [string, string[]] {
  if (!SETPRIV) return [file, args];
  const checked = SH ? [SH, '-c', `[ "$PPID" = "$0" ] || exit ${ORPHANED_AT_START}; unset PWD; exec "$@"`, String(parentPid)] : [];
  return [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', ...checked, file, ...args]];
}
