// Entry point of one trainer job: `node --import tsx job-main.ts <spec.json>`, usually inside the
// sandbox. It loads the fold's data (and tf, unless it can wait for the module's first use), runs the
// train module and writes what it returned;
// it never validates predictions, so a module cannot influence how its output is judged.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeBin } from '../binfile.ts';
import type { NnKit, TrainFn, TrainJob } from '../contract.ts';
import { UserError } from '../errors.ts';
import { createNnKit } from '../nn.ts';
import { nativeMlpAvailable } from '../nn-fused.ts';
import { loadTf, loadTfNow, type LoadedTf } from '../tf.ts';
import { readJobData } from './jobdata.ts';
import { JOB_FILES, type ChildSpec } from './sandbox.ts';

/** Runs the job described by the spec file and writes predictions.bin and result.json to scratch. */
async function main(specPath: string | undefined): Promise<void> {
  if (!specPath) throw new Error('usage: job-main.ts <spec.json>');
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8')) as ChildSpec;
  const { train, predict } = readJobData(spec.dataFile);
  const tfjs = await tfLoader(spec.backend);
  let nnEngine: NnKit['engine'] | undefined;
  const nn = createNnKit(tfjs.get, spec.backend === 'auto' || spec.backend === 'native', (line, engine) => {
    nnEngine = engine;
    process.stderr.write(`${line}\n`);
  });
  const entry = path.join(spec.trainDir, 'train.ts');
  const mod = (await import(pathToFileURL(entry).href)) as { default?: unknown; train?: unknown };
  const fn = (typeof mod.default === 'function' ? mod.default : mod.train) as TrainFn | undefined;
  if (typeof fn !== 'function') throw new Error(`${entry} exports neither a default function nor a function named train`);
  const job: TrainJob = {
    train,
    predict,
    seed: spec.seed,
    timeBudgetMs: spec.timeBudgetMs,
    deadline: spec.deadline,
    get tf() { return tfjs.get().tf; },
    get backend() { return tfjs.get().backend; },
    scratchDir: spec.scratchDir,
    log: (message: string) => { process.stdout.write(`${message}\n`); },
    nn,
  };
  const started = performance.now();
  const out: unknown = await fn(job);
  const seconds = (performance.now() - started) / 1000;
  if (out === null || typeof out !== 'object' || typeof (out as { length?: unknown }).length !== 'number') {
    throw new Error(`train returned ${describe(out)}, expected an array with one prediction per row`);
  }
  const predictions = Float64Array.from(out as ArrayLike<number>);
  writeBin(path.join(spec.scratchDir, JOB_FILES.predictions), { rows: predictions.length }, { predictions });
  // backend only when tfjs was loaded: a job whose module never touched job.tf ran on no tf backend;
  // nn names the job.nn engine when the module made a net
  const result = { backend: tfjs.loaded()?.backend, tfLoaded: tfjs.loaded() !== undefined, nn: nnEngine, seconds };
  fs.writeFileSync(path.join(spec.scratchDir, JOB_FILES.result), JSON.stringify(result));
}

/**
 * tfjs for the job. Importing it and starting the native backend is about a third of a job's fixed
 * cost, and a module that trains through job.nn on the fused native engine never needs it: then tfjs
 * is loaded synchronously on the first read of job.tf or job.backend (loadTfNow, the same choice as
 * loadTf). Otherwise — the tfjs nn engine, or a backend asked for by name — it is loaded before train().
 */
async function tfLoader(preference: ChildSpec['backend']): Promise<{ get: () => LoadedTf; loaded: () => LoadedTf | undefined }> {
  let loaded: LoadedTf | undefined;
  const tell = (l: LoadedTf): LoadedTf => {
    if (l.note) process.stderr.write(`tf: ${l.note}\n`);
    return l;
  };
  const lazy = (preference === 'auto' || preference === 'native') && nativeMlpAvailable() === null;
  if (!lazy) loaded = tell(await loadTf(preference));
  return {
    loaded: () => loaded,
    get: () => {
      if (loaded) return loaded;
      const now = loadTfNow(preference as 'auto' | 'native');
      if ('reason' in now) {
        throw new UserError('job.tf could not be loaded inside train()', now.reason, 'set eval.backend to wasm or cpu in autoresearch.yaml, or rebuild the native addon with `npm run build:native`');
      }
      return (loaded = tell(now));
    },
  };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object without a numeric length' : typeof v;
}

// Exit explicitly: timers or handles a train module left open must not keep the job alive.
// Writes to a pipe are asynchronous, so output still queued is flushed first.
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => { if (--pending === 0) process.exit(code); };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv[2]).then(
  () => exitAfterFlush(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    exitAfterFlush(1);
  },
);
