import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openDuck, sqlString } from '../../harness/duck.ts';
import { UserError } from '../../harness/errors.ts';
import { readPredFile } from '../../harness/predfile.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'predfile-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const CSV = [
  'id,era,prediction,target,bench,feature_a,feature_b',
  'n1,10,0.5,0.25,0.1,0,4',
  'n2,9,,0.5,0.2,1,3',
  'n3,10, 0.7 ,NaN,,2,2',
  'n4,9,0.2,,0.4,3,1',
].join('\n');

/** Asserts a UserError whose what/why match. */
function userError(what: RegExp, why?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.what, what);
    if (why) assert.match(e.why, why);
    return true;
  };
}

describe('readPredFile', () => {
  it('reads a CSV: empty fields and NaN are missing, eras sorted numerically, features by prefix', async () => {
    const p = write('ok.csv', CSV);
    const f = await readPredFile({ path: p, pred: 'prediction', target: 'target', benchmark: 'bench', featurePrefix: 'feature_' });
    assert.equal(f.format, 'csv');
    assert.equal(f.nRows, 4);
    assert.deepEqual([...f.pred], [0.5, NaN, 0.7, 0.2]);
    assert.deepEqual([...f.target], [0.25, 0.5, NaN, NaN]);
    assert.deepEqual([...f.benchmark!], [0.1, 0.2, NaN, 0.4]);
    assert.deepEqual(f.eraNames, ['9', '10']);
    assert.deepEqual([...f.eraIndex], [1, 0, 1, 0]);
    assert.deepEqual(f.ids, ['n1', 'n2', 'n3', 'n4']);
    assert.deepEqual(f.featureNames, ['feature_a', 'feature_b']);
    assert.deepEqual(f.features.map((c) => [...c]), [[0, 1, 2, 3], [4, 3, 2, 1]]);
  });

  it('reads the same values from a parquet file written by DuckDB', async () => {
    const csv = write('src.csv', CSV);
    const pq = path.join(dir, 'ok.parquet');
    const con = await openDuck(1);
    await con.run(
      `COPY (SELECT id, era, TRY_CAST(prediction AS DOUBLE) AS prediction, CAST(target AS FLOAT) AS target, bench, ` +
        `CAST(feature_a AS TINYINT) AS feature_a FROM read_csv(${sqlString(csv)}, all_varchar = true)) TO ${sqlString(pq)} (FORMAT parquet)`,
    );
    con.closeSync();
    const f = await readPredFile({ path: pq, pred: 'prediction', target: 'target', benchmark: 'bench', featurePrefix: 'feature_' });
    assert.equal(f.format, 'parquet');
    assert.deepEqual([...f.pred], [0.5, NaN, 0.7, 0.2]);
    assert.deepEqual([...f.target], [0.25, 0.5, NaN, NaN]);
    assert.deepEqual([...f.benchmark!], [0.1, 0.2, NaN, 0.4]);
    assert.deepEqual(f.eraNames, ['9', '10']);
    assert.deepEqual(f.features.map((c) => [...c]), [[0, 1, 2, 3]]);
  });

  it('names the missing column and lists the ones the file has', async () => {
    const p = write('cols.csv', CSV);
    await assert.rejects(
      readPredFile({ path: p, pred: 'pred', target: 'target' }),
      userError(/column "pred" \(--pred\) not found/, /the file has columns: id, era, prediction, target, bench, feature_a, feature_b/),
    );
    await assert.rejects(readPredFile({ path: p, pred: 'prediction', target: 'target', featurePrefix: 'f_' }), userError(/no column of .* starts with "f_"/));
  });

  it('reports a non-numeric value with its column, row and text', async () => {
    const p = write('bad.csv', 'era,prediction,target\n1,0.1,0\n1,abc,1\n');
    await assert.rejects(
      readPredFile({ path: p, pred: 'prediction', target: 'target' }),
      userError(/column "prediction" of .* has a non-numeric value/, /data row 2 holds "abc"/),
    );
  });

  it('rejects a missing, empty or header-only file, duplicate ids, missing features and an empty benchmark', async () => {
    const spec = { pred: 'prediction', target: 'target' };
    await assert.rejects(readPredFile({ ...spec, path: path.join(dir, 'nope.csv') }), userError(/predictions file not found/));
    await assert.rejects(readPredFile({ ...spec, path: write('empty.csv', '') }), userError(/is empty/));
    await assert.rejects(readPredFile({ ...spec, path: write('header.csv', 'era,prediction,target\n') }), userError(/has no rows/));
    await assert.rejects(
      readPredFile({ ...spec, path: write('dup.csv', 'id,era,prediction,target\na,1,0.1,0\na,1,0.2,1\n') }),
      userError(/id "a" appears more than once/),
    );
    await assert.rejects(
      readPredFile({ ...spec, featurePrefix: 'feature_', path: write('nf.csv', 'era,prediction,target,feature_x\n1,0.1,0,1\n1,0.2,1,\n') }),
      userError(/feature column "feature_x" of .* is missing a value at data row 2/),
    );
    await assert.rejects(
      readPredFile({ ...spec, benchmark: 'b', path: write('nb.csv', 'era,prediction,target,b\n1,0.1,0,\n1,0.2,1,\n') }),
      userError(/benchmark column "b" of .* has no values/),
    );
  });
});
