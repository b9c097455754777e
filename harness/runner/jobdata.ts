// The per-fold job data file handed to a trainer job. It carries exactly what the train
// contract allows: training rows (features, every target, eras, benchmark) and the rows to
// predict as features and eras only. Fields are copied one by one, so extra properties on the
// objects passed in (ids, targets of scored rows) can never reach the file.
import type { FeatureMatrix, PredictRows, TrainRows } from '../contract.ts';
import { readBin, writeBin, type BinArray } from '../binfile.ts';

interface MatrixHeader { nRows: number; nFeatures: number; rowsPerBlock: number; nBlocks: number }

interface JobDataHeader {
  version: 1;
  train: { featureNames: string[]; targetNames: string[]; mainTarget: string; hasBenchmark: boolean; x: MatrixHeader };
  predict: { featureNames: string[]; x: MatrixHeader };
}

const VERSION = 1;

/** Writes one fold's training rows and predict rows (features and eras only) to `path`. */
export function writeJobData(path: string, train: TrainRows, predict: PredictRows): void {
  checkMatrix('train', train.x, train.nRows, train.featureNames);
  checkMatrix('predict', predict.x, predict.nRows, predict.featureNames);
  checkLength('train eras', train.eras, train.nRows);
  checkLength('predict eras', predict.eras, predict.nRows);
  if (!train.targetNames.includes(train.mainTarget)) {
    throw new Error(`main target ${train.mainTarget} is not among the targets (${train.targetNames.join(', ')})`);
  }
  const arrays: Record<string, BinArray> = {};
  train.x.blocks.forEach((b, i) => { arrays[`train.x.${i}`] = b; });
  arrays['train.eras'] = train.eras;
  train.targetNames.forEach((name, i) => {
    const t = train.targets[name];
    if (!t) throw new Error(`target ${name} has no values`);
    checkLength(`target ${name}`, t, train.nRows);
    arrays[`train.target.${i}`] = t;
  });
  if (train.benchmark) {
    checkLength('benchmark', train.benchmark, train.nRows);
    arrays['train.benchmark'] = train.benchmark;
  }
  predict.x.blocks.forEach((b, i) => { arrays[`predict.x.${i}`] = b; });
  arrays['predict.eras'] = predict.eras;
  const header: JobDataHeader = {
    version: VERSION,
    train: {
      featureNames: [...train.featureNames],
      targetNames: [...train.targetNames],
      mainTarget: train.mainTarget,
      hasBenchmark: train.benchmark !== null,
      x: matrixHeader(train.x),
    },
    predict: { featureNames: [...predict.featureNames], x: matrixHeader(predict.x) },
  };
  writeBin(path, header, arrays);
}

/** Reads a file written by writeJobData. */
export function readJobData(path: string): { train: TrainRows; predict: PredictRows } {
  const { header, arrays } = readBin<JobDataHeader>(path);
  if (header?.version !== VERSION) throw new Error(`${path} is not a version ${VERSION} job data file`);
  const h = header.train;
  const targets: Record<string, Float32Array> = {};
  h.targetNames.forEach((name, i) => { targets[name] = section(arrays, `train.target.${i}`, Float32Array, path); });
  const train: TrainRows = {
    nRows: h.x.nRows,
    featureNames: h.featureNames,
    x: readMatrix(arrays, 'train', h.x, path),
    eras: section(arrays, 'train.eras', Int32Array, path),
    targetNames: h.targetNames,
    targets,
    mainTarget: h.mainTarget,
    benchmark: h.hasBenchmark ? section(arrays, 'train.benchmark', Float32Array, path) : null,
  };
  const p = header.predict;
  const predict: PredictRows = {
    nRows: p.x.nRows,
    featureNames: p.featureNames,
    x: readMatrix(arrays, 'predict', p.x, path),
    eras: section(arrays, 'predict.eras', Int32Array, path),
  };
  return { train, predict };
}

function matrixHeader(x: FeatureMatrix): MatrixHeader {
  return { nRows: x.nRows, nFeatures: x.nFeatures, rowsPerBlock: x.rowsPerBlock, nBlocks: x.blocks.length };
}

function readMatrix(arrays: Record<string, BinArray>, prefix: string, h: MatrixHeader, path: string): FeatureMatrix {
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < h.nBlocks; i++) blocks.push(section(arrays, `${prefix}.x.${i}`, Uint8Array, path));
  return { nRows: h.nRows, nFeatures: h.nFeatures, rowsPerBlock: h.rowsPerBlock, blocks };
}

function section<T extends BinArray>(
  arrays: Record<string, BinArray>, name: string, type: new (n: number) => T, path: string,
): T {
  const a = arrays[name];
  if (!(a instanceof type)) throw new Error(`${path} has no ${type.name} section ${name}`);
  return a;
}

function checkMatrix(what: string, x: FeatureMatrix, nRows: number, featureNames: string[]): void {
  if (x.nRows !== nRows) throw new Error(`${what} features have ${x.nRows} rows, expected ${nRows}`);
  if (x.nFeatures !== featureNames.length) {
    throw new Error(`${what} features have ${x.nFeatures} columns but ${featureNames.length} feature names`);
  }
  const bytes = x.blocks.reduce((s, b) => s + b.length, 0);
  if (bytes !== nRows * x.nFeatures) {
    throw new Error(`${what} feature blocks hold ${bytes} values, expected ${nRows} x ${x.nFeatures}`);
  }
}

function checkLength(what: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) throw new Error(`${what} have ${a.length} values, expected ${n}`);
}
