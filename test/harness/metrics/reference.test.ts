// Agreement with an independent numpy/pandas/scipy implementation (bench/metrics-reference.py), whose
// outputs for randomized cases are stored in test/fixtures/metrics-cases.json; no Python needed here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gaussian } from '../../../harness/metrics/gaussian.ts';
import { featureNeutralCorr, neutralize } from '../../../harness/metrics/neutralize.ts';
import { correlationContribution, numeraiCorr } from '../../../harness/metrics/numerai.ts';
import { featureSourceFromColumns, orNaN, scorePerEra, summarizeEras } from '../../../harness/metrics/per-era.ts';
import { tieBrokenRank, tieKeptRank } from '../../../harness/metrics/rank.ts';

type Num = number | null;
interface Case {
  name: string;
  last_n: number;
  era: string[];
  pred: Num[];
  target: Num[];
  benchmark: Num[];
  features: Num[][];
  expected: {
    rank: Num[];
    rank_first: Num[];
    gaussian_rank: Num[];
    corr_all_rows: Num;
    bmc_all_rows: Num;
    neutralized_era1: Num[];
    fnc_era1: Num;
    per_era: Record<string, Num | string>[];
    summary: Record<string, Record<string, Num> | Num>;
  };
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cases = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/metrics-cases.json'), 'utf8')) as { cases: Case[] }).cases;

const REL = 1e-12;
const arr = (a: Num[]): Float64Array => Float64Array.from(a, (v) => (v === null ? NaN : v));

/** Equal to 1e-12 relative; null (NaN in the reference) must be NaN here. */
function close(got: number | undefined, want: Num | undefined, what: string, scale?: number): void {
  if (want === undefined) return assert.equal(got, undefined, `${what}: expected no value`);
  if (want === null) return assert.ok(got !== undefined && Number.isNaN(got), `${what}: expected NaN, got ${got}`);
  assert.ok(got !== undefined, `${what}: missing`);
  const tol = REL * (scale ?? Math.max(Math.abs(got), Math.abs(want)));
  assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} vs ${want}`);
}


describe('agreement with the numpy/pandas/scipy reference', () => {
  assert.ok(cases.length >= 5);
  for (const c of cases) {
    const pred = arr(c.pred);
    const target = arr(c.target);
    const benchmark = arr(c.benchmark);
    const features = c.features.map(arr);
    const ex = c.expected;
    const eraNames = [...new Set(c.era)].sort((a, b) => Number(a) - Number(b));
    const eraIndex = Int32Array.from(c.era, (e) => eraNames.indexOf(e));

    it(`${c.name}: ranks and gaussian`, () => {
      tieKeptRank(pred).forEach((v, i) => close(v, ex.rank[i], `rank ${i}`));
      tieBrokenRank(pred).forEach((v, i) => close(v, ex.rank_first[i], `rank_first ${i}`));
      gaussian(tieKeptRank(pred)).forEach((v, i) => close(v, ex.gaussian_rank[i], `gaussian ${i}`));
    });

    it(`${c.name}: numerai_corr and correlation_contribution over all rows (NaN = assertion)`, () => {
      close(orNaN(() => numeraiCorr(pred, target)), ex.corr_all_rows, 'corr');
      close(orNaN(() => correlationContribution(pred, benchmark, target)), ex.bmc_all_rows, 'bmc');
    });

    it(`${c.name}: neutralize and FNC on the first era (constant and duplicated features included)`, () => {
      const rows = [...eraIndex.keys()].filter((i) => eraIndex[i] === 0);
      const p = rows.map((i) => pred[i]);
      const f = features.map((col) => rows.map((i) => col[i]));
      const [neutral] = neutralize([gaussian(tieKeptRank(p))], f);
      const scale = Math.max(...neutral.map(Math.abs));
      neutral.forEach((v, i) => close(v, ex.neutralized_era1[i], `neutralized ${i}`, scale));
      close(orNaN(() => featureNeutralCorr(p, f, rows.map((i) => target[i]))), ex.fnc_era1, 'fnc');
    });

    it(`${c.name}: per-era scores and summaries`, () => {
      const perEra = scorePerEra({ eraIndex, eraNames, pred, target, benchmark, features: featureSourceFromColumns(features) });
      assert.deepEqual(perEra.map((s) => [s.era, s.n]), ex.per_era.map((s) => [s.era, s.n]));
      perEra.forEach((s, k) => {
        for (const key of ['corr', 'bmc', 'corr_with_benchmark', 'fnc'] as const) close(s[key], ex.per_era[k][key] as Num | undefined, `era ${s.era} ${key}`);
      });
      const summary = summarizeEras(perEra, { lastN: c.last_n });
      for (const block of ['corr', 'bmc', 'bmc_last_200_eras', 'fnc'] as const) {
        const want = ex.summary[block] as Record<string, Num>;
        const got = summary[block] as unknown as Record<string, number>;
        assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), block);
        for (const key of Object.keys(want)) close(got[key], want[key], `${block}.${key}`);
      }
      close(summary.payout ?? undefined, ex.summary.payout as Num, 'payout');
    });
  }
});
