import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalPpf } from '../../../harness/metrics/gaussian.ts';
import { gaussianRank, tieBrokenRank, tieKeptRank } from '../../../harness/metrics/rank.ts';

describe('tieKeptRank', () => {
  it('gives tied values the mean of their ordinal ranks, as (R - 0.5) / count', () => {
    // [1,0,1,0,1]: the two 0s hold ordinal ranks 1,2 → R = 1.5 → (1.5 - 0.5)/5 = 0.2;
    // the three 1s hold ranks 3,4,5 → R = 4 → (4 - 0.5)/5 = 0.7
    assert.deepEqual([...tieKeptRank([1, 0, 1, 0, 1])], [0.7, 0.2, 0.7, 0.2, 0.7]);
  });

  it('keeps NaN as NaN and leaves it out of the count', () => {
    // the non-NaN values [3,1,2] rank 3,1,2 over count 3 → (R - 0.5)/3
    const r = tieKeptRank([3, NaN, 1, 2]);
    assert.deepEqual([...r], [2.5 / 3, NaN, 0.5 / 3, 1.5 / 3]);
  });

  it('ranks a Float32Array and writes into the buffer it is given', () => {
    const out = new Float64Array(3);
    const r = tieKeptRank(new Float32Array([0.5, -2, 0.5]), out);
    assert.equal(r, out);
    // -2 is rank 1 → 0.5/3; the two 0.5 share ranks 2,3 → R = 2.5 → 2/3
    assert.deepEqual([...out], [2 / 3, 0.5 / 3, 2 / 3]);
  });

  it('treats -0 and +0 as ties, like pandas', () => {
    assert.deepEqual([...tieKeptRank([0, -0, 1])], [1 / 3, 1 / 3, 2.5 / 3]);
  });

  it('ranks a long shuffled sequence with ties exactly like the sorted order', () => {
    const n = 5000;
    const x = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
    const r = tieKeptRank(x);
    // value v occurs 5 times (n/1000) at sorted positions 5v+1 .. 5v+5, mean 5v+3
    for (let i = 0; i < n; i += 97) assert.equal(r[i], (5 * x[i] + 3 - 0.5) / n);
  });
});

/** Reference ranks: count the values below and equal to each value (O(n²), obviously right). */
function naiveTieKept(x: number[]): number[] {
  const valid = x.filter((v) => !Number.isNaN(v));
  return x.map((v) => {
    if (Number.isNaN(v)) return NaN;
    const below = valid.filter((u) => u < v).length;
    const equal = valid.filter((u) => u === v).length;
    return ((below + 1 + below + equal) / 2 - 0.5) / valid.length;
  });
}

/** Reference "first" ranks: values below, plus equal values at earlier positions, plus one. */
function naiveTieBroken(x: number[]): number[] {
  const count = x.filter((v) => !Number.isNaN(v)).length;
  return x.map((v, i) => {
    if (Number.isNaN(v)) return NaN;
    const below = x.filter((u) => u < v).length;
    const earlierEqual = x.slice(0, i).filter((u) => u === v).length;
    return (below + earlierEqual + 1 - 0.5) / count;
  });
}

describe('ranks on awkward distributions', () => {
  let s = 3;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const n = 700;
  const cases: Record<string, () => number> = {
    smooth: () => rnd() + rnd(),
    'five bins': () => Math.floor(rnd() * 5) / 4,
    'skewed with an outlier': () => (rnd() < 0.002 ? 1e9 : -Math.log(rnd())),
    'infinities, NaN and signed zeros': () => [Infinity, -Infinity, NaN, 0, -0, rnd()][Math.floor(rnd() * 6)],
    'nearly all equal': () => (rnd() < 0.01 ? rnd() : 0.5),
  };
  for (const [name, draw] of Object.entries(cases)) {
    it(`matches a naive count for ${name}`, () => {
      const x = Array.from({ length: n }, draw);
      assert.deepEqual([...tieKeptRank(x)], naiveTieKept(x));
      assert.deepEqual([...tieBrokenRank(x)], naiveTieBroken(x));
    });
  }
});

describe('tieBrokenRank', () => {
  it('breaks ties by position (pandas method "first")', () => {
    // 0s at positions 1,3 get ranks 1,2 → 0.1, 0.3; 1s at positions 0,2,4 get ranks 3,4,5 → 0.5, 0.7, 0.9
    assert.deepEqual([...tieBrokenRank([1, 0, 1, 0, 1])], [0.5, 0.1, 0.7, 0.3, 0.9]);
  });

  it('orders every member of a large tie group by position', () => {
    const x = new Float64Array(40).fill(1);
    x[7] = 0;
    const r = tieBrokenRank(x);
    assert.equal(r[7], 0.5 / 40);
    assert.equal(r[0], 1.5 / 40);
    assert.equal(r[8], 8.5 / 40);
    assert.equal(r[39], 39.5 / 40);
  });
});

describe('gaussianRank', () => {
  it('equals gaussian(tieKeptRank(x)) bit for bit, also when the memo is reused', () => {
    const a = [0.3, 0.1, 0.3, 0.9, NaN, 0.2];
    const b = [5, 4, 3, 2, 1, NaN];
    for (const x of [a, b, a]) {
      const expected = [...tieKeptRank(x)].map(normalPpf);
      assert.deepEqual([...gaussianRank(x)], expected);
    }
  });
});
