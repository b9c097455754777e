// Bulk reads from DuckDB result chunks. The node-api wrappers only offer per-value access
// (getItem), so the wide feature columns go through the C API bindings that node-api itself is
// built on: a view of each column's bytes, transposed into row-major blocks in cache-sized tiles.
import bindings from '@duckdb/node-bindings';
import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import type { FeatureMatrix } from '../contract.ts';

/** Columns copied together: 64 source streams, 64 contiguous destination bytes per row. */
const TILE = 64;

/**
 * A view of the bytes of a UTINYINT column of a result chunk, valid until the next fetch. The
 * caller guarantees the column has no nulls (coalesce in SQL); result chunks of the C API are flat.
 */
export function byteColumn(chunk: DuckDBDataChunk, column: number): Uint8Array {
  return bindings.vector_get_data(bindings.data_chunk_get_vector(chunk.chunk, column), chunk.rowCount);
}

/**
 * Copies `width` consecutive UTINYINT columns starting at `first` into the feature matrix, row r
 * of the chunk going to matrix row dest[r].
 */
export function scatterFeatures(chunk: DuckDBDataChunk, first: number, width: number, dest: Int32Array, x: FeatureMatrix): void {
  const n = chunk.rowCount;
  const cols = Array.from({ length: width }, (_, j) => byteColumn(chunk, first + j));
  const blocks = new Array<Uint8Array>(n);
  const bases = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const b = Math.floor(dest[r] / x.rowsPerBlock);
    blocks[r] = x.blocks[b];
    bases[r] = (dest[r] - b * x.rowsPerBlock) * width;
  }
  for (let c0 = 0; c0 < width; c0 += TILE) {
    const c1 = Math.min(width, c0 + TILE);
    for (let r = 0; r < n; r++) {
      const block = blocks[r];
      const base = bases[r];
      for (let c = c0; c < c1; c++) block[base + c] = cols[c][r];
    }
  }
}

/** Values of a numeric column of a chunk as numbers; null becomes NaN. */
export function numberColumn(chunk: DuckDBDataChunk, column: number): Float64Array {
  const v = chunk.getColumnVector(column);
  const n = chunk.rowCount;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const item = v.getItem(r);
    out[r] = item === null ? NaN : Number(item);
  }
  return out;
}

/** Values of a VARCHAR column of a chunk; null stays null. */
export function stringColumn(chunk: DuckDBDataChunk, column: number): (string | null)[] {
  const v = chunk.getColumnVector(column);
  const n = chunk.rowCount;
  const out = new Array<string | null>(n);
  for (let r = 0; r < n; r++) {
    const item = v.getItem(r);
    out[r] = item === null ? null : String(item);
  }
  return out;
}

/** Calls `onChunk` for every chunk of a streaming result, in order. */
export async function forEachChunk(result: DuckDBResult, onChunk: (chunk: DuckDBDataChunk) => void): Promise<void> {
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    onChunk(chunk);
  }
}
