"""A process model that writes down what it was handed, one JSON line per system scored, to the
file named by ``FRAME_LOG``: the system, its frame's columns and the fingerprint of its frame and
metadata (example_models.fingerprint). The harness reports scores as margins over a threshold, so
a test reads what the model saw here rather than from the scores."""
from __future__ import annotations

import json
import os

from bess_harness import Model, serve
from example_models.fingerprint import fingerprint


class FrameLog(Model):
    name = "frame-log"
    version = "1"

    def score(self, series, metadata) -> float:
        line = {"system_id": metadata["system_id"], "columns": list(series.columns), "fingerprint": fingerprint(series, metadata)}
        with open(os.environ["FRAME_LOG"], "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
        return line["fingerprint"]


if __name__ == "__main__":
    serve(FrameLog())
