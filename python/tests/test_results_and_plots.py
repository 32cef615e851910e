"""load_results on a results.json the real harness writes, and visualize_labels."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from bess_harness.errors import Problem  # noqa: E402

from bess_harness import HarnessDataError, load_dataset, load_labels, load_results, visualize_labels  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CONFORMANCE = REPO / "test" / "fixtures" / "conformance"


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    """The out dir of `harness run smoke --reporter json`, run here by the real harness."""
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules").exists():
        pytest.skip("needs node and the repo's node_modules to run the harness")
    out = tmp_path_factory.mktemp("last-run")
    proc = subprocess.run(
        [node, "bin/harness.js", "run", "smoke", "--no-history", "--reporter", "json", "--out-dir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def test_load_results_tables(run_dir: Path) -> None:
    r = load_results(run_dir)
    raw = json.loads((run_dir / "results.json").read_text())
    smoke = r.metrics[r.metrics.suite == "smoke"].set_index("model")
    assert {"random", "zscore", "pca"} <= set(smoke.index)
    case = next(c for s in raw["suites"] if s["name"] == "smoke" for c in s["cases"] if c["model"] == "pca")
    assert smoke.loc["pca", "roc_auc"] == case["metrics"]["roc_auc"]
    assert smoke.loc["pca", "n"] == case["n"] and smoke.loc["pca", "tp"] == case["confusion"]["tp"]
    ci = r.cis[(r.cis.suite == "smoke") & (r.cis.model == "pca") & (r.cis.metric == "roc_auc")].iloc[0]
    assert (ci.low, ci.high, ci.method) == (case["ci"]["roc_auc"]["low"], case["ci"]["roc_auc"]["high"], "delong")
    by_type = r.breakdowns[(r.breakdowns.suite == "smoke") & (r.breakdowns.model == "pca") & (r.breakdowns.by == "failure_type")]
    assert list(by_type.stratum) == [s["stratum"] for s in case["breakdown"]["failure_type"]]
    assert {"operational_mode", "season", "lead_time_bucket"} <= set(r.breakdowns.by)
    assert len(r.assertions) == sum(len(s["assertions"]) for s in raw["suites"])
    assert r.assertions["pass"].all() and r.summary["exitCode"] == 0
    assert r.scores.empty and list(r.scores.columns) == ["suite", "model", "version", "system_id", "label", "score"]


def _pca_scores(results_file: Path) -> str:
    """A scores file of smoke's pca case holding the systems results.json counts for it (n, positives),
    as the harness writes one: sys-0 … in order, the anomalies first, scores 0.9 then 0.25."""
    case = next(c for s in json.loads(results_file.read_text())["suites"] if s["name"] == "smoke" for c in s["cases"] if c["model"] == "pca")
    rows = [f"sys-{i},{'anomaly' if i < case['positives'] else 'normal'},{0.9 if i < case['positives'] else 0.25}" for i in range(case["n"])]
    return "\n".join(["system_id,label,score", *rows]) + "\n"


def test_load_results_reads_the_scores_of_a_run_record(run_dir: Path, tmp_path: Path) -> None:
    # A run record of the store: results.json, run.json naming each case's scores CSV.
    shutil.copy(run_dir / "results.json", tmp_path / "results.json")
    (tmp_path / "scores" / "smoke").mkdir(parents=True)
    (tmp_path / "scores" / "smoke" / "pca.csv").write_text(_pca_scores(tmp_path / "results.json"))
    run = {"schema": 1, "suites": [{"name": "smoke", "cases": [{"model": "pca", "version": "1", "scores_file": "scores/smoke/pca.csv"}, {"model": "x", "version": "1", "scores_file": None}]}]}
    (tmp_path / "run.json").write_text(json.dumps(run))
    scores = load_results(tmp_path).scores
    assert scores.iloc[[0, -1]].to_dict(orient="records") == [
        {"suite": "smoke", "model": "pca", "version": "1", "system_id": "sys-0", "label": "anomaly", "score": 0.9},
        {"suite": "smoke", "model": "pca", "version": "1", "system_id": f"sys-{len(scores) - 1}", "label": "normal", "score": 0.25},
    ]


def test_load_results_refuses_a_scores_file_cut_short(run_dir: Path, tmp_path: Path) -> None:
    """A half-written scores file was read silently: a notebook's AUC came from a cut score (0.25
    cut to 0.2) or from fewer systems than the run scored. The words are harness compare's."""
    record = tmp_path / "runs" / "a"
    _record(run_dir, record, "2026-03-01T10:00:00.000Z")
    file = record / "scores" / "smoke" / "pca.csv"
    whole = file.read_text()
    lines = whole.split("\n")
    file.write_text(whole[:-2])  # inside the last row: its score 0.25 reads as 0.2
    with pytest.raises(HarnessDataError) as err:
        load_results(record)
    assert err.value.message == f"{file}: cut short (half-written or damaged)"
    assert err.value.problems == [Problem(str(file), len(lines) - 1, 0, f'the last line "{lines[-2][:-1]}" has no newline: the file ends inside a row')]
    n = len(lines) - 2
    file.write_text("\n".join(lines[:-2]) + "\n")  # at a row boundary, its last row gone: it parses
    with pytest.raises(HarnessDataError) as err:
        load_results(record)
    assert str(err.value) == f"{file}: {n - 1} row(s), but results.json counts n = {n} scored systems for this case: the file was cut short or edited; restore it, or remove the run"
    file.write_text(whole.replace(",anomaly,", ",normal,", 1))  # as many rows, one anomaly fewer
    with pytest.raises(HarnessDataError, match=r"pca\.csv: \d+ anomaly row\(s\), but results.json counts \d+ for this case"):
        load_results(record)
    file.write_text(whole)
    assert len(load_results(record).scores) == n


def _record(run_dir: Path, record: Path, started_at: str) -> None:
    """A run record at ``record`` with the smoke results of ``run_dir`` (started at ``started_at``) and pca's scores."""
    results = json.loads((run_dir / "results.json").read_text())
    results["started_at"] = started_at
    (record / "scores" / "smoke").mkdir(parents=True)
    (record / "results.json").write_text(json.dumps(results))
    (record / "scores" / "smoke" / "pca.csv").write_text(_pca_scores(record / "results.json"))
    run = {"schema": 1, "started_at": started_at, "suites": [{"name": "smoke", "cases": [{"model": "pca", "version": "1", "scores_file": "scores/smoke/pca.csv"}]}]}
    (record / "run.json").write_text(json.dumps(run))


def _pointer(out: Path, record: str, started_at: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "run-record.json").write_text(json.dumps({"schema": 1, "run_id": Path(record).name, "started_at": started_at, "record": record}))


def test_load_results_follows_the_out_dirs_pointer_to_the_run_record(run_dir: Path, tmp_path: Path) -> None:
    # What a plain `harness run` leaves: .harness/last-run/run-record.json and .harness/runs/<id>/.
    record = tmp_path / "runs" / "20260301T100000Z-abcdef"
    _record(run_dir, record, "2026-03-01T10:00:00.000Z")
    out = tmp_path / "last-run"
    _pointer(out, "../runs/20260301T100000Z-abcdef", "2026-03-01T10:00:00.000Z")
    r = load_results(out)
    assert r.record_dir == str(record) and r.source_dir == str(record)
    assert r.scores[["model", "system_id", "score"]].iloc[0].to_dict() == {"model": "pca", "system_id": "sys-0", "score": 0.9}
    assert {"random", "zscore", "pca"} <= set(r.metrics.model)
    # The json reporter's results.json of the same run: the record is read (it has the scores).
    (out / "results.json").write_text((record / "results.json").read_text())
    assert load_results(out).record_dir == str(record)
    # An older results.json (the json reporter of an earlier run): the record is newer.
    older = json.loads((record / "results.json").read_text())
    older["started_at"] = "2026-02-01T10:00:00.000Z"
    (out / "results.json").write_text(json.dumps(older))
    assert load_results(out).record_dir == str(record)


def test_load_results_prefers_a_newer_unrecorded_results_json(run_dir: Path, tmp_path: Path) -> None:
    # `harness run --no-history --reporter json` after a recorded run: the pointer names the older run.
    record = tmp_path / "runs" / "a"
    _record(run_dir, record, "2026-03-01T10:00:00.000Z")
    out = tmp_path / "last-run"
    _pointer(out, "../runs/a", "2026-03-01T10:00:00.000Z")
    newer = json.loads((run_dir / "results.json").read_text())
    newer["started_at"] = "2026-03-02T10:00:00.000Z"
    (out / "results.json").write_text(json.dumps(newer))
    r = load_results(out)
    assert r.record_dir is None and r.source_dir == str(out) and r.scores.empty
    assert r.raw["started_at"] == "2026-03-02T10:00:00.000Z"


def test_load_results_takes_the_out_dirs_later_verdict_of_the_same_run(run_dir: Path, tmp_path: Path) -> None:
    # An error after the run was recorded (a reporter failing late): the CLI and the out dir's
    # results.json say exit 2, the record still says 0. The record is read (its scores), with
    # the out dir's verdict: it read as green.
    record = tmp_path / "runs" / "a"
    _record(run_dir, record, "2026-03-01T10:00:00.000Z")
    out = tmp_path / "last-run"
    _pointer(out, "../runs/a", "2026-03-01T10:00:00.000Z")
    later = json.loads((record / "results.json").read_text())
    later["summary"] = {**later["summary"], "exitCode": 2}
    later["errors"] = ["a reporter failed: boom"]
    (out / "results.json").write_text(json.dumps(later))
    r = load_results(out)
    assert r.record_dir == str(record) and not r.scores.empty
    assert r.summary["exitCode"] == 2 and r.raw["errors"] == ["a reporter failed: boom"]


def test_load_results_with_a_pointer_to_a_record_that_is_gone(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "last-run"
    _pointer(out, "../runs/gone", "2026-03-01T10:00:00.000Z")
    with pytest.raises(FileNotFoundError, match="names the run record .*gone"):
        load_results(out)
    shutil.copy(run_dir / "results.json", out / "results.json")  # the json reporter's file is still read
    r = load_results(out)
    assert r.record_dir is None and r.scores.empty and not r.metrics.empty


def test_load_results_without_a_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no results.json"):
        load_results(tmp_path)
    (tmp_path / "results.json").write_text('{"schema": 9}')
    with pytest.raises(HarnessDataError, match="schema 9"):
        load_results(tmp_path)


def test_load_results_refuses_a_run_record_of_a_later_schema(run_dir: Path, tmp_path: Path) -> None:
    """run.json's schema was never read: a record of a later schema loaded silently (the CLI refuses it)."""
    record = tmp_path / "runs" / "a"
    _record(run_dir, record, "2026-03-01T10:00:00.000Z")
    run = json.loads((record / "run.json").read_text())
    (record / "run.json").write_text(json.dumps({**run, "schema": 2}))
    with pytest.raises(HarnessDataError) as err:
        load_results(record)
    assert err.value.problems == [Problem(str(record / "run.json"), 0, 0, "record schema 2, this bess_harness reads schema 1")]
    (record / "run.json").write_text(json.dumps(run))
    assert not load_results(record).scores.empty


def test_load_results_names_a_damaged_json_file_with_its_line_and_column(run_dir: Path, tmp_path: Path) -> None:
    """A results.json cut short raised a bare json.JSONDecodeError that named no file."""
    (tmp_path / "results.json").write_text('{\n  "schema": 1,\n  "suites": [')  # cut short after a write's first lines
    with pytest.raises(HarnessDataError) as err:
        load_results(tmp_path)
    assert err.value.problems == [Problem(str(tmp_path / "results.json"), 3, 14, "not valid JSON (Expecting value)")]
    assert str(err.value) == f"cannot read the run's results.json\n{tmp_path / 'results.json'}:3:14: not valid JSON (Expecting value)"
    (tmp_path / "results.json").write_text("[]")
    with pytest.raises(HarnessDataError, match="not a JSON object but list"):
        load_results(tmp_path)


def test_visualize_labels_draws_one_bar_chart_per_column(tmp_path: Path) -> None:
    data = CONFORMANCE / "valid-dataset" / "data"
    fig = visualize_labels(load_dataset(data_dir=data))
    axes = fig.get_axes()
    assert [a.get_title() for a in axes] == ["systems by label", "systems by failure_type", "systems by operational_mode"]
    heights = {t.get_text(): 0.0 for t in axes[0].get_xticklabels()}
    assert set(heights) == {"anomaly", "normal"}
    assert sum(p.get_height() for p in axes[0].patches) == 4  # 3 synthetic + 1 labelled real system
    fig.savefig(tmp_path / "labels.png")
    assert (tmp_path / "labels.png").stat().st_size > 1000


def test_visualize_labels_without_metadata_says_so() -> None:
    labels = load_labels(data_dir=CONFORMANCE / "valid-dataset" / "data")
    fig = visualize_labels(labels)
    assert fig.get_axes()[2].texts[0].get_text() == "no operational_mode column"
    assert isinstance(labels, pd.DataFrame)


def test_visualize_labels_takes_one_column_name_as_a_string() -> None:
    """columns="season" drew one empty panel per letter ("systems by s", "systems by e", …)."""
    fig = visualize_labels(load_dataset(data_dir=CONFORMANCE / "valid-dataset" / "data"), columns="season")
    assert [a.get_title() for a in fig.get_axes()] == ["systems by season"]
    with pytest.raises(TypeError, match="columns must be names"):
        visualize_labels(load_dataset(data_dir=CONFORMANCE / "valid-dataset" / "data"), columns=[1])  # type: ignore[list-item]


def test_visualize_labels_draws_each_label_in_one_colour_on_every_panel() -> None:
    """The "by label" bars were both the first colour, which the stacked panels give anomalies."""
    fig = visualize_labels(load_dataset(data_dir=CONFORMANCE / "valid-dataset" / "data"))
    by_label, by_type = fig.get_axes()[:2]
    label_colour = {t.get_text(): p.get_facecolor() for t, p in zip(by_label.get_xticklabels(), by_label.patches)}
    stacked_colour = {c.get_label(): c.patches[0].get_facecolor() for c in by_type.containers}
    assert set(label_colour) == set(stacked_colour) == {"anomaly", "normal"}
    assert label_colour == stacked_colour
    assert label_colour["anomaly"] != label_colour["normal"]
