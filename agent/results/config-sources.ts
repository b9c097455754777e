// Where each resolved config value came from — schema default, autoresearch.yaml, environment or a
// flag — so `autoresearch config` can show a researcher why a run used the value it did.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigSchema } from '../config-schema.ts';
import { resolveConfig, type ConfigOverrides, type ResolvedConfig } from '../config.ts';

export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

/** Resolved config plus the source of every leaf, keyed by dotted path ("eval.seeds"); arrays are leaves. */
export interface SourcedConfig extends ResolvedConfig {
  sources: Record<string, ConfigSource>;
}

/** Resolves like resolveConfig (same errors) and attributes each leaf to the highest layer that set it. */
export function resolveWithSources(opts: { cwd: string; file?: string | null; env: NodeJS.ProcessEnv; overrides?: ConfigOverrides }): SourcedConfig {
  const resolved = resolveConfig(opts);
  const fileRaw = resolved.file ? (YAML.parse(fs.readFileSync(resolved.file, 'utf8')) ?? {}) : {};
  // The environment's effect, measured against defaults alone: a variable that repeats the default is shown as the default.
  const none = ConfigSchema.parse({});
  const envOnly = envLayer(opts.env);
  const sources: Record<string, ConfigSource> = {};
  for (const [key, value] of leaves(resolved.config)) {
    const p = key.split('.');
    if (setIn(opts.overrides ?? {}, p)) sources[key] = 'flag';
    else if (envOnly && !same(get(envOnly, p), get(none, p)) && same(get(envOnly, p), value)) sources[key] = 'env';
    else if (setIn(fileRaw, p)) sources[key] = 'file';
    else sources[key] = 'default';
  }
  return { ...resolved, sources };
}

/** Defaults + environment alone: resolved from a directory that does not exist, so no autoresearch.yaml is read. */
function envLayer(env: NodeJS.ProcessEnv): unknown {
  try {
    return resolveConfig({ cwd: path.join(os.tmpdir(), `autoresearch-env-only-${process.pid}-absent`), file: null, env, overrides: {} }).config;
  } catch {
    return null;
  }
}

/** [dotted path, value] of every scalar or array in a plain object tree. */
export function leaves(o: unknown, prefix: string[] = []): [string, unknown][] {
  if (!isPlain(o)) return [[prefix.join('.'), o]];
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(o)) out.push(...leaves(v, [...prefix, k]));
  return out;
}

/** Whether `o` sets path `p` (or a scalar/array on a prefix of it, which replaces the whole subtree). */
function setIn(o: unknown, p: string[]): boolean {
  let node = o;
  for (const part of p) {
    if (!isPlain(node)) return false;
    if (!(part in node) || node[part] === undefined) return false;
    node = node[part];
    if (!isPlain(node)) return true;
  }
  return true;
}

function get(o: unknown, p: string[]): unknown {
  let node = o;
  for (const part of p) node = isPlain(node) ? node[part] : undefined;
  return node;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
