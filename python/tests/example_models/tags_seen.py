"""A model that reads only the metadata's scenario tags, the generator's record of what it injected:
``subtle`` is only ever on an anomaly and ``noisy_normal`` only on a normal, so a model shown them
scores on the label. The harness shows every model ``scenario_tags: []``; ``fit`` keeps the tags it
saw and ``score`` counts them, so a path that shows a model the tags is seen to."""
from __future__ import annotations

from bess_harness import Model


class TagsSeen(Model):
    name = "tags-seen"
    version = "1"

    def __init__(self) -> None:
        self.fit_tags: list[list[str]] = []

    def fit(self, train) -> None:
        self.fit_tags = [list(m["scenario_tags"]) for m, _ in train]

    def score(self, series, metadata) -> float:
        return float(len(metadata["scenario_tags"]))
