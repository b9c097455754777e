// Prints how fast harness/data/loader.ts (loadNumerai) turns a Numerai-shaped train.parquet of
// 2.7M rows × 235 int8 features into the harness arrays, next to DuckDB's own scan of the same
// columns in the same process, and how fast the binary dataset cache (harness/data/cache.ts) is
// written and read back. The parquet file is written by DuckDB as close to pyarrow's Numerai files
// as it goes (INT32 columns annotated INT_8, snappy, dictionary-encoded pages, row groups of at
// most 1Mi rows), since pyarrow is not installable here; everything is deleted at the end.
// Usage: node --import tsx bench/load-speed.ts [--rows 2700000] [--eras 574] [--features 235] [--small]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck, sqlIdent, sqlString } from '../harness/duck.ts';
import { readDatasetCache, writeDatasetCache } from '../harness/data/cache.ts';
import { loadNumerai } from '../harness/data/loader.ts';
import type { Dataset } from '../harness/data/types.ts';

interface Options { rows: number; eras: number; features: number }
interface Timed<T> { value: T; wall: number; cpu: number }

const FULL: Options = { rows: 2_700_000, eras: 574, features: 235 };
const SMALL: Options = { rows: 100_000, eras: 40, features: 235 };

/** A bad option: the message and the usage line, exit code 2, before anything is written. */
function fail(message: string): never {
  console.error(`load-speed.ts: ${message}\nusage: node --import tsx bench/load-speed.ts [--rows N] [--eras N] [--features N] [--small]`);
  process.exit(2);
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: { rows: { type: 'string' }, eras: { type: 'string' }, features: { type: 'string' }, small: { type: 'boolean', default: false } },
  });
  const base = values.small ? SMALL : FULL;
  const int = (flag: keyof Options, raw: string | undefined): number => {
    if (raw === undefined) return base[flag];
    const v = Number(raw);
    if (!Number.isInteger(v) || v <= 0) fail(`expected a positive integer for --${flag}, got ${raw}`);
    return v;
  };
  const o = { rows: int('rows', values.rows), eras: int('eras', values.eras), features: int('features', values.features) };
  if (o.eras > o.rows) fail(`expected no more eras than rows, got --eras ${o.eras} for --rows ${o.rows}`);
  if (o.eras > 9999) fail(`expected at most 9999 eras (four-digit era labels), got --eras ${o.eras}`);
  return o;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<Timed<T>> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const featureNames = (n: number): string[] => Array.from({ length: n }, (_, j) => `feature_bench_${String(j).padStart(4, '0')}`);

/**
 * train.parquet as Numerai ships it: era, data_type, features 0..4 (5 equal bins), target in
 * 5/20/50/20/5 % bins, id ("n" + 15 hex), rows sorted by era then id; and its features.json.
 */
async function writeDataset(con: DuckDBConnection, dir: string, o: Options): Promise<void> {
  const names = featureNames(o.features);
  const feats = names.map((f, j) => `(hash(i, ${j}) % 5)::TINYINT AS ${sqlIdent(f)}`).join(', ');
  const target = `(CASE WHEN hash(i, -1) % 100 < 5 THEN 0 WHEN hash(i, -1) % 100 < 25 THEN 0.25 WHEN hash(i, -1) % 100 < 75 THEN 0.5 WHEN hash(i, -1) % 100 < 95 THEN 0.75 ELSE 1 END)::FLOAT`;
  const rows =
    `SELECT lpad((i * ${o.eras} // ${o.rows} + 1)::VARCHAR, 4, '0') AS era, 'train' AS data_type, ${feats}, ${target} AS target, ` +
    `'n' || substr(md5(i::VARCHAR), 1, 15) AS id FROM range(${o.rows}) t(i)`;
  const file = path.join(dir, 'train.parquet');
  await con.run(`COPY (SELECT * FROM (${rows}) ORDER BY era, id) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1048576)`);
  const sets = { all: names, small: names.slice(0, Math.min(42, names.length)) };
  fs.writeFileSync(path.join(dir, 'features.json'), JSON.stringify({ feature_sets: sets, targets: ['target'] }));
}

async function describeFile(con: DuckDBConnection, file: string): Promise<string> {
  const meta = await con.runAndReadAll(`SELECT num_rows, num_row_groups FROM parquet_file_metadata(${sqlString(file)})`);
  const m = meta.getRowObjects()[0];
  const col = await con.runAndReadAll(
    `SELECT type, compression, encodings FROM parquet_metadata(${sqlString(file)}) WHERE path_in_schema = ${sqlString(featureNames(1)[0])} LIMIT 1`,
  );
  const c = col.getRowObjects()[0];
  const mb = fs.statSync(file).size / 2 ** 20;
  return `${m.num_rows} rows, ${m.num_row_groups} row groups, ${mb.toFixed(0)} MiB; features stored as ${c.type} ${c.compression} [${c.encodings}]`;
}

/** DuckDB reads every column the loader reads and reduces it: its scan and decode speed, no transfer to JS. */
async function duckScan(file: string, o: Options): Promise<{ featureSum: number; targetSum: number }> {
  const con = await openDuck();
  try {
    const sums = featureNames(o.features).map((f) => `sum(${sqlIdent(f)})`).join(' + ');
    const sql = `SELECT max(era) AS e, max(id) AS i, sum(target)::DOUBLE AS t, (${sums})::DOUBLE AS f FROM read_parquet(${sqlString(file)})`;
    const r = (await con.runAndReadAll(sql)).getRowObjects()[0];
    return { featureSum: Number(r.f), targetSum: Number(r.t) };
  } finally {
    con.closeSync();
  }
}

/** DuckDB streams the same columns to JS chunk by chunk, values not read: the floor of any loader built on node-api. */
async function duckStream(file: string, o: Options): Promise<number> {
  const con = await openDuck();
  try {
    const cols = ['era', 'id', 'target', ...featureNames(o.features)].map(sqlIdent).join(', ');
    const result = await con.stream(`SELECT ${cols} FROM read_parquet(${sqlString(file)})`);
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return rows;
      rows += chunk.rowCount;
    }
  } finally {
    con.closeSync();
  }
}

function featureSum(ds: Dataset): number {
  let s = 0;
  for (const b of ds.x.blocks) for (let i = 0; i < b.length; i++) s += b[i];
  return s;
}

function targetSum(ds: Dataset): number {
  let s = 0;
  for (const v of ds.targets[0]) s += v;
  return s;
}

const secs = (t: Timed<unknown>): string => `${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU`;

async function main(): Promise<void> {
  const o = parseOptions();
  const [l1, l5, l15] = os.loadavg();
  console.log(`machine: ${os.availableParallelism()} cpus, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}, load ${l1.toFixed(2)} ${l5.toFixed(2)} ${l15.toFixed(2)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-speed-'));
  try {
    const file = path.join(dir, 'train.parquet');
    const con = await openDuck();
    try {
      const w = await timed(() => writeDataset(con, dir, o));
      console.log(`wrote train.parquet in ${w.wall.toFixed(1)} s: ${await describeFile(con, file)}`);
    } finally {
      con.closeSync();
    }
    const opts = { featureSet: 'all', targets: ['target'], benchmarks: [], includeValidation: false, includeLive: false };
    // the file was just written, so every read below finds it in the page cache
    const scan = await timed(() => duckScan(file, o));
    const stream = await timed(() => duckStream(file, o));
    const load = await timed(() => loadNumerai(dir, opts));
    const ds = load.value;
    console.log(`loadNumerai                  ${secs(load)}: ${ds.nRows} rows x ${ds.x.nFeatures} features, ${ds.eraNames.length} eras, ${ds.x.blocks.length} block(s)`);
    console.log(`DuckDB scan (sum of columns)  ${secs(scan)}`);
    console.log(`DuckDB stream to JS (no read) ${secs(stream)}: ${stream.value} rows`);
    console.log(`ratio loadNumerai/DuckDB scan: ${(load.wall / scan.wall).toFixed(1)}x wall, ${(load.cpu / scan.cpu).toFixed(1)}x CPU`);
    console.log(`ratio loadNumerai/DuckDB stream: ${(load.wall / stream.wall).toFixed(1)}x wall, ${(load.cpu / stream.cpu).toFixed(1)}x CPU`);
    const fs1 = featureSum(ds);
    const ts1 = targetSum(ds);
    const same = fs1 === scan.value.featureSum && ts1 === scan.value.targetSum;
    console.log(`check: feature sum ${fs1} vs DuckDB ${scan.value.featureSum}, target sum ${ts1} vs ${scan.value.targetSum}: ${same ? 'equal' : 'DIFFERENT'}`);
    const cacheFile = path.join(dir, 'cache.bin');
    const write = await timed(() => writeDatasetCache(cacheFile, ds));
    const read = await timed(() => readDatasetCache(cacheFile));
    const back = read.value;
    const sameBack = back.nRows === ds.nRows && featureSum(back) === fs1 && back.ids[back.nRows - 1] === ds.ids[ds.nRows - 1];
    const mib = fs.statSync(cacheFile).size / 2 ** 20;
    console.log(`writeDatasetCache ${secs(write)}; readDatasetCache ${secs(read)} (${mib.toFixed(0)} MiB, page cache warm, ${sameBack ? 'same rows' : 'DIFFERENT'})`);
    console.log(`ratio loadNumerai/readDatasetCache: ${(load.wall / read.wall).toFixed(1)}x wall`);
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 2 ** 20).toFixed(2)} GiB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
