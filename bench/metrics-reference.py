#!/usr/bin/python3
"""Reference values for harness/metrics, written from ../shared/numerai-scoring.md sections 1-5.

Independent numpy/pandas/scipy implementation of the same formulas; it writes randomized cases with
their expected values to test/fixtures/metrics-cases.json so the TypeScript tests need no Python.

    apt-get install -y python3-pandas python3-scipy
    /usr/bin/python3 bench/metrics-reference.py            # rewrites the fixture
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd
from scipy.special import ndtri

MAX_FILTERED = 0.2


class Tripped(Exception):
    """A numerai-tools assertion would fire."""


def pct_rank(x, method="average"):
    s = pd.Series(x, dtype="float64")
    return ((s.rank(method=method) - 0.5) / s.count()).to_numpy()


def gauss_rank(x):
    return ndtri(pct_rank(x))


def pow15(x):
    x = np.asarray(x, dtype="float64")
    if np.isnan(x).any():
        raise Tripped("power of NaN")
    y = np.sign(x) * np.abs(x) ** 1.5
    if len(y) >= 2 and np.all(y == y[0]):
        return y
    if len(y) < 2 or not (np.corrcoef(y, x)[0, 1] >= 0.9):
        raise Tripped("power correlation < 0.9")
    return y


def pearson(a, b):
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def keep_check(kept, n):
    if n == 0 or not (kept / n >= 1 - MAX_FILTERED):
        raise Tripped(f"kept {kept} of {n}")


def numerai_corr(pred, target):
    pred = np.asarray(pred, dtype="float64")
    t = np.asarray(target, dtype="float64")
    t = t - np.nanmean(t)  # centred over every non-NaN target, before filtering
    ok = ~np.isnan(pred) & ~np.isnan(t)
    keep_check(int(ok.sum()), len(t))
    p = pow15(gauss_rank(pred[ok]))
    return pearson(pow15(t[ok]), p)


def bmc(pred, bench, target):
    pred, bench, target = (np.asarray(a, dtype="float64") for a in (pred, bench, target))
    ok = ~np.isnan(pred) & ~np.isnan(bench) & ~np.isnan(target)
    keep_check(int(ok.sum()), len(pred))
    p = gauss_rank(pred[ok])
    g = gauss_rank(bench[ok])
    resid = p - g * (p @ g) / (g @ g)
    t = target[ok]
    if np.all((t >= 0) & (t <= 1)):
        t = t * 4
    t = t - t.mean()
    return float(t @ resid / len(t))


def neutralize(x, feats):
    x = np.asarray(x, dtype="float64")
    if len(x) >= 2 and np.all(x == x[0]):
        return np.full(len(x), np.nan)
    a = np.hstack([np.asarray(feats, dtype="float64").reshape(len(x), -1), np.ones((len(x), 1))])
    beta = np.linalg.lstsq(a, x, rcond=1e-6)[0]
    return x - a @ beta


def fnc(pred, feats, target):
    n = neutralize(gauss_rank(pred), feats)
    n = n / np.std(n)
    return numerai_corr(n, target)


def guarded(fn, *args):
    try:
        return fn(*args)
    except Tripped:
        return float("nan")


def summary(values):
    s = np.array([v for v in values if not math.isnan(v)])
    if len(s) == 0:
        return dict(mean=math.nan, std=math.nan, sharpe=math.nan, max_drawdown=math.nan)
    mean = s.mean()
    std = s.std(ddof=0)
    cum = np.cumsum(s)
    dd = float(np.max(np.maximum.accumulate(cum) - cum))
    return dict(mean=mean, std=std, sharpe=mean / std if std != 0 else math.nan, max_drawdown=dd)


def per_era(df, feat_cols, has_bench):
    rows = []
    for era in sorted(df.era.unique(), key=int):
        g = df[df.era == era]
        c = g.dropna(subset=["pred", "target"])
        pc = g.dropna(subset=["pred", "bench"]) if has_bench else g.iloc[0:0]
        if len(c) == 0 and len(pc) == 0:
            continue
        row = dict(era=era, n=len(c), corr=guarded(numerai_corr, c.pred, c.target) if len(c) else math.nan)
        if has_bench:
            b = g.dropna(subset=["pred", "bench", "target"])
            if len(b):
                row["bmc"] = guarded(bmc, b.pred, b.bench, b.target)
            if len(pc):
                row["corr_with_benchmark"] = guarded(numerai_corr, pc.pred, pc.bench)
        if feat_cols:
            f = g.dropna(subset=["pred"])
            row["fnc"] = guarded(fnc, f.pred, f[feat_cols].to_numpy(), f.target)
        rows.append(row)
    return rows


def summarize_eras(rows, last_n):
    out = dict(corr=summary([r["corr"] for r in rows]), payout=None)
    if any("bmc" in r or "corr_with_benchmark" in r for r in rows):
        bm = [r["bmc"] for r in rows if "bmc" in r]
        cb = [r["corr_with_benchmark"] for r in rows if "corr_with_benchmark" in r]
        out["bmc"] = dict(summary(bm), avg_corr_with_benchmark=float(np.nanmean(cb)))
        out["bmc_last_200_eras"] = dict(summary(bm[-last_n:]), avg_corr_with_benchmark=float(np.nanmean(cb[-last_n:])))
        out["payout"] = 0.75 * out["corr"]["mean"] + 2.25 * out["bmc"]["mean"]
    if any("fnc" in r for r in rows):
        out["fnc"] = summary([r.get("fnc", math.nan) for r in rows])
    return out


def make_case(rng, name, eras, n_per_era, n_feat, *, target_nan=0.0, bench_nan=0.0, target_shift=0.0,
              pred_levels=None, constant_pred_era=None, heavy_nan_era=None, last_n=2):
    n = eras * n_per_era
    era = np.repeat([f"{e + 1:04d}" for e in range(eras)], n_per_era)
    feats = rng.integers(0, 5, size=(n, n_feat)).astype("float64")
    feats[:, 1] = 2.0  # a constant feature
    feats[:, 2] = feats[:, 0]  # a duplicated feature
    signal = feats[:, 0] * 0.3 - feats[:, 3] * 0.2 + rng.normal(size=n)
    target = np.clip(np.round((signal / 3 + 0.5) * 4) / 4, 0, 1) + target_shift
    # some eras score negatively so the drawdown and sharpe figures are not trivial
    era_sign = np.repeat(rng.choice([1.0, -1.0], size=eras, p=[0.6, 0.4]), n_per_era)
    pred = era_sign * signal * 0.5 + rng.normal(size=n)
    if pred_levels:
        pred = np.round(pred * pred_levels) / pred_levels  # many ties
    bench = signal * 0.5 + rng.normal(size=n)
    target[rng.random(n) < target_nan] = np.nan
    bench[rng.random(n) < bench_nan] = np.nan
    if constant_pred_era is not None:
        pred[era == f"{constant_pred_era:04d}"] = 0.5
    if heavy_nan_era is not None:
        idx = np.where(era == f"{heavy_nan_era:04d}")[0]
        target[idx[: len(idx) // 3]] = np.nan
    df = pd.DataFrame(dict(era=era, pred=pred, target=target, bench=bench))
    feat_cols = [f"f{j}" for j in range(n_feat)]
    for j, c in enumerate(feat_cols):
        df[c] = feats[:, j]
    rows = per_era(df, feat_cols, True)
    first = df[df.era == "0001"]
    expected = dict(
        rank=pct_rank(pred), rank_first=pct_rank(pred, "first"), gaussian_rank=gauss_rank(pred),
        corr_all_rows=guarded(numerai_corr, pred, target),
        bmc_all_rows=guarded(bmc, pred, bench, target),
        neutralized_era1=neutralize(gauss_rank(first.pred), first[feat_cols].to_numpy()),
        fnc_era1=guarded(fnc, first.pred, first[feat_cols].to_numpy(), first.target),
        per_era=rows, summary=summarize_eras(rows, last_n),
    )
    return dict(name=name, last_n=last_n, era=era.tolist(), pred=pred, target=target, benchmark=bench,
                features=[feats[:, j] for j in range(n_feat)], expected=expected)


def to_json(x):
    if isinstance(x, dict):
        return {k: to_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_json(v) for v in x]
    if isinstance(x, np.ndarray):
        return [to_json(float(v)) for v in x.tolist()] if x.ndim == 1 else [to_json(r) for r in x]
    if isinstance(x, (float, np.floating)):
        return None if math.isnan(x) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def main():
    rng = np.random.default_rng(20260716)
    cases = [
        make_case(rng, "three eras, NaN targets and benchmark", 3, 50, 6, target_nan=0.1, bench_nan=0.1),
        make_case(rng, "heavy ties, shifted target (no x4)", 4, 30, 5, pred_levels=1, target_shift=-0.5),
        make_case(rng, "constant-prediction era, FNC filter tripped", 5, 24, 5, constant_pred_era=2, heavy_nan_era=3,
                  target_nan=0.05),
        make_case(rng, "one era of 200 rows", 1, 200, 10, target_nan=0.15, last_n=200),
        make_case(rng, "six eras of 20 rows", 6, 20, 4, bench_nan=0.3, last_n=3),
    ]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "metrics-cases.json")
    with open(out, "w") as fh:
        json.dump(dict(generator="bench/metrics-reference.py", cases=to_json(cases)), fh)
    print(f"wrote {len(cases)} cases to {os.path.normpath(out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
