// `promote`: exports a run's best candidate as a standalone predictor directory. Every check that
// can refuse runs before anything is written; the directory is assembled next to --out and renamed
// into place, so --out is either absent, or complete.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataInfo } from '../../harness/data/info.ts';
import { UserError } from '../../harness/errors.ts';
import { pickBenchmark, syntheticDir } from '../../harness/session.ts';
import { validateConfig, type Config } from '../config.ts';
import type { EventOf } from '../events.ts';
import { Journal } from '../journal.ts';
import { pickPromotable } from './best.ts';
import { strayImports } from './imports.ts';
import { RUNTIME_PACKAGES, packageJson, readme } from './package-files.ts';
import { PROMOTE_FILE, type PromoteManifest } from './runtime/manifest.ts';
import { candidateSources, NN_ENGINE } from './sources.ts';

export interface PromoteRequest { repo: string; tag: string; out: string; data?: string; now?: Date }

export interface PromoteResult { out: string; manifest: PromoteManifest; files: string[] }

const RUNTIME_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'runtime');

/** Writes the standalone predictor for run `tag` into the new directory `out`. */
export async function promote(req: PromoteRequest): Promise<PromoteResult> {
  const out = path.resolve(req.out);
  checkOut(out);
  const events = Journal.open(path.join(req.repo, 'runs', req.tag, 'journal.jsonl')).events();
  const start = events.filter((e): e is EventOf<'session_start'> => e.type === 'session_start').pop();
  if (!start) throw new UserError(`run "${req.tag}" never started a session`, 'its journal has no config snapshot', `start it with npx autoresearch run --tag ${req.tag}`);
  const config = validateConfig(start.config, 'the run\'s config snapshot');
  const best = pickPromotable(events, req.tag);
  const dataDir = resolveDataDir(req.repo, config, req.data);
  const info = await dataInfo(dataDir);
  const main = config.data.target;
  const aux = config.data.aux_targets === 'all' ? info.targets : config.data.aux_targets;
  const missing = [main, ...aux].filter((t) => !info.targets.includes(t));
  if (missing.length) {
    throw new UserError(`${dataDir} lacks the target(s) ${missing.join(', ')} the run trained with`, `its train.parquet has: ${info.targets.join(', ') || 'no targets'}`,
      'pass --data the Numerai data directory the run was scored on');
  }
  const sources = await candidateSources(req.repo, best.commit);
  const manifest: PromoteManifest = {
    version: 1, tag: req.tag, iteration: best.iteration, commit: best.commit, payout: best.payout, baseline: best.baseline,
    seeds: best.seeds, feature_set: config.data.feature_set, main_target: main, target_names: [main, ...aux.filter((t) => t !== main)],
    benchmark: pickBenchmark(config.data.benchmark, main, info.benchmark_columns), holdout_eras: config.cv.holdout,
    time_budget_s: config.eval.job_timeout_s, data_dir: dataDir, created: (req.now ?? new Date()).toISOString(),
  };
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.promote-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    for (const [name, bytes] of sources) write(tmp, name, bytes);
    for (const name of fs.readdirSync(RUNTIME_DIR)) write(tmp, path.join('runtime', name), fs.readFileSync(path.join(RUNTIME_DIR, name)));
    write(tmp, PROMOTE_FILE, JSON.stringify(manifest, null, 2) + '\n');
    write(tmp, 'package.json', packageJson(req.repo, manifest));
    write(tmp, 'README.md', readme(manifest, sources.has('harness/contract.ts'), sources.has(NN_ENGINE)));
    const stray = strayImports(tmp, [...RUNTIME_PACKAGES, '@tensorflow/tfjs-node']);
    if (stray.length) throw new Error(`the export is not standalone: ${stray.map((s) => `${s.file} imports ${s.specifier} (${s.why})`).join('; ')}`);
    if (fs.existsSync(out)) fs.rmdirSync(out);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { out, manifest, files: listFiles(out) };
}

/** --out must be new or an empty directory: a promoted predictor is never written over anything. */
function checkOut(out: string): void {
  const st = fs.statSync(out, { throwIfNoEntry: false });
  if (!st) {
    if (!fs.existsSync(path.dirname(out))) throw new UserError(`the parent of --out does not exist: ${path.dirname(out)}`, 'promote creates one directory, not a path of them', 'create the parent directory first');
    return;
  }
  if (!st.isDirectory()) throw new UserError(`--out is a file: ${out}`, 'promote writes a directory', 'choose a new directory for --out');
  if (fs.readdirSync(out).length > 0) {
    throw new UserError(`refusing to write into ${out}`, 'the directory is not empty, and promote never overwrites files', 'choose a new or empty directory for --out');
  }
}

function resolveDataDir(repo: string, config: Config, flag: string | undefined): string {
  const dir = flag ? path.resolve(flag) : config.data.dir ? path.resolve(repo, config.data.dir) : syntheticDir(repo, config.data.synthetic);
  if (!fs.existsSync(path.join(dir, 'features.json'))) {
    throw new UserError(`no Numerai data directory at ${dir}`, flag ? 'it has no features.json' : 'the run\'s data directory has no features.json (moved or deleted?)',
      'pass --data the Numerai data directory the run was scored on');
  }
  return fs.realpathSync(dir);
}

function write(root: string, rel: string, data: string | Buffer): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}

function listFiles(root: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(root, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(prefix, e.name);
    return e.isDirectory() ? listFiles(root, rel) : [rel];
  }).sort();
}
