import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussian, normalPpf } from '../../../harness/metrics/gaussian.ts';

/** |a - b| within `ulps` units in the last place of b. */
function withinUlps(a: number, b: number, ulps: number): boolean {
  const ulp = 2 ** (Math.floor(Math.log2(Math.abs(b))) - 52);
  return Math.abs(a - b) <= ulps * ulp;
}

describe('normalPpf (Wichura AS241)', () => {
  it('matches known quantiles', () => {
    // Φ⁻¹(0.975) = 1.959963984540054 (scipy.stats.norm.ppf). The double 0.975 is 0.97499999999999997779…,
    // whose exact quantile 1.95996398454005385… lies between scipy's double and AS241's, one ulp from each.
    assert.ok(withinUlps(normalPpf(0.975), 1.959963984540054, 2), String(normalPpf(0.975)));
    // the far tail branch (r > 5): scipy gives -6.361340902404056
    assert.ok(withinUlps(normalPpf(1e-10), -6.361340902404056, 2), String(normalPpf(1e-10)));
    // the central branch: Φ⁻¹(0.84134474606854293) ≈ 1 (Φ(1) = 0.841344746068542948…)
    assert.ok(Math.abs(normalPpf(0.8413447460685429) - 1) < 1e-15);
    assert.equal(normalPpf(0.5), 0);
  });

  it('is exactly antisymmetric: Φ⁻¹(1 - p) = -Φ⁻¹(p) when 1 - p is exact', () => {
    // 0.25 and 0.4375 use the central branch, 0.0625 and 2^-20 the tail branches
    for (const p of [0.25, 0.4375, 0.0625, 2 ** -20]) assert.equal(normalPpf(1 - p), -normalPpf(p));
  });

  it('maps 0 and 1 to infinities and anything outside [0, 1] to NaN', () => {
    assert.equal(normalPpf(0), -Infinity);
    assert.equal(normalPpf(1), Infinity);
    assert.ok(Number.isNaN(normalPpf(-0.1)));
    assert.ok(Number.isNaN(normalPpf(1.5)));
    assert.ok(Number.isNaN(normalPpf(NaN)));
  });

  it('applies element-wise, in place when asked', () => {
    const x = new Float64Array([0.5, 0.975, NaN]);
    const out = gaussian(x, x);
    assert.equal(out, x);
    assert.equal(x[0], 0);
    assert.ok(withinUlps(x[1], 1.959963984540054, 2));
    assert.ok(Number.isNaN(x[2]));
  });
});
