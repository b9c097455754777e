// The effects half of the gate-validity bench: makes the synthetic sets, opens the real harness
// on each, evaluates (or reads from the cache) the weak and strong variants in an interleaved order
// — so a stopped run leaves balanced pools — and hands the pools to the pure rules.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { validateConfig, type Config } from '../../agent/config.ts';
import { harnessOptions } from '../../agent/harness-options.ts';
import { synthesize } from '../../harness/data/synth.ts';
import { openHarness, type Harness } from '../../harness/session.ts';
import { crossedRule, type CrossedOutcome } from './crossed.ts';
import { alternativeRules, evaluateRule, loopRule, pickWinner, poolStats, type RuleOutcome } from './rules.ts';
import { evaluateVariant, readCached, type EvalRecord, type SeedRun } from './runs.ts';
import { simulateRules, type SimulatedRates } from './simulate.ts';
import { saltFor, sourceHash, VARIANT_VERSION, type Arm } from './variants.ts';

export interface DataSpec {
  name: string;
  /** synthetic signal scale; undefined = the generator's own (today's datasets) */
  signal?: number;
}

export interface BenchOptions {
  /** trials of each kind (null, planted) per data set under the loop's rule */
  n: number;
  /** synthetic data seed, also mixed into every salt */
  seed: number;
  datasets: DataSpec[];
  eras: number;
  rows: number;
  features: number;
  epochs: number;
  batchSize: number;
  weakFraction: number;
  /** simulated null and planted trials per rule (0 = none) */
  simulate: number;
  /** false: decide from the cache only, never train */
  train: boolean;
  /** everything the bench writes: data, harness caches, evaluations (runs/.bench/gate-validity) */
  outDir: string;
  /** the train module the variants are written from */
  baseSource: string;
  /** config overrides on top of the schema defaults (the bench itself passes only workers and backend) */
  config: Record<string, unknown>;
  log(line: string): void;
  signal?: AbortSignal;
}

export interface DatasetReport {
  spec: DataSpec;
  dataDir: string;
  weak: EvalRecord[];
  strong: EvalRecord[];
  pool: { weak: ReturnType<typeof poolStats>; strong: ReturnType<typeof poolStats> };
  loop: RuleOutcome;
  alternatives: RuleOutcome[];
  winner: RuleOutcome | null;
  /** the same rules on normal draws with each arm's pooled mean and σ; null with under 2 seed runs per arm */
  simulated: SimulatedRates[] | null;
  /** the loop's rule and the alternatives with every measured baseline paired with every measured candidate */
  crossed: CrossedOutcome[];
}

export interface BenchReport { config: Config; datasets: DatasetReport[]; wallSeconds: number }

/** Runs (or resumes) the bench and decides every rule on each data set's pools. */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const t0 = performance.now();
  const sets: { spec: DataSpec; dataDir: string; config: Config; cache: (arm: Arm) => string; harness: Harness | null; weak: EvalRecord[]; strong: EvalRecord[] }[] = [];
  for (const spec of o.datasets) {
    const dataDir = path.join(o.outDir, 'data', dataKey(o, spec));
    if (o.train && !fs.existsSync(path.join(dataDir, 'features.json'))) {
      o.log(`making synthetic set ${spec.name} in ${dataDir}`);
      await synthesize(dataDir, { seed: o.seed, eras: o.eras, rowsPerEra: o.rows, features: o.features, ...(spec.signal === undefined ? {} : { signal: spec.signal }) });
    }
    const config = validateConfig({ ...o.config, data: { ...(o.config.data as object | undefined), dir: dataDir } }, 'gate-validity');
    const cache = (arm: Arm) => path.join(o.outDir, 'evals', `${spec.name}-${arm}-${cacheKey(o, spec, config, arm)}`);
    sets.push({ spec, dataDir, config, cache, harness: null, weak: [], strong: [] });
  }
  const arms: [Arm, number][] = [['weak', 0], ['weak', 1], ['strong', 0]];
  const stopped = new Set<number>();
  for (let k = 0; k < o.n; k++) {
    for (const [i, set] of sets.entries()) {
      for (const [arm, offset] of arms) {
        if (stopped.has(i)) break;
        const index = arm === 'weak' ? 2 * k + offset : k;
        let rec = readCached(set.cache(arm), arm, index);
        if (!rec && o.train) {
          set.harness ??= await openHarness(harnessOptions(set.config, o.outDir, o.log));
          const req = { arm, index, salt: saltFor(arm, index, o.seed), epochs: o.epochs, batchSize: o.batchSize, weakFraction: o.weakFraction, seeds: set.config.eval.seeds };
          rec = await evaluateVariant(set.harness, o.baseSource, req, { cache: set.cache(arm), work: path.join(o.outDir, 'work') }, o.signal);
          const p = rec.seeds.map((s) => s.payout.toFixed(4)).join(' ');
          o.log(`[${set.spec.name} ${arm} ${index}] payouts ${p} (${rec.backend}, ${rec.wallSeconds.toFixed(0)} s wall, ${rec.cpuSeconds.toFixed(0)} s CPU)`);
        }
        // Pools stay contiguous: trials pair evaluations by index, so a gap ends the pool.
        if (rec) (arm === 'weak' ? set.weak : set.strong).push(rec);
        else stopped.add(i);
      }
    }
  }
  const datasets = sets.map((s) => decideSet(s.spec, s.dataDir, s.config, s.weak, s.strong, o.simulate, o.seed));
  return { config: sets[0]?.config ?? validateConfig(o.config, 'gate-validity'), datasets, wallSeconds: (performance.now() - t0) / 1000 };
}

function decideSet(spec: DataSpec, dataDir: string, config: Config, weak: EvalRecord[], strong: EvalRecord[], simulate: number, seed: number): DatasetReport {
  const runs = (recs: EvalRecord[]): SeedRun[] => recs.flatMap((r) => r.seeds);
  const [w, s] = [runs(weak), runs(strong)];
  const weights = { corr: config.payout.corr, bmc: config.payout.bmc };
  const loop = evaluateRule(w, s, loopRule(config), weights);
  const alternatives = alternativeRules(loop.rule).map((r) => evaluateRule(w, s, r, weights));
  const pool = { weak: poolStats(w), strong: poolStats(s) };
  const simulated = simulate > 0 && w.length > 1 && s.length > 1
    ? simulateRules([loop.rule, ...alternatives.map((a) => a.rule)], pool.weak, pool.strong, simulate, seed)
    : null;
  const crossed = [loop.rule, ...alternatives.map((a) => a.rule)].map((r) => crossedRule(w, s, r, weights, seed));
  return { spec, dataDir, weak, strong, pool, loop, alternatives, winner: loop.meetsGoals ? loop : pickWinner(alternatives), simulated, crossed };
}

function dataKey(o: BenchOptions, spec: DataSpec): string {
  return `synthetic-s${o.seed}-e${o.eras}-r${o.rows}-f${o.features}${spec.signal === undefined ? '' : `-signal${spec.signal}`}`;
}

// Anything that changes a seed run's numbers changes the key, so a stale cache is never mixed in.
function cacheKey(o: BenchOptions, spec: DataSpec, config: Config, arm: Arm): string {
  const key = {
    data: dataKey(o, spec), base: sourceHash(o.baseSource), variant: VARIANT_VERSION, epochs: o.epochs, batch: o.batchSize,
    ...(arm === 'weak' ? { weakFraction: o.weakFraction } : {}),
    cv: config.cv, seeds: config.eval.seeds, backend: config.eval.backend, payout: config.payout, target: config.data.target,
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 12);
}
