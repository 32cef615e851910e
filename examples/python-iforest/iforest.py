"""An IsolationForest over per-system features, served to the harness as a process model.

    python -m iforest          (from this folder; the harness starts it, see harness.config.ts)

Each system becomes one row of features that depend neither on how long its series is nor on how
big its pack is: quantiles of cell ΔV in mV (all readings, and at rest), volts per cell, C-rate,
the cell temperature spread and rise over ambient, and the insulation resistance, plus how each
moved from the first quarter of the series to the last. Features are standardised per operating
mode (what is normal for frequency regulation is not normal for peak shaving), and the forest
learns what the training fleet looks like: unsupervised, it never sees a label. A system's score
is how easily the forest isolates it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from bess_harness import Model, seed_int, serve

#: |current| below this many amps counts as rest: the cell ΔV at rest shows self-discharge and
#: leakage (an internal short) without the I·R spread of load.
REST_AMPS = 5.0
#: A mode needs this many training systems for a scale of its own; fewer share the fleet's.
MIN_PER_MODE = 8


def signals(series: pd.DataFrame) -> dict[str, np.ndarray]:
    """The per-reading signals the features are taken of, in units that do not depend on the pack."""
    col = lambda name: series[name].to_numpy(dtype=float) if name in series else np.full(len(series), np.nan)
    v, i = col("voltage_v"), col("current_a")
    vmax, vmin = col("cell_voltage_max_v"), col("cell_voltage_min_v")
    with np.errstate(invalid="ignore", divide="ignore"):
        # Cells in series, estimated from the data: the pack voltage over the mean cell voltage.
        cells = np.nanmedian(v / ((vmax + vmin) / 2.0)) if np.isfinite(v).any() else np.nan
        delta_v = (vmax - vmin) * 1000.0
        return {
            "delta_v_mv": delta_v,
            "delta_v_rest_mv": np.where(np.abs(i) < REST_AMPS, delta_v, np.nan),
            "volts_per_cell": v / cells,
            "temp_spread_c": col("temp_cell_max_c") - col("temp_cell_min_c"),
            "temp_rise_c": col("temp_cell_max_c") - col("temp_ambient_c"),
            "log_insulation_kohm": np.log(np.clip(col("insulation_resistance_kohm"), 1e-3, None)),
        }


def _stats(x: np.ndarray) -> list[float]:
    """Median, 99th percentile, spread, and the last quarter's median minus the first quarter's."""
    finite = np.isfinite(x)
    if finite.sum() < 4:
        return [np.nan] * 4
    q = len(x) // 4
    head, tail = x[:q][finite[:q]], x[-q:][finite[-q:]]
    drift = float(np.median(tail) - np.median(head)) if head.size and tail.size else np.nan
    values = x[finite]
    p50, p99 = np.quantile(values, (0.5, 0.99))
    return [float(p50), float(p99), float(values.std()), drift]


def features(series: pd.DataFrame) -> np.ndarray:
    """One row per system: the statistics of every signal (NaN where a signal has no reading)."""
    return np.asarray([v for x in signals(series).values() for v in _stats(x)], dtype=float)


class IForest(Model):
    name = "iforest"
    version = "1"

    def __init__(self, trees: int = 300) -> None:
        self.trees = trees
        self.forest: IsolationForest | None = None
        #: Per operating mode (and "*" for the fleet): the features' median and robust scale.
        self.scales: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _standardise(self, rows: np.ndarray, modes: list[str]) -> np.ndarray:
        out = np.empty_like(rows)
        for k, mode in enumerate(modes):
            centre, scale = self.scales.get(mode, self.scales["*"])
            out[k] = (rows[k] - centre) / scale
        # A missing feature sits at the centre: a dropout is a data-quality fault, not a failure.
        return np.where(np.isfinite(out), out, 0.0)

    def fit(self, train) -> None:
        rows = np.vstack([features(series) for _, series in train])
        modes = [str(metadata.get("operational_mode")) for metadata, _ in train]
        self.scales = {"*": _robust_scale(rows)}
        for mode in set(modes):
            mine = rows[[m == mode for m in modes]]
            if len(mine) >= MIN_PER_MODE:
                self.scales[mode] = _robust_scale(mine)
        # The seed comes from the harness (the case's seed), so a run is repeatable.
        self.forest = IsolationForest(n_estimators=self.trees, random_state=seed_int(train.seed))
        self.forest.fit(self._standardise(rows, modes))

    def score_batch(self, series: list[pd.DataFrame], metadata: list[dict]) -> list[float]:
        if self.forest is None:
            raise RuntimeError("score before fit: the harness fits this model on its training split first")
        rows = np.vstack([features(s) for s in series])
        modes = [str(m.get("operational_mode")) for m in metadata]
        # score_samples is higher for normal points: negated, higher means more anomalous.
        return (-self.forest.score_samples(self._standardise(rows, modes))).tolist()


def _robust_scale(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median and IQR / 1.349 per feature (1 where a feature has no spread, 0 where it has no data)."""
    with np.errstate(invalid="ignore"):
        centre = np.nanmedian(rows, axis=0)
        q75, q25 = np.nanpercentile(rows, [75, 25], axis=0)
    scale = (q75 - q25) / 1.349
    return np.where(np.isfinite(centre), centre, 0.0), np.where(np.isfinite(scale) & (scale > 1e-12), scale, 1.0)


if __name__ == "__main__":
    serve(IForest())
