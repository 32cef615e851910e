"""The Python model of `npm run bench`'s protocol step: per-system pandas work of the kind an
IsolationForest model does before it scores (per-column mean, std, min, max, quantiles, roughness
and missing share, over the sensors and the two cell spreads), scored with a fixed formula (no fit),
so that the bench measures reading and scoring, not learning.

The same class scores both sides of the comparison: through the process protocol in a real
`harness run` (``python features_model.py`` serves it), and in features_pandas.py after
``pd.read_csv`` of each series.

With ``BENCH_MODEL_LOG`` set to a folder, each process writes ``<pid>.json`` there at teardown:
its scores by system, its score batches and its restore_state calls (how often the fitted state
reached it), so that the bench can check both sides' scores and that the state is shipped once
per worker.
"""
from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd

from bess_harness import Model, serve

QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95]


def features(series: pd.DataFrame) -> pd.Series:
    """One row of features: (column, statistic) → value."""
    df = series.assign(
        cell_voltage_spread_mv=(series["cell_voltage_max_v"] - series["cell_voltage_min_v"]) * 1000,
        cell_temp_spread_c=series["temp_cell_max_c"] - series["temp_cell_min_c"],
    )
    table = pd.concat(
        [
            df.agg(["mean", "std", "min", "max"]),
            df.quantile(QUANTILES),
            df.diff().abs().mean().to_frame("roughness").T,
            df.isna().mean().to_frame("missing").T,
        ]
    )
    return table.unstack()


class Features(Model):
    name = "bench-features"
    version = "1"

    def __init__(self) -> None:
        self.batches = 0
        self.restores = 0
        self.scores: dict[str, float] = {}

    def score(self, series: pd.DataFrame, metadata: dict) -> float:
        f = features(series).fillna(0.0)
        s = (
            f[("cell_voltage_spread_mv", 0.95)] / 10
            + f[("cell_voltage_spread_mv", "std")] / 5
            + f[("cell_temp_spread_c", 0.95)] / 2
            + max(0.0, f[("temp_cell_max_c", "max")] - 45) / 5
            + max(0.0, 1 - f[("insulation_resistance_kohm", "min")] / 1000)
            + f[("voltage_v", "roughness")] / 10
            + f.xs("missing", level=1).sum()
        )
        score = float(np.nan_to_num(s))
        self.scores[str(metadata.get("system_id"))] = score
        return score

    def score_batch(self, series: list[pd.DataFrame], metadata: list[dict]) -> list[float]:
        self.batches += 1
        return [self.score(df, m) for df, m in zip(series, metadata)]

    def save_state(self) -> bytes:
        return b"{}"  # a fixed formula: nothing learnt, but a state to ship as a fitted model has

    def restore_state(self, state: bytes) -> None:
        self.restores += 1

    def teardown(self) -> None:
        folder = os.environ.get("BENCH_MODEL_LOG")
        if folder:
            log = {"restores": self.restores, "batches": self.batches, "scores": self.scores}
            with open(os.path.join(folder, f"{os.getpid()}.json"), "w", encoding="utf-8") as f:
                json.dump(log, f)


if __name__ == "__main__":
    serve(Features())
