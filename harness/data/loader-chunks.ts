// Bulk reads from DuckDB result chunks. The node-api wrappers only offer per-value access
// (getItem, with a BigInt test per validity bit), so every column goes through the C API bindings
// that node-api itself is built on: a typed-array view of the column's bytes (result chunks of the
// C API are flat) and its validity mask read as bytes.
import bindings, { type Vector } from '@duckdb/node-bindings';
import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';

function vectorOf(chunk: DuckDBDataChunk, column: number): Vector {
  return bindings.data_chunk_get_vector(chunk.chunk, column);
}

/** The raw bytes of a fixed-width column, `width` bytes per row, valid until the next fetch. */
export function rawColumn(chunk: DuckDBDataChunk, column: number, width: number): Uint8Array {
  return bindings.vector_get_data(vectorOf(chunk, column), chunk.rowCount * width);
}

/**
 * The validity mask of a column as bytes (bit r % 8 of byte r >> 3 is set for a valid row), or
 * null when every row is valid.
 */
export function validityBytes(chunk: DuckDBDataChunk, column: number): Uint8Array | null {
  const bytes = bindings.vector_get_validity(vectorOf(chunk, column), Math.ceil(chunk.rowCount / 64) * 8) as Uint8Array | null | undefined;
  return bytes ?? null;
}

/** True when row r is valid in a mask from validityBytes. */
export function isValid(mask: Uint8Array | null, r: number): boolean {
  return mask === null || (mask[r >> 3] & (1 << (r & 7))) !== 0;
}

/** A view of 4-byte values, or an aligned copy when DuckDB's buffer is not 4-byte aligned. */
function view4<T extends Int32Array | Float32Array>(bytes: Uint8Array, n: number, type: { new (b: ArrayBufferLike, o: number, n: number): T }): T {
  if (bytes.byteOffset % 4 === 0) return new type(bytes.buffer, bytes.byteOffset, n);
  return new type(bytes.slice(0, n * 4).buffer, 0, n);
}

/** An INTEGER column the query guarantees non-null (file_row_number, constants), as a view. */
export function intColumn(chunk: DuckDBDataChunk, column: number): Int32Array {
  return view4(rawColumn(chunk, column, 4), chunk.rowCount, Int32Array);
}

/** Copies a FLOAT column into out[dest[r]], NaN for nulls. */
export function scatterFloats(chunk: DuckDBDataChunk, column: number, dest: Int32Array, out: Float32Array): void {
  const n = chunk.rowCount;
  const v = view4(rawColumn(chunk, column, 4), n, Float32Array);
  const mask = validityBytes(chunk, column);
  if (mask === null) {
    for (let r = 0; r < n; r++) out[dest[r]] = v[r];
  } else {
    for (let r = 0; r < n; r++) out[dest[r]] = (mask[r >> 3] & (1 << (r & 7))) !== 0 ? v[r] : NaN;
  }
}

/** A view of the bytes of a 1-byte integer column the query guarantees non-null. */
export function byteColumn(chunk: DuckDBDataChunk, column: number): Uint8Array {
  return rawColumn(chunk, column, 1);
}

/**
 * Calls `onChunk` for every chunk of a streaming result, in order. The next chunk is requested before
 * `onChunk` runs: DuckDB decodes it on its own thread while this one is copied, and each fetched chunk
 * owns its memory, so the views onChunk reads stay valid.
 */
export async function forEachChunk(result: DuckDBResult, onChunk: (chunk: DuckDBDataChunk) => void): Promise<void> {
  let next = result.fetchChunk();
  for (;;) {
    const chunk = await next;
    if (!chunk || chunk.rowCount === 0) return;
    next = result.fetchChunk();
    try {
      onChunk(chunk);
    } catch (e) {
      await next.catch(() => undefined);
      throw e;
    }
  }
}
