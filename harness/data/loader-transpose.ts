// Feature columns of a result chunk (one byte per row each) into the row-major feature matrix.
// This transpose moves every feature byte of the dataset, so it works on 4 x 4 byte tiles: four
// 32-bit reads (4 rows of 4 columns), a register transpose, four 32-bit writes, instead of 16
// byte reads and writes. The range check (every byte 0..4) rides along on the words it reads.
import type { DuckDBDataChunk } from '@duckdb/node-api';
import type { FeatureMatrix } from '../contract.ts';
import { byteColumn } from './loader-chunks.ts';

/** Any byte above 4 sets bit 7 or bit 8 of (byte + 123); bytes 0..4 set neither. */
const OUT_OF_RANGE = 0x180;
/** Per 32-bit word: bit 7 of some byte of ((w + 0x7b7b7b7b) | w) is set iff some byte of w is above 4 (a carry only leaves a byte that is itself above 4). */
const WORD_ADD = 0x7b7b7b7b;
const WORD_HIGH = 0x80808080 | 0;

/**
 * Copies `width` consecutive 1-byte columns starting at `first` into the feature matrix, row r
 * of the chunk going to matrix row dest[r]. Returns false if any copied byte is above 4 (the
 * caller then finds and reports it), so the range check costs no second pass over the matrix.
 */
export function scatterFeatures(chunk: DuckDBDataChunk, first: number, width: number, dest: Int32Array, x: FeatureMatrix): boolean {
  const n = chunk.rowCount;
  const cols = Array.from({ length: width }, (_, j) => byteColumn(chunk, first + j));
  let lo = Infinity;
  let hi = -1;
  for (let r = 0; r < n; r++) {
    lo = Math.min(lo, dest[r]);
    hi = Math.max(hi, dest[r]);
  }
  const b = Math.floor(lo / x.rowsPerBlock);
  const aligned = cols.every((c) => c.byteOffset % 4 === 0);
  if (n > 0 && aligned && Math.floor(hi / x.rowsPerBlock) === b) return scatterTiles(cols, n, dest, x.blocks[b], b * x.rowsPerBlock);
  return scatterBytes(cols, n, dest, x);
}

/** All destination rows in one block: 4 x 4 tiles, then the leftover rows and columns byte by byte. */
function scatterTiles(cols: Uint8Array[], n: number, dest: Int32Array, block: Uint8Array, firstRow: number): boolean {
  const width = cols.length;
  const n4 = n & ~3;
  const w4 = width & ~3;
  const at = new Int32Array(n);
  for (let r = 0; r < n; r++) at[r] = (dest[r] - firstRow) * width;
  const dv = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const words = cols.map((c) => new Int32Array(c.buffer, c.byteOffset, n4 >> 2));
  let seen = 0;
  for (let c = 0; c < w4; c += 4) {
    const wa = words[c];
    const wb = words[c + 1];
    const wc = words[c + 2];
    const wd = words[c + 3];
    for (let r = 0; r < n4; r += 4) {
      const q = r >> 2;
      const a = wa[q];
      const bb = wb[q];
      const cc = wc[q];
      const d = wd[q];
      seen |= ((a + WORD_ADD) | a) | ((bb + WORD_ADD) | bb) | ((cc + WORD_ADD) | cc) | ((d + WORD_ADD) | d);
      const t0 = (a & 0x00ff00ff) | ((bb & 0x00ff00ff) << 8);
      const t1 = ((a >>> 8) & 0x00ff00ff) | (bb & 0xff00ff00);
      const t2 = (cc & 0x00ff00ff) | ((d & 0x00ff00ff) << 8);
      const t3 = ((cc >>> 8) & 0x00ff00ff) | (d & 0xff00ff00);
      dv.setInt32(at[r] + c, (t0 & 0xffff) | (t2 << 16), true);
      dv.setInt32(at[r + 1] + c, (t1 & 0xffff) | (t3 << 16), true);
      dv.setInt32(at[r + 2] + c, (t0 >>> 16) | (t2 & 0xffff0000), true);
      dv.setInt32(at[r + 3] + c, (t1 >>> 16) | (t3 & 0xffff0000), true);
    }
  }
  let seenByte = 0;
  for (let c = 0; c < width; c++) {
    const col = cols[c];
    for (let r = c < w4 ? n4 : 0; r < n; r++) {
      const v = col[r];
      block[at[r] + c] = v;
      seenByte |= v + 123;
    }
  }
  return (seen & WORD_HIGH) === 0 && (seenByte & OUT_OF_RANGE) === 0;
}

/** Rows spread over several blocks (rare: a chunk across a block boundary): byte by byte. */
function scatterBytes(cols: Uint8Array[], n: number, dest: Int32Array, x: FeatureMatrix): boolean {
  const width = cols.length;
  let seen = 0;
  for (let r = 0; r < n; r++) {
    const b = Math.floor(dest[r] / x.rowsPerBlock);
    const block = x.blocks[b];
    const base = (dest[r] - b * x.rowsPerBlock) * width;
    for (let c = 0; c < width; c++) {
      const v = cols[c][r];
      block[base + c] = v;
      seen |= v + 123;
    }
  }
  return (seen & OUT_OF_RANGE) === 0;
}
