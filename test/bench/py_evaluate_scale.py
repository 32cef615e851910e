"""The Python side of the bench's evaluate-at-scale step: what `harness evaluate --scores
--labels --metadata --json` does, in pandas + scikit-learn + a numpy DeLong. Reads the three
CSVs, joins them on system_id, and computes the headline metrics (ROC AUC with its DeLong CI,
average precision, precision, recall, recall at 1% and 5% FPR) and, per breakdown column, the
same metrics per stratum (a stratum of anomalies only is ranked against all normals, as the
harness does). Prints one JSON line: {"ms": work time, "n", "auc"}.

Usage: python py_evaluate_scale.py <dir> [--headline]
  --headline: the headline metrics only (no breakdowns), the comparison of the issue (6/7)
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve


def midrank(x):
    """Midranks of x (1-based), as in Sun & Xu's fast DeLong."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    n = len(x)
    ranks = np.empty(n, dtype=float)
    # Tie blocks: their first and last positions share the mean rank.
    diff = np.concatenate(([True], xs[1:] != xs[:-1], [True]))
    starts = np.flatnonzero(diff[:-1])
    ends = np.flatnonzero(diff[1:])
    mean = (starts + ends) / 2 + 1
    block = np.cumsum(diff[:-1]) - 1
    ranks[order] = mean[block]
    return ranks


def delong(y, s, level=0.95):
    pos = s[y == 1]
    neg = s[y == 0]
    m, n = len(pos), len(neg)
    if m < 2 or n < 2:
        return None
    tz = midrank(np.concatenate([pos, neg]))
    tx = midrank(pos)
    ty = midrank(neg)
    auc = (tz[:m].sum() / m - (m + 1) / 2) / n
    v01 = (tz[:m] - tx) / n
    v10 = 1 - (tz[m:] - ty) / m
    var = np.var(v01, ddof=1) / m + np.var(v10, ddof=1) / n
    half = norm.ppf(1 - (1 - level) / 2) * np.sqrt(var)
    return auc, max(0.0, auc - half), min(1.0, auc + half)


def cell(y, s, threshold):
    pos = y == 1
    out = {"n": int(len(y)), "positives": int(pos.sum())}
    if pos.any():
        out["recall"] = float((s[pos] >= threshold).mean())
        out["average_precision"] = float(average_precision_score(y, s))
    d = delong(y, s)
    if d is not None:
        out["roc_auc"], out["low"], out["high"] = d
    return out


def recall_at_fpr(y, s, target):
    fpr, tpr, _ = roc_curve(y, s)
    return float(tpr[np.searchsorted(fpr, target, side="right") - 1])


def main(d, headline_only):
    t0 = time.perf_counter()
    scores = pd.read_csv(f"{d}/scores.csv", dtype={"system_id": str})
    labels = pd.read_csv(f"{d}/labels.csv", dtype={"system_id": str})
    meta = pd.read_csv(f"{d}/metadata.csv", dtype={"system_id": str})
    df = scores.merge(labels, on="system_id", how="inner")
    df = df.merge(meta, on=["system_id", "source"], how="left")
    y = (df["label"] == "anomaly").to_numpy(np.int8)
    s = df["score"].to_numpy(float)
    threshold = 0.5
    flagged = s >= threshold
    tp = int((flagged & (y == 1)).sum())
    fp = int((flagged & (y == 0)).sum())
    out = {
        "roc_auc": float(roc_auc_score(y, s)),
        "delong": delong(y, s),
        "average_precision": float(average_precision_score(y, s)),
        "precision": tp / max(1, tp + fp),
        "recall": tp / max(1, int(y.sum())),
        "recall_at_fpr_1pct": recall_at_fpr(y, s, 0.01),
        "recall_at_fpr_5pct": recall_at_fpr(y, s, 0.05),
    }
    if headline_only:
        ms = (time.perf_counter() - t0) * 1000
        print(json.dumps({"ms": ms, "n": int(len(y)), "auc": out["roc_auc"]}))
        return
    normals = s[y == 0]
    lead = df["lead_time_days"].to_numpy(float)
    bucket = np.where(y == 0, "none", pd.cut(lead, [0, 7, 30, 90, np.inf], right=False).astype(str))
    tags = df["scenario_tags"].fillna("").str.split(";")
    columns = {
        "failure_type": df["failure_type"].to_numpy(str),
        "operational_mode": df["operational_mode"].fillna("(missing)").to_numpy(str),
        "season": df["season"].fillna("(missing)").to_numpy(str),
        "lead_time_bucket": bucket,
        "source": df["source"].to_numpy(str),
    }
    breakdown = {}
    for name, values in columns.items():
        cells = {}
        for stratum, idx in pd.Series(np.arange(len(y))).groupby(values).groups.items():
            idx = idx.to_numpy()
            ys, ss = y[idx], s[idx]
            if ys.all():  # anomalies only: ranked against every normal
                ys = np.concatenate([ys, np.zeros(len(normals), np.int8)])
                ss = np.concatenate([ss, normals])
            cells[stratum] = cell(ys, ss, threshold)
        breakdown[name] = cells
    exploded = tags.explode()
    exploded = exploded.where(exploded != "", "none")
    cells = {}
    for stratum, idx in pd.Series(exploded.index.to_numpy()).groupby(exploded.to_numpy(str)).groups.items():
        rows = exploded.index.to_numpy()[idx.to_numpy()]
        cells[stratum] = cell(y[rows], s[rows], threshold)
    breakdown["scenario_tags"] = cells
    out["breakdown"] = breakdown
    ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({"ms": ms, "n": int(len(y)), "auc": out["roc_auc"]}))


if __name__ == "__main__":
    main(sys.argv[1], "--headline" in sys.argv[2:])
