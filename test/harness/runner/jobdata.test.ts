import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, it } from 'node:test';
import { readJobData, writeJobData } from '../../../harness/runner/jobdata.ts';
import { tinyFold, removeTempDirs, tempDir } from './fixture.ts';

after(removeTempDirs);

const tmp = () => tempDir('jobdata-');

it('round-trips training rows and predict rows exactly, NaN targets included', () => {
  const { train, predict } = tinyFold();
  const file = path.join(tmp(), 'fold.bin');
  writeJobData(file, train, predict);
  const back = readJobData(file);
  assert.deepEqual(back.train, train);
  assert.deepEqual(back.predict, predict);
  assert.equal(back.train.targets.target_jerome_20[0], NaN);
  assert.equal(back.train.x.blocks.length, 2);
  assert.equal(back.predict.x.blocks[1].length, 4 * 3);
});

it('writes a null benchmark as null', () => {
  const { train, predict } = tinyFold();
  const file = path.join(tmp(), 'fold.bin');
  writeJobData(file, { ...train, benchmark: null }, predict);
  assert.equal(readJobData(file).train.benchmark, null);
});

it('never writes fields the contract does not allow, even when the objects carry them', () => {
  const { train, predict } = tinyFold();
  const leakyPredict = Object.assign({}, predict, {
    ids: ['n-secret-id-0001'],
    targets: { target: new Float32Array(predict.nRows).fill(0.75) },
  });
  const leakyTrain = Object.assign({}, train, { ids: ['n-secret-id-0002'] });
  const file = path.join(tmp(), 'fold.bin');
  writeJobData(file, leakyTrain, leakyPredict);
  const back = readJobData(file);
  assert.deepEqual(Object.keys(back.predict).sort(), ['eras', 'featureNames', 'nRows', 'x']);
  assert.ok(!('ids' in back.train));
  assert.equal(fs.readFileSync(file).includes('n-secret-id'), false);
});

it('refuses inconsistent rows with an exact message and writes nothing', () => {
  const { train, predict } = tinyFold();
  const dir = tmp();
  const file = path.join(dir, 'fold.bin');
  assert.throws(() => writeJobData(file, { ...train, eras: new Int32Array(39) }, predict),
    { message: 'train eras have 39 values, expected 40' });
  assert.throws(() => writeJobData(file, { ...train, mainTarget: 'target_x' }, predict),
    { message: 'main target target_x is not among the targets (target, target_jerome_20)' });
  assert.throws(() => writeJobData(file, train, { ...predict, featureNames: ['feature_a'] }),
    { message: 'predict features have 3 columns but 1 feature names' });
  assert.deepEqual(fs.readdirSync(dir), []);
});
