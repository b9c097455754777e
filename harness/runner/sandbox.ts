// The sandbox contract for trainer jobs. With bubblewrap a job sees only: system directories
// needed to run node, the repository's node_modules, harness/ and package.json, its train/
// snapshot and its job data file (all read-only), and its scratch dir (read-write), laid out
// under /sandbox so `../harness/contract.ts` and bare imports resolve from train/.
// It has no network, no environment beyond a fixed whitelist, its own pid namespace (whatever it
// starts dies with it) and dies with its parent. Only scratch and a private /tmp are writable.
// The data directory, its cache, runs/, .git, program.md and the user's HOME are not mounted.
// Without bubblewrap the job runs directly with the same environment whitelist.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type SandboxKind = 'bwrap' | 'none';

export interface SandboxInfo {
  kind: SandboxKind;
  /** one line for the harness to print at start */
  note: string;
  /** without bubblewrap: whether `unshare -n` still cuts the network */
  cutNetwork: boolean;
}

/** What job-main.ts reads from its spec file; every path as seen inside the sandbox. */
export interface ChildSpec {
  trainDir: string;
  dataFile: string;
  scratchDir: string;
  seed: number;
  timeBudgetMs: number;
  /** Date.now() value at which the parent kills the job */
  deadline: number;
  backend: 'auto' | 'tensorflow' | 'native' | 'wasm' | 'cpu';
}

/** Files a job writes to its scratch dir; the parent reads them after the job exits. */
export const JOB_FILES = { predictions: 'predictions.bin', result: 'result.json', spec: '.job.json' } as const;

export interface SandboxRequest {
  trainDir: string;
  dataFile: string;
  scratchDir: string;
  /** V8 old-space cap in MB */
  heapMb: number;
}

export interface SandboxPlan {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** host path of the spec file the parent writes */
  specFile: string;
  /** paths as the job sees them, for the ChildSpec */
  inside: { trainDir: string; dataFile: string; scratchDir: string };
}

const HARNESS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = path.dirname(HARNESS_DIR);
const TSX_URL = import.meta.resolve('tsx');
const NODE_MODULES_DIR = nodeModulesOf(fileURLToPath(TSX_URL));
const ROOT = '/sandbox';
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const ETC_FILES = [
  '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime',
  '/etc/passwd', '/etc/group', '/etc/nsswitch.conf', '/etc/alternatives',
];
const INSTALL_HINT = 'install it with: apt-get install bubblewrap';

let detected: SandboxInfo | undefined;

/** Detects once whether bubblewrap can sandbox jobs here, and what the harness should print. */
export function sandboxInfo(): SandboxInfo {
  detected ??= detect();
  return detected;
}

/** Builds the command that runs job-main.ts for one job, inside bubblewrap when kind is 'bwrap'. */
export function planSandbox(kind: SandboxKind, req: SandboxRequest, cutNetwork = false): SandboxPlan {
  const specFile = path.join(req.scratchDir, JOB_FILES.spec);
  if (kind === 'none') {
    const env = jobEnv(req.scratchDir, req.heapMb);
    const node = [process.execPath, ...nodeArgs(TSX_URL, path.join(HARNESS_DIR, 'runner', 'job-main.ts'), specFile)];
    const [file, ...args] = cutNetwork ? ['unshare', '-n', '--', ...node] : node;
    const inside = { trainDir: req.trainDir, dataFile: req.dataFile, scratchDir: req.scratchDir };
    return { file, args, env, cwd: req.scratchDir, specFile, inside };
  }
  const inside = { trainDir: `${ROOT}/train`, dataFile: `${ROOT}/job/data.bin`, scratchDir: `${ROOT}/scratch` };
  const env = jobEnv(inside.scratchDir, req.heapMb);
  const tsxInside = `file://${ROOT}/node_modules/${path.relative(NODE_MODULES_DIR, fileURLToPath(TSX_URL))}`;
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv'];
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  args.push(...systemMounts());
  args.push(
    '--ro-bind', NODE_MODULES_DIR, `${ROOT}/node_modules`,
    '--ro-bind', HARNESS_DIR, `${ROOT}/harness`,
    // package.json makes every .ts under /sandbox an ES module, as in the repository.
    '--ro-bind', path.join(REPO_DIR, 'package.json'), `${ROOT}/package.json`,
    '--ro-bind-try', path.join(REPO_DIR, 'tsconfig.json'), `${ROOT}/tsconfig.json`,
    // the optional native kernels (npm run build:native); libopenblas comes with /usr
    '--ro-bind-try', path.join(REPO_DIR, 'native', 'build', 'Release'), `${ROOT}/native/build/Release`,
    '--ro-bind', req.trainDir, inside.trainDir,
    '--ro-bind', req.dataFile, inside.dataFile,
    '--bind', req.scratchDir, inside.scratchDir,
    '--tmpfs', '/tmp', '--proc', '/proc', '--dev', '/dev',
    // the root bwrap builds is a writable tmpfs; read-only, a write beside train/ fails (EROFS)
    // instead of landing in a throwaway file that looks like success
    '--remount-ro', '/',
    '--chdir', inside.scratchDir,
    '--', process.execPath,
    ...nodeArgs(tsxInside, `${ROOT}/harness/runner/job-main.ts`, `${inside.scratchDir}/${JOB_FILES.spec}`),
  );
  return { file: 'bwrap', args, env, cwd: req.scratchDir, specFile, inside };
}

function nodeArgs(tsx: string, jobMain: string, spec: string): string[] {
  return ['--import', tsx, jobMain, spec];
}

function jobEnv(scratch: string, heapMb: number): Record<string, string> {
  const dirs = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'];
  return {
    PATH: [...new Set(dirs)].join(':'),
    HOME: scratch,
    TMPDIR: scratch,
    LANG: 'C.UTF-8',
    NODE_OPTIONS: `--max-old-space-size=${heapMb}`,
  };
}

/** System directories mirrored as they are on the host: merged-/usr symlinks stay symlinks. */
function systemMounts(): string[] {
  const out: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isSymbolicLink()) out.push('--symlink', fs.readlinkSync(dir), dir);
    else if (st.isDirectory()) out.push('--ro-bind', dir, dir);
  }
  for (const f of ETC_FILES) out.push('--ro-bind-try', f, f);
  const nodeDir = path.dirname(process.execPath);
  if (!SYSTEM_DIRS.some((d) => nodeDir === d || nodeDir.startsWith(d + '/'))) out.push('--ro-bind', nodeDir, nodeDir);
  return out;
}

function detect(): SandboxInfo {
  const probe = spawnSync('bwrap', ['--unshare-all', '--die-with-parent', ...systemMounts(), '--', process.execPath, '-e', ''], {
    encoding: 'utf8', timeout: 10_000, env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
  });
  if (probe.status === 0) {
    return { kind: 'bwrap', note: 'trainer jobs run inside bubblewrap: no network, no secrets, read-only except scratch', cutNetwork: true };
  }
  const cutNetwork = spawnSync('unshare', ['-n', '--', 'true'], { timeout: 10_000 }).status === 0;
  const isolation = cutNetwork
    ? 'trainer jobs run without filesystem isolation (network cut with unshare -n)'
    : 'trainer jobs run without network or filesystem isolation';
  if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    return { kind: 'none', note: `bubblewrap not found: ${isolation}; ${INSTALL_HINT}`, cutNetwork };
  }
  const why = firstLine(probe.stderr) || `exit ${probe.status ?? probe.signal}`;
  return { kind: 'none', note: `bubblewrap cannot create a sandbox here (${why}): ${isolation}`, cutNetwork };
}

function nodeModulesOf(file: string): string {
  const parts = file.split(path.sep);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) throw new Error(`tsx resolved outside node_modules: ${file}`);
  return parts.slice(0, i + 1).join(path.sep);
}

function firstLine(s: string | undefined): string {
  return (s ?? '').trim().split('\n')[0] ?? '';
}
