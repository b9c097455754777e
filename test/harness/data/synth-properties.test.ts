// The research-relevant structure of the synthetic data, measured on the written files:
// overlapping target windows leak without an embargo, and the benchmark misses the nonlinear part.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { featureAt, featuresToFloat32 } from '../../../harness/contract.ts';
import { loadNumerai } from '../../../harness/data/loader.ts';
import { plantedTerms, termValue } from '../../../harness/data/synth-model.ts';
import { synthesize, type SynthOptions } from '../../../harness/data/synth.ts';
import type { Dataset } from '../../../harness/data/types.ts';
import { pearson, rowsByEra, tmpDir } from './fixture.ts';

const OPTS: SynthOptions = { seed: 0, eras: 240, validationEras: 40, rowsPerEra: 200, features: 16, groups: 4 };
let ds: Dataset;
let eras: number[][];
/** centered features (bin - 2), row-major */
let xc: Float32Array;

before(async () => {
  const dir = path.join(tmpDir('synth-props'), 'data');
  await synthesize(dir, OPTS);
  ds = await loadNumerai(dir, { featureSet: 'all', targets: ['target'], benchmarks: ['v52_lgbm_ender20'], includeValidation: true, includeLive: false });
  eras = rowsByEra(ds.eraIndex, ds.eraNames.length);
  xc = featuresToFloat32(ds.x, { scale: 1, offset: -2 });
});

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const stdErr = (a: number[]) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)) / (a.length - 1));

/** Closed-form ridge on centered features (bin - 2) and target - 0.5: (X'X + lambda I)^-1 X'y by Gaussian elimination. */
function ridge(trainEras: number[], lambda: number): Float64Array {
  const F = ds.x.nFeatures;
  const m = Array.from({ length: F }, () => new Float64Array(F + 1));
  for (const e of trainEras) {
    for (const r of eras[e]) {
      const y = ds.targets[0][r] - 0.5;
      for (let j = 0; j < F; j++) {
        const xj = xc[r * F + j];
        m[j][F] += xj * y;
        for (let k = 0; k < F; k++) m[j][k] += xj * xc[r * F + k];
      }
    }
  }
  for (let j = 0; j < F; j++) m[j][j] += lambda;
  for (let c = 0; c < F; c++) {
    for (let r = c + 1; r < F; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= F; k++) m[r][k] -= f * m[c][k];
    }
  }
  const beta = new Float64Array(F);
  for (let c = F - 1; c >= 0; c--) {
    let v = m[c][F];
    for (let k = c + 1; k < F; k++) v -= m[c][k] * beta[k];
    beta[c] = v / m[c][c];
  }
  return beta;
}

/** Mean over the test eras of the per-era Pearson correlation of the ridge predictions with the target. */
function score(beta: Float64Array, testEras: number[]): number {
  const pred = new Float64Array(ds.nRows);
  const per = testEras.map((e) => {
    for (const r of eras[e]) {
      let v = 0;
      for (let j = 0; j < beta.length; j++) v += beta[j] * xc[r * beta.length + j];
      pred[r] = v;
    }
    return pearson(pred, ds.targets[0], eras[e]);
  });
  return mean(per);
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);

test('training right next to a test block scores higher than with a 12-era embargo (overlapping targets leak)', (t) => {
  const B = 4; // test eras per block
  const W = 4; // training eras on each side
  const E = 12; // embargo, the 60-day horizon in weeks
  const diffs: number[] = [];
  const near: number[] = [];
  const far: number[] = [];
  for (let b = E + W; b + B + E + W <= OPTS.eras; b += B) {
    const test = range(b, B);
    const adjacent = [...range(b - W, W), ...range(b + B, W)];
    const embargoed = [...range(b - E - W, W), ...range(b + B + E, W)];
    const s0 = score(ridge(adjacent, 200), test);
    const s1 = score(ridge(embargoed, 200), test);
    near.push(s0);
    far.push(s1);
    diffs.push(s0 - s1);
  }
  const d = mean(diffs);
  const se = stdErr(diffs);
  t.diagnostic(`blocks ${diffs.length}: no embargo ${mean(near).toFixed(4)}, embargo ${mean(far).toFixed(4)}, diff ${d.toFixed(4)} ± ${se.toFixed(4)}`);
  assert.equal(diffs.length, 52);
  assert.ok(mean(far) > 0.03, 'the embargoed model still learns the stable signal');
  assert.ok(d > 0.05, `leak ${d}`);
  assert.ok(d > 4 * se, `leak ${d} is not well above its standard error ${se}`);
});

test('the benchmark captures the linear signal but not the planted nonlinear part, which keeps its correlation after orthogonalisation', (t) => {
  const terms = plantedTerms(OPTS);
  assert.equal(terms.length, 6);
  const nl = new Float64Array(ds.nRows);
  for (let r = 0; r < ds.nRows; r++) {
    for (const term of terms) nl[r] += termValue(term, featureAt(ds.x, r, term.a), featureAt(ds.x, r, term.b));
  }
  const bench = ds.benchmarks[0];
  const benchCorr: number[] = [];
  const nlBench: number[] = [];
  const residual: number[] = [];
  for (let e = 0; e < OPTS.eras; e++) {
    const rows = eras[e];
    benchCorr.push(pearson(bench, ds.targets[0], rows));
    nlBench.push(pearson(nl, bench, rows));
    const pm = mean(rows.map((r) => nl[r]));
    const bm = mean(rows.map((r) => bench[r]));
    let pb = 0;
    let bb = 0;
    for (const r of rows) {
      pb += (nl[r] - pm) * (bench[r] - bm);
      bb += (bench[r] - bm) ** 2;
    }
    const res = new Float64Array(ds.nRows);
    for (const r of rows) res[r] = nl[r] - pm - ((bench[r] - bm) * pb) / bb;
    residual.push(pearson(res, ds.targets[0], rows));
  }
  t.diagnostic(`bench corr ${mean(benchCorr).toFixed(4)}, corr(nl, bench) ${mean(nlBench).toFixed(4)}, residual corr of nl ${mean(residual).toFixed(4)} ± ${stdErr(residual).toFixed(4)}`);
  assert.ok(mean(benchCorr) > 0.05 && mean(benchCorr) > 5 * stdErr(benchCorr), 'the benchmark is a real linear model of the target');
  assert.ok(Math.abs(mean(nlBench)) < 0.03, 'the benchmark does not see the nonlinear part');
  assert.ok(mean(residual) > 0.05 && mean(residual) > 5 * stdErr(residual), 'the nonlinear part is signal the benchmark misses (positive BMC)');
});

test('stocks persist: a nearest-neighbour lookup in the adjacent era finds the same stock and most of its target', (t) => {
  const F = ds.x.nFeatures;
  /** Correlation between each row's target in era e and the target of its nearest feature vector in era src. */
  const nnCorr = (e: number, src: number): number => {
    const own = new Float64Array(eras[e].length);
    const nb = new Float64Array(eras[e].length);
    eras[e].forEach((r, i) => {
      let best = -1;
      let bestD = Infinity;
      for (const q of eras[src]) {
        let d = 0;
        for (let j = 0; j < F; j++) d += (xc[r * F + j] - xc[q * F + j]) ** 2;
        if (d < bestD) [bestD, best] = [d, q];
      }
      own[i] = ds.targets[0][r];
      nb[i] = ds.targets[0][best];
    });
    return pearson(own, nb, range(0, own.length));
  };
  const adjacent: number[] = [];
  const embargoed: number[] = [];
  for (let e = 20; e < OPTS.eras; e += 10) {
    adjacent.push(nnCorr(e, e - 1));
    embargoed.push(nnCorr(e, e - 13));
  }
  t.diagnostic(`1-NN target corr: adjacent era ${mean(adjacent).toFixed(4)}, 13 eras back ${mean(embargoed).toFixed(4)}`);
  assert.ok(mean(adjacent) > 0.3, 'overlapping windows of the same stock leak to memorising models');
  assert.ok(Math.abs(mean(embargoed)) < 0.1, 'beyond the 60-day horizon nothing is shared');
});
