"""The Python side of `npm run bench`: the same work with pandas, numpy and scikit-learn.

Usage: python py_bench.py <load|validate|score|evaluate|auc1m|boot10k|run> [fleet_dir] [model]
Prints one JSON line {"ms": ..., ...}; `ms` is the work alone (imports excluded), except for
`run`, whose caller measures the whole process as it does for `harness run`.
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.decomposition import PCA
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split

SENSOR_LIMITS = {
    "voltage_v": (0, 2000), "current_a": (-5000, 5000), "soc_pct": (0, 100),
    "temp_cell_max_c": (-40, 120), "temp_cell_min_c": (-40, 120), "temp_ambient_c": (-60, 70),
    "cell_voltage_max_v": (0, 5), "cell_voltage_min_v": (0, 5), "insulation_resistance_kohm": (0, 1e7),
}


def tables(d):
    labels = pd.read_csv(os.path.join(d, "labels.csv"))
    meta = pd.read_csv(os.path.join(d, "metadata.csv"))
    return labels.merge(meta, on=["system_id", "source"], how="inner")


def read_series(d, sid):
    return pd.read_csv(os.path.join(d, "raw", f"{sid}.csv"))


def split(systems):
    strata = systems["label"] + ":" + systems["failure_type"].astype(str)
    counts = strata.map(strata.value_counts())
    strata = strata.where(counts >= 2, systems["label"])  # a stratum of one joins its label's
    train, test = train_test_split(systems, test_size=0.5, random_state=7, stratify=strata)
    return train, test


def delta_v(df):
    return ((df["cell_voltage_max_v"] - df["cell_voltage_min_v"]) * 1000).to_numpy()


class ZScore:
    def fit(self, frames):
        pool = np.concatenate([delta_v(f) for f in frames])
        pool = pool[np.isfinite(pool)]
        if pool.size > 200_000:
            pool = pool[np.linspace(0, pool.size - 1, 200_000).astype(int)]
        self.center = np.median(pool)
        self.scale = np.median(np.abs(pool - self.center)) * 1.4826 or np.std(pool)

    def score(self, df):
        z = np.abs(delta_v(df) - self.center) / self.scale
        z = pd.Series(z).rolling(3, center=True, min_periods=1).median().to_numpy()
        return float(np.nanmax(z)) if np.isfinite(z).any() else 0.0


def summary(df):
    t = (pd.to_datetime(df["timestamp"], format="ISO8601").astype("int64") // 10**9).to_numpy(float)
    t = (t - t[0]) / 86400
    out = []
    for c in df.columns[1:]:
        v = df[c].to_numpy(float)
        ok = np.isfinite(v)
        out += [np.nanmean(v), np.nanstd(v), np.nanmax(v), np.polyfit(t[ok], v[ok], 1)[0] if ok.sum() > 1 else 0.0]
    dv = delta_v(df)
    out += [np.nanmean(dv), np.nanstd(dv), np.nanmax(dv)]
    return np.nan_to_num(np.array(out))


class Pca:
    def fit(self, frames):
        x = np.array([summary(f) for f in frames])
        self.mean, self.std = x.mean(0), x.std(0) + 1e-12
        self.pca = PCA(n_components=min(3, len(x) - 1)).fit((x - self.mean) / self.std)

    def score(self, df):
        z = np.clip((summary(df) - self.mean) / self.std, -10, 10)
        back = self.pca.inverse_transform(self.pca.transform(z[None]))[0]
        return float(((z - back) ** 2).sum())


class Random:
    def __init__(self):
        self.rng = np.random.default_rng(0)

    def fit(self, frames):
        pass

    def score(self, df):
        return float(self.rng.random())


MODELS = {"random": Random, "zscore": ZScore, "pca": Pca}


def delong(y, s):
    """AUC, DeLong variance and 95 % CI (midranks, O(N log N))."""
    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    allr = pd.Series(np.concatenate([pos, neg])).rank().to_numpy()
    rp = pd.Series(pos).rank().to_numpy()
    rn = pd.Series(neg).rank().to_numpy()
    auc = (allr[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (allr[:m] - rp) / n
    v01 = 1 - (allr[m:] - rn) / m
    var = np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n
    h = norm.ppf(0.975) * np.sqrt(var)
    return auc, max(0, auc - h), min(1, auc + h)


def stratified_bootstrap(y, s, reps, seed=0):
    rng = np.random.default_rng(seed)
    pi, ni = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    out = np.empty(reps)
    for r in range(reps):
        idx = np.concatenate([rng.choice(pi, pi.size), rng.choice(ni, ni.size)])
        out[r] = roc_auc_score(y[idx], s[idx])
    return np.percentile(out, [2.5, 97.5])


def evaluate(systems, y, s, bootstrap_reps):
    res = {"roc_auc": roc_auc_score(y, s), "ap": average_precision_score(y, s), "delong": delong(y, s)}
    if bootstrap_reps:
        res["boot"] = stratified_bootstrap(y, s, bootstrap_reps).tolist()
    normals = s[y == 0]
    for col in ["failure_type", "operational_mode", "season"]:
        cells = {}
        for key, idx in systems.reset_index(drop=True).groupby(col).groups.items():
            ys, ss = y[idx], s[idx]
            if col == "failure_type":
                if ys.sum() < 2 or key == "none":
                    continue
                ys, ss = np.concatenate([ys, np.zeros(normals.size)]), np.concatenate([ss, normals])
            if 0 < ys.sum() < ys.size:
                cells[str(key)] = roc_auc_score(ys, ss)
        res[col] = cells
    return res


def main():
    step = sys.argv[1]
    d = sys.argv[2] if len(sys.argv) > 2 else None
    t0 = time.perf_counter()
    out = {}
    if step == "load":
        systems = tables(d)
        rows = sum(len(read_series(d, sid)) for sid in systems["system_id"])
        out = {"rows": rows}
    elif step == "validate":
        systems = tables(d)
        problems = 0
        for sid in systems["system_id"]:
            df = read_series(d, sid)
            ts = pd.to_datetime(df["timestamp"], format="ISO8601")
            problems += int((ts.diff().dt.total_seconds() <= 0).sum())
            for c, (lo, hi) in SENSOR_LIMITS.items():
                if c in df:
                    problems += int(((df[c] < lo) | (df[c] > hi)).sum())
        out = {"problems": problems}
    elif step in ("score", "run"):
        systems = tables(d)
        train, test = split(systems)
        train_normals = train[train["label"] == "normal"]
        names = [sys.argv[3]] if step == "score" else ["random", "zscore", "pca"]
        models = {n: MODELS[n]() for n in names}
        # Read each series once for every model (as the harness does): fit on the training
        # normals, then score the training normals (threshold) and the test systems.
        frames = [read_series(d, sid) for sid in train_normals["system_id"]]
        for mdl in models.values():
            mdl.fit(frames)
        scores = {n: [] for n in names}
        for df in frames:
            for n, mdl in models.items():
                scores[n].append(mdl.score(df))
        del frames
        for sid in test["system_id"]:
            df = read_series(d, sid)
            for n, mdl in models.items():
                scores[n].append(mdl.score(df))
        if step == "run":
            y = (test["label"] == "anomaly").to_numpy(int)
            for n in names:
                s = np.array(scores[n][len(train_normals):])
                thr = np.quantile(scores[n][: len(train_normals)], 0.95)
                r = evaluate(test, y, s, 0)
                r["recall"] = float(((s >= thr) & (y == 1)).sum() / max(1, y.sum()))
                out[n] = r["roc_auc"]
        out["scored"] = len(train_normals) + len(test)
    elif step == "evaluate":
        systems = tables(d)
        y = (systems["label"] == "anomaly").to_numpy(int)
        s = y * 0.8 + np.random.default_rng(1).random(len(y))
        t0 = time.perf_counter()
        out = {"auc": evaluate(systems, y, s, 2000)["roc_auc"]}
    elif step == "auc1m":
        rng = np.random.default_rng(1)
        y = (rng.random(1_000_000) < 0.1).astype(int)
        s = rng.standard_normal(1_000_000) + y
        t0 = time.perf_counter()
        out = {"auc": roc_auc_score(y, s)}
    elif step == "boot10k":
        rng = np.random.default_rng(1)
        y = (rng.random(10_000) < 0.1).astype(int)
        s = rng.standard_normal(10_000) + y
        t0 = time.perf_counter()
        out = {"ci": stratified_bootstrap(y, s, 2000).tolist()}
    else:
        raise SystemExit(f"unknown step {step}")
    out["ms"] = (time.perf_counter() - t0) * 1000
    print(json.dumps(out, default=float))


if __name__ == "__main__":
    main()
