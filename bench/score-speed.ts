// Prints the speed of per-era scoring through harness/metrics/per-era.ts (scorePerEra): CORR, BMC
// and corr with the benchmark over 2.7M rows × 574 eras, and CORR + FNC over 20 eras of the same
// size (4,704 rows) against 416 features, the size of Numerai's fncv3_features set that the website's
// FNC neutralises against, next to a vectorised numpy peer (bench/score-speed.py) fed the same bytes,
// with the largest per-era difference between the two. FNC is timed cold (the first candidate: each
// era's Gram factor built) and warm (a second candidate's predictions on the same eras, the factors
// kept in a FactorCache), the warm case against numpy both as numerai-tools runs it (lstsq per call)
// and with each era's SVD kept, the fair cached peer. Without Python + pandas + scipy it prints the
// harness figures alone. The peer is pinned to one BLAS thread, like the harness.
// Usage: node --import tsx bench/score-speed.ts [--rows 2700000] [--eras 574] [--fnc-rows 94080]
//        [--fnc-features 416] [--fnc-eras 20] [--repeat 3] [--python /usr/bin/python3] [--small]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { rngFor } from '../harness/data/synth-rng.ts';
import { createFactorCache, type FactorCache } from '../harness/metrics/factor-cache.ts';
import { nativeFncKernels } from '../harness/metrics/fnc-native.ts';
import { featureSourceFromMatrix, scorePerEra, type EraScore, type PerEraInput } from '../harness/metrics/per-era.ts';

interface Options { rows: number; eras: number; fncRows: number; fncFeatures: number; fncEras: number; repeat: number; python: string }
interface Run { wall: number; cpu: number }
/** `pred2`: a second candidate's predictions on the same rows, for the warm FNC case */
interface Case { input: PerEraInput; features: Uint8Array[]; pred2: Float64Array }
type Values = (number | null)[];
interface PeerOutput {
  versions: Record<string, string>;
  main: { runs: Run[]; corr: Values; bmc: Values; corr_with_benchmark: Values };
  fnc: { runs: Run[]; corr: Values; fnc: Values };
  /** the second candidate scored with each era's SVD computed once (`prep_runs`) and kept */
  fnc_cached: { prep_runs: Run[]; runs: Run[]; corr: Values; fnc: Values };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const FULL = { rows: 2_700_000, eras: 574, fncRows: 94_080, fncFeatures: 416, fncEras: 20 };
const SMALL = { rows: 100_000, eras: 40, fncRows: 10_000, fncFeatures: 42, fncEras: 4 };
/** Φ⁻¹ of 5%, 25%, 75%, 95%: Numerai's 5/20/50/20/5 % target bins from a standard normal. */
const BIN_EDGES = [-1.6448536269514729, -0.6744897501960817, 0.6744897501960817, 1.6448536269514729];

/** A bad option: the message and the usage line, exit code 2, before anything is written. */
function fail(message: string): never {
  console.error(`score-speed.ts: ${message}\nusage: node --import tsx bench/score-speed.ts [--rows N] [--eras N] [--fnc-rows N] [--fnc-features N] [--fnc-eras N] [--repeat N] [--python PATH] [--small]`);
  process.exit(2);
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' }, eras: { type: 'string' }, 'fnc-rows': { type: 'string' }, 'fnc-features': { type: 'string' },
      'fnc-eras': { type: 'string' }, repeat: { type: 'string', default: '3' }, python: { type: 'string', default: '/usr/bin/python3' },
      small: { type: 'boolean', default: false },
    },
  });
  const base = values.small ? SMALL : FULL;
  const int = (flag: string, raw: string | undefined, dflt: number): number => {
    if (raw === undefined) return dflt;
    const v = Number(raw);
    if (!Number.isInteger(v) || v <= 0) fail(`expected a positive integer for --${flag}, got ${raw}`);
    return v;
  };
  const o: Options = {
    rows: int('rows', values.rows, base.rows), eras: int('eras', values.eras, base.eras),
    fncRows: int('fnc-rows', values['fnc-rows'], base.fncRows), fncFeatures: int('fnc-features', values['fnc-features'], base.fncFeatures),
    fncEras: int('fnc-eras', values['fnc-eras'], base.fncEras), repeat: int('repeat', values.repeat, 3), python: values.python!,
  };
  // ≥ 64 rows per era keeps every era's power-1.5 and 80%-kept checks meaningful
  if (o.rows < 64 * o.eras) fail(`expected at least 64 rows per era, got --rows ${o.rows} for --eras ${o.eras}`);
  if (o.fncRows < 64 * o.fncEras || o.fncRows / o.fncEras <= o.fncFeatures + 1) {
    fail(`expected more rows per era than features + 1 and at least 64, got --fnc-rows ${o.fncRows} for --fnc-eras ${o.fncEras}`);
  }
  return o;
}

/** Contiguous eras of near-equal size, rows sorted by era as in Numerai's files. */
function erasFor(rows: number, eras: number): { eraIndex: Int32Array; eraNames: string[] } {
  const eraIndex = new Int32Array(rows);
  for (let e = 0; e < eras; e++) eraIndex.fill(e, Math.floor((e * rows) / eras), Math.floor(((e + 1) * rows) / eras));
  return { eraIndex, eraNames: Array.from({ length: eras }, (_, e) => String(e + 1).padStart(4, '0')) };
}

function binned(y: number): number {
  let b = 0;
  while (b < 4 && y > BIN_EDGES[b]) b++;
  return b / 4;
}

/** Predictions and a benchmark that share a latent signal with a 5-bin target: non-trivial CORR and BMC. */
function mainCase(rows: number, eras: number): Case {
  const rng = rngFor(20260716, 'score-speed main');
  const pred = new Float64Array(rows);
  const target = new Float64Array(rows);
  const benchmark = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const s = rng.normal();
    target[i] = binned(0.3 * s + Math.sqrt(1 - 0.09) * rng.normal());
    pred[i] = s + 2 * rng.normal();
    benchmark[i] = s + 2 * rng.normal();
  }
  return { input: { ...erasFor(rows, eras), pred, target, benchmark }, features: [], pred2: pred };
}

/** Features 0..4 that drive both target and predictions, so neutralisation changes the score. */
function fncCase(rows: number, eras: number, nFeatures: number): Case {
  const rng = rngFor(20260716, 'score-speed fnc');
  const features = Array.from({ length: nFeatures }, () => new Uint8Array(rows));
  const pred = new Float64Array(rows);
  const pred2 = new Float64Array(rows);
  const target = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (const f of features) f[i] = rng.uint32() % 5;
    const s = 0.25 * (features[0][i] - 2) - 0.2 * (features[nFeatures - 1][i] - 2) + rng.normal();
    target[i] = binned(0.3 * s + 0.9 * rng.normal());
    pred[i] = s + 0.3 * (features[1 % nFeatures][i] - 2) + 2 * rng.normal();
    pred2[i] = s - 0.3 * (features[2 % nFeatures][i] - 2) + 2 * rng.normal();
  }
  // The harness's layout: integer features row-major in blocks, which the native fit reads in place.
  const block = new Uint8Array(rows * nFeatures);
  features.forEach((f, j) => { for (let i = 0; i < rows; i++) block[i * nFeatures + j] = f[i]; });
  const x = { nRows: rows, nFeatures, rowsPerBlock: rows, blocks: [block] };
  return { input: { ...erasFor(rows, eras), pred, target, features: featureSourceFromMatrix(x) }, features, pred2 };
}

function write(dir: string, name: string, a: ArrayBufferView): void {
  fs.writeFileSync(path.join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** The bytes both sides score: x86 typed arrays are little-endian, as score-speed.py reads them. */
function writeInputs(dir: string, main: Case, fnc: Case): void {
  write(dir, 'era.i32', main.input.eraIndex);
  write(dir, 'pred.f64', main.input.pred);
  write(dir, 'target.f64', main.input.target);
  write(dir, 'bench.f64', main.input.benchmark!);
  write(dir, 'fnc-era.i32', fnc.input.eraIndex);
  write(dir, 'fnc-pred.f64', fnc.input.pred);
  write(dir, 'fnc-target.f64', fnc.input.target);
  write(dir, 'fnc-pred2.f64', fnc.pred2);
  const flat = new Uint8Array(fnc.input.pred.length * fnc.features.length);
  fnc.features.forEach((f, j) => flat.set(f, j * f.length));
  write(dir, 'fnc-features.u8', flat);
  const meta = { main: { rows: main.input.pred.length }, fnc: { rows: fnc.input.pred.length, features: fnc.features.length } };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
}

/** Times `repeat` runs; `cache()` gives each run its factor cache (a fresh one times the cold path). */
function timeRuns(input: PerEraInput, repeat: number, cache: () => FactorCache | undefined = () => undefined): { runs: Run[]; scores: EraScore[] } {
  const runs: Run[] = [];
  let scores: EraScore[] = [];
  for (let r = 0; r < repeat; r++) {
    const factorCache = cache();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    scores = scorePerEra({ ...input, factorCache });
    const c = process.cpuUsage(c0);
    runs.push({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 });
  }
  return { runs, scores };
}

/** The peer's output, or the reason it cannot run here. */
async function runPeer(python: string, dir: string, repeat: number): Promise<PeerOutput | string> {
  const probe = await execa(python, ['-c', 'import pandas, scipy'], { reject: false });
  if (probe.exitCode !== 0) {
    const why = String(probe.stderr || probe.message || `exit ${probe.exitCode}`).trim().split('\n');
    return `${python} with pandas and scipy not found (${why[why.length - 1]})`;
  }
  const env = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = await execa(python, [path.join(here, 'score-speed.py'), dir, '--repeat', String(repeat), '--cached'], { env, reject: false, maxBuffer: 1e9 });
  if (r.exitCode !== 0) throw new Error(`bench/score-speed.py failed (exit ${r.exitCode}): ${r.stderr}`);
  return JSON.parse(r.stdout) as PeerOutput;
}

function maxAbsDiff(ours: EraScore[], key: 'corr' | 'bmc' | 'corr_with_benchmark' | 'fnc', theirs: (number | null)[]): string {
  if (theirs.length !== ours.length) return `era counts differ (${ours.length} vs ${theirs.length})`;
  let worst = 0;
  for (let e = 0; e < ours.length; e++) {
    const a = ours[e][key] ?? NaN;
    const b = theirs[e] ?? NaN;
    if (Number.isNaN(a) !== Number.isNaN(b)) return `era ${ours[e].era}: ${a} vs ${b}`;
    if (!Number.isNaN(a)) worst = Math.max(worst, Math.abs(a - b));
  }
  return worst.toExponential(2);
}

/** The fastest wall time and the smallest CPU time over the repeats, each on its own. */
const best = (runs: Run[]): Run => ({ wall: Math.min(...runs.map((r) => r.wall)), cpu: Math.min(...runs.map((r) => r.cpu)) });
const fmtRuns = (runs: Run[]): string => runs.map((r) => `${r.wall.toFixed(2)} s (${r.cpu.toFixed(2)} CPU)`).join(', ');
const mean = (scores: EraScore[], key: 'corr' | 'bmc' | 'fnc'): string => (scores.reduce((s, e) => s + (e[key] ?? 0), 0) / scores.length).toFixed(5);

interface Peer { label: string; runs: Run[] }

function report(title: string, ours: Run[], peers: Peer[], diffs: string[]): void {
  console.log(title);
  console.log(`  harness scorePerEra     runs: ${fmtRuns(ours)}; best ${best(ours).wall.toFixed(3)} s wall, ${best(ours).cpu.toFixed(3)} s CPU`);
  for (const peer of peers) {
    console.log(`  ${peer.label.padEnd(23)} runs: ${fmtRuns(peer.runs)}; best ${best(peer.runs).wall.toFixed(3)} s wall, ${best(peer.runs).cpu.toFixed(3)} s CPU`);
    const ratio = best(peer.runs).wall / best(ours).wall;
    const cpuRatio = best(peer.runs).cpu / best(ours).cpu;
    console.log(`    ratio ${peer.label}/harness: ${ratio.toFixed(1)}x wall, ${cpuRatio.toFixed(1)}x CPU (best of each)`);
  }
  if (diffs.length) console.log(`  max |harness - reference| per era: ${diffs.join(', ')}`);
}

/** Whether two score lists are equal bit for bit (NaN equal to NaN). */
function identical(a: EraScore[], b: EraScore[]): boolean {
  const keys = ['corr', 'bmc', 'corr_with_benchmark', 'fnc'] as const;
  return a.length === b.length && a.every((s, e) => s.era === b[e].era && keys.every((k) => Object.is(s[k], b[e][k])));
}

/**
 * Issue 6's figure: one candidate's CORR + BMC + FNC over the main workload, the FNC time of the
 * 20-era workload scaled to the main era count (meaningful only when both have the same era size).
 */
function issueSix(o: Options, main: Run[], fnc: Run[], peers: { label: string; main: Run[]; fnc: Run[] }[]): void {
  const scale = o.eras / o.fncEras;
  if (Math.abs(o.rows / o.eras - o.fncRows / o.fncEras) > 1) {
    console.log('CORR + BMC + FNC per candidate: not printed, the FNC workload\'s era size differs from the main one');
    return;
  }
  const total = (m: Run[], f: Run[]): number => best(m).cpu + scale * best(f).cpu;
  const ours = total(main, fnc);
  console.log(`CORR + BMC + FNC per warm candidate over ${o.eras} eras (FNC CPU x ${scale.toFixed(1)}): harness ${ours.toFixed(2)} s CPU`);
  for (const p of peers) {
    const theirs = total(p.main, p.fnc);
    console.log(`  ${p.label}: ${theirs.toFixed(2)} s CPU, ratio ${(theirs / ours).toFixed(1)}x`);
  }
}

async function main(): Promise<void> {
  const o = parseOptions();
  const [l1, l5, l15] = os.loadavg();
  console.log(`machine: ${os.availableParallelism()} cpus, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}, load ${l1.toFixed(2)} ${l5.toFixed(2)} ${l15.toFixed(2)}`);
  const main = mainCase(o.rows, o.eras);
  const fnc = fncCase(o.fncRows, o.fncEras, o.fncFeatures);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-speed-'));
  try {
    writeInputs(dir, main, fnc);
    const ours = timeRuns(main.input, o.repeat);
    let kept = createFactorCache();
    const cold = timeRuns(fnc.input, o.repeat, () => (kept = createFactorCache()));
    const second: PerEraInput = { ...fnc.input, pred: fnc.pred2 };
    const warm = timeRuns(second, o.repeat, () => kept);
    const warmJs = timeRuns({ ...second, native: false }, o.repeat, () => kept);
    const stats = kept.stats();
    const same = identical(warm.scores, scorePerEra(second));
    const peer = await runPeer(o.python, dir, o.repeat);
    if (typeof peer === 'string') console.log(`peer: unavailable, absolute figures only: ${peer}`);
    else console.log(`peer: ${o.python} pandas ${peer.versions.pandas}, numpy ${peer.versions.numpy}, scipy ${peer.versions.scipy}, 1 BLAS thread`);
    const p = typeof peer === 'string' ? null : peer;
    const lstsq = (runs: Run[]): Peer[] => (p ? [{ label: 'numpy lstsq', runs }] : []);
    report(
      `per-era CORR + BMC + corr with benchmark, ${o.rows} rows x ${o.eras} eras (mean CORR ${mean(ours.scores, 'corr')}, mean BMC ${mean(ours.scores, 'bmc')})`,
      ours.runs,
      p ? [{ label: 'numpy reference', runs: p.main.runs }] : [],
      p ? (['corr', 'bmc', 'corr_with_benchmark'] as const).map((k) => `${k} ${maxAbsDiff(ours.scores, k, p.main[k])}`) : [],
    );
    const size = `${o.fncRows} rows x ${o.fncFeatures} features x ${o.fncEras} eras`;
    report(
      `per-era CORR + FNC cold (first candidate, each era factored), ${size} (mean FNC ${mean(cold.scores, 'fnc')})`,
      cold.runs,
      lstsq(p?.fnc.runs ?? []),
      p ? (['corr', 'fnc'] as const).map((k) => `${k} ${maxAbsDiff(cold.scores, k, p.fnc[k])}`) : [],
    );
    report(
      `per-era CORR + FNC warm (second candidate, factors kept: ${stats.entries} eras, ${(stats.bytes / 2 ** 20).toFixed(1)} MiB), ${size} (mean FNC ${mean(warm.scores, 'fnc')})`,
      warm.runs,
      p ? [...lstsq(p.fnc.runs), { label: 'numpy kept SVD', runs: p.fnc_cached.runs }] : [],
      p ? (['corr', 'fnc'] as const).map((k) => `${k} ${maxAbsDiff(warm.scores, k, p.fnc_cached[k])} (vs kept SVD)`) : [],
    );
    console.log(`  warm scores bit-identical to scoring without the cache: ${same ? 'yes' : 'NO'}; factor cache ${stats.hits} hits, ${stats.misses} misses`);
    console.log(`  FNC fit: ${((k) => ('fit' in k ? 'native Gram and fit (features read in place)' : `JS (${k.reason})`))(nativeFncKernels())}; the same warm runs with the JS fit: best ${best(warmJs.runs).cpu.toFixed(3)} s CPU, max |FNC difference| ${maxAbsDiff(warmJs.scores, 'fnc', warm.scores.map((e) => e.fnc ?? null))}`);
    if (p) console.log(`  numpy's one-off SVD of every era (not in its warm runs): best ${best(p.fnc_cached.prep_runs).cpu.toFixed(3)} s CPU`);
    issueSix(o, ours.runs, warm.runs, p ? [
      { label: 'numpy, lstsq per candidate (numerai-tools)', main: p.main.runs, fnc: p.fnc.runs },
      { label: 'numpy, SVD kept per era', main: p.main.runs, fnc: p.fnc_cached.runs },
    ] : []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
