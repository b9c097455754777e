// Config is resolved once at start-up — schema defaults < autoresearch.yaml < environment < CLI flags —
// and passed down; nothing else reads process.env. Secrets are kept apart so they never reach a snapshot.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ZodError } from 'zod';
import { UserError } from '../harness/errors.ts';
import { ConfigSchema, type Config } from './config-schema.ts';

export type { Config } from './config-schema.ts';

export const CONFIG_FILE = 'autoresearch.yaml';

/** API keys and endpoints from the environment; never journaled, never passed to trainer processes. */
export interface Secrets {
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  openaiApiKey?: string;
  /**
   * Fault injection for the crash tests and the kill soak (AUTORESEARCH_KILL_AT=point:iteration,
   * e.g. after-decision:2): the loop SIGKILLs itself there. Environment-only, never snapshotted.
   */
  killAt?: string;
}

export interface ResolvedConfig { config: Config; secrets: Secrets; file: string | null }

type Partial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : Partial<T[K]>) : T[K] };
export type ConfigOverrides = Partial<Config>;

/** Resolves the configuration from defaults, file, environment and flag overrides. */
export function resolveConfig(opts: {
  cwd: string; file?: string | null; env: NodeJS.ProcessEnv; overrides?: ConfigOverrides;
}): ResolvedConfig {
  const explicit = opts.file != null;
  const file = opts.file ? path.resolve(opts.cwd, opts.file) : path.join(opts.cwd, CONFIG_FILE);
  let fromFile: unknown = {};
  let used: string | null = null;
  if (fs.existsSync(file)) {
    fromFile = parseYamlFile(file);
    used = file;
  } else if (explicit) {
    throw new UserError(`config file not found: ${file}`, 'the path given with --config does not exist',
      `create it (see \`autoresearch config --print\` for every key) or fix the path`);
  }
  // each layer is validated as it is added, so a bad value is blamed on the layer that set it
  if (used) validateConfig(fromFile, used);
  const withEnv = deepMerge(fromFile ?? {}, envOverrides(opts.env));
  validateConfig(withEnv, 'the environment (AUTORESEARCH_*, OPENAI_BASE_URL)');
  const merged = deepMerge(withEnv, opts.overrides ?? {});
  return { config: validateConfig(merged, 'the command-line flags'), secrets: secretsFrom(opts.env), file: used };
}

/** Validates a raw object against the schema, naming the offending key and the nearest valid one. */
export function validateConfig(raw: unknown, source: string): Config {
  try {
    return ConfigSchema.parse(raw ?? {});
  } catch (e) {
    if (!(e instanceof ZodError)) throw e;
    const issue = e.issues[0];
    const where = issue.path.join('.') || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0];
      const prefix = issue.path.length ? `${issue.path.join('.')}.` : '';
      const near = nearestKey(key, knownKeys(issue.path));
      throw new UserError(`unknown config key "${prefix}${key}" in ${source}`, 'it is not a setting autoresearch knows',
        near ? `did you mean "${prefix}${near}"? (\`autoresearch config --print\` lists every key)` : 'remove it; `autoresearch config --print` lists every key');
    }
    throw new UserError(`invalid config value for "${where}" in ${source}`, issue.message,
      'fix the value; `autoresearch config --print` shows every key with its default');
  }
}

function parseYamlFile(file: string): unknown {
  if (!fs.statSync(file).isFile()) {
    throw new UserError(`config file is not a file: ${file}`, 'a directory is in its place', 'pass the path of a YAML file with --config');
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${file}`, (e as Error).message, 'check the file\'s permissions, or pass another file with --config');
  }
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) {
    throw new UserError(`cannot parse ${file}`, doc.errors[0].message.split('\n')[0], 'fix the YAML syntax at the position shown');
  }
  const value = doc.toJS();
  if (value != null && (typeof value !== 'object' || Array.isArray(value))) {
    throw new UserError(`cannot use ${file}`, 'its top level is not a mapping of keys to values', 'write it as `section:\\n  key: value` (see `autoresearch config --print`)');
  }
  return value ?? {};
}

function envOverrides(env: NodeJS.ProcessEnv): ConfigOverrides {
  const out: ConfigOverrides = {};
  if (env.AUTORESEARCH_DATA) out.data = { dir: env.AUTORESEARCH_DATA };
  const agent: Record<string, unknown> = {};
  if (env.AUTORESEARCH_AGENT) agent.kind = env.AUTORESEARCH_AGENT;
  if (env.AUTORESEARCH_MODEL) agent.model = env.AUTORESEARCH_MODEL;
  if (env.OPENAI_BASE_URL) agent.openai_base_url = env.OPENAI_BASE_URL;
  if (Object.keys(agent).length) out.agent = agent as ConfigOverrides['agent'];
  return out;
}

function secretsFrom(env: NodeJS.ProcessEnv): Secrets {
  return {
    anthropicApiKey: env.ANTHROPIC_API_KEY || undefined,
    anthropicBaseUrl: env.ANTHROPIC_BASE_URL || undefined,
    openaiApiKey: env.OPENAI_API_KEY || undefined,
    killAt: env.AUTORESEARCH_KILL_AT || undefined,
  };
}

/** Merges b into a; arrays and scalars in b replace those in a; undefined in b is ignored. */
export function deepMerge(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (!isPlain(a) || !isPlain(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = deepMerge(out[k], v);
  return out;
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function knownKeys(pathParts: (string | number)[]): string[] {
  let node: unknown = ConfigSchema.parse({});
  for (const p of pathParts) node = isPlain(node) ? node[String(p)] : undefined;
  return isPlain(node) ? Object.keys(node) : [];
}

function nearestKey(key: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(key, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
