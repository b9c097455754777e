// Two git steps the loop needs beyond agent/git.ts: restoring train/ exactly as a candidate ref
// has it (resume), and reading a file as HEAD has it (the clean check for program.md).
import fs from 'node:fs';
import path from 'node:path';
import { simpleGit } from 'simple-git';

/** Makes the working tree's train/ equal `ref`'s train/: its files checked out, all others removed. */
export async function restoreTrainFrom(repo: string, ref: string): Promise<void> {
  const g = simpleGit({ baseDir: repo });
  const listed = (await g.raw(['ls-tree', '-r', '--name-only', ref, '--', 'train'])).split('\n').filter(Boolean);
  const keep = new Set(listed);
  removeExtra(repo, 'train', keep);
  if (listed.length) await g.raw(['checkout', ref, '--', 'train']);
  await g.raw(['reset', '-q', 'HEAD', '--', 'train']);
}

/** A file's content at HEAD, or null when HEAD has no such file. */
export async function fileAtHead(repo: string, rel: string): Promise<string | null> {
  try {
    return await simpleGit({ baseDir: repo }).raw(['show', `HEAD:${rel}`]);
  } catch {
    return null;
  }
}

function removeExtra(repo: string, rel: string, keep: Set<string>): void {
  const dir = path.join(repo, rel);
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = `${rel}/${entry.name}`;
    if (entry.isDirectory()) removeExtra(repo, r, keep);
    else if (!keep.has(r)) fs.rmSync(path.join(repo, r), { force: true });
  }
}
