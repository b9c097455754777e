// The harness's own prediction of the live rows: the project's loader, its job data file and its
// sandboxed trainer job (job-main) per seed, trained on the given eras. The promote test checks the
// exported predictor against it id by id.
import fs from 'node:fs';
import path from 'node:path';
import type { PredictRows, TrainRows } from '../../../harness/contract.ts';
import { loadNumerai } from '../../../harness/data/loader.ts';
import { SPLIT_LIVE } from '../../../harness/data/types.ts';
import { eraNumbersOf, selectRows } from '../../../harness/folds.ts';
import { tieKeptRank } from '../../../harness/metrics/rank.ts';
import { writeJobData } from '../../../harness/runner/jobdata.ts';
import { runJob } from '../../../harness/runner/process.ts';
import { HARNESS_DIR } from '../../../harness/session.ts';
import { snapshotTrain } from '../../../harness/snapshot.ts';

export interface ReferenceRequest {
  dataDir: string; trainDir: string; workDir: string; featureSet: string; targets: string[]; mainTarget: string;
  benchmark: string | null; trainEras: string[]; seeds: number[]; timeBudgetMs: number;
}

/** Live id → submission rank of the seed-mean of harness jobs trained on `trainEras`. */
export async function harnessLiveRanks(r: ReferenceRequest): Promise<Map<string, number>> {
  const ds = await loadNumerai(r.dataDir, {
    featureSet: r.featureSet, targets: r.targets, benchmarks: r.benchmark ? [r.benchmark] : [], includeValidation: true, includeLive: true,
  });
  const eraNumbers = eraNumbersOf(ds);
  const wanted = new Set(r.trainEras);
  const trainIdx: number[] = [];
  const liveIdx: number[] = [];
  for (let i = 0; i < ds.nRows; i++) {
    if (ds.split[i] === SPLIT_LIVE) liveIdx.push(i);
    else if (wanted.has(ds.eraNames[ds.eraIndex[i]])) trainIdx.push(i);
  }
  const tRows = Int32Array.from(trainIdx);
  const lRows = Int32Array.from(liveIdx);
  const pick = (a: Float32Array) => Float32Array.from(tRows, (i) => a[i]);
  const train: TrainRows = {
    nRows: tRows.length, featureNames: ds.featureNames, x: selectRows(ds.x, tRows), eras: Int32Array.from(tRows, (i) => eraNumbers[i]),
    targetNames: ds.targetNames, targets: Object.fromEntries(ds.targetNames.map((t, k) => [t, pick(ds.targets[k])])),
    mainTarget: r.mainTarget, benchmark: r.benchmark ? pick(ds.benchmarks[0]) : null,
  };
  const predict: PredictRows = { nRows: lRows.length, featureNames: ds.featureNames, x: selectRows(ds.x, lRows), eras: Int32Array.from(lRows, (i) => eraNumbers[i]) };
  fs.mkdirSync(r.workDir, { recursive: true });
  const dataFile = path.join(r.workDir, 'live-job.bin');
  writeJobData(dataFile, train, predict);
  const snap = snapshotTrain(r.trainDir, path.join(r.workDir, 'candidate'), HARNESS_DIR);
  const results = await Promise.all(r.seeds.map((seed) => runJob({
    id: `live:${seed}`, trainDir: snap.trainDir, dataFile, seed, expectedRows: lRows.length, timeBudgetMs: r.timeBudgetMs,
    memoryMb: 2048, scratchDir: path.join(r.workDir, `scratch-${seed}`), backend: 'wasm', // the exported runtime's choice without tfjs-node (it has no native kernels)
  })));
  const mean = new Float64Array(lRows.length);
  for (const res of results) {
    if (res.status !== 'ok' || !res.predictions) throw new Error(`harness job ${res.id} ended ${res.status}: ${res.message ?? ''}\n${res.stderrTail}`);
    res.predictions.forEach((v, i) => { mean[i] += v; });
  }
  const ranks = tieKeptRank(mean.map((v) => v / results.length));
  return new Map(liveIdx.map((row, i) => [ds.ids[row], ranks[i]]));
}
