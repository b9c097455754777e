// A throwaway clone of this project for tests that run the loop: the repository is its own
// workspace, so loop tests must never touch the repository they run from. The clone gets the
// tracked sources (agent/, harness/, train/, program.md, ...), node_modules as a symlink, an
// autoresearch.yaml, and one initial commit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import YAML from 'yaml';

export const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const COPY = ['agent', 'harness', 'train', 'program.md', 'learnings.md', 'package.json', 'tsconfig.json', '.gitignore'];

/** Runs `node agent/bin.mjs ...args` in `dir` with no API keys unless given; never rejects. */
function runCli(dir: string, args: string[], opts: { env?: Record<string, string> } = {}) {
  return execa(process.execPath, [path.join(dir, 'agent', 'bin.mjs'), ...args], {
    cwd: dir, reject: false, env: { ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', ...(opts.env ?? {}) },
  });
}

export interface TempRepo {
  dir: string;
  /** runs `node agent/bin.mjs ...args` in the clone; never rejects */
  cli(args: string[], opts?: { env?: Record<string, string> }): ReturnType<typeof runCli>;
  git(args: string[]): Promise<string>;
  cleanup(): void;
}

/** A tiny, fast configuration for loop tests (seconds per evaluation). */
export function tinyConfig(dataDir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    data: { dir: dataDir, feature_set: 'all', aux_targets: 'all' },
    cv: { folds: 2, embargo: 2, mode: 'blocked', downsample: 1, holdout: 4 },
    eval: { seeds: [1, 2], workers: 2, job_timeout_s: 120, memory_mb: 2048, backend: 'wasm' },
    gate: { noise_seeds: 2 },
    ...extra,
  };
}

/** Makes a clone with `config` written to autoresearch.yaml and committed. */
export async function makeTempRepo(config: Record<string, unknown>, name = 'autoresearch-test-'): Promise<TempRepo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), name));
  for (const item of COPY) {
    const src = path.join(PROJECT, item);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(dir, item), { recursive: true });
  }
  fs.mkdirSync(path.join(dir, 'runs'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'runs', '.gitkeep'), '');
  fs.symlinkSync(path.join(PROJECT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'autoresearch.yaml'), YAML.stringify(config));
  const git = async (args: string[]) => (await execa('git', args, { cwd: dir })).stdout;
  await git(['init', '-q', '-b', 'main']);
  await git(['config', 'user.email', 'test@example.com']);
  await git(['config', 'user.name', 'test']);
  await git(['config', 'commit.gpgsign', 'false']);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'init']);
  return {
    dir,
    cli: (args, opts = {}) => runCli(dir, args, opts),
    git,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
