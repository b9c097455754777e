// Proof that the harness did not change during a run: a sha256 over every file under the
// repository's harness/ (sorted relative paths and their bytes), sealed when a session starts and
// compared before every evaluation. The harness defines how candidates are scored, so a score
// taken after any change to it is not comparable with the scores before it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.ts';

export interface HarnessDigest {
  /** sha256 over the sorted relative paths and their bytes */
  digest: string;
  /** path relative to the repository (harness/gate.ts) → sha256 of its bytes (of its target, for a symlink) */
  files: Map<string, string>;
}

/** The run stops on this: harness/ differs from the seal taken at session start. */
export class HarnessChangedError extends UserError {
  readonly changes: string[];

  constructor(changes: string[]) {
    const shown = changes.length > MAX_SHOWN ? [...changes.slice(0, MAX_SHOWN), `and ${changes.length - MAX_SHOWN} more`] : changes;
    super(`harness/ changed during the run (${shown.join(', ')})`,
      'the harness defines how every candidate is scored, so no score taken after the change would be comparable with the ones before it; nothing more is evaluated',
      'restore it with `git checkout -- harness` (and `git clean -fd harness` for added files), then run again to resume');
    this.name = 'HarnessChangedError';
    this.changes = changes;
  }
}

const MAX_SHOWN = 5;
const sealed = new Map<string, HarnessDigest>();

/** Hashes every file under <repo>/harness (a missing harness/ hashes as empty). */
export function hashHarness(repo: string): HarnessDigest {
  const root = path.resolve(repo);
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (e.isDirectory()) walk(abs);
      else if (e.isSymbolicLink()) files.set(rel, sha256(`symlink:${fs.readlinkSync(abs)}`));
      else files.set(rel, sha256(fs.readFileSync(abs)));
    }
  };
  if (fs.existsSync(path.join(root, 'harness'))) walk(path.join(root, 'harness'));
  const all = crypto.createHash('sha256');
  for (const rel of [...files.keys()].sort()) all.update(`${rel}\0${files.get(rel)}\0`);
  return { digest: all.digest('hex'), files };
}

/** What differs, sorted by path: "modified harness/x.ts", "added harness/y.ts", "removed harness/z.ts". */
export function harnessChanges(before: HarnessDigest, after: HarnessDigest): string[] {
  const paths = [...new Set([...before.files.keys(), ...after.files.keys()])].sort();
  return paths.flatMap((p) => {
    const [a, b] = [before.files.get(p), after.files.get(p)];
    if (a === b) return [];
    return [a === undefined ? `added ${p}` : b === undefined ? `removed ${p}` : `modified ${p}`];
  });
}

/** Seals <repo>/harness for this process's session on `repo`; every later checkHarness compares against it. */
export function sealHarness(repo: string): HarnessDigest {
  const d = hashHarness(repo);
  sealed.set(path.resolve(repo), d);
  return d;
}

/** Throws HarnessChangedError when <repo>/harness differs from its seal (sealed on first use). */
export function checkHarness(repo: string): void {
  const seal = sealed.get(path.resolve(repo));
  if (!seal) {
    sealHarness(repo);
    return;
  }
  const now = hashHarness(repo);
  if (now.digest !== seal.digest) throw new HarnessChangedError(harnessChanges(seal, now));
}

function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
