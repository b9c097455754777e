// The diff of each kept step: train/ between consecutive commits of autoresearch/<tag>, which
// advances only on keep, so a kept commit's first parent is the previous keep (or the start).
import { simpleGit } from 'simple-git';
import { listNotebook } from '../git.ts';

export interface KeptDiff {
  iteration: number;
  sha: string;
  payout: number | null;
  delta: number | null;
  hypothesis: string;
  /** unified diff of train/ against the previous kept commit */
  diff: string;
}

/** One diff per kept experiment, in experiment order. */
export async function keptDiffs(repo: string, tag: string): Promise<KeptDiff[]> {
  const g = simpleGit({ baseDir: repo });
  const out: KeptDiff[] = [];
  for (const row of await listNotebook(repo, tag)) {
    if (!row.kept || !row.keptSha) continue;
    const diff = await g.raw(['diff', '--no-color', '--no-ext-diff', '--no-textconv', `${row.keptSha}^`, row.keptSha, '--', 'train']);
    out.push({ iteration: row.n, sha: row.keptSha, payout: row.payout, delta: row.delta, hypothesis: row.hypothesis, diff });
  }
  return out;
}
