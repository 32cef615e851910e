"""``visualize_labels``: how a labels table is spread, as matplotlib bar charts."""
from __future__ import annotations

import os
from typing import Iterable

import pandas as pd

#: The columns charted, in order.
LABEL_CHART_COLUMNS = ("label", "failure_type", "operational_mode")


def visualize_labels(labels: pd.DataFrame | str | os.PathLike, columns: Iterable[str] | str = LABEL_CHART_COLUMNS):
    """Bar charts of the count of systems by ``label``, ``failure_type`` and ``operational_mode``
    (or by ``columns``: names, or one name as a string).

    ``labels`` is what :func:`load_labels` or :func:`load_dataset` returns (``operational_mode`` comes
    with the metadata: a column the table lacks gets a panel saying so), or a data folder's path,
    read with ``load_dataset(data_dir=labels)``. Returns the matplotlib Figure, one panel per column;
    bars are stacked by ``label`` so anomalies stand out, each label in one colour on every panel.
    Works with any backend, including Agg (no display).
    """
    from matplotlib.figure import Figure  # a Figure without pyplot: no global state, no display needed

    if isinstance(labels, (str, os.PathLike)):
        from .loader import load_dataset

        labels = load_dataset(data_dir=labels)
    elif not isinstance(labels, pd.DataFrame):
        raise TypeError(
            "visualize_labels takes a labels DataFrame (load_dataset() or load_labels()) or a data folder's path, "
            f"not {type(labels).__name__}"
        )

    from .loader import _names

    # A single string is one column: iterated, it was its letters (a panel "systems by s", "by e", …).
    columns = _names(columns, "columns")
    # One colour per label on every panel: the "by label" bars were all the first colour, which on
    # the stacked panels means anomaly, so a normal bar read as anomalies.
    colours = _label_colours(labels)
    fig = Figure(figsize=(4.5 * len(columns), 3.8), layout="constrained")
    axes = fig.subplots(1, len(columns), squeeze=False)[0]
    for ax, col in zip(axes, columns):
        ax.set_title(f"systems by {col}")
        if col not in labels.columns:
            ax.text(0.5, 0.5, f"no {col} column", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        values = labels[col].fillna("(empty)").astype(str)
        if col != "label" and "label" in labels.columns:
            counts = pd.crosstab(values, labels["label"].fillna("(empty)").astype(str))
            order = counts.sum(axis=1).sort_values(ascending=False).index
            counts = counts.loc[order]
            bottom = None
            for lab in counts.columns:
                ax.bar(counts.index, counts[lab], bottom=bottom, label=lab, color=colours[lab])
                bottom = counts[lab] if bottom is None else bottom + counts[lab]
            ax.legend(title="label")
        else:
            counts = values.value_counts()
            ax.bar(counts.index, counts.values, color=[colours.get(v, "C0") for v in counts.index] if col == "label" else "C0")
        ax.set_ylabel("systems")
        ax.tick_params(axis="x", labelrotation=45)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right")
    return fig


def _label_colours(labels: pd.DataFrame) -> dict[str, str]:
    """Each label value's colour, from matplotlib's cycle in sorted order (anomaly C0, normal C1),
    as the stacked panels' crosstab columns come; an empty label is "(empty)" as the bars name it."""
    if "label" not in labels.columns:
        return {}
    values = sorted(labels["label"].fillna("(empty)").astype(str).unique())
    return {v: f"C{i % 10}" for i, v in enumerate(values)}
