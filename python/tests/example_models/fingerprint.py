"""A model whose score is a fingerprint of exactly what it was handed: the frame's columns, dtypes,
index (name, time zone, instants), every value's bits (NaN included) and the metadata dict. Two
ways of feeding a model give the same scores only if they hand it the same frames and metadata."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from bess_harness import Model


def fingerprint(series: pd.DataFrame, metadata: dict) -> float:
    h = hashlib.sha256()
    h.update(json.dumps([list(map(str, series.columns)), [str(t) for t in series.dtypes]]).encode())
    h.update(json.dumps([series.index.name, str(series.index.dtype)]).encode())
    h.update(np.ascontiguousarray(series.index.asi8).tobytes())
    h.update(np.ascontiguousarray(series.to_numpy(dtype="float64")).tobytes())
    h.update(json.dumps(metadata, sort_keys=True).encode())
    return int.from_bytes(h.digest()[:6], "big") / 2**48


class Fingerprint(Model):
    name = "fingerprint"
    version = "1"

    def score(self, series: pd.DataFrame, metadata: dict) -> float:
        return fingerprint(series, metadata)


class NaNForOne(Fingerprint):
    """A scorer with a bug: no finite score for the first system of the default fleet."""

    def score(self, series: pd.DataFrame, metadata: dict) -> float:
        return float("nan") if metadata["system_id"] == "sys-0001" else super().score(series, metadata)
