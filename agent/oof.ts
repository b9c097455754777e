// Writes an evaluation's out-of-fold predictions as parquet (one row per scored id) so a
// researcher can re-score them with `autoresearch score` or pandas.
import fs from 'node:fs';
import { readBin } from '../harness/binfile.ts';
import { openDuck, sqlIdent, sqlString } from '../harness/duck.ts';
import type { EvalSetup, SeedResult } from '../harness/evaluate.ts';

/** Writes id, era, fold, target, benchmark, prediction_<seed>… and their mean to `file`. */
export async function writeOof(file: string, setup: EvalSetup, results: SeedResult[]): Promise<void> {
  const { ds } = setup;
  const folds = setup.folds.folds.filter((f) => !f.empty);
  const preds = results.map((r) => folds.map((_, i) => readBin(r.jobs.find((j) => j.fold === folds[i].fold)!.file!).arrays.predictions as Float64Array));
  const t = ds.targets[ds.targetNames.indexOf(setup.mainTarget)];
  const b = setup.benchmark ? ds.benchmarks[ds.benchmarkNames.indexOf(setup.benchmark)] : null;
  const con = await openDuck();
  try {
    const seedCols = results.map((r) => `${sqlIdent(`prediction_${r.seed}`)} DOUBLE`).join(', ');
    await con.run(`CREATE TABLE oof (id VARCHAR, era VARCHAR, fold INTEGER, target DOUBLE, benchmark DOUBLE, ${seedCols}, prediction DOUBLE)`);
    const app = await con.createAppender('oof');
    folds.forEach((f, fi) => {
      for (let k = 0; k < f.predictRows.length; k++) {
        const r = f.predictRows[k];
        app.appendVarchar(ds.ids[r]);
        app.appendVarchar(ds.eraNames[ds.eraIndex[r]]);
        app.appendInteger(f.fold);
        appendNum(app, t[r]);
        appendNum(app, b ? b[r] : NaN);
        let sum = 0;
        for (const p of preds) { app.appendDouble(p[fi][k]); sum += p[fi][k]; }
        app.appendDouble(sum / preds.length);
        app.endRow();
      }
    });
    app.closeSync();
    const tmp = `${file}.tmp`;
    await con.run(`COPY (SELECT * FROM oof ORDER BY era, id) TO ${sqlString(tmp)} (FORMAT parquet)`);
    fs.renameSync(tmp, file);
  } finally {
    con.closeSync();
  }
}

function appendNum(app: { appendDouble(v: number): void; appendNull(): void }, v: number): void {
  if (Number.isNaN(v)) app.appendNull();
  else app.appendDouble(v);
}
