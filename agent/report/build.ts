// Builds a run's report and writes it in one step: a temp file renamed over the target, so a
// reader (or a kill) never sees half a report.
import fs from 'node:fs';
import path from 'node:path';
import { collectReport } from './collect.ts';
import { renderReport } from './html.ts';

/** Writes the self-contained report of run `tag` to `out`; returns its size in bytes. */
export async function writeReport(repo: string, tag: string, out: string): Promise<number> {
  const html = renderReport(await collectReport(repo, tag));
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.tmp-${process.pid}`);
  try {
    fs.writeFileSync(tmp, html);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return Buffer.byteLength(html);
}
