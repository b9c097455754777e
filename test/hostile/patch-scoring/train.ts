// Hostile: imports the harness's scoring at run time through a computed URL (the type-check's
// import rule sees only literal specifiers), tries to replace its exports, patches globals the
// scoring relies on, tries to rewrite the scoring file, then returns honest predictions: exactly
// well-behaved's (feature sum / (4 * nFeatures) + seed, in float32). The harness scores in the
// parent, so its score must equal well-behaved's.
import fs from 'node:fs';
import type { TrainJob } from '../../../harness/contract.ts';

export default async function train(job: TrainJob): Promise<Float64Array> {
  const report: string[] = [];
  const scoring = new URL(['..', 'harness', 'metrics', 'numerai.ts'].join('/'), import.meta.url);
  const numerai = (await import(scoring.href)) as Record<string, unknown>;
  report.push(`imported numerai.ts (numeraiCorr is a ${typeof numerai.numeraiCorr})`);
  try {
    numerai.numeraiCorr = () => 1;
    report.push('replaced numeraiCorr');
  } catch (e) {
    report.push(`replacing numeraiCorr: ${(e as Error).name}`);
  }
  Math.sqrt = () => 1;
  Array.prototype.sort = function sort<T>(this: T[]): T[] { return this; };
  Float64Array.prototype.sort = function sort(this: Float64Array): Float64Array { return this; };
  report.push(`patched Math.sqrt (sqrt(4) is now ${Math.sqrt(4)}), Array and Float64Array sort`);
  try {
    fs.writeFileSync(scoring, 'export const numeraiCorr = () => 1;\n');
    report.push('rewrote numerai.ts');
  } catch (e) {
    report.push(`rewriting numerai.ts: ${(e as NodeJS.ErrnoException).code}`);
  }
  job.log(`patch-scoring: ${report.join('; ')}`);
  const { x } = job.predict;
  const out = new Float64Array(x.nRows);
  for (let r = 0; r < x.nRows; r++) {
    const b = Math.floor(r / x.rowsPerBlock);
    const base = (r - b * x.rowsPerBlock) * x.nFeatures;
    let sum = 0;
    for (let f = 0; f < x.nFeatures; f++) sum += x.blocks[b][base + f];
    out[r] = Math.fround(Math.fround(sum / (4 * x.nFeatures)) + job.seed);
  }
  return out;
}
