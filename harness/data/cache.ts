// The dataset cache: a Dataset in binfile form, keyed by the load fingerprint, so a trainer
// process gets its data by reading one file instead of decoding parquet again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readBin, writeBin, type BinArray } from '../binfile.ts';
import { loadNumerai } from './loader.ts';
import { LOADER_VERSION, fingerprintFor } from './loader-sources.ts';
import type { Dataset, DatasetMeta, LoadOptions } from './types.ts';

export interface CacheOptions {
  /** where to cache when the data directory is not writable; default os.tmpdir()/autoresearch-cache */
  cacheDir?: string;
}

const KIND = 'autoresearch-dataset';
export const CACHE_SUBDIR = '.autoresearch-cache';

interface CacheHeader {
  kind: string;
  version: number;
  nRows: number;
  nFeatures: number;
  rowsPerBlock: number;
  nBlocks: number;
  eraNames: string[];
  featureNames: string[];
  targetNames: string[];
  benchmarkNames: string[];
  featureSets: Record<string, string[]>;
  meta: DatasetMeta;
}

/** Loads through the cache: a cache file with the same fingerprint is read, else the data is loaded and cached. */
export async function loadDataset(dir: string, opts: LoadOptions, cache: CacheOptions = {}): Promise<Dataset> {
  const fingerprint = fingerprintFor(dir, opts);
  const primaryDir = path.join(dir, CACHE_SUBDIR);
  const fallbackDir = cache.cacheDir ?? path.join(os.tmpdir(), 'autoresearch-cache');
  for (const d of [primaryDir, fallbackDir]) {
    const hit = tryRead(path.join(d, `${fingerprint}.bin`), fingerprint);
    if (hit) return { ...hit, meta: { ...hit.meta, dir } };
  }
  const ds = await loadNumerai(dir, opts);
  const target = isWritableDir(dir) && ensureDir(primaryDir) ? primaryDir : fallbackDir;
  if (target === fallbackDir) fs.mkdirSync(fallbackDir, { recursive: true });
  writeDatasetCache(path.join(target, `${ds.meta.fingerprint}.bin`), ds);
  return ds;
}

/** The cache file path a load of `dir` with `opts` would use if the data directory is writable. */
export function primaryCachePath(dir: string, opts: LoadOptions): string {
  return path.join(dir, CACHE_SUBDIR, `${fingerprintFor(dir, opts)}.bin`);
}

function tryRead(file: string, fingerprint: string): Dataset | null {
  if (!fs.existsSync(file)) return null;
  try {
    const ds = readDatasetCache(file);
    return ds.meta.fingerprint === fingerprint ? ds : null;
  } catch {
    // an unreadable cache (older format, truncated copy) is rebuilt from the source files
    return null;
  }
}

/**
 * A directory counts as writable only if it has a write bit and access() agrees: a data
 * directory made read-only on purpose (chmod a-w) is respected even when running as root.
 */
function isWritableDir(dir: string): boolean {
  try {
    const st = fs.statSync(dir);
    if ((st.mode & 0o222) === 0) return false;
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function ensureDir(d: string): boolean {
  try {
    fs.mkdirSync(d, { recursive: true });
    fs.accessSync(d, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Writes a Dataset as one binfile (atomically: temp file + rename). */
export function writeDatasetCache(file: string, ds: Dataset): void {
  const header: CacheHeader = {
    kind: KIND,
    version: LOADER_VERSION,
    nRows: ds.nRows,
    nFeatures: ds.x.nFeatures,
    rowsPerBlock: ds.x.rowsPerBlock,
    nBlocks: ds.x.blocks.length,
    eraNames: ds.eraNames,
    featureNames: ds.featureNames,
    targetNames: ds.targetNames,
    benchmarkNames: ds.benchmarkNames,
    featureSets: ds.featureSets,
    meta: ds.meta,
  };
  const arrays: Record<string, BinArray> = {
    ids: new Uint8Array(Buffer.from(ds.ids.join('\n'), 'utf8')),
    eraIndex: ds.eraIndex,
    split: ds.split,
  };
  ds.x.blocks.forEach((b, i) => (arrays[`x${i}`] = b));
  ds.targets.forEach((t, i) => (arrays[`t${i}`] = t));
  ds.benchmarks.forEach((b, i) => (arrays[`b${i}`] = b));
  writeBin(file, header, arrays);
}

/** Reads a Dataset written by writeDatasetCache. */
export function readDatasetCache(file: string): Dataset {
  const { header: h, arrays } = readBin<CacheHeader>(file);
  if (h?.kind !== KIND || h.version !== LOADER_VERSION) throw new Error(`${file} is not a dataset cache of version ${LOADER_VERSION}`);
  const idBytes = arrays.ids as Uint8Array;
  const ids = h.nRows === 0 ? [] : Buffer.from(idBytes.buffer, idBytes.byteOffset, idBytes.byteLength).toString('utf8').split('\n');
  if (ids.length !== h.nRows) throw new Error(`${file} is corrupt: ${ids.length} ids for ${h.nRows} rows`);
  return {
    nRows: h.nRows,
    ids,
    eraIndex: arrays.eraIndex as Int32Array,
    eraNames: h.eraNames,
    split: arrays.split as Uint8Array,
    featureNames: h.featureNames,
    x: {
      nRows: h.nRows,
      nFeatures: h.nFeatures,
      rowsPerBlock: h.rowsPerBlock,
      blocks: Array.from({ length: h.nBlocks }, (_, i) => arrays[`x${i}`] as Uint8Array),
    },
    targetNames: h.targetNames,
    targets: h.targetNames.map((_, i) => arrays[`t${i}`] as Float32Array),
    benchmarkNames: h.benchmarkNames,
    benchmarks: h.benchmarkNames.map((_, i) => arrays[`b${i}`] as Float32Array),
    featureSets: h.featureSets,
    meta: h.meta,
  };
}
