// The promoted predictor's command line: `train [--data DIR]` freezes the rows of every
// non-holdout era into model/, `predict LIVE.parquet --out predictions.csv [--backend B]` refits
// each seed on them and writes Numerai's submission file. Run through tsx (see README.md).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensemble, submissionCsv, submissionRanks } from './ensemble.ts';
import { RuntimeError, report } from './errors.ts';
import { MODEL_DIR, MODEL_FILE, PROMOTE_FILE, ROWS_FILE, readJson, type ModelManifest, type PromoteManifest } from './manifest.ts';
import { featureSet, loadLive, loadTraining } from './parquet.ts';
import { readRows, writeRows } from './rows.ts';
import { BACKENDS, loadTf, type Backend } from './tf.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: train [--data DIR] | predict LIVE.parquet --out predictions.csv [--backend auto|tensorflow|wasm|cpu]';
const log = (line: string) => { process.stderr.write(line + '\n'); };
// `npm run` starts scripts in this directory; paths the user typed are relative to where they typed them.
const userPath = (p: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);

/** Freezes the training rows of every non-holdout era and writes model/model.json. */
async function train(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { data: { type: 'string' } }, allowPositionals: false });
  const p = readJson<PromoteManifest>(path.join(ROOT, PROMOTE_FILE), 'export the candidate again with `autoresearch promote`');
  const dataDir = values.data ? userPath(values.data) : p.data_dir;
  const featureNames = featureSet(dataDir, p.feature_set);
  log(`reading ${dataDir} (feature set ${p.feature_set}: ${featureNames.length} features)`);
  const t = await loadTraining(dataDir, { featureNames, targetNames: p.target_names, mainTarget: p.main_target, benchmark: p.benchmark, holdoutEras: p.holdout_eras });
  const dir = path.join(ROOT, MODEL_DIR);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  writeRows(path.join(tmp, ROWS_FILE), t.rows);
  const m: ModelManifest = {
    version: 1, trained: new Date().toISOString(), data_dir: dataDir, feature_names: featureNames, target_names: p.target_names,
    main_target: p.main_target, benchmark: p.benchmark, train_eras: t.trainEras, holdout_eras: t.holdoutEras,
    era_count: t.eraCount, rows: t.rows.nRows, seeds: p.seeds,
  };
  fs.writeFileSync(path.join(tmp, MODEL_FILE), JSON.stringify(m, null, 2) + '\n');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  process.stdout.write(
    `froze ${t.rows.nRows} rows of ${t.trainEras.length} eras (${t.trainEras[0]}..${t.trainEras.at(-1)}; holdout ${t.holdoutEras[0]}..${t.holdoutEras.at(-1)} left out) into ${MODEL_DIR}/\n` +
    `seeds ${p.seeds.join(', ')}: predict refits one model per seed on these rows\n`,
  );
}

/** Refits every seed, predicts the live file and writes the submission CSV. */
async function predict(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { out: { type: 'string' }, backend: { type: 'string', default: 'auto' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new RuntimeError(`expected one live parquet file, got ${positionals.length}`, USAGE, 'run: predict live.parquet --out predictions.csv');
  if (!values.out) throw new RuntimeError('expected --out FILE for the predictions', USAGE, 'run: predict live.parquet --out predictions.csv');
  const backend = values.backend as Backend;
  if (!BACKENDS.includes(backend)) throw new RuntimeError(`expected auto, tensorflow, wasm or cpu for --backend, got ${values.backend}`, USAGE, 'pass --backend auto');
  const p = readJson<PromoteManifest>(path.join(ROOT, PROMOTE_FILE), 'export the candidate again with `autoresearch promote`');
  const m = readJson<ModelManifest>(path.join(ROOT, MODEL_DIR, MODEL_FILE), 'run `npm run train` first');
  const live = await loadLive(userPath(positionals[0]), m.feature_names, m.era_count);
  const rows = readRows(path.join(ROOT, MODEL_DIR, ROWS_FILE));
  const { tf, backend: active } = await loadTf(backend);
  log(`backend ${active}; refitting ${m.seeds.length} seed(s) on ${m.rows} rows, predicting ${live.ids.length} live rows`);
  const mean = await ensemble({
    trainFile: path.join(ROOT, 'train', 'train.ts'), train: rows, predict: live.rows, seeds: m.seeds,
    timeBudgetMs: p.time_budget_s * 1000, tf, backend: active, nnFile: path.join(ROOT, 'harness', 'nn-tfjs.ts'), log,
  });
  const out = userPath(values.out);
  const tmp = `${out}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, submissionCsv(live.ids, submissionRanks(mean)));
  fs.renameSync(tmp, out);
  process.stdout.write(`wrote ${live.ids.length} predictions to ${out}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'train') await train(rest);
    else if (command === 'predict') await predict(rest);
    else throw new RuntimeError(`unknown command "${command ?? ''}"`, USAGE, 'run train, then predict');
    return 0;
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return report(new RuntimeError((e as Error).message, USAGE, 'see README.md'));
    return report(e);
  }
}

// Exit explicitly: tfjs and DuckDB may hold handles that would keep the process alive.
main(process.argv.slice(2)).then((code) => {
  process.stdout.write('', () => process.exit(code));
});
