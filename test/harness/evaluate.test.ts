import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBin } from '../../harness/binfile.ts';
import { aggregate, runSeeds, wantsFnc, FNC_AUTO_MAX_FEATURES, type EvalSetup } from '../../harness/evaluate.ts';
import { createFactorCache } from '../../harness/metrics/factor-cache.ts';
import { featureNeutralCorr } from '../../harness/metrics/neutralize.ts';
import { openHarness, type Harness } from '../../harness/session.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.resolve(repoRoot, '../shared/fixtures/numerai-mini');

let tmp: string;
let harness: Harness;
before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-evaluate-'));
  harness = await openHarness({
    repoDir: tmp,
    data: { dir: FIXTURE, feature_set: 'all', target: 'target', aux_targets: [], benchmark: 'auto', synthetic: { seed: 0, eras: 10, rows_per_era: 10, features: 4 } },
    cv: { folds: 2, embargo: 2, mode: 'blocked', downsample: 1, holdout: 4 },
    workers: 1, timeoutMs: 60_000, memoryMb: 1024, backend: 'cpu', weights: { corr: 0.75, bmc: 2.25 }, log: () => {},
  });
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A deterministic prediction per dataset row (a seed shifts it), saved as if a trainer job had run. */
const predict = (row: number, seed: number) => Math.sin(row * 0.37 + seed) + 0.1 * Math.cos(row * 1.3);

function savedPredictions(setup: EvalSetup, seeds: number[]): (fold: number, seed: number) => string {
  const dir = path.join(setup.workDir, 'saved');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of setup.folds.folds.filter((x) => !x.empty)) {
    for (const seed of seeds) {
      writeBin(path.join(dir, `f${f.fold}-s${seed}.bin`), { fold: f.fold, seed }, { predictions: Float64Array.from(f.predictRows, (r) => predict(r, seed)) });
    }
  }
  return (fold, seed) => path.join(dir, `f${fold}-s${seed}.bin`);
}

/** FNC of one seed computed directly: per era, the era's rows with every loaded feature, then the mean over eras. */
function directFnc(setup: EvalSetup, seed: number): number {
  const { ds } = setup;
  const rows = setup.folds.folds.filter((f) => !f.empty).flatMap((f) => [...f.predictRows]).sort((a, b) => a - b);
  const byEra = new Map<number, number[]>();
  for (const r of rows) byEra.set(ds.eraIndex[r], [...(byEra.get(ds.eraIndex[r]) ?? []), r]);
  const t = ds.targets[ds.targetNames.indexOf('target')];
  const perEra = [...byEra.values()].map((rs) => {
    const cols = Array.from({ length: ds.x.nFeatures }, (_, f) => Float64Array.from(rs, (r) => ds.x.blocks[0][r * ds.x.nFeatures + f]));
    return featureNeutralCorr(Float64Array.from(rs, (r) => predict(r, seed)), cols, Float64Array.from(rs, (r) => t[r]));
  }).filter((v) => !Number.isNaN(v));
  return perEra.reduce((a, b) => a + b, 0) / perEra.length;
}

test('with fnc on, each seed\'s FNC is the mean per-era feature-neutral corr against every loaded feature', async () => {
  const setup = { ...harness.setup(path.join(repoRoot, 'train'), path.join(tmp, 'on')), fnc: true as const };
  assert.equal(setup.ds.x.blocks.length, 1, 'the fixture fits one feature block');
  const results = await runSeeds(setup, [1, 2], { reuse: savedPredictions(setup, [1, 2]) });
  for (const r of results) {
    assert.ok(r.ok);
    assert.ok(Math.abs(r.fnc! - directFnc(setup, r.seed)) < 1e-12, `seed ${r.seed}: ${r.fnc} vs ${directFnc(setup, r.seed)}`);
    assert.equal(r.bmcLast200, r.summary!.bmc_last_200_eras!.mean);
    assert.equal(r.corrWithBenchmark, r.summary!.bmc!.avg_corr_with_benchmark);
  }
  const agg = aggregate(results, setup.weights);
  assert.equal(agg.extra.fnc, (results[0].fnc! + results[1].fnc!) / 2);
  // fewer than 200 BMC eras: the last-200 mean is the whole mean
  assert.ok(Math.abs(agg.extra.bmcLast200! - agg.mean.bmc!) < 1e-15);
});

test('with fnc off, FNC is null and the other scores are unchanged', async () => {
  const on = { ...harness.setup(path.join(repoRoot, 'train'), path.join(tmp, 'on2')), fnc: true as const };
  const off = { ...harness.setup(path.join(repoRoot, 'train'), path.join(tmp, 'off')), fnc: false as const };
  const [a] = await runSeeds(on, [3], { reuse: savedPredictions(on, [3]) });
  const [b] = await runSeeds(off, [3], { reuse: savedPredictions(off, [3]) });
  assert.equal(b.fnc, null);
  assert.deepEqual([b.corr, b.bmc, b.payout, b.bmcLast200, b.corrWithBenchmark], [a.corr, a.bmc, a.payout, a.bmcLast200, a.corrWithBenchmark]);
  assert.equal(aggregate([b], off.weights).extra.fnc, null);
});

test('a second candidate reuses every era\'s FNC factor from the session cache and scores as without it', async () => {
  const base = harness.setup(path.join(repoRoot, 'train'), path.join(tmp, 'cached'));
  assert.equal(base.factorCache, harness.factorCache);
  const cache = createFactorCache();
  const setup = { ...base, fnc: true as const, factorCache: cache };
  const reuse = savedPredictions(setup, [4, 5]);
  const [first] = await runSeeds(setup, [4], { reuse });
  const eras = first.perEra.length;
  assert.ok(eras > 10, `${eras} eras scored`);
  assert.deepEqual([cache.stats().hits, cache.stats().misses, cache.stats().entries], [0, eras, eras]);
  const [second] = await runSeeds(setup, [5], { reuse });
  assert.deepEqual([cache.stats().hits, cache.stats().misses], [eras, eras]);
  const [plain] = await runSeeds({ ...setup, factorCache: undefined }, [5], { reuse });
  assert.deepEqual(second.perEra, plain.perEra);
  assert.equal(second.fnc, plain.fnc);
  assert.notEqual(second.fnc, first.fnc);
});

test('"auto" scores FNC only up to the feature limit', () => {
  assert.equal(FNC_AUTO_MAX_FEATURES, 100);
  const table: [boolean | 'auto' | undefined, number, boolean][] = [
    ['auto', 60, true], ['auto', 100, true], ['auto', 101, false], ['auto', 2376, false],
    [true, 2376, true], [false, 10, false], [undefined, 10, false],
  ];
  for (const [fnc, n, want] of table) assert.equal(wantsFnc(fnc, n), want, `${fnc} with ${n} features`);
});
