#!/usr/bin/python3
"""The numpy peer of bench/score-speed.ts: per-era scoring the numerai-tools way, written to be fast.

Reads the inputs that bench/score-speed.ts wrote to DIR (raw little-endian arrays and meta.json) and
scores them as an experienced numpy user would: rows are already sorted by era, so each era is a
slice (no pandas groupby), and each score is vectorised over the era's rows with the numerai-tools
formulas of bench/metrics-reference.py, except that ranks come from scipy.stats.rankdata (C) instead
of pandas (the inputs hold no NaN, so the NaN filtering is a no-op) and the predictions are ranked once
per era for CORR and BMC. FNC neutralises with np.linalg.lstsq(rcond=1e-6) on [F | 1] as
numerai-tools does. With --cached it also scores a second candidate (fnc-pred2.f64) the way a numpy
user who keeps work across candidates would: each era's thin SVD of [F | 1] is computed once
(np.linalg.svd, singular values below rcond=1e-6 of the largest cut, as lstsq and pinv do) and kept,
so each candidate's fit is U_r (U_rᵀ g), two matrix-vector products. Prints one JSON object on
stdout: the per-era values in era order and the wall and CPU seconds of every repeat. Reading the
files is not timed.

    /usr/bin/python3 bench/score-speed.py DIR [--repeat 3] [--cached]
"""
import argparse
import json
import math
import os
import time

import numpy as np
import pandas as pd
import scipy
from scipy.special import ndtri
from scipy.stats import rankdata


def read(directory, name, dtype, n):
    a = np.fromfile(os.path.join(directory, name), dtype=dtype)
    if len(a) != n:
        raise SystemExit(f"score-speed.py: {name} holds {len(a)} values, expected {n}")
    return a


def timed(fn, repeat):
    runs = []
    result = None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        runs.append(dict(wall=time.perf_counter() - w0, cpu=time.process_time() - c0))
    return result, runs


def era_slices(era):
    starts = np.flatnonzero(np.r_[True, era[1:] != era[:-1]])
    return list(zip(starts, np.r_[starts[1:], len(era)]))


def gauss_rank(x):
    return ndtri((rankdata(x) - 0.5) / len(x))


def pow15(x):
    return np.sign(x) * np.abs(x) ** 1.5


def corr_ranked(gp, t):
    """numerai_corr with gp = gaussian(rank(pred)) computed once; the 0.9 power checks stay in."""
    t = t - t.mean()
    p, ts = pow15(gp), pow15(t)
    if np.corrcoef(p, gp)[0, 1] < 0.9 or np.corrcoef(ts, t)[0, 1] < 0.9:
        return float("nan")
    return float(np.corrcoef(ts, p)[0, 1])


def bmc_ranked(gp, gb, t):
    resid = gp - gb * (gp @ gb) / (gb @ gb)
    if np.all((t >= 0) & (t <= 1)):
        t = t * 4
    t = t - t.mean()
    return float(t @ resid / len(t))


def fnc_era(p, f, t):
    a = np.hstack([f.astype(np.float64), np.ones((len(p), 1))])
    g = gauss_rank(p)
    n = g - a @ np.linalg.lstsq(a, g, rcond=1e-6)[0]
    n = n / np.std(n)
    return corr_ranked(gauss_rank(n), t)


def kept_basis(f):
    """The left singular vectors of [F | 1] that lstsq(rcond=1e-6) keeps: its fit of g is U_r (U_rᵀ g)."""
    a = np.hstack([f.astype(np.float64), np.ones((len(f), 1))])
    u, s, _ = np.linalg.svd(a, full_matrices=False)
    return np.ascontiguousarray(u[:, s > 1e-6 * s[0]])


def fnc_era_kept(p, u, t):
    g = gauss_rank(p)
    n = g - u @ (u.T @ g)
    n = n / np.std(n)
    return corr_ranked(gauss_rank(n), t)


def score_main(df):
    era, pred, target, bench = (df[c].to_numpy() for c in ("era", "pred", "target", "bench"))
    rows = []
    for lo, hi in era_slices(era):
        p, t, b = pred[lo:hi], target[lo:hi], bench[lo:hi]
        gp = gauss_rank(p)
        rows.append(dict(corr=corr_ranked(gp, t), bmc=bmc_ranked(gp, gauss_rank(b), t), corr_with_benchmark=corr_ranked(gp, b)))
    return pd.DataFrame(rows)


def score_fnc(df, feats):
    era, pred, target = (df[c].to_numpy() for c in ("era", "pred", "target"))
    rows = []
    for lo, hi in era_slices(era):
        p, t = pred[lo:hi], target[lo:hi]
        rows.append(dict(corr=corr_ranked(gauss_rank(p), t), fnc=fnc_era(p, feats[lo:hi], t)))
    return pd.DataFrame(rows)


def score_fnc_kept(df, bases):
    era, pred, target = (df[c].to_numpy() for c in ("era", "pred2", "target"))
    rows = []
    for (lo, hi), u in zip(era_slices(era), bases):
        p, t = pred[lo:hi], target[lo:hi]
        rows.append(dict(corr=corr_ranked(gauss_rank(p), t), fnc=fnc_era_kept(p, u, t)))
    return pd.DataFrame(rows)


def column(frame, name):
    return [None if math.isnan(v) else float(v) for v in frame[name].tolist()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cached", action="store_true", help="also score fnc-pred2.f64 with each era's SVD kept")
    args = ap.parse_args()
    if args.repeat < 1:
        raise SystemExit(f"expected a positive integer for --repeat, got {args.repeat}")
    with open(os.path.join(args.dir, "meta.json")) as fh:
        meta = json.load(fh)
    out = dict(versions=dict(pandas=pd.__version__, numpy=np.__version__, scipy=scipy.__version__))

    n = meta["main"]["rows"]
    df = pd.DataFrame(dict(
        era=read(args.dir, "era.i32", "<i4", n),
        pred=read(args.dir, "pred.f64", "<f8", n),
        target=read(args.dir, "target.f64", "<f8", n),
        bench=read(args.dir, "bench.f64", "<f8", n),
    ))
    scores, runs = timed(lambda: score_main(df), args.repeat)
    out["main"] = dict(runs=runs, corr=column(scores, "corr"), bmc=column(scores, "bmc"),
                       corr_with_benchmark=column(scores, "corr_with_benchmark"))

    m, k = meta["fnc"]["rows"], meta["fnc"]["features"]
    fdf = pd.DataFrame(dict(
        era=read(args.dir, "fnc-era.i32", "<i4", m),
        pred=read(args.dir, "fnc-pred.f64", "<f8", m),
        target=read(args.dir, "fnc-target.f64", "<f8", m),
    ))
    # written column by column (one feature after another), as the harness holds them for FNC;
    # made row-major (C order) once, outside the timing, as a loaded DataFrame's values would be
    feats = np.ascontiguousarray(read(args.dir, "fnc-features.u8", "u1", m * k).reshape(k, m).T)
    scores, runs = timed(lambda: score_fnc(fdf, feats), args.repeat)
    out["fnc"] = dict(runs=runs, corr=column(scores, "corr"), fnc=column(scores, "fnc"))
    if args.cached:
        fdf["pred2"] = read(args.dir, "fnc-pred2.f64", "<f8", m)
        era = fdf["era"].to_numpy()
        bases, prep_runs = timed(lambda: [kept_basis(feats[lo:hi]) for lo, hi in era_slices(era)], args.repeat)
        scores, runs = timed(lambda: score_fnc_kept(fdf, bases), args.repeat)
        out["fnc_cached"] = dict(prep_runs=prep_runs, runs=runs, corr=column(scores, "corr"), fnc=column(scores, "fnc"))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
