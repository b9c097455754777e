// VARCHAR columns of DuckDB result chunks without one native call and one TextDecoder call per
// value. A VARCHAR vector is an array of 16-byte string_t: a u32 length, then either the bytes
// inline (length <= 12) or a 4-byte prefix and a pointer into the chunk's string heap.
import bindings from '@duckdb/node-bindings';
import type { DuckDBDataChunk } from '@duckdb/node-api';
import { isValid, rawColumn, validityBytes } from './loader-chunks.ts';

const INLINE = 12;
const NEWLINE = 10;

/** A code per distinct string, in order of first appearance; shared across chunks and files. */
export interface StringCodes {
  codes: Map<string, number>;
  names: string[];
}

interface StringVector {
  bytes: Uint8Array;
  words: Uint32Array;
  mask: Uint8Array | null;
  n: number;
}

function stringVector(chunk: DuckDBDataChunk, column: number): StringVector {
  const n = chunk.rowCount;
  const bytes = rawColumn(chunk, column, 16);
  const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, n * 4) : new Uint32Array(bytes.slice().buffer);
  return { bytes, words, mask: validityBytes(chunk, column), n };
}

/** The UTF-8 bytes of row r: a view of the inline bytes, or of the string heap. */
function bytesAt(v: StringVector, r: number): Uint8Array {
  const len = v.words[r * 4];
  if (len <= INLINE) return v.bytes.subarray(r * 16 + 4, r * 16 + 4 + len);
  return bindings.get_data_from_pointer(v.bytes.buffer as ArrayBuffer, v.bytes.byteOffset + r * 16 + 8, len);
}

function decode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * Codes of a low-cardinality VARCHAR column (eras), -1 for null. Rows of one era are adjacent in
 * Numerai files, so a row whose 16-byte string_t equals the previous row's (same inline bytes, or
 * same length, prefix and heap pointer) reuses its code without decoding.
 */
export function stringCodes(chunk: DuckDBDataChunk, column: number, dict: StringCodes): Int32Array {
  const v = stringVector(chunk, column);
  const out = new Int32Array(v.n);
  const w = v.words;
  let prev = -1;
  for (let r = 0; r < v.n; r++) {
    if (!isValid(v.mask, r)) {
      out[r] = -1;
      prev = -1;
      continue;
    }
    const k = r * 4;
    if (prev >= 0 && w[k] === w[k - 4] && w[k + 1] === w[k - 3] && w[k + 2] === w[k - 2] && w[k + 3] === w[k - 1]) {
      out[r] = prev;
      continue;
    }
    const s = decode(bytesAt(v, r));
    let code = dict.codes.get(s);
    if (code === undefined) {
      code = dict.names.length;
      dict.codes.set(s, code);
      dict.names.push(s);
    }
    out[r] = prev = code;
  }
  return out;
}

/**
 * The values of a VARCHAR column (ids), null for null, given as consecutive pieces that join to
 * the value: the query splits each id into substr(id, 1, 12) and substr(id, 13), so that for ids
 * of up to 24 ASCII characters both pieces sit inline in the string_t and no row needs a native
 * call. All rows' bytes are gathered, newline-separated, into one buffer and decoded with one call,
 * then split: one string per row without a per-row decoder call. A value that itself holds a
 * newline falls back to decoding row by row. `ascii` says every byte was below 128.
 */
export function stringValues(chunk: DuckDBDataChunk, first: number, pieces: number): { values: (string | null)[]; ascii: boolean } {
  const vs = Array.from({ length: pieces }, (_, p) => stringVector(chunk, first + p));
  const n = chunk.rowCount;
  const mask = vs[0].mask;
  let size = n;
  for (const v of vs) for (let r = 0; r < n; r++) if (isValid(mask, r)) size += v.words[r * 4];
  const joined = Buffer.allocUnsafe(size);
  let pos = 0;
  let high = 0;
  for (let r = 0; r < n; r++) {
    if (isValid(mask, r)) {
      for (const v of vs) {
        const len = v.words[r * 4];
        const b = len <= INLINE ? v.bytes : bytesAt(v, r);
        const at = len <= INLINE ? r * 16 + 4 : 0;
        for (let i = at; i < at + len; i++) {
          const c = b[i];
          joined[pos++] = c;
          high |= c;
        }
      }
    }
    joined[pos++] = NEWLINE;
  }
  const parts = joined.toString(high < 128 ? 'latin1' : 'utf8', 0, pos).split('\n');
  const values = new Array<string | null>(n);
  const whole = parts.length === n + 1;
  for (let r = 0; r < n; r++) values[r] = !isValid(mask, r) ? null : whole ? parts[r] : vs.map((v) => decode(bytesAt(v, r))).join('');
  return { values, ascii: high < 128 };
}
