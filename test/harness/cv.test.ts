import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCv, planHoldout, validateCvConfig, type CvConfig, type CvMode } from '../../harness/cv.ts';
import { UserError } from '../../harness/errors.ts';

const range = (from: number, to: number, step = 1): number[] => {
  const out: number[] = [];
  for (let e = from; e <= to; e += step) out.push(e);
  return out;
};
const cfg = (over: Partial<CvConfig>): CvConfig => ({ folds: 3, embargo: 0, mode: 'expanding', downsample: 1, holdout: 0, ...over });

// A direct port of the agents framework's era_cv_splits (numerai-scoring.md §6), in index space.
function referenceSplits(eras: number[], n: number, embargo: number, mode: CvMode): { train: number[]; test: number[] }[] {
  const E = eras.length;
  const fold = Math.floor(E / n);
  const rem = E % n;
  return Array.from({ length: n }, (_, i) => {
    const start = i * fold;
    const end = (i + 1) * fold + (i === n - 1 ? rem : 0);
    const train = eras.slice(0, Math.max(0, start - embargo));
    if (mode === 'blocked') train.push(...eras.slice(Math.min(E, end + embargo), E));
    return { train, test: eras.slice(start, end) };
  });
}

interface Case {
  name: string;
  eras: number[];
  cfg: CvConfig;
  folds: [test: number[], train: number[]][];
  dropped?: number[];
}

const CASES: Case[] = [
  {
    name: '§6 expanding: fold 0 has no past, later folds train on eras before start − embargo',
    eras: range(1, 10), cfg: cfg({ folds: 3, embargo: 1 }),
    folds: [[[1, 2, 3], []], [[4, 5, 6], [1, 2]], [[7, 8, 9, 10], [1, 2, 3, 4, 5]]],
  },
  {
    name: '§6 blocked: embargo on both sides of every test block',
    eras: range(1, 10), cfg: cfg({ folds: 3, embargo: 1, mode: 'blocked' }),
    folds: [[[1, 2, 3], [5, 6, 7, 8, 9, 10]], [[4, 5, 6], [1, 2, 8, 9, 10]], [[7, 8, 9, 10], [1, 2, 3, 4, 5]]],
  },
  {
    name: '§6 defaults (5 folds, embargo 13, expanding) on 80 eras',
    eras: range(1, 80), cfg: cfg({ folds: 5, embargo: 13 }),
    folds: [[range(1, 16), []], [range(17, 32), range(1, 3)], [range(33, 48), range(1, 19)],
      [range(49, 64), range(1, 35)], [range(65, 80), range(1, 51)]],
  },
  {
    name: 'the remainder goes to the last fold',
    eras: range(1, 11), cfg: cfg({ folds: 3, mode: 'blocked' }),
    folds: [[[1, 2, 3], range(4, 11)], [[4, 5, 6], [1, 2, 3, 7, 8, 9, 10, 11]], [range(7, 11), range(1, 6)]],
  },
  {
    name: 'downsampling keeps every 4th era; the embargo counts real eras, not kept ones',
    eras: range(1, 40), cfg: cfg({ folds: 2, embargo: 8, downsample: 4, mode: 'blocked' }),
    // kept: 1,5,...,37; an index-based embargo of 8 kept eras would leave no training data at all
    folds: [[[1, 5, 9, 13, 17], [29, 33, 37]], [[21, 25, 29, 33, 37], [1, 5, 9]]],
    dropped: range(1, 40).filter((e) => (e - 1) % 4 !== 0),
  },
  {
    name: 'gaps in era numbers: the embargo is measured across the gap',
    eras: [1, 2, 3, 10, 11, 12, 20, 21, 22, 23], cfg: cfg({ folds: 3, embargo: 2, mode: 'blocked' }),
    folds: [[[1, 2, 3], [10, 11, 12, 20, 21, 22, 23]], [[10, 11, 12], [1, 2, 3, 20, 21, 22, 23]],
      [[20, 21, 22, 23], [1, 2, 3, 10, 11, 12]]],
  },
  {
    name: 'gaps with an embargo reaching into the next block',
    eras: [1, 2, 3, 10, 11, 12, 20, 21, 22, 23], cfg: cfg({ folds: 3, embargo: 8, mode: 'blocked' }),
    folds: [[[1, 2, 3], [12, 20, 21, 22, 23]], [[10, 11, 12], [1, 21, 22, 23]], [[20, 21, 22, 23], [1, 2, 3, 10, 11]]],
  },
  {
    name: 'downsampling over gapped eras counts present eras, not numbers',
    eras: [1, 2, 3, 10, 11, 12, 20, 21, 22, 23], cfg: cfg({ folds: 2, embargo: 0, downsample: 2 }),
    folds: [[[1, 3], []], [[11, 20, 22], [1, 3]]],
    dropped: [2, 10, 12, 21, 23],
  },
];

for (const c of CASES) {
  test(`planCv: ${c.name}`, () => {
    const plan = planCv(c.eras, c.cfg);
    assert.deepEqual(plan.folds.map((f) => [f.testEras, f.trainEras]), c.folds);
    assert.deepEqual(plan.folds.map((f) => f.index), c.folds.map((_, i) => i));
    assert.deepEqual(plan.folds.map((f) => f.empty), c.folds.map(([, train]) => train.length === 0));
    assert.deepEqual(plan.droppedByDownsample, c.dropped ?? []);
    assert.deepEqual(plan.searchEras, c.eras);
    assert.deepEqual(plan.holdoutEras, []);
  });
}

test('planCv equals the §6 index formula on contiguous eras without downsampling', () => {
  for (const E of [7, 20, 33]) {
    for (const n of [2, 3, 5]) {
      for (const embargo of [0, 1, 4, 13]) {
        for (const mode of ['expanding', 'blocked'] as const) {
          const eras = range(101, 100 + E);
          const expected = referenceSplits(eras, n, embargo, mode);
          if (expected.every((s) => s.train.length === 0)) continue;
          const plan = planCv(eras, cfg({ folds: n, embargo, mode }));
          const label = `E=${E} n=${n} embargo=${embargo} ${mode}`;
          assert.deepEqual(plan.folds.map((f) => ({ train: f.trainEras, test: f.testEras })), expected, label);
        }
      }
    }
  }
});

test('the holdout never appears in any fold, with or without downsampling', () => {
  const eras = range(1, 80);
  for (const downsample of [1, 3, 4]) {
    for (const mode of ['expanding', 'blocked'] as const) {
      const plan = planCv(eras, cfg({ folds: 4, embargo: 4, holdout: 20, downsample, mode }));
      assert.deepEqual(plan.searchEras, range(1, 60));
      assert.deepEqual(plan.holdoutEras, range(61, 80));
      const used = plan.folds.flatMap((f) => [...f.trainEras, ...f.testEras]);
      assert.equal(used.filter((e) => e > 60).length, 0, `downsample ${downsample} ${mode}`);
      // Tests partition the kept eras; kept and dropped partition the search eras.
      const tests = plan.folds.flatMap((f) => f.testEras);
      assert.deepEqual([...tests, ...plan.droppedByDownsample].sort((a, b) => a - b), range(1, 60));
      assert.equal(new Set(tests).size, tests.length);
    }
  }
});

test('planHoldout trains on the kept search eras before the holdout minus the embargo', () => {
  const eras = range(1, 100);
  assert.deepEqual(planHoldout(eras, cfg({ holdout: 20, embargo: 4 })), { trainEras: range(1, 76), testEras: range(81, 100) });
  assert.deepEqual(planHoldout(eras, cfg({ holdout: 20, embargo: 4, downsample: 4 })),
    { trainEras: range(1, 73, 4), testEras: range(81, 100) });
  assert.deepEqual(planHoldout([1, 2, 3, 4, 5, 6, 30, 31], cfg({ folds: 2, holdout: 2, embargo: 13 })),
    { trainEras: [1, 2, 3, 4, 5, 6], testEras: [30, 31] });
});

test('planHoldout refuses a run without a holdout or without training eras', () => {
  assert.throws(() => planHoldout(range(1, 20), cfg({ holdout: 0 })), (e: unknown) =>
    e instanceof UserError && e.what === 'expected --holdout to be at least 1 to score the holdout, got 0');
  assert.throws(() => planHoldout(range(1, 20), cfg({ folds: 2, holdout: 5, embargo: 15 })), (e: unknown) =>
    e instanceof UserError && e.what === 'no training eras for the holdout with --embargo 15' &&
    e.why === 'the holdout starts at era 16 and no kept search era is numbered below 1');
});

test('planCv refuses a plan in which every fold is empty', () => {
  assert.throws(() => planCv(range(1, 10), cfg({ folds: 2, embargo: 10 })), (e: unknown) =>
    e instanceof UserError && e.what === 'no CV fold has training eras with --embargo 10 in expanding mode' &&
    e.why === 'the embargo removes every kept era around each test block (10 kept search eras, 1–10)');
});

test('planCv rejects era numbers that are not strictly ascending integers as a caller bug', () => {
  for (const eras of [[1, 3, 2, 4], [1, 2, 2, 3], [1, 2.5, 3, 4]]) {
    assert.throws(() => planCv(eras, cfg({ folds: 2 })), (e: unknown) => !(e instanceof UserError) && e instanceof Error &&
      /strictly ascending integers/.test(e.message));
  }
});

const BAD: [name: string, over: Partial<CvConfig>, eraCount: number, what: string][] = [
  ['one fold', { folds: 1 }, 80, 'expected --folds to be an integer ≥ 2, got 1'],
  ['fractional folds', { folds: 2.5 }, 80, 'expected --folds to be an integer ≥ 2, got 2.5'],
  ['negative embargo', { embargo: -1 }, 80, 'expected --embargo to be an integer ≥ 0, got -1'],
  ['unknown mode', { mode: 'purged' as CvMode }, 80, 'expected --cv-mode to be blocked or expanding, got purged'],
  ['zero downsample', { downsample: 0 }, 80, 'expected --downsample to be an integer ≥ 1, got 0'],
  ['NaN holdout', { holdout: NaN }, 80, 'expected --holdout to be an integer ≥ 0, got NaN'],
  ['holdout of every era', { holdout: 80 }, 80, 'expected --holdout to be less than the number of labelled eras (80), got 80'],
  ['too few eras for the folds', { folds: 5, holdout: 70, downsample: 4 }, 80, 'expected at least 5 search eras for --folds 5, got 3'],
];

for (const [name, over, eraCount, what] of BAD) {
  test(`validateCvConfig rejects ${name}`, () => {
    assert.throws(() => validateCvConfig(cfg(over), eraCount), (e: unknown) => e instanceof UserError && e.what === what);
  });
}

test('validateCvConfig explains the era arithmetic and the fix', () => {
  try {
    validateCvConfig(cfg({ folds: 5, holdout: 70, downsample: 4 }), 80);
    assert.fail('expected a UserError');
  } catch (e) {
    assert.ok(e instanceof UserError);
    assert.equal(e.why, '80 labelled eras minus --holdout 70 leave 10 search eras, and --downsample 4 keeps 3 of them; ' +
      'every fold needs at least one test era');
    assert.equal(e.fix, 'lower --folds, --holdout or --downsample');
  }
  assert.doesNotThrow(() => validateCvConfig(cfg({ folds: 5, holdout: 60, downsample: 4 }), 80));
});
