"""The pandas side of `npm run bench`'s protocol step: the model of features_model.py scoring the
fleet without the harness, as its author would: ``pd.read_csv`` of each series, then
``model.score`` per system.

Usage: python features_pandas.py <fleet_dir> <ids.json> <scores_out.json>
``ids.json`` lists the system ids to score (the ones the harness scored, in its order). Prints one
JSON line ``{"ms": ..., "importMs": ..., "scored": n}``: ``ms`` is reading and scoring alone; the
bench takes the wall time of the whole process (Python's start and the imports included), as it
does for the harness side.
"""
import time

t_start = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import pandas as pd  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from features_model import Features  # noqa: E402


def main() -> None:
    fleet, ids_file, out_file = sys.argv[1:4]
    import_ms = (time.perf_counter() - t_start) * 1000
    t0 = time.perf_counter()
    with open(ids_file, encoding="utf-8") as f:
        ids = json.load(f)
    meta = pd.read_csv(os.path.join(fleet, "metadata.csv"), dtype=str, keep_default_na=False)
    by_id = {m["system_id"]: m for m in meta.to_dict("records")}
    model = Features()
    scores = {}
    for sid in ids:
        df = pd.read_csv(os.path.join(fleet, "raw", f"{sid}.csv"), index_col="timestamp", parse_dates=["timestamp"])
        scores[sid] = model.score(df, by_id[sid])
    ms = (time.perf_counter() - t0) * 1000
    with open(out_file, "w", encoding="utf-8") as f:
        json.dump(scores, f)
    print(json.dumps({"ms": ms, "importMs": import_ms, "scored": len(scores)}))


if __name__ == "__main__":
    main()
