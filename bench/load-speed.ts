// Prints how fast harness/data/loader.ts (loadNumerai) turns a Numerai-shaped train.parquet of
// 2.7M rows × 235 int8 features into the harness arrays, next to DuckDB's own scan of the same
// columns in the same run (each side --repeat times, min and median of CPU and wall), and how
// fast the binary caches are written and made ready in a fresh process: the dataset cache
// (harness/data/cache.ts) and a trainer's job data file (harness/runner/jobdata.ts).
// Without --dir the parquet file is written by DuckDB as close to pyarrow's Numerai files as it
// goes (INT32 columns annotated INT_8, snappy, dictionary-encoded pages, row groups of at most 1Mi
// rows, 1% null targets) into a temp dir that is deleted at the end; --dir reads an existing
// Numerai directory (train.parquet + features.json, e.g. one written by pyarrow) and leaves it.
// Usage: node --import tsx bench/load-speed.ts [--rows 2700000] [--eras 574] [--features 235] [--repeat 3] [--small] [--dir DIR]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck, sqlIdent, sqlString } from '../harness/duck.ts';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readDatasetCache, writeDatasetCache } from '../harness/data/cache.ts';
import { loadNumerai } from '../harness/data/loader.ts';
import type { Dataset } from '../harness/data/types.ts';
import { readJobData, writeJobData } from '../harness/runner/jobdata.ts';

interface Options { rows: number; eras: number; features: number; repeat: number; dir: string | null }
interface Timed<T> { value: T; wall: number; cpu: number }

const FULL: Options = { rows: 2_700_000, eras: 574, features: 235, repeat: 3, dir: null };
const SMALL: Options = { rows: 100_000, eras: 40, features: 235, repeat: 3, dir: null };
const USAGE = 'usage: node --import tsx bench/load-speed.ts [--rows N] [--eras N] [--features N] [--repeat N] [--small] [--dir DIR]';

/** A bad option: the message and the usage line, exit code 2, before anything is written. */
function fail(message: string): never {
  console.error(`load-speed.ts: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' }, eras: { type: 'string' }, features: { type: 'string' }, repeat: { type: 'string' },
      small: { type: 'boolean', default: false }, dir: { type: 'string' },
    },
  });
  const base = values.small ? SMALL : FULL;
  const int = (flag: 'rows' | 'eras' | 'features' | 'repeat', raw: string | undefined): number => {
    if (raw === undefined) return base[flag];
    const v = Number(raw);
    if (!Number.isInteger(v) || v <= 0) fail(`expected a positive integer for --${flag}, got ${raw}`);
    return v;
  };
  const o = { rows: int('rows', values.rows), eras: int('eras', values.eras), features: int('features', values.features), repeat: int('repeat', values.repeat), dir: values.dir ?? null };
  for (const f of ['train.parquet', 'features.json']) {
    if (o.dir !== null && !fs.existsSync(path.join(o.dir, f))) fail(`expected a directory holding ${f} for --dir, got ${o.dir}`);
  }
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
 * 5/20/50/20/5 % bins with 1% nulls, id ("n" + 15 hex), rows sorted by era then id; and its features.json.
 */
async function writeDataset(con: DuckDBConnection, dir: string, o: Options): Promise<void> {
  const names = featureNames(o.features);
  const feats = names.map((f, j) => `(hash(i, ${j}) % 5)::TINYINT AS ${sqlIdent(f)}`).join(', ');
  const target = `(CASE WHEN hash(i, -2) % 100 = 0 THEN NULL WHEN hash(i, -1) % 100 < 5 THEN 0 WHEN hash(i, -1) % 100 < 25 THEN 0.25 WHEN hash(i, -1) % 100 < 75 THEN 0.5 WHEN hash(i, -1) % 100 < 95 THEN 0.75 ELSE 1 END)::FLOAT`;
  const rows =
    `SELECT lpad((i * ${o.eras} // ${o.rows} + 1)::VARCHAR, 4, '0') AS era, 'train' AS data_type, ${feats}, ${target} AS target, ` +
    `'n' || substr(md5(i::VARCHAR), 1, 15) AS id FROM range(${o.rows}) t(i)`;
  const file = path.join(dir, 'train.parquet');
  await con.run(`COPY (SELECT * FROM (${rows}) ORDER BY era, id) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1048576)`);
  const sets = { all: names, small: names.slice(0, Math.min(42, names.length)) };
  fs.writeFileSync(path.join(dir, 'features.json'), JSON.stringify({ feature_sets: sets, targets: ['target'] }));
}

async function describeFile(con: DuckDBConnection, file: string, feature: string): Promise<string> {
  const meta = await con.runAndReadAll(`SELECT num_rows, num_row_groups FROM parquet_file_metadata(${sqlString(file)})`);
  const m = meta.getRowObjects()[0];
  const col = await con.runAndReadAll(
    `SELECT type, compression, encodings FROM parquet_metadata(${sqlString(file)}) WHERE path_in_schema = ${sqlString(feature)} LIMIT 1`,
  );
  const c = col.getRowObjects()[0];
  const mb = fs.statSync(file).size / 2 ** 20;
  return `${m.num_rows} rows, ${m.num_row_groups} row groups, ${mb.toFixed(0)} MiB; features stored as ${c.type} ${c.compression} [${c.encodings}]`;
}

/** DuckDB reads every column the loader reads and reduces it: its scan and decode speed, no transfer to JS. */
async function duckScan(file: string, names: string[]): Promise<{ featureSum: number; targetSum: number }> {
  const con = await openDuck();
  try {
    const sums = names.map((f) => `sum(${sqlIdent(f)})`).join(' + ');
    const sql = `SELECT max(era) AS e, max(id) AS i, sum(target)::DOUBLE AS t, (${sums})::DOUBLE AS f FROM read_parquet(${sqlString(file)})`;
    const r = (await con.runAndReadAll(sql)).getRowObjects()[0];
    return { featureSum: Number(r.f), targetSum: Number(r.t) };
  } finally {
    con.closeSync();
  }
}

/** DuckDB streams the same columns to JS chunk by chunk, values not read: the floor of any loader built on node-api. */
async function duckStream(file: string, names: string[]): Promise<number> {
  const con = await openDuck();
  try {
    const cols = ['era', 'id', 'target', ...names].map(sqlIdent).join(', ');
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
  for (const v of ds.targets[0]) if (!Number.isNaN(v)) s += v;
  return s;
}

const secs = (t: Timed<unknown>): string => `${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU`;
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

/** Runs `fn` `repeat` times; prints each run and returns the runs (the last value is kept). */
async function repeated<T>(label: string, repeat: number, fn: () => Promise<T>): Promise<Timed<T>[]> {
  const runs: Timed<T>[] = [];
  for (let i = 0; i < repeat; i++) {
    runs.push(await timed(fn));
    console.log(`  ${label} run ${i + 1}: ${secs(runs[i])}`);
  }
  return runs;
}

const summary = (runs: Timed<unknown>[]): string => {
  const cpu = runs.map((r) => r.cpu);
  const wall = runs.map((r) => r.wall);
  return `CPU min ${Math.min(...cpu).toFixed(2)} s, median ${median(cpu).toFixed(2)} s; wall min ${Math.min(...wall).toFixed(2)} s, median ${median(wall).toFixed(2)} s`;
};

const ratio = (a: Timed<unknown>[], b: Timed<unknown>[]): string => {
  const f = (pick: (t: Timed<unknown>) => number, agg: (v: number[]) => number) => (agg(a.map(pick)) / agg(b.map(pick))).toFixed(2);
  const min = (v: number[]) => Math.min(...v);
  return `${f((t) => t.cpu, min)}x CPU (min/min), ${f((t) => t.cpu, median)}x CPU (median/median), ${f((t) => t.wall, min)}x wall (min/min)`;
};

/** What a fresh process (a trainer) does with a cache file: read it, touch every array, exit. Prints JSON. */
function childRead(kind: string, file: string): void {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let touched = 0;
  const touch = (a: ArrayLike<number>) => {
    for (let i = 0; i < a.length; i += 4096) touched += a[i] === a[i] ? 1 : 0;
  };
  if (kind === 'dataset') {
    const ds = readDatasetCache(file);
    ds.x.blocks.forEach(touch);
    ds.targets.forEach(touch);
    touch(ds.eraIndex);
    touched += ds.ids.length;
  } else {
    const { train, predict } = readJobData(file);
    train.x.blocks.forEach(touch);
    predict.x.blocks.forEach(touch);
    Object.values(train.targets).forEach(touch);
    touch(train.eras);
  }
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, touched }));
}

/** Spawns a fresh node process that reads `file` as a trainer would; the time from spawn to exit is the wall. */
async function freshRead(kind: string, file: string): Promise<{ ready: Timed<null>; process: number }> {
  const t0 = performance.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child-read', kind, file], { encoding: 'utf8' });
  const total = (performance.now() - t0) / 1000;
  const r = JSON.parse(out.trim().split('\n').pop() as string) as { wall: number; cpu: number };
  return { ready: { value: null, wall: r.wall, cpu: r.cpu }, process: total };
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child-read');
  if (childAt >= 0) return childRead(process.argv[childAt + 1], process.argv[childAt + 2]);
  const o = parseOptions();
  const [l1, l5, l15] = os.loadavg();
  console.log(`machine: ${os.availableParallelism()} cpus, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}, load ${l1.toFixed(2)} ${l5.toFixed(2)} ${l15.toFixed(2)}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'load-speed-'));
  try {
    const dir = o.dir ?? tmp;
    const file = path.join(dir, 'train.parquet');
    const names = (): string[] => JSON.parse(fs.readFileSync(path.join(dir, 'features.json'), 'utf8')).feature_sets.all;
    const con = await openDuck();
    try {
      if (o.dir === null) {
        const w = await timed(() => writeDataset(con, dir, o));
        console.log(`wrote train.parquet with DuckDB in ${w.wall.toFixed(1)} s`);
      }
      console.log(`${file}: ${await describeFile(con, file, names()[0])}`);
    } finally {
      con.closeSync();
    }
    const opts = { featureSet: 'all', targets: ['target'], benchmarks: [], includeValidation: false, includeLive: false };
    // the runs alternate so that load drift on a shared machine hits both sides alike; the page cache is warm after the first read
    const scans: Timed<{ featureSum: number; targetSum: number }>[] = [];
    const loads: Timed<null>[] = [];
    let ds: Dataset | null = null;
    for (let i = 0; i < o.repeat; i++) {
      scans.push(await timed(() => duckScan(file, names())));
      console.log(`  DuckDB scan run ${i + 1}: ${secs(scans[i])}`);
      ds = null; // only one loaded dataset is held at a time
      const load = await timed(() => loadNumerai(dir, opts));
      ds = load.value;
      loads.push({ ...load, value: null });
      console.log(`  loadNumerai run ${i + 1}: ${secs(loads[i])}`);
    }
    const streams = await repeated('DuckDB stream', o.repeat, () => duckStream(file, names()));
    if (ds === null) throw new Error('no load ran');
    const scan = scans[0].value;
    console.log(`loadNumerai: ${ds.nRows} rows x ${ds.x.nFeatures} features, ${ds.eraNames.length} eras, ${ds.x.blocks.length} block(s): ${summary(loads)}`);
    console.log(`DuckDB scan (sum of every column): ${summary(scans)}`);
    console.log(`DuckDB stream to JS (no read): ${summary(streams)}`);
    console.log(`ratio loadNumerai / DuckDB scan: ${ratio(loads, scans)}`);
    console.log(`ratio loadNumerai / DuckDB stream: ${ratio(loads, streams)}`);
    const fs1 = featureSum(ds);
    const ts1 = targetSum(ds);
    const same = fs1 === scan.featureSum && ts1 === scan.targetSum;
    console.log(`check: feature sum ${fs1} vs DuckDB ${scan.featureSum}, target sum ${ts1} vs ${scan.targetSum}: ${same ? 'equal' : 'DIFFERENT'}`);
    const cacheFile = path.join(tmp, 'cache.bin');
    const write = await timed(() => writeDatasetCache(cacheFile, ds));
    const read = await timed(() => readDatasetCache(cacheFile));
    const back = read.value;
    const sameBack = back.nRows === ds.nRows && featureSum(back) === fs1 && back.ids[back.nRows - 1] === ds.ids[ds.nRows - 1];
    const mib = (f: string) => (fs.statSync(f).size / 2 ** 20).toFixed(0);
    console.log(`writeDatasetCache ${secs(write)}; readDatasetCache in this process ${secs(read)} (${mib(cacheFile)} MiB, page cache warm, ${sameBack ? 'same rows' : 'DIFFERENT'})`);
    const jobFile = path.join(tmp, 'job.bin');
    const eras = new Int32Array(ds.eraIndex);
    const targets = { target: ds.targets[0] };
    const empty = { nRows: 0, nFeatures: ds.x.nFeatures, rowsPerBlock: 1, blocks: [new Uint8Array(0)] };
    writeJobData(jobFile, { nRows: ds.nRows, featureNames: ds.featureNames, x: ds.x, eras, targetNames: ['target'], targets, mainTarget: 'target', benchmark: null }, { nRows: 0, featureNames: ds.featureNames, x: empty, eras: new Int32Array(0) });
    for (const [kind, f] of [['dataset', cacheFile], ['job data', jobFile]] as const) {
      const runs: { ready: Timed<null>; process: number }[] = [];
      for (let i = 0; i < o.repeat; i++) runs.push(await freshRead(kind === 'dataset' ? 'dataset' : 'job', f));
      const r = runs.map((x) => x.ready);
      console.log(`fresh process, ${kind} (${mib(f)} MiB) read and touched: ${summary(r)}; whole process (spawn to exit) median ${median(runs.map((x) => x.process)).toFixed(2)} s`);
    }
    console.log(`ratio loadNumerai / readDatasetCache in this process: ${(median(loads.map((t) => t.wall)) / read.wall).toFixed(1)}x wall`);
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 2 ** 20).toFixed(2)} GiB`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
