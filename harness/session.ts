// The harness as one session sees it: the dataset opened once (from its binary cache), the
// benchmark chosen, fold files built once per CV plan, and a factory for evaluation setups.
// Takes plain options so the harness never depends on the agent's config module.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CvConfig } from './cv.ts';
import { loadDataset } from './data/cache.ts';
import { dataInfo } from './data/info.ts';
import { synthesize } from './data/synth.ts';
import type { Dataset } from './data/types.ts';
import { UserError } from './errors.ts';
import type { EvalSetup, JobSettings } from './evaluate.ts';
import { buildFolds, type FoldSet } from './folds.ts';
import { createFactorCache, type FactorCache } from './metrics/factor-cache.ts';
import { sandboxInfo, type SandboxInfo } from './runner/sandbox.ts';
import { snapshotTrain } from './snapshot.ts';

export const HARNESS_DIR = path.dirname(fileURLToPath(import.meta.url));

export interface SyntheticSpec { seed: number; eras: number; rows_per_era: number; features: number }

export interface HarnessOptions extends JobSettings {
  repoDir: string;
  data: {
    dir: string | null; feature_set: string; target: string; aux_targets: 'all' | string[];
    benchmark: string | null; synthetic: SyntheticSpec;
  };
  cv: CvConfig;
  log(line: string): void;
}

export interface Harness {
  ds: Dataset;
  dataDir: string;
  synthetic: boolean;
  mainTarget: string;
  benchmark: string | null;
  sandbox: SandboxInfo;
  workers: number;
  /** fold files for the search CV or the holdout split (built once, then reused) */
  folds(holdout: boolean): FoldSet;
  /** FNC's per-era factors, reused by every evaluation of this session */
  factorCache: FactorCache;
  /** freezes `trainDir` under `workDir` and returns the setup to run seeds with */
  setup(trainDir: string, workDir: string, holdout?: boolean): EvalSetup;
}

/** Where the built-in synthetic dataset for a spec lives inside the repository. */
export function syntheticDir(repoDir: string, s: SyntheticSpec): string {
  return path.join(repoDir, 'runs', '.data', `synthetic-s${s.seed}-e${s.eras}-r${s.rows_per_era}-f${s.features}`);
}

/** Opens the data (making the synthetic set on first use), checks the CV plan, and builds fold files lazily. */
export async function openHarness(o: HarnessOptions): Promise<Harness> {
  let dataDir = o.data.dir ? path.resolve(o.repoDir, o.data.dir) : syntheticDir(o.repoDir, o.data.synthetic);
  const synthetic = o.data.dir === null;
  if (synthetic && !fs.existsSync(path.join(dataDir, 'features.json'))) {
    o.log(`making the built-in synthetic dataset in ${path.relative(o.repoDir, dataDir)} (seed ${o.data.synthetic.seed})`);
    await synthesize(dataDir, {
      seed: o.data.synthetic.seed, eras: o.data.synthetic.eras,
      rowsPerEra: o.data.synthetic.rows_per_era, features: o.data.synthetic.features,
    });
  }
  if (!fs.existsSync(dataDir)) {
    throw new UserError(`data directory not found: ${dataDir}`, 'the path given with --data (or data.dir) does not exist',
      'point --data at a Numerai v5.x directory (train.parquet, features.json, ...) or omit it to use the synthetic dataset');
  }
  dataDir = fs.realpathSync(dataDir);
  const info = await dataInfo(dataDir);
  const targets = pickTargets(o.data.target, o.data.aux_targets, info.targets);
  const benchmark = pickBenchmark(o.data.benchmark, o.data.target, info.benchmark_columns);
  const ds = await loadDataset(dataDir, {
    featureSet: o.data.feature_set, targets, benchmarks: benchmark ? [benchmark] : [],
    includeValidation: true, includeLive: false,
  }, { cacheDir: path.join(o.repoDir, 'runs', '.cache') });
  const sandbox = sandboxInfo();
  const workers = o.workers > 0 ? o.workers : (await import('node:os')).availableParallelism();
  const foldDir = path.join(o.repoDir, 'runs', '.folds');
  const built = new Map<boolean, FoldSet>();
  const folds = (holdout: boolean): FoldSet => {
    if (!built.has(holdout)) {
      built.set(holdout, buildFolds(ds, o.cv, { dir: foldDir, mainTarget: o.data.target, benchmark, holdout }));
    }
    return built.get(holdout)!;
  };
  const factorCache = createFactorCache();
  return {
    ds, dataDir, synthetic, mainTarget: o.data.target, benchmark, sandbox, workers, folds, factorCache,
    setup(trainDir, workDir, holdout = false) {
      const snap = snapshotTrain(trainDir, path.join(workDir, 'candidate'), HARNESS_DIR);
      if (snap.skipped.length) o.log(`left out of the train/ snapshot (not regular files): ${snap.skipped.join(', ')}`);
      return {
        ds, folds: folds(holdout), mainTarget: o.data.target, benchmark, trainDir: snap.trainDir, workDir,
        workers, timeoutMs: o.timeoutMs, memoryMb: o.memoryMb, backend: o.backend, weights: o.weights, factorCache,
      };
    },
  };
}

function pickTargets(main: string, aux: 'all' | string[], available: string[]): string[] {
  if (!available.includes(main)) {
    throw new UserError(`unknown target "${main}"`,
      available.length ? `train.parquet has ${available.length} target columns: ${available.slice(0, 12).join(', ')}${available.length > 12 ? ', ...' : ''}` : 'train.parquet has no target columns',
      'set data.target in autoresearch.yaml to one of them, or use a data directory whose train.parquet has targets');
  }
  const extra = aux === 'all' ? available : aux;
  for (const t of extra) {
    if (!available.includes(t)) {
      throw new UserError(`unknown auxiliary target "${t}"`, 'it is not listed in features.json', 'remove it from data.aux_targets or use "all"');
    }
  }
  return [main, ...extra.filter((t) => t !== main)];
}

/** "auto" → the benchmark column named after the target (target_ender_20 → *_ender20), else the first one. */
export function pickBenchmark(wanted: string | null, target: string, available: string[]): string | null {
  if (wanted === null) return null;
  if (wanted !== 'auto') {
    if (available.includes(wanted)) return wanted;
    const bySuffix = available.filter((c) => c.endsWith(`_${wanted}`));
    if (bySuffix.length === 1) return bySuffix[0];
    throw new UserError(`unknown benchmark column "${wanted}"`, `the benchmark files have: ${available.join(', ') || '(none)'}`,
      'set data.benchmark to one of them, "auto", or null to score without BMC');
  }
  if (available.length === 0) return null;
  const m = /^target_([a-z0-9]+)_(\d+)$/.exec(target);
  if (m) {
    const hit = available.find((c) => c.endsWith(`_${m[1]}${m[2]}`));
    if (hit) return hit;
  }
  return available[0];
}

/** Asks a child process which tf backend trainer jobs will get (the orchestrator never loads tfjs). */
export function probeBackend(pref: HarnessOptions['backend']): { backend: string | null; note: string | null } {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(HARNESS_DIR, 'tf-probe.ts'), pref], {
      encoding: 'utf8', timeout: 60_000, cwd: path.dirname(HARNESS_DIR), env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    });
    return JSON.parse(out.trim().split('\n').pop()!);
  } catch (e) {
    return { backend: null, note: `backend probe failed: ${(e as Error).message.split('\n')[0]}` };
  }
}
