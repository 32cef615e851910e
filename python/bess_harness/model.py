"""The model base class of the Python side. A model is evaluated by the harness through
:func:`bess_harness.serve` (docs/process-protocol.md); the same class runs anywhere pandas does."""
from __future__ import annotations

import pickle
from typing import Iterator, NamedTuple, Sequence

import pandas as pd


class SystemData(NamedTuple):
    """One system of a training set: its metadata row (a dict) and its series (a DataFrame)."""

    metadata: dict
    series: pd.DataFrame


class Dataset(Sequence[SystemData]):
    """What ``fit`` sees: the training systems, each a :class:`SystemData` (``for metadata, series in train``).

    ``seed`` is the run's seed for the model's own randomness, usually a string: ``seed_int(train.seed)``
    makes the integer numpy and scikit-learn take. No labels: the harness's models learn
    what normal looks like from metadata and series; labels are only for judging them.
    """

    def __init__(self, systems: Sequence[SystemData], seed: int | str | None = None):
        self._systems = list(systems)
        self.seed = seed

    def __len__(self) -> int:
        return len(self._systems)

    def __getitem__(self, i):  # type: ignore[override]
        return self._systems[i]

    def __iter__(self) -> Iterator[SystemData]:
        return iter(self._systems)

    @property
    def metadata(self) -> pd.DataFrame:
        """The metadata rows as one DataFrame."""
        return pd.DataFrame([s.metadata for s in self._systems])

    def __repr__(self) -> str:
        return f"Dataset({len(self)} systems, seed={self.seed})"


class Model:
    """Subclass it and define ``score`` (or ``score_batch``), and ``fit`` when the model learns.

    - ``fit(self, train: Dataset) -> None``: optional; sees the training split only.
    - ``score(self, series: DataFrame, metadata: dict) -> float``: higher = more anomalous. ``series``
      is indexed by ``timestamp`` (pandas UTC datetimes), one float64 column per sensor, NaN for a
      missing reading. A score must be a finite number.
    - ``score_batch(self, series: list[DataFrame], metadata: list[dict]) -> list[float]``: optional;
      when defined it is called instead of ``score`` with a whole batch (one score per system: in order,
      or a dict / Series keyed by system_id, which is aligned by id).
    - ``score_over_time(self, series: DataFrame, metadata: dict) -> Series | DataFrame``: optional; the
      score over time the harness raises alarms from (README "Alarms: when did it warn?"). Either a
      ``pandas.Series`` of scores indexed by timestamp (UTC datetimes, e.g. the end of each rolling
      window), or a DataFrame with columns ``timestamp`` and ``score``. Timestamps ascending, within
      the series; NaN = no score at that instant.
    - ``save_state`` / ``restore_state``: the fitted state as bytes. The harness never scores in the
      process that ran ``fit``: it restores this state into each scoring process, so it must hold
      everything ``score`` reads (state in a module global is lost, silently; ``harness check``
      catches it). The default pickles the instance's ``__dict__``; override both for anything pickle
      cannot hold, or set ``shipState: false`` in the config entry. Unpickling runs code: restore only
      state this model saved (the harness keeps it in its own cache).

    ``name`` and ``version`` identify the model to the harness (the class name and "0" by default)
    in its messages. The harness's score cache keys on the ``version`` of the model's entry in
    harness.config.ts (a cached case starts no process, so it never sees this one): bump that one
    when a change the cache cannot see (a file outside the model's folder, its environment)
    changes scores, or run with ``--no-cache``. While a call runs,
    ``self.seed`` holds the seed the harness sent with it (``seed_int(self.seed)`` as an integer).
    """

    name: str | None = None
    version: str = "0"
    seed: int | str | None = None

    def score(self, series: pd.DataFrame, metadata: dict) -> float:
        raise NotImplementedError(f"{type(self).__name__} defines neither score nor score_batch")

    def save_state(self) -> bytes:
        return pickle.dumps(self.__dict__, protocol=pickle.HIGHEST_PROTOCOL)

    def restore_state(self, state: bytes) -> None:
        self.__dict__.update(pickle.loads(state))


def model_name(model: object) -> str:
    return getattr(model, "name", None) or type(model).__name__


def capabilities(model: object) -> dict:
    """What the model implements, as the hello reply announces it."""
    return {
        "fit": callable(getattr(model, "fit", None)),
        "score_batch": callable(getattr(model, "score_batch", None)),
        "score_over_time": callable(getattr(model, "score_over_time", None)),
        "state": callable(getattr(model, "save_state", None)) and callable(getattr(model, "restore_state", None)),
    }
