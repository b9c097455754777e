// Hostile: tries to read what a trainer must never see: the brief, the journal, git, learnings and
// the user's SSH key, at the paths a module would guess (`../` from train/, an absolute repository
// path passed in config.json as if from the environment, the nearest ancestor of the working
// directory holding program.md, $HOME), and scans /proc for a process environment holding an API
// key. It also reads the harness source, which the sandbox mounts read-only by design. It throws
// a report of what each attempt gave: "read" or the error code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Config { tag: string; paths: Record<string, string> }

export default function train(): never {
  const { tag, paths } = JSON.parse(fs.readFileSync(new URL('./config.json', import.meta.url), 'utf8')) as Config;
  const rel = (p: string) => new URL(p, import.meta.url).pathname;
  const targets: [string, string][] = [
    ['../program.md', rel('../program.md')],
    [`../runs/${tag}/journal.jsonl`, rel(`../runs/${tag}/journal.jsonl`)],
    ['../.git/config', rel('../.git/config')],
    ['../learnings.md', rel('../learnings.md')],
    ...Object.entries(paths),
    ['$HOME/.ssh/id_rsa', path.join(os.homedir(), '.ssh', 'id_rsa')],
    ['../harness/metrics/numerai.ts', rel('../harness/metrics/numerai.ts')],
  ];
  const report = targets.map(([label, p]) => `${label} ${attempt(() => fs.readFileSync(p))}`);
  report.push(`repository above cwd: ${repoAboveCwd() ?? 'none'}`);
  report.push(`API keys in /proc/*/environ: ${apiKeysInProc()}`);
  throw new Error(`read-secrets: ${report.join('; ')}`);
}

function attempt(fn: () => unknown): string {
  try {
    fn();
    return 'read';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
}

function repoAboveCwd(): string | null {
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'program.md'))) return dir;
    if (dir === path.dirname(dir)) return null;
  }
}

function apiKeysInProc(): number {
  let n = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (/(ANTHROPIC|OPENAI)_API_KEY=./.test(fs.readFileSync(`/proc/${name}/environ`, 'utf8'))) n++;
    } catch {
      // not ours to read, or exited
    }
  }
  return n;
}
