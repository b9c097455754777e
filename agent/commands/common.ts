// Helpers shared by the commands: option parsers with exact messages, the repository root,
// and the one place a command turns its flags into a resolved config.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { resolveConfig, type ConfigOverrides, type ResolvedConfig } from '../config.ts';

/** commander parser: a positive integer, with the option named in the message. */
export function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`expected a positive integer for ${name}, got ${v}`);
    return Number(v);
  };
}

/** commander parser: an integer of at least `min` (e.g. --folds, where the schema needs 2). */
export function intAtLeast(name: string, min: number) {
  return (v: string): number => {
    if (!/^-?\d+$/.test(v) || Number(v) < min) throw new InvalidArgumentError(`expected an integer ≥ ${min} for ${name}, got ${v}`);
    return Number(v);
  };
}

/** commander parser: a non-negative integer. */
export function nonNegativeInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`expected a non-negative integer for ${name}, got ${v}`);
    return Number(v);
  };
}

/** commander parser: a positive number. */
export function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number for ${name}, got ${v}`);
    return n;
  };
}

/** commander parser: a comma-separated list of integer seeds. */
export function seedList(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => !/^-?\d+$/.test(p))) {
    throw new InvalidArgumentError(`expected comma-separated integer seeds for --seeds (e.g. 42,17,73), got ${v}`);
  }
  const seeds = parts.map(Number);
  if (new Set(seeds).size !== seeds.length) throw new InvalidArgumentError(`expected distinct seeds for --seeds, got ${v}`);
  return seeds;
}

/** The repository root: the nearest directory upwards holding train/ and harness/, else cwd. */
export function repoRoot(cwd: string = process.cwd()): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'train')) && fs.existsSync(path.join(dir, 'harness'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/** Resolves config for a command from --config and flag overrides. */
export function configFor(repo: string, file: string | undefined, overrides: ConfigOverrides): ResolvedConfig {
  return resolveConfig({ cwd: repo, file: file ?? null, env: process.env, overrides });
}

/** Drops undefined leaves so unset flags never override file or environment values. */
export function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const inner = defined(v as object);
      if (Object.keys(inner).length) out[k] = inner;
    } else out[k] = v;
  }
  return out as T;
}

/** A timestamp usable in directory names: 20261123-154233. */
export function stamp(d: Date = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
