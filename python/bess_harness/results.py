"""``load_results``: a harness run's results as pandas DataFrames, for notebooks.

It reads ``results.json`` (schema 1, written by the json reporter, src/report/json.ts, and by the
run store) and, in a run record of the store (``.harness/runs/<run id>/``, with ``run.json``), the
per-system scores of every scored case (``scores/<suite>/<model>.csv``). An out dir
(``.harness/last-run``) holds ``run-record.json`` after a recorded run (src/track/record-pointer.ts),
naming that run's record: ``load_results`` follows it, so a plain ``harness run`` (no json reporter)
is enough.

A file it cannot use (not JSON, not an object, or of a later schema: results.json, run.json,
run-record.json) raises :class:`~bess_harness.errors.HarnessDataError` naming it, with the line and
column of a JSON error, as the CLI refuses such a run folder.
"""
from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field

import pandas as pd

from .errors import HarnessDataError, Problem

#: The results.json layout this reader knows.
RESULTS_SCHEMA = 1
#: The run record's run.json layout this reader knows (src/track/types.ts RUN_RECORD_SCHEMA).
RUN_RECORD_SCHEMA = 1

#: The out dir's pointer to the last recorded run (src/track/record-pointer.ts), and its layout.
RECORD_POINTER_FILE = "run-record.json"
RECORD_POINTER_SCHEMA = 1

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
    #: Per-system scores (system_id, label, score) of a run record, one row per scored test system;
    #: empty when no record was read (a ``--no-history`` run's out dir).
    scores: pd.DataFrame
    #: The run's summary (suites, cases, assertions, exit code) as results.json holds it.
    summary: dict = field(default_factory=dict)
    #: The whole results.json.
    raw: dict = field(default_factory=dict, repr=False)
    #: The folder results.json was read from: ``run_dir``, or the run record its pointer names.
    source_dir: str = ""
    #: The run record's folder when the results come from one (and so have scores), else None.
    record_dir: str | None = None


def _ci_row(base: dict, metric: str, ci: dict | None) -> dict:
    ci = ci or {}
    return {**base, "metric": metric, "method": ci.get("method"), "level": ci.get("level"), "low": ci.get("low"), "high": ci.get("high")}


def _read_json(file: str) -> dict:
    """A JSON object from ``file``. A damaged file (a write cut short) raised a bare JSONDecodeError
    that named no file: now the error names it, with the line and column of the fault."""
    try:
        with open(file, encoding="utf-8") as f:
            raw = json.load(f)
    except json.JSONDecodeError as e:
        raise _unusable(file, f"not valid JSON ({e.msg})", e.lineno, e.colno) from None
    except UnicodeDecodeError as e:
        raise _unusable(file, f"not UTF-8 text (byte {e.start + 1})") from None
    if not isinstance(raw, dict):
        raise _unusable(file, f"not a JSON object but {type(raw).__name__}")
    return raw


def _read_checked(file: str, what: str, schema: int) -> dict:
    """A JSON object of a known ``schema``: one of a later schema was read as if it were this one."""
    raw = _read_json(file)
    if raw.get("schema") != schema:
        raise _unusable(file, f"{what} schema {raw.get('schema')!r}, this bess_harness reads schema {schema}")
    return raw


def _unusable(file: str, message: str, line: int = 0, column: int = 0) -> HarnessDataError:
    return HarnessDataError(f"cannot read the run's {os.path.basename(file)}", [Problem(file, line, column, message)])


def _read_results(file: str) -> dict:
    return _read_checked(file, "results", RESULTS_SCHEMA)


def _read_run(record_dir: str) -> dict:
    """A run record's run.json, its schema checked as the CLI checks it (read-runs.ts readRunRecord)."""
    return _read_checked(os.path.join(record_dir, "run.json"), "record", RUN_RECORD_SCHEMA)


def _resolve(run_dir: str) -> tuple[str, bool]:
    """(the folder to read results.json from, whether it is a run record)."""
    if os.path.exists(os.path.join(run_dir, "run.json")):
        return run_dir, True
    own = os.path.join(run_dir, "results.json")
    pointer_file = os.path.join(run_dir, RECORD_POINTER_FILE)
    if os.path.exists(pointer_file):
        pointer = _read_checked(pointer_file, "pointer", RECORD_POINTER_SCHEMA)
        record = os.path.normpath(os.path.join(run_dir, pointer["record"]))
        # A results.json of a later run that was not recorded (--no-history --reporter json) wins
        # over the pointer, which names the last *recorded* run. ISO 8601 UTC times sort as text.
        newer_own = os.path.exists(own) and str(_read_json(own).get("started_at", "")) > str(pointer.get("started_at", ""))
        if not newer_own:
            if os.path.exists(os.path.join(record, "run.json")):
                return record, True
            if not os.path.exists(own):
                raise FileNotFoundError(
                    f"{pointer_file} names the run record {record}, which is gone (was it pruned?): run `harness run` again, or pass a run record folder"
                )
    if os.path.exists(own):
        return run_dir, False
    raise FileNotFoundError(
        f"{own}: no results.json and no {RECORD_POINTER_FILE} (run `harness run`, or pass the run's out dir or a run record folder)"
    )


def _with_later_verdict(run_dir: str, source_dir: str, raw: dict) -> dict:
    """The record's results with the out dir's verdict when both are the same run: an error that
    came after the run was recorded (a reporter that failed late) makes the CLI exit 2 and reaches
    the out dir's results.json, not the record, which still said exit 0."""
    own = os.path.join(run_dir, "results.json")
    if os.path.normpath(source_dir) == os.path.normpath(run_dir) or not os.path.exists(own):
        return raw
    later = _read_json(own)
    if later.get("started_at") != raw.get("started_at"):
        return raw
    return {**raw, "summary": later.get("summary", raw.get("summary")), **({"errors": later["errors"]} if "errors" in later else {})}


def load_results(run_dir: str | os.PathLike = ".harness/last-run") -> Results:
    """The results of the run in ``run_dir`` as DataFrames.

    ``run_dir`` is a run record of the local store (``.harness/runs/<run id>/``), or an out dir
    (default ``.harness/last-run``, relative to the working directory): there ``run-record.json``,
    written by every recorded ``harness run``, names the run's record, which is read instead (it
    has the per-system scores); a ``results.json`` of a later run that was not recorded wins over
    it. ``record_dir`` of the result says which record was read.
    """
    run_dir = os.fspath(run_dir)
    source_dir, is_record = _resolve(run_dir)
    run = _read_run(source_dir) if is_record else None  # first: a later schema is refused before anything is read
    raw = _read_results(os.path.join(source_dir, "results.json"))
    raw = _with_later_verdict(run_dir, source_dir, raw)
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
        scores=_scores(source_dir, run, raw),
        summary=raw.get("summary", {}),
        raw=raw,
        source_dir=source_dir,
        record_dir=source_dir if is_record else None,
    )


def _df(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)


def _scores(run_dir: str, run: dict | None, results: dict) -> pd.DataFrame:
    columns = ["suite", "model", "version", "system_id", "label", "score"]
    if run is None:
        return pd.DataFrame(columns=columns)
    counted = {(s.get("name"), c.get("model")): c for s in results.get("suites", []) for c in s.get("cases", [])}
    parts = []
    for suite in run.get("suites", []):
        for case in suite.get("cases", []):
            rel = case.get("scores_file")
            if not rel:
                continue
            df = _read_scores_file(os.path.join(run_dir, rel), counted.get((suite["name"], case["model"])))
            df.insert(0, "version", case.get("version"))
            df.insert(0, "model", case["model"])
            df.insert(0, "suite", suite["name"])
            parts.append(df)
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _read_scores_file(file: str, counted: dict | None) -> pd.DataFrame:
    """A case's ``system_id,label,score`` file, refused as ``harness compare`` refuses it
    (src/track/scores-file.ts, read-runs.ts) when it was cut short: the harness ends every row with
    a newline, so a last row without one ends mid-row (``0.81`` cut to ``0.8`` still parses), and a
    file cut at a row boundary holds fewer systems than results.json counts for its case. Both were
    read silently, and a notebook's AUC or plot came from systems the run never scored that way."""
    with open(file, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    if lines[-1] != "":
        raise HarnessDataError(
            f"{file}: cut short (half-written or damaged)",
            [Problem(file, len(lines), 0, f"the last line {json.dumps(lines[-1], ensure_ascii=False)} has no newline: the file ends inside a row")],
        )
    df = pd.read_csv(io.StringIO(text), dtype={"system_id": str, "label": str, "score": "float64"}, keep_default_na=False)
    if counted is not None and counted.get("state") == "scored":
        _check_row_counts(df, counted, file)
    return df


def _check_row_counts(df: pd.DataFrame, counted: dict, file: str) -> None:
    """The rows must be the systems results.json counts for the case (read-runs.ts checkRowCounts)."""
    rows, anomalies = len(df), int((df["label"] == "anomaly").sum()) if "label" in df else 0
    n, positives = counted.get("n"), counted.get("positives")
    if not isinstance(n, int):
        return  # a results.json without counts (hand-made): nothing to hold the file against
    if rows != n:
        why = f"{rows} row(s), but results.json counts n = {n} scored systems for this case"
    elif isinstance(positives, int) and anomalies != positives:
        why = f"{anomalies} anomaly row(s), but results.json counts {positives} for this case"
    else:
        return
    raise HarnessDataError(f"{file}: {why}: the file was cut short or edited; restore it, or remove the run")
