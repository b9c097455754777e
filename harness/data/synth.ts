// The built-in synthetic Numerai-shaped dataset: deterministic by seed, written in exactly the
// layout of a Numerai directory (see synth-model.ts for the generative model).
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';
import { BENCHMARK_SPECS, TARGET_SPECS, simulate, type SynthModelOptions } from './synth-model.ts';
import { writeTables, type Layout } from './synth-write.ts';

/** The generator's options (train + validation eras, one live era follows; features round-robin over groups). */
export type SynthOptions = SynthModelOptions;

export interface SynthResult {
  dir: string;
  options: SynthOptions;
  rows: { train: number; validation: number; live: number };
  featureNames: string[];
  targetNames: string[];
  benchmarkNames: string[];
}

/**
 * Defaults: seed 0, 240 eras (200 train, 40 validation) + 1 live, 200 rows per era, 48 features
 * in 4 groups: about 48k rows, small enough for a ~1 minute multi-seed evaluation on 2 cores.
 */
export const SYNTH_DEFAULTS: SynthOptions = { seed: 0, eras: 240, validationEras: 40, rowsPerEra: 200, features: 48, groups: 4 };

/** A small preset for tests: 80 eras (64 train, 16 validation), 60 rows per era, 16 features. */
export const SYNTH_SMALL: SynthOptions = { seed: 0, eras: 80, validationEras: 16, rowsPerEra: 60, features: 16, groups: 4 };

/** Marks a directory as written by this generator (and records how, for reproducibility). */
export const SYNTH_MARKER = 'synthetic.json';
const GENERATOR = 'autoresearch-synthetic';
const GENERATOR_VERSION = 1;
const GROUPS = [
  ['serenity', 'serene'], ['wisdom', 'wise'], ['agility', 'agile'], ['strength', 'strong'],
  ['charisma', 'charming'], ['constitution', 'sturdy'], ['dexterity', 'deft'], ['intelligence', 'smart'],
] as const;
const LIMITS = { eras: [20, 5000], rowsPerEra: [20, 100000], features: [4, 5000], groups: [1, GROUPS.length] } as const;
const MAX_CELLS = 1e9;
const MAX_SIGNAL = 10;

/** Option names as the caller knows them (CLI flags or config keys), for error messages. */
export type SynthOptionLabels = Record<Exclude<keyof SynthOptions, 'signal'>, string> & { signal?: string };
const PLAIN_LABELS: SynthOptionLabels = { seed: 'seed', eras: 'eras', validationEras: 'validationEras', rowsPerEra: 'rowsPerEra', features: 'features', groups: 'groups', signal: 'signal' };

function invalid(msg: string): UserError {
  return new UserError(`invalid synthetic dataset options: ${msg}`, 'the generator needs these to build a meaningful dataset', 'pass a value in the stated range');
}

/** Fills defaults (validationEras: one sixth of the eras) and validates every option. */
export function resolveSynthOptions(opts: Partial<SynthOptions>, labels: SynthOptionLabels = PLAIN_LABELS): SynthOptions {
  const eras = opts.eras ?? SYNTH_DEFAULTS.eras;
  const o: SynthOptions = {
    ...SYNTH_DEFAULTS,
    ...opts,
    validationEras: opts.validationEras ?? (Number.isInteger(eras) ? Math.max(1, Math.round(eras / 6)) : 1),
  };
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw invalid(`expected an integer from 0 to 4294967295 for ${labels.seed}, got ${o.seed}`);
  for (const k of ['eras', 'rowsPerEra', 'features', 'groups'] as const) {
    const [lo, hi] = LIMITS[k];
    if (!Number.isInteger(o[k]) || o[k] < lo || o[k] > hi) throw invalid(`expected an integer from ${lo} to ${hi} for ${labels[k]}, got ${o[k]}`);
  }
  if (!Number.isInteger(o.validationEras) || o.validationEras < 1 || o.validationEras > o.eras - 10) {
    throw invalid(`expected an integer from 1 to ${o.eras - 10} for ${labels.validationEras}, got ${o.validationEras}`);
  }
  if (o.signal !== undefined && !(o.signal >= 0 && o.signal <= MAX_SIGNAL)) {
    throw invalid(`expected a number from 0 to ${MAX_SIGNAL} for ${labels.signal ?? 'signal'}, got ${o.signal}`);
  }
  if (o.groups > o.features) throw invalid(`expected at most ${o.features} groups (one feature each at least) for ${labels.groups}, got ${o.groups}`);
  const cells = (o.eras + 13) * o.rowsPerEra * o.features;
  if (cells > MAX_CELLS) throw invalid(`${o.eras} eras x ${o.rowsPerEra} rows x ${o.features} features is above the generator's limit of ${MAX_CELLS} cells`);
  return o;
}

/** Feature names, feature sets, target names and era labels of a synthetic dataset. */
export function synthLayout(o: SynthOptions): Layout {
  const width = Math.max(3, String(o.features - 1).length);
  const featureNames = Array.from({ length: o.features }, (_, j) => `feature_${GROUPS[j % o.groups][1]}_${String(j).padStart(width, '0')}`);
  const featureSets: Record<string, string[]> = {
    small: featureNames.slice(0, Math.max(1, Math.round(o.features / 4))),
    medium: featureNames.slice(0, Math.max(1, Math.round((o.features * 3) / 4))),
    all: featureNames,
  };
  for (let g = 0; g < o.groups; g++) featureSets[GROUPS[g][0]] = featureNames.filter((_, j) => j % o.groups === g);
  const eraWidth = Math.max(4, String(o.eras).length);
  return {
    featureNames,
    featureSets,
    targetNames: ['target', ...TARGET_SPECS.map((s) => s.name)],
    eraLabels: Array.from({ length: o.eras }, (_, e) => String(e + 1).padStart(eraWidth, '0')),
    trainEras: o.eras - o.validationEras,
  };
}

/** True when `dir` holds a dataset written by this generator. */
export function looksSynthetic(dir: string): boolean {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, SYNTH_MARKER), 'utf8')) as { generator?: string };
    return m.generator === GENERATOR;
  } catch {
    return false;
  }
}

/** Refuses an output path that is a file, or a non-empty directory that is not a synthetic dataset. */
export function checkOutDir(outDir: string): void {
  const st = fs.statSync(outDir, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory()) throw new UserError(`output path is not a directory: ${outDir}`, 'a file is in its place', 'choose another --out path');
  if (fs.readdirSync(outDir).length > 0 && !looksSynthetic(outDir)) {
    throw new UserError(
      `refusing to write into ${outDir}`,
      `the directory is not empty and has no ${SYNTH_MARKER}, so it is not a synthetic dataset this command may replace`,
      'choose an empty or new directory for --out',
    );
  }
}

/** Generates the dataset into `outDir`, replacing it only once every file is complete. */
export async function synthesize(outDir: string, opts: Partial<SynthOptions> = {}, labels?: SynthOptionLabels): Promise<SynthResult> {
  const o = resolveSynthOptions(opts, labels);
  const dir = path.resolve(outDir);
  checkOutDir(dir);
  const layout = synthLayout(o);
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = path.join(path.dirname(dir), `.${path.basename(dir)}.synth-${stamp}`);
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const tables = simulate(o);
    await writeTables(tmp, tables, layout);
    const marker = { generator: GENERATOR, version: GENERATOR_VERSION, options: o };
    fs.writeFileSync(path.join(tmp, SYNTH_MARKER), JSON.stringify(marker, null, 2) + '\n');
    swapIn(tmp, dir, stamp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    options: o,
    rows: { train: layout.trainEras * o.rowsPerEra, validation: o.validationEras * o.rowsPerEra, live: o.rowsPerEra },
    featureNames: layout.featureNames,
    targetNames: layout.targetNames,
    benchmarkNames: BENCHMARK_SPECS.map((b) => b.name),
  };
}

/** Moves the finished temp directory into place; an old synthetic dataset is removed only afterwards. */
function swapIn(tmp: string, dir: string, stamp: string): void {
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st) {
    fs.renameSync(tmp, dir);
    return;
  }
  const old = path.join(path.dirname(dir), `.${path.basename(dir)}.old-${stamp}`);
  fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}
