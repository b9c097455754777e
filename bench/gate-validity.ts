// Gate validity: does the loop's default keep/discard gate keep real wins and reject noise?
// On small synthetic sets it trains N null candidates (a new random stream, same function) and N
// planted improvements (features restored) with the real harness and sandboxed trainer jobs, pushes
// each through the real gate functions against its own baseline exactly as the loop does, and
// prints the false-keep and true-keep rates with Wilson 95% intervals. When the defaults miss the
// goals (false ≤ 5%, true ≥ 90%) it re-decides the same seed runs under alternative rules.
// Every finished evaluation is cached under runs/.bench/gate-validity: a stopped run resumes, and
// --no-train re-decides from the cache alone.
// Usage: nice -n 5 node --import tsx bench/gate-validity.ts [--n 60] [--seed 1] [--data default,weak]
//   [--signal 0.2] [--eras 120] [--rows 100] [--features 24] [--epochs 10] [--batch 256]
//   [--weak-fraction 0.75] [--workers 0] [--backend auto] [--simulate 20000] [--no-train]
//   [--out runs/.bench/gate-validity]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBench, type DataSpec } from './gate-validity/bench.ts';
import { formatReport } from './gate-validity/report.ts';
import { startCpuMeter } from './gate-validity/cpu.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values: v } = parseArgs({
  options: {
    n: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    data: { type: 'string', default: 'default,weak' },
    signal: { type: 'string', default: '0.2' },
    eras: { type: 'string', default: '120' },
    rows: { type: 'string', default: '100' },
    features: { type: 'string', default: '24' },
    epochs: { type: 'string', default: '10' },
    batch: { type: 'string', default: '256' },
    'weak-fraction': { type: 'string', default: '0.75' },
    workers: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'auto' },
    simulate: { type: 'string', default: '20000' },
    'no-train': { type: 'boolean', default: false },
    out: { type: 'string', default: 'runs/.bench/gate-validity' },
  },
});

function fail(msg: string): never {
  process.stderr.write(`gate-validity: ${msg}\n`);
  process.exit(2);
}

function int(name: string, min: number): number {
  const raw = v[name as keyof typeof v] as string;
  const x = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(x) || x < min) fail(`expected ${min === 0 ? 'a non-negative' : 'a positive'} integer for --${name}, got ${raw}`);
  return x;
}

function num(name: string, ok: (x: number) => boolean, range: string): number {
  const raw = v[name as keyof typeof v] as string;
  const x = Number(raw);
  if (raw.trim() === '' || !ok(x)) fail(`expected a number ${range} for --${name}, got ${raw}`);
  return x;
}

const n = int('n', 1);
const seed = int('seed', 0);
const signal = num('signal', (x) => x > 0 && x <= 10, 'in (0, 10]');
const weakFraction = num('weak-fraction', (x) => x > 0 && x < 1, 'in (0, 1)');
const datasets: DataSpec[] = v.data.split(',').map((name) => {
  if (name === 'default') return { name };
  if (name === 'weak') return { name, signal };
  return fail(`expected --data to list default and/or weak, got ${v.data}`);
});
if (new Set(datasets.map((d) => d.name)).size !== datasets.length) fail(`expected --data to name each set once, got ${v.data}`);
const backends = ['auto', 'tensorflow', 'wasm', 'cpu'];
if (!backends.includes(v.backend)) fail(`expected --backend to be one of ${backends.join(', ')}, got ${v.backend}`);
const opts = {
  n, seed, datasets, eras: int('eras', 20), rows: int('rows', 20), features: int('features', 4),
  epochs: int('epochs', 1), batchSize: int('batch', 1), weakFraction, simulate: int('simulate', 0), train: !v['no-train'],
  outDir: path.resolve(repoRoot, v.out), baseSource: fs.readFileSync(path.join(repoRoot, 'train', 'train.ts'), 'utf8'),
  config: { eval: { workers: int('workers', 0), backend: v.backend } },
  log: (line: string) => process.stderr.write(line + '\n'),
};

const stop = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('gate-validity: stopping; finished evaluations stay cached, run again to resume\n');
  stop.abort();
});
const cpu = startCpuMeter();
const t0 = performance.now();
try {
  const report = await runBench({ ...opts, signal: stop.signal });
  const command = `node --import tsx bench/gate-validity.ts ${process.argv.slice(2).join(' ')}`.trim();
  const lines = formatReport(report, { command, cpuSeconds: cpu.stop(), runWallSeconds: (performance.now() - t0) / 1000 });
  process.stdout.write(lines.join('\n') + '\n');
} catch (e) {
  if (stop.signal.aborted) process.exit(130);
  throw e;
}
