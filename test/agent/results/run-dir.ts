// A throwaway directory holding runs/<tag>/journal.jsonl files written from events, for the
// inspect and compare tests (no git, no loop: the commands read journals and parquet only).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JournalEvent } from '../../../agent/events.ts';

const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Makes a directory with one journal per tag; returns it. */
export function runsDir(journals: Record<string, JournalEvent[]>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-runs-'));
  for (const [tag, events] of Object.entries(journals)) {
    fs.mkdirSync(path.join(dir, 'runs', tag), { recursive: true });
    fs.writeFileSync(path.join(dir, 'runs', tag, 'journal.jsonl'), events.map((e) => JSON.stringify(e) + '\n').join(''));
  }
  return dir;
}

/** Runs this checkout's CLI with `cwd` as the working directory. */
export function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ANTHROPIC|OPENAI|AUTORESEARCH)_/.test(k) && k !== 'NODE_TEST_CONTEXT'));
  const r = spawnSync(process.execPath, [path.join(PROJECT, 'agent', 'bin.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...clean, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
