// Refits the promoted train module once per seed on the frozen rows, predicts the live rows, and
// turns the seed-mean into Numerai's submission ranks. The train contract returns predictions,
// not a model, so refitting is how a promoted candidate predicts: deterministic per seed on one
// backend, exactly the job the harness ran when it scored the candidate.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PredictRows, TrainRows } from './rows.ts';
import type { Tf } from './tf.ts';

type TrainFn = (job: unknown) => Promise<ArrayLike<number>> | ArrayLike<number>;

export interface EnsembleInput {
  trainFile: string;
  train: TrainRows;
  predict: PredictRows;
  seeds: number[];
  timeBudgetMs: number;
  tf: Tf;
  backend: string;
  /** harness/nn-tfjs.ts of the candidate's commit, the engine behind the job's `nn`; absent in exports of older runs */
  nnFile?: string;
  log(line: string): void;
}

interface NnEngine { createTfjsMlp(tf: Tf, spec: unknown): unknown }

/** The mean over seeds of the train module's predictions for each predict row. */
export async function ensemble(o: EnsembleInput): Promise<Float64Array> {
  const mod = (await import(pathToFileURL(o.trainFile).href)) as { default?: unknown; train?: unknown };
  const fn = (typeof mod.default === 'function' ? mod.default : mod.train) as TrainFn | undefined;
  if (typeof fn !== 'function') throw new Error(`${o.trainFile} exports neither a default function nor a function named train`);
  // The harness may have run the fused native engine; here the tfjs engine trains the same function.
  const engine = o.nnFile && fs.existsSync(o.nnFile) ? ((await import(pathToFileURL(o.nnFile).href)) as NnEngine) : null;
  const nn = engine ? { engine: 'tfjs', mlp: (spec: unknown) => engine.createTfjsMlp(o.tf, spec) } : undefined;
  const sum = new Float64Array(o.predict.nRows);
  for (const [k, seed] of o.seeds.entries()) {
    const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promoted-job-'));
    const started = Date.now();
    try {
      const out = await fn({
        train: o.train, predict: o.predict, seed, timeBudgetMs: o.timeBudgetMs, deadline: started + o.timeBudgetMs,
        tf: o.tf, backend: o.backend, scratchDir, nn, log: (m: string) => o.log(`  seed ${seed}: ${m}`),
      });
      const p = Float64Array.from(out as ArrayLike<number>);
      if (p.length !== o.predict.nRows) throw new Error(`seed ${seed}: the train module returned ${p.length} predictions for ${o.predict.nRows} rows`);
      const bad = p.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new Error(`seed ${seed}: prediction ${bad} is ${p[bad]}`);
      for (let i = 0; i < p.length; i++) sum[i] += p[i];
    } finally {
      fs.rmSync(scratchDir, { recursive: true, force: true });
    }
    o.log(`[${k + 1}/${o.seeds.length}] seed ${seed}: fitted and predicted in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  return sum.map((v) => v / o.seeds.length);
}

/** Ranks in (0, 1): (rank − 0.5) / n with ties sharing their mean rank, as pandas and numerai-tools do. */
export function submissionRanks(x: Float64Array): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const out = new Float64Array(n);
  for (let lo = 0; lo < n;) {
    let hi = lo + 1;
    while (hi < n && x[order[hi]] === x[order[lo]]) hi++;
    const r = ((lo + 1 + hi) / 2 - 0.5) / n;
    for (let i = lo; i < hi; i++) out[order[i]] = r;
    lo = hi;
  }
  return out;
}

/** Numerai's upload format: a header `id,prediction`, then one row per id. */
export function submissionCsv(ids: string[], predictions: Float64Array): string {
  const lines = ['id,prediction'];
  for (let i = 0; i < ids.length; i++) lines.push(`${ids[i]},${predictions[i]}`);
  return lines.join('\n') + '\n';
}
