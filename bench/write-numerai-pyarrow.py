# Usage: python3 bench/write-numerai-pyarrow.py ROWS ERAS FEATURES OUT_DIR  (needs pyarrow; e.g. 2700000 574 235 /tmp/big)
# Numerai-shaped train.parquet written by pyarrow (as pandas.to_parquet would): era/data_type/id strings,
# int8 features 0..4, float32 target with ~1% nulls, sorted by era then id.
import json, sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
rows, eras, nf, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(7)
era = (np.arange(rows) * eras // rows + 1)
ids = np.array([f"n{v:015x}" for v in rng.integers(0, 2**60, rows)])
order = np.lexsort((ids, era))
era, ids = era[order], ids[order]
names = [f"feature_bench_{j:04d}" for j in range(nf)]
cols = {"era": pa.array([f"{e:04d}" for e in era]), "data_type": pa.array(["train"] * rows)}
for f in names: cols[f] = pa.array(rng.integers(0, 5, rows, dtype=np.int8))
t = rng.choice(np.array([0, .25, .5, .75, 1], dtype=np.float32), rows, p=[.05, .2, .5, .2, .05])
cols["target"] = pa.array(t, mask=rng.random(rows) < 0.01)
cols["id"] = pa.array(ids)
pq.write_table(pa.table(cols), f"{out}/train.parquet")
json.dump({"feature_sets": {"all": names, "small": names[:42]}, "targets": ["target"]}, open(f"{out}/features.json", "w"))
