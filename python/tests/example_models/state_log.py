"""A model for the state-shipping test (test/integration/process-ship-state.test.ts): each process
appends, at teardown, what it was asked to do (fit, save_state, restore_state, score batches) as one
JSON line to the file named by ``STATE_LOG``. Its scores depend on the fitted mean, so a state that
did not reach a scoring process would change them."""
from __future__ import annotations

import json
import os

import numpy as np

from bess_harness import Model, serve


class StateLog(Model):
    name = "state-log"
    version = "1"

    def __init__(self) -> None:
        self.mean = 0.0
        self.calls = {"fit": 0, "save_state": 0, "restore_state": 0, "score_batch": 0}

    def fit(self, train) -> None:
        self.calls["fit"] += 1
        self.mean = float(np.mean([np.nanmean(s["temp_cell_max_c"]) for _, s in train]))

    def score_batch(self, series, metadata) -> list[float]:
        self.calls["score_batch"] += 1
        return [abs(float(np.nanmean(s["temp_cell_max_c"])) - self.mean) for s in series]

    def save_state(self) -> bytes:
        self.calls["save_state"] += 1
        return json.dumps({"mean": self.mean}).encode("utf-8")

    def restore_state(self, state: bytes) -> None:
        self.calls["restore_state"] += 1
        self.mean = json.loads(state)["mean"]

    def teardown(self) -> None:
        with open(os.environ["STATE_LOG"], "a", encoding="utf-8") as f:
            f.write(json.dumps({"pid": os.getpid(), **self.calls}) + "\n")


if __name__ == "__main__":
    serve(StateLog())
