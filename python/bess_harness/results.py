"""``load_results``: a harness run's results as pandas DataFrames, for notebooks.

It reads ``<run_dir>/results.json`` (schema 1, written by the json reporter, src/report/json.ts, and
by the run store) and, in a run record of the store (``.harness/runs/<run id>/``, with ``run.json``),
the per-system scores of every scored case (``scores/<suite>/<model>.csv``).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import pandas as pd

#: The results.json layout this reader knows.
RESULTS_SCHEMA = 1

_CASE_KEYS = ["suite", "model", "version"]


@dataclass
class Results:
    """One run. Every table has ``suite`` and ``model`` columns (plus ``version`` where it applies)."""

    #: One row per case: state, n, positives, negatives, threshold, each metric, tp/fp/fn/tn, error.
    metrics: pd.DataFrame
    #: Confidence intervals, one row per case and metric: method, level, low, high.
    cis: pd.DataFrame
    #: Breakdowns, one row per case, grouping (``by``: failure_type, operational_mode, season,
    #: lead_time_bucket, scenario_tags, source, …) and stratum; metric columns, and the ROC AUC CI.
    breakdowns: pd.DataFrame
    #: Assertions, one row each: state, pass, message, actual, expected.
    assertions: pd.DataFrame
    #: Per-system scores (system_id, label, score) of a run record; empty for a plain out dir,
    #: where the json reporter leaves them out.
    scores: pd.DataFrame
    #: The run's summary (suites, cases, assertions, exit code) as results.json holds it.
    summary: dict = field(default_factory=dict)
    #: The whole results.json.
    raw: dict = field(default_factory=dict, repr=False)


def _ci_row(base: dict, metric: str, ci: dict | None) -> dict:
    ci = ci or {}
    return {**base, "metric": metric, "method": ci.get("method"), "level": ci.get("level"), "low": ci.get("low"), "high": ci.get("high")}


def load_results(run_dir: str | os.PathLike = ".harness/last-run") -> Results:
    """The results of the run in ``run_dir`` (default the last run's out dir) as DataFrames."""
    run_dir = os.fspath(run_dir)
    file = os.path.join(run_dir, "results.json")
    if not os.path.exists(file):
        raise FileNotFoundError(f"{file}: no results.json (run `harness run --reporter json`, or pass the run's out dir or a run record folder)")
    with open(file, encoding="utf-8") as f:
        raw = json.load(f)
    if raw.get("schema") != RESULTS_SCHEMA:
        raise ValueError(f"{file}: results schema {raw.get('schema')!r}, this bess_harness reads schema {RESULTS_SCHEMA}")
    metrics, cis, breakdowns, assertions = [], [], [], []
    for suite in raw.get("suites", []):
        sname = suite["name"]
        for case in suite.get("cases", []):
            base = {"suite": sname, "model": case["model"], "version": case.get("version")}
            row = {**base, "state": case.get("state"), "seed": case.get("seed"), "cached": case.get("cached")}
            if case.get("state") == "errored":
                metrics.append({**row, "error": case.get("error")})
                continue
            threshold = case.get("threshold") or {}
            row.update(n=case.get("n"), positives=case.get("positives"), negatives=case.get("negatives"))
            row.update(threshold_kind=threshold.get("kind"))
            row.update({k: v for k, v in (case.get("metrics") or {}).items()})
            row.update({k: v for k, v in (case.get("confusion") or {}).items()})
            timings = case.get("timings_ms") or {}
            row.update(fit_ms=timings.get("fitMs"), score_ms=timings.get("scoreMs"), error=None)
            metrics.append(row)
            for metric, ci in (case.get("ci") or {}).items():
                cis.append(_ci_row(base, metric, ci))
            for by, strata in (case.get("breakdown") or {}).items():
                for st in strata:
                    roc_ci = (st.get("ci") or {}).get("roc_auc") or {}
                    breakdowns.append(
                        {
                            **base,
                            "by": by,
                            "stratum": st.get("stratum"),
                            "n": st.get("n"),
                            "positives": st.get("positives"),
                            "negatives": st.get("negatives"),
                            "comparison": st.get("comparison"),
                            "too_few": st.get("too_few"),
                            **(st.get("metrics") or {}),
                            "roc_auc_low": roc_ci.get("low"),
                            "roc_auc_high": roc_ci.get("high"),
                        }
                    )
        for a in suite.get("assertions", []):
            assertions.append(
                {
                    "suite": sname,
                    "id": a.get("id"),
                    "state": a.get("state"),
                    "pass": a.get("pass"),
                    "message": a.get("message"),
                    "actual": a.get("actual"),
                    "expected": a.get("expected"),
                }
            )
    return Results(
        metrics=_df(metrics, [*_CASE_KEYS, "state"]),
        cis=_df(cis, [*_CASE_KEYS, "metric", "method", "level", "low", "high"]),
        breakdowns=_df(breakdowns, [*_CASE_KEYS, "by", "stratum", "n", "positives", "negatives"]),
        assertions=_df(assertions, ["suite", "id", "state", "pass", "message", "actual", "expected"]),
        scores=_scores(run_dir),
        summary=raw.get("summary", {}),
        raw=raw,
    )


def _df(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)


def _scores(run_dir: str) -> pd.DataFrame:
    columns = ["suite", "model", "version", "system_id", "label", "score"]
    record = os.path.join(run_dir, "run.json")
    if not os.path.exists(record):
        return pd.DataFrame(columns=columns)
    with open(record, encoding="utf-8") as f:
        run = json.load(f)
    parts = []
    for suite in run.get("suites", []):
        for case in suite.get("cases", []):
            rel = case.get("scores_file")
            if not rel:
                continue
            df = pd.read_csv(os.path.join(run_dir, rel), dtype={"system_id": str, "label": str, "score": "float64"}, keep_default_na=False)
            df.insert(0, "version", case.get("version"))
            df.insert(0, "model", case["model"])
            df.insert(0, "suite", suite["name"])
            parts.append(df)
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
