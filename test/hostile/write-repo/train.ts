// Hostile: tries to change the repository around it: program.md, learnings.md, git, the harness's
// scoring and the journal, at the paths a module would guess (`../` from train/, an absolute
// repository path passed in config.json as if from the environment, the nearest ancestor of the
// working directory holding program.md). Each attempt appends a line; it throws a report of what
// each gave: "wrote" or the error code.
import fs from 'node:fs';
import path from 'node:path';

interface Config { tag: string; paths: Record<string, string> }

const FILES = (tag: string) => ['program.md', 'learnings.md', '.git/HEAD', 'harness/metrics/numerai.ts', 'harness/pwned.ts', `runs/${tag}/journal.jsonl`];

export default function train(): never {
  const { tag, paths } = JSON.parse(fs.readFileSync(new URL('./config.json', import.meta.url), 'utf8')) as Config;
  const targets: [string, string][] = FILES(tag).map((f) => [`../${f}`, new URL(`../${f}`, import.meta.url).pathname]);
  targets.push(...Object.entries(paths));
  const above = repoAboveCwd();
  if (above) targets.push(...FILES(tag).map((f): [string, string] => [`cwd-guessed ${f}`, path.join(above, f)]));
  const report = targets.map(([label, p]) => `${label} ${attempt(() => fs.appendFileSync(p, '\n// pwned by write-repo\n'))}`);
  report.push(`repository above cwd: ${above ?? 'none'}`);
  throw new Error(`write-repo: ${report.join('; ')}`);
}

function attempt(fn: () => unknown): string {
  try {
    fn();
    return 'wrote';
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
