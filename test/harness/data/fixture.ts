// Shared by the data tests: the read-only numerai-mini fixture, writable copies of it, and
// small DuckDB helpers to rewrite a copied parquet file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDuck, sqlString } from '../../../harness/duck.ts';
import type { LoadOptions } from '../../../harness/data/types.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURE = path.resolve(repoRoot, '../shared/fixtures/numerai-mini');

export const ALL_TARGETS = ['target', 'target_ender_20', 'target_ender_60', 'target_cyrusd_20', 'target_cyrusd_60', 'target_teager2b_20'];
export const ALL_BENCHMARKS = ['v52_lgbm_ender20', 'v52_lgbm_cyrusd20', 'v52_lgbm_teager2b20', 'v52_lgbm_ender60'];

export const fullLoad = (over: Partial<LoadOptions> = {}): LoadOptions => ({
  featureSet: 'all',
  targets: ALL_TARGETS,
  benchmarks: ALL_BENCHMARKS,
  includeValidation: true,
  includeLive: true,
  ...over,
});

const created: string[] = [];
process.on('exit', () => {
  for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp directory, removed when the test process exits. */
export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ar-data-${prefix}-`));
  created.push(dir);
  return dir;
}

/** A writable copy of the fixture (fresh file modes, fresh mtimes). */
export function copyFixture(prefix = 'data-fixture'): string {
  const dir = tmpDir(prefix);
  for (const f of fs.readdirSync(FIXTURE)) fs.writeFileSync(path.join(dir, f), fs.readFileSync(path.join(FIXTURE, f)));
  return dir;
}

/** Replaces `file` with the result of `select`, in which $SRC stands for the old file. */
export async function rewriteParquet(file: string, select: string): Promise<void> {
  const con = await openDuck(1);
  try {
    const tmp = `${file}.rewrite.parquet`;
    const sql = select.replaceAll('$SRC', `read_parquet(${sqlString(file)})`);
    await con.run(`COPY (${sql}) TO ${sqlString(tmp)} (FORMAT parquet)`);
    fs.renameSync(tmp, file);
  } finally {
    con.closeSync();
  }
}

/** Rows of a query as plain objects. */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const con = await openDuck(1);
  try {
    return (await con.runAndReadAll(sql)).getRowObjects();
  } finally {
    con.closeSync();
  }
}

/** Per-era Pearson correlation of a and b over the rows of each listed era, skipping NaN pairs. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>, rows: ArrayLike<number>): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (Number.isNaN(a[r]) || Number.isNaN(b[r])) continue;
    n++;
    sa += a[r];
    sb += b[r];
  }
  const ma = sa / n;
  const mb = sb / n;
  let c = 0;
  let va = 0;
  let vb = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (Number.isNaN(a[r]) || Number.isNaN(b[r])) continue;
    c += (a[r] - ma) * (b[r] - mb);
    va += (a[r] - ma) ** 2;
    vb += (b[r] - mb) ** 2;
  }
  return c / Math.sqrt(va * vb);
}

/** Row indices of each era of a loaded dataset. */
export function rowsByEra(eraIndex: Int32Array, nEras: number): number[][] {
  const out: number[][] = Array.from({ length: nEras }, () => []);
  for (let r = 0; r < eraIndex.length; r++) out[eraIndex[r]].push(r);
  return out;
}
