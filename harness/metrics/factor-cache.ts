// Gram factors of each era's features kept across candidates. The factor of [F | 1] depends only on
// which rows and which feature values an era holds, never on the predictions, and every candidate of
// a run is scored on the same out-of-fold rows: so FNC pays the O(n·k²) factorisation once per era
// and each later candidate only the O(n·k) solve. Only the factor is kept (packed to its rank, about
// k²/2 float64): the features are read again from their source, which costs less than holding a
// float64 copy (15.7 MB per era at 416 features × 4,704 rows, against 0.7 MB for the factor).
import type { GramFactor } from './lstsq.ts';

export interface FactorCacheStats {
  hits: number;
  misses: number;
  /** misses whose factor was not kept because the cache was full */
  notKept: number;
  entries: number;
  /** bytes held: every kept factor (packed L and pivots) and the row ids of its key */
  bytes: number;
  capBytes: number;
}

export interface FactorCache {
  /**
   * The factor of source `sourceId`'s rows `rows` (its own row numbers, in the order fitted): the
   * kept one when this exact source and row list were seen before, else `build()`, kept while the
   * cache has room. The cache keeps `rows` (the caller must not change it afterwards).
   */
  factorFor(sourceId: string, rows: Int32Array, build: () => GramFactor): GramFactor;
  stats(): FactorCacheStats;
}

interface Entry {
  rows: Int32Array;
  factor: GramFactor;
}

/** 512 MiB holds every era's factor of Numerai's 574 eras at 416 features (~0.7 MB each). */
export const DEFAULT_FACTOR_CACHE_BYTES = 512 * 1024 * 1024;

const ids = new WeakMap<object, number>();
let lastId = 0;

/** A number unique to this object for the life of the process: part of a feature source's cache id. */
export function identityOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = ++lastId;
    ids.set(o, id);
  }
  return id;
}

/** FNV-1a over the row numbers: a bucket index only, since every lookup compares the rows in full. */
export function hashRows(rows: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < rows.length; i++) h = Math.imul(h ^ rows[i], 0x01000193);
  return h >>> 0;
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const entryBytes = (e: Entry): number => e.rows.byteLength + e.factor.l.byteLength + e.factor.perm.byteLength;

/**
 * A factor cache of at most `capBytes`. Once full it keeps what it has and adds nothing: eras are
 * scored in the same order for every candidate, and least-recently-used eviction would then drop
 * each era just before it is needed again, so no lookup would ever hit.
 */
export function createFactorCache(opts: { capBytes?: number } = {}): FactorCache {
  const capBytes = opts.capBytes ?? DEFAULT_FACTOR_CACHE_BYTES;
  if (!Number.isSafeInteger(capBytes) || capBytes < 0) {
    throw new Error(`createFactorCache: expected a non-negative integer for capBytes, got ${capBytes}`);
  }
  const buckets = new Map<string, Map<number, Entry[]>>();
  const s = { hits: 0, misses: 0, notKept: 0, entries: 0, bytes: 0 };
  return {
    factorFor(sourceId, rows, build) {
      const bySource = buckets.get(sourceId);
      const h = hashRows(rows);
      const hit = bySource?.get(h)?.find((e) => sameRows(e.rows, rows));
      if (hit) {
        s.hits++;
        return hit.factor;
      }
      s.misses++;
      const factor = build();
      if (factor.n !== rows.length) throw new Error(`FactorCache: a factor of ${factor.n} rows built for ${rows.length} rows`);
      const entry: Entry = { rows, factor };
      const size = entryBytes(entry);
      if (s.bytes + size > capBytes) {
        s.notKept++;
        return factor;
      }
      const source = bySource ?? new Map<number, Entry[]>();
      buckets.set(sourceId, source);
      source.set(h, [...(source.get(h) ?? []), entry]);
      s.entries++;
      s.bytes += size;
      return factor;
    },
    stats: () => ({ ...s, capBytes }),
  };
}
