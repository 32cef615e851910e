"""A tiny model for the protocol tests: the score is how far a system's mean cell temperature lies
above the training mean. Metadata can make it misbehave on purpose (see ``score``)."""
from __future__ import annotations

import os
import sys

import numpy as np

from bess_harness import Model, serve


class MeanTemp(Model):
    name = "mean-temp"
    version = "3"

    def __init__(self) -> None:
        self.mean = 0.0
        self.fitted_on: list[str] = []

    def fit(self, train) -> None:
        print("fitting: this print must not reach the protocol stream")
        os.write(1, b"nor this write to file descriptor 1\n")  # as a C library would
        assert sys.stdin.read() == "" and os.read(0, 10) == b""  # the protocol stream is not the model's to read
        values = [float(np.nanmean(s["temp_cell_max_c"])) for _, s in train]
        self.mean = float(np.mean(values)) if values else 0.0
        self.fitted_on = [m["system_id"] for m, _ in train]

    def score(self, series, metadata) -> float:
        if metadata.get("season") == "explode":
            raise RuntimeError(f"cannot score {metadata['system_id']}")
        if metadata.get("season") == "verbose":  # an exception that prints a whole frame in its text
            raise ValueError("bad frame:\n" + "0.123456789 " * 2_000)
        if metadata.get("season") == "nan":
            return float("nan")
        return float(np.nanmean(series["temp_cell_max_c"])) - self.mean


class BadBatch(MeanTemp):
    """score_batch returns one score too few."""

    name = "bad-batch"

    def score_batch(self, series, metadata):
        return [0.0] * (len(series) - 1)


if __name__ == "__main__":
    serve(BadBatch() if sys.argv[1:] == ["bad-batch"] else MeanTemp())
