// Freezes a train/ directory for one evaluation: the copy is what every job of that evaluation
// runs, so edits made while it runs cannot mix versions. Only regular files are copied — a
// symlink could point a job at files outside train/ — and a `harness` link beside the copy keeps
// `../harness/contract.ts` imports working when jobs run without bubblewrap.
import fs from 'node:fs';
import path from 'node:path';

export interface Snapshot {
  /** the frozen copy of train/ */
  trainDir: string;
  /** relative paths of symlinks and special files that were left out */
  skipped: string[];
}

/** Copies the regular files of `srcTrain` to `<destRoot>/train` and links `<destRoot>/harness`. */
export function snapshotTrain(srcTrain: string, destRoot: string, harnessDir: string): Snapshot {
  const trainDir = path.join(destRoot, 'train');
  fs.rmSync(trainDir, { recursive: true, force: true });
  fs.mkdirSync(trainDir, { recursive: true });
  const skipped: string[] = [];
  copyTree(srcTrain, trainDir, '', skipped);
  const link = path.join(destRoot, 'harness');
  if (!fs.existsSync(link)) fs.symlinkSync(harnessDir, link, 'dir');
  return { trainDir, skipped };
}

function copyTree(src: string, dest: string, rel: string, skipped: string[]): void {
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = path.join(dest, entry.name);
    const r = path.join(rel, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(to);
      copyTree(from, to, r, skipped);
    } else if (entry.isFile()) {
      fs.copyFileSync(from, to);
    } else {
      skipped.push(r);
    }
  }
}
