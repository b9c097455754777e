// The train contract's row shapes, built inline (this runtime imports nothing from the project it
// came from), and the frozen training rows file model/rows.bin: a JSON header, then every array
// as raw bytes, so `predict` refits on exactly the rows `train` chose, offline.
import fs from 'node:fs';

/** Integer features 0..4, row-major, in blocks that each stay below 2^31 bytes. */
export interface Matrix { nRows: number; nFeatures: number; rowsPerBlock: number; blocks: Uint8Array[] }

/** The contract's TrainRows. */
export interface TrainRows {
  nRows: number; featureNames: string[]; x: Matrix; eras: Int32Array;
  targetNames: string[]; targets: Record<string, Float32Array>; mainTarget: string; benchmark: Float32Array | null;
}

/** The contract's PredictRows. */
export interface PredictRows { nRows: number; featureNames: string[]; x: Matrix; eras: Int32Array }

type Typed = Uint8Array | Int32Array | Float32Array;
interface ArrayEntry { name: string; type: 'u8' | 'i32' | 'f32'; length: number }
interface Header { version: 1; nRows: number; featureNames: string[]; targetNames: string[]; mainTarget: string; rowsPerBlock: number; arrays: ArrayEntry[] }

const MAGIC = 'ARROWS01';
const MAX_BLOCK_BYTES = 2 ** 31 - 1;

/** An all-zero feature matrix whose blocks each stay below 2^31 bytes. */
export function allocMatrix(nRows: number, nFeatures: number): Matrix {
  const rowsPerBlock = Math.max(1, Math.min(nRows, Math.floor(MAX_BLOCK_BYTES / Math.max(1, nFeatures))));
  const blocks: Uint8Array[] = [];
  for (let s = 0; s < nRows; s += rowsPerBlock) blocks.push(new Uint8Array(Math.min(rowsPerBlock, nRows - s) * nFeatures));
  if (blocks.length === 0) blocks.push(new Uint8Array(0));
  return { nRows, nFeatures, rowsPerBlock, blocks };
}

/** Writes training rows to `file`. */
export function writeRows(file: string, rows: TrainRows): void {
  const arrays: [ArrayEntry, Typed][] = [];
  const add = (name: string, a: Typed) => arrays.push([{ name, type: a instanceof Uint8Array ? 'u8' : a instanceof Int32Array ? 'i32' : 'f32', length: a.length }, a]);
  rows.x.blocks.forEach((b, i) => add(`x.${i}`, b));
  add('eras', rows.eras);
  rows.targetNames.forEach((t, i) => add(`target.${i}`, rows.targets[t]));
  if (rows.benchmark) add('benchmark', rows.benchmark);
  const header: Header = {
    version: 1, nRows: rows.nRows, featureNames: rows.featureNames, targetNames: rows.targetNames,
    mainTarget: rows.mainTarget, rowsPerBlock: rows.x.rowsPerBlock, arrays: arrays.map(([e]) => e),
  };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(pad(12 + json.length));
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, 8);
  json.copy(head, 12);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, head);
    for (const [, a] of arrays) {
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      fs.writeSync(fd, bytes);
      fs.writeSync(fd, new Uint8Array(pad(bytes.length) - bytes.length));
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a file written by writeRows. */
export function readRows(file: string): TrainRows {
  const fd = fs.openSync(file, 'r');
  try {
    const first = Buffer.alloc(12);
    fs.readSync(fd, first, 0, 12, 0);
    if (first.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file} is not a frozen rows file`);
    const len = first.readUInt32LE(8);
    const json = Buffer.alloc(len);
    fs.readSync(fd, json, 0, len, 12);
    const h = JSON.parse(json.toString('utf8')) as Header;
    let offset = pad(12 + len);
    const byName = new Map<string, Typed>();
    for (const e of h.arrays) {
      const a = e.type === 'u8' ? new Uint8Array(e.length) : e.type === 'i32' ? new Int32Array(e.length) : new Float32Array(e.length);
      const bytes = new Uint8Array(a.buffer);
      for (let done = 0; done < bytes.length;) done += fs.readSync(fd, bytes, done, bytes.length - done, offset + done);
      byName.set(e.name, a);
      offset += pad(bytes.length);
    }
    const blocks = h.arrays.filter((e) => e.name.startsWith('x.')).map((e) => byName.get(e.name) as Uint8Array);
    const targets: Record<string, Float32Array> = {};
    h.targetNames.forEach((t, i) => { targets[t] = byName.get(`target.${i}`) as Float32Array; });
    return {
      nRows: h.nRows, featureNames: h.featureNames,
      x: { nRows: h.nRows, nFeatures: h.featureNames.length, rowsPerBlock: h.rowsPerBlock, blocks },
      eras: byName.get('eras') as Int32Array, targetNames: h.targetNames, targets, mainTarget: h.mainTarget,
      benchmark: (byName.get('benchmark') as Float32Array | undefined) ?? null,
    };
  } finally {
    fs.closeSync(fd);
  }
}

function pad(n: number): number {
  return Math.ceil(n / 8) * 8;
}
