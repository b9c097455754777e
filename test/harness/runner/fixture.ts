// Builds a tiny fold (TrainRows + PredictRows) and a job data file for runner tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeatureMatrix, PredictRows, TrainRows } from '../../../harness/contract.ts';
import { writeJobData } from '../../../harness/runner/jobdata.ts';
import type { JobSpec } from '../../../harness/runner/process.ts';

const created: string[] = [];

/** Removes every temp dir this module created; call from `after`. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A temp dir removed by removeTempDirs. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const hostileDir = (name: string) => path.join(repoRoot, 'test', 'hostile', name);

/** A matrix whose value at (r, f) is (r * 7 + f * 3) % 5, split into blocks of `rowsPerBlock`. */
export function matrix(nRows: number, nFeatures: number, rowsPerBlock: number): FeatureMatrix {
  const blocks: Uint8Array[] = [];
  for (let start = 0; start < nRows; start += rowsPerBlock) {
    const n = Math.min(rowsPerBlock, nRows - start);
    const b = new Uint8Array(n * nFeatures);
    for (let i = 0; i < n; i++) for (let f = 0; f < nFeatures; f++) b[i * nFeatures + f] = ((start + i) * 7 + f * 3) % 5;
    blocks.push(b);
  }
  return { nRows, nFeatures, rowsPerBlock, blocks };
}

export function tinyFold(nTrain = 40, nPredict = 12): { train: TrainRows; predict: PredictRows } {
  const featureNames = ['feature_a', 'feature_b', 'feature_c'];
  const eras = (n: number, first: number) => Int32Array.from({ length: n }, (_, i) => first + Math.floor(i / 10));
  const train: TrainRows = {
    nRows: nTrain,
    featureNames,
    x: matrix(nTrain, 3, 25),
    eras: eras(nTrain, 1),
    targetNames: ['target', 'target_jerome_20'],
    targets: {
      target: Float32Array.from({ length: nTrain }, (_, i) => (i % 5) / 4),
      target_jerome_20: Float32Array.from({ length: nTrain }, (_, i) => (i % 3 === 0 ? NaN : ((i * 2) % 5) / 4)),
    },
    mainTarget: 'target',
    benchmark: Float32Array.from({ length: nTrain }, (_, i) => i / nTrain),
  };
  const predict: PredictRows = { nRows: nPredict, featureNames, x: matrix(nPredict, 3, 8), eras: eras(nPredict, 9) };
  return { train, predict };
}

/** A temp dir with a job data file for the tiny fold and a scratch dir. */
export function tinyJobDir(prefix: string): { dir: string; dataFile: string; scratchDir: string; nPredict: number } {
  const dir = tempDir(prefix);
  const dataFile = path.join(dir, 'fold.bin');
  const { train, predict } = tinyFold();
  writeJobData(dataFile, train, predict);
  return { dir, dataFile, scratchDir: path.join(dir, 'scratch'), nPredict: predict.nRows };
}

export function spec(over: Partial<JobSpec> & Pick<JobSpec, 'trainDir' | 'dataFile' | 'scratchDir' | 'expectedRows'>): JobSpec {
  return { id: 'job-1', seed: 1, timeBudgetMs: 5000, memoryMb: 512, backend: 'cpu', ...over };
}
