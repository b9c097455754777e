// features.json of a Numerai directory: the named feature sets and the target list.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';

export interface FeaturesJson {
  featureSets: Record<string, string[]>;
  targets: string[];
}

/** Reads and validates `<dir>/features.json`. */
export function readFeaturesJson(dir: string): FeaturesJson {
  const file = path.join(dir, 'features.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(
      `features.json not found: ${file}`,
      'a Numerai data directory holds features.json next to train.parquet',
      'download it with the Numerai API (napi.download_dataset("v5.0/features.json")) or point to another directory',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`cannot parse ${file}`, `invalid JSON (${(e as Error).message})`, 're-download features.json');
  }
  return parseFeaturesJson(raw, file);
}

/** Validates the parsed JSON of a features.json file. */
export function parseFeaturesJson(raw: unknown, file: string): FeaturesJson {
  const bad = (why: string) =>
    new UserError(`unexpected content in ${file}`, why, 're-download features.json from Numerai');
  if (typeof raw !== 'object' || raw === null) throw bad('the top level is not an object');
  const obj = raw as Record<string, unknown>;
  const sets = obj.feature_sets;
  if (typeof sets !== 'object' || sets === null || Array.isArray(sets)) throw bad('"feature_sets" is missing or not an object');
  const featureSets: Record<string, string[]> = {};
  for (const [name, cols] of Object.entries(sets as Record<string, unknown>)) {
    if (!Array.isArray(cols) || !cols.every((c) => typeof c === 'string')) {
      throw bad(`feature set "${name}" is not a list of column names`);
    }
    featureSets[name] = cols as string[];
  }
  const targets = obj.targets ?? [];
  if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string')) throw bad('"targets" is not a list of column names');
  return { featureSets, targets: targets as string[] };
}

/** The columns of feature set `name`; an unknown or empty set is a UserError listing the available ones. */
export function resolveFeatureSet(fj: FeaturesJson, name: string): string[] {
  const cols = Object.hasOwn(fj.featureSets, name) ? fj.featureSets[name] : undefined;
  const available = Object.keys(fj.featureSets)
    .map((n) => `${n} (${fj.featureSets[n].length})`)
    .join(', ');
  if (!cols) {
    throw new UserError(
      `unknown feature set "${name}"`,
      `features.json defines: ${available || 'no feature sets'}`,
      'choose one of the listed feature sets',
    );
  }
  if (cols.length === 0) {
    throw new UserError(`feature set "${name}" is empty`, `features.json defines: ${available}`, 'choose a non-empty feature set');
  }
  return cols;
}
