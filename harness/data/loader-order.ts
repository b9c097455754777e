// The first pass of a load: every row's era and id, and the final position of every file row in
// the (numeric era, era, id) order. Numerai files are already in that order, so the rows are read
// unordered (DuckDB's cheapest stream), put back in file order by file_row_number, and checked;
// only a file that is not in order pays for a sort in DuckDB.
import type { DuckDBConnection } from '@duckdb/node-api';
import { guard, sqlString } from '../duck.ts';
import { UserError } from '../errors.ts';
import { forEachChunk, intColumn } from './loader-chunks.ts';
import type { Source } from './loader-sources.ts';
import { stringCodes, stringValues, type StringCodes } from './loader-strings.ts';

export interface Order {
  ids: string[];
  eraIndex: Int32Array;
  eraNames: string[];
  split: Uint8Array;
  /** final row of each (source, file_row_number); -1 for rows filtered out */
  rowOf: Int32Array[];
}

/** One source's keys in the order DuckDB streamed them, and where each file row landed. */
interface Keys {
  eras: Int32Array;
  ids: string[];
  /** index into eras/ids of each file row; -1 for rows filtered out */
  posOf: Int32Array;
  /** every id is ASCII, so JS string order is DuckDB's byte order */
  ascii: boolean;
}

/** A SQL scan of one source, with file_row_number, keeping only its data_type. */
export function scan(s: Source, cols: string): string {
  const where = s.dataType ? ` WHERE data_type = ${sqlString(s.dataType)}` : '';
  return `SELECT ${cols} FROM read_parquet(${sqlString(s.file)}, file_row_number = true)${where}`;
}

/** Reads every row's era and id and fixes its final position: sorted by (numeric era, era, id). */
export async function readOrder(con: DuckDBConnection, sources: Source[]): Promise<Order> {
  const dict: StringCodes = { codes: new Map(), names: [] };
  const keys: Keys[] = [];
  for (const s of sources) keys.push(await readKeys(con, s, dict));
  const files = sources.map((s) => s.file).join(', ');
  const eraNames = await sortEras(con, files, dict.names);
  const eiOf = new Int32Array(dict.names.length);
  eraNames.forEach((e, i) => (eiOf[dict.codes.get(e) as number] = i));
  const inFileOrder = keys.every((k) => k.ascii) && sortedAsRead(keys, eiOf);
  const order = inFileOrder ? fileOrder(keys) : await sortedOrder(con, sources, files);
  const nRows = order.length / 2;
  const ids: string[] = [];
  const eraIndex = new Int32Array(nRows);
  const split = new Uint8Array(nRows);
  const rowOf = keys.map((k) => new Int32Array(k.posOf.length).fill(-1));
  for (let r = 0; r < nRows; r++) {
    const s = order[2 * r];
    const fr = order[2 * r + 1];
    const k = keys[s].posOf[fr];
    ids.push(keys[s].ids[k]);
    eraIndex[r] = eiOf[keys[s].eras[k]];
    split[r] = sources[s].split;
    rowOf[s][fr] = r;
  }
  return { ids, eraIndex, eraNames, split, rowOf };
}

async function readKeys(con: DuckDBConnection, s: Source, dict: StringCodes): Promise<Keys> {
  const frParts: Int32Array[] = [];
  const eraParts: Int32Array[] = [];
  const ids: string[] = [];
  let ascii = true;
  let maxFr = -1;
  await guard(s.file, async () => {
    const result = await con.stream(scan(s, 'file_row_number::INTEGER, era::VARCHAR, substr(id::VARCHAR, 1, 12), substr(id::VARCHAR, 13)'));
    await forEachChunk(result, (chunk) => {
      const fr = intColumn(chunk, 0);
      const era = stringCodes(chunk, 1, dict);
      const id = stringValues(chunk, 2, 2);
      const n = chunk.rowCount;
      for (let r = 0; r < n; r++) {
        const i = id.values[r];
        if (era[r] < 0 || i === null) {
          throw new UserError(`a row of ${s.file} has no ${i === null ? 'id' : 'era'}`, 'every Numerai row has an era and an id', 're-download or re-export the file');
        }
        ids.push(i);
        if (fr[r] > maxFr) maxFr = fr[r];
      }
      ascii &&= id.ascii;
      frParts.push(fr.slice());
      eraParts.push(era);
    });
  });
  const eras = concat(eraParts);
  const frs = concat(frParts);
  const posOf = new Int32Array(maxFr + 1).fill(-1);
  for (let k = 0; k < frs.length; k++) posOf[frs[k]] = k;
  return { eras, ids, posOf, ascii };
}

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The distinct eras in DuckDB's order: numerically where they are integers, then as text. */
async function sortEras(con: DuckDBConnection, files: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const list = `[${names.map(sqlString).join(', ')}]::VARCHAR[]`;
  const reader = await guard(files, () => con.runAndReadAll(`SELECT era FROM (SELECT unnest(${list}) AS era) ORDER BY TRY_CAST(era AS BIGINT) NULLS LAST, era`));
  return reader.getRowObjects().map((r) => String(r.era));
}

/** True when the sources, one after another, each in file order, are already sorted. */
function sortedAsRead(keys: Keys[], eiOf: Int32Array): boolean {
  let prevEi = -1;
  let prevId = '';
  for (const k of keys) {
    for (const pos of k.posOf) {
      if (pos < 0) continue;
      const ei = eiOf[k.eras[pos]];
      const id = k.ids[pos];
      if (ei < prevEi || (ei === prevEi && id < prevId)) return false;
      prevEi = ei;
      prevId = id;
    }
  }
  return true;
}

/** (source, file_row_number) pairs of every kept row, sources in turn, each in file order. */
function fileOrder(keys: Keys[]): Int32Array {
  const out = new Int32Array(2 * keys.reduce((n, k) => n + k.ids.length, 0));
  let at = 0;
  keys.forEach((k, s) => {
    for (let fr = 0; fr < k.posOf.length; fr++) {
      if (k.posOf[fr] < 0) continue;
      out[at++] = s;
      out[at++] = fr;
    }
  });
  return out;
}

/** The same pairs sorted by DuckDB, for files not already in order. */
async function sortedOrder(con: DuckDBConnection, sources: Source[], files: string): Promise<Int32Array> {
  const parts = sources.map((s, i) => scan(s, `${i} AS src, file_row_number::INTEGER AS fr, era::VARCHAR AS era, id::VARCHAR AS id`));
  const out: number[] = [];
  await guard(files, async () => {
    await con.run(
      `CREATE OR REPLACE TEMP TABLE load_rows AS ${parts.join(' UNION ALL ')}; ` +
        'CREATE OR REPLACE TEMP TABLE load_eras AS SELECT era, row_number() OVER (ORDER BY TRY_CAST(era AS BIGINT) NULLS LAST, era) AS ei FROM (SELECT DISTINCT era FROM load_rows)',
    );
    const result = await con.stream('SELECT src, fr FROM load_rows JOIN load_eras USING (era) ORDER BY ei, id');
    await forEachChunk(result, (chunk) => {
      const src = intColumn(chunk, 0);
      const fr = intColumn(chunk, 1);
      const n = chunk.rowCount;
      for (let r = 0; r < n; r++) out.push(src[r], fr[r]);
    });
    await con.run('DROP TABLE load_rows; DROP TABLE load_eras');
  });
  return Int32Array.from(out);
}
