#!/usr/bin/python3
"""The pandas/numpy peer of bench/score-speed.ts: per-era scoring the numerai-tools way.

Reads the inputs that bench/score-speed.ts wrote to DIR (raw little-endian arrays and meta.json),
scores them with a pandas groupby per era calling the formulas of bench/metrics-reference.py
(numerai_corr, correlation_contribution, feature_neutral_corr), and prints one JSON object on
stdout: the per-era values in era order and the wall and CPU seconds of every repeat. Reading the
files is not timed; the groupby, ranking, Φ⁻¹, lstsq and correlations are.

    /usr/bin/python3 bench/score-speed.py DIR [--repeat 3]
"""
import argparse
import importlib.util
import json
import math
import os
import time

import numpy as np
import pandas as pd
import scipy


def load_reference():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics-reference.py")
    spec = importlib.util.spec_from_file_location("metrics_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ref = load_reference()


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


def score_main(df):
    def era_scores(g):
        p, t, b = g["pred"].to_numpy(), g["target"].to_numpy(), g["bench"].to_numpy()
        return pd.Series(dict(corr=ref.numerai_corr(p, t), bmc=ref.bmc(p, b, t), corr_with_benchmark=ref.numerai_corr(p, b)))

    return df.groupby("era", sort=True).apply(era_scores)


def score_fnc(df, feats):
    def era_scores(g):
        p, t = g["pred"].to_numpy(), g["target"].to_numpy()
        return pd.Series(dict(corr=ref.numerai_corr(p, t), fnc=ref.fnc(p, feats[g.index.to_numpy()], t)))

    return df.groupby("era", sort=True).apply(era_scores)


def column(frame, name):
    return [None if math.isnan(v) else float(v) for v in frame[name].tolist()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--repeat", type=int, default=3)
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
    # written column by column (one feature after another), as the harness holds them for FNC
    feats = read(args.dir, "fnc-features.u8", "u1", m * k).reshape(k, m).T
    scores, runs = timed(lambda: score_fnc(fdf, feats), args.repeat)
    out["fnc"] = dict(runs=runs, corr=column(scores, "corr"), fnc=column(scores, "fnc"))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
