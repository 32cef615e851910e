"""A tiny model with a score over time, for the protocol tests: the score is how far the mean cell
temperature lies above the training mean, over the whole series (``score``) or over each trailing
3 hours (``score_over_time``). Metadata can make ``score_over_time`` misbehave on purpose."""
from __future__ import annotations

import numpy as np
import pandas as pd

from bess_harness import Model, serve


class RollingTemp(Model):
    name = "rolling-temp"
    version = "1"

    def __init__(self) -> None:
        self.mean = 0.0

    def fit(self, train) -> None:
        values = [float(np.nanmean(s["temp_cell_max_c"])) for _, s in train]
        self.mean = float(np.mean(values)) if values else 0.0

    def score(self, series, metadata) -> float:
        return float(np.nanmean(series["temp_cell_max_c"])) - self.mean

    def score_over_time(self, series, metadata):
        season = metadata.get("season")
        rolled = series["temp_cell_max_c"].rolling("3h").mean() - self.mean
        if season == "frame":
            return pd.DataFrame({"timestamp": rolled.index, "score": rolled.to_numpy()})
        if season == "list":
            return list(rolled)
        if season == "inf":
            return rolled.replace(rolled.iloc[0], np.inf)
        if season == "huge":  # a score per second over a week and more: 17 MB of JSON
            index = pd.date_range("2026-01-01", periods=700_000, freq="s", tz="UTC")
            return pd.Series(np.linspace(0.0, 1.0, len(index)), index=index)
        if season == "text":  # scores read from a CSV as strings
            return rolled.map(lambda v: f"{v:.3f}")
        if season == "raise":
            raise KeyError("temp_ambient_c")
        return rolled


if __name__ == "__main__":
    serve(RollingTemp())
