"""bess_harness.spark on PySpark in local mode: a small generated fleet, written as the Parquet fleet
layout (raw/system_id=<id>/part-0.parquet), scored on Spark and on pandas without Spark; the scores
and `harness evaluate`'s metrics must agree. One Spark session (one JVM) serves the whole module.
Needs node (to generate the fleet), Java 17 and the `spark` extra."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyspark", reason="the spark extra is not installed: pip install -e './python[spark]'")

from bess_harness import Dataset, HarnessDataError, SystemData  # noqa: E402
from bess_harness.loader import load_dataset, load_labels, load_metadata, load_timeseries, read_metadata  # noqa: E402
from bess_harness.protocol import decode_series, encode_series, model_metadata  # noqa: E402
from bess_harness.spark import main, read_fleet, score_fleet  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
IFOREST_DIR = REPO / "examples" / "python-iforest"
TESTS_DIR = Path(__file__).resolve().parent
SEED = "bess:spark:iforest"

# PySpark 4.x warns that it does not fully support pandas 3 (the venv's); what these tests use works.
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


# --- the fleet -----------------------------------------------------------------------------------


def csv_fleet_to_parquet(csv_dir: Path, out: Path) -> None:
    """The Parquet fleet layout from a CSV fleet: one part per system, timestamp as
    TIMESTAMP(MILLIS, UTC), sensors as DOUBLE (null = missing), system_id only in the folder name;
    metadata.csv and labels.csv copied beside raw/. A row a logger repeated verbatim (which the CSV
    loader drops) is written once: in a Parquet part the loaders refuse a repeated timestamp."""
    for f in sorted((csv_dir / "raw").glob("*.csv")):
        df = pd.read_csv(f, dtype={"timestamp": str})
        prev = df.shift()
        df = df[~(df.eq(prev) | (df.isna() & prev.isna())).all(axis=1)]
        ms = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601").to_numpy(dtype="datetime64[ms]").astype("int64")
        arrays = [pa.array(ms, type=pa.int64()).cast(pa.timestamp("ms", tz="UTC"))]
        arrays += [pa.array(df[c].to_numpy(dtype="float64"), type=pa.float64(), from_pandas=True) for c in df.columns[1:]]
        part = out / "raw" / f"system_id={f.stem}"
        part.mkdir(parents=True)
        pq.write_table(pa.Table.from_arrays(arrays, names=list(df.columns)), part / "part-0.parquet")
    for name in ("metadata.csv", "labels.csv"):
        shutil.copy(csv_dir / name, out / name)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> tuple[Path, Path]:
    """(the CSV fleet, the same fleet as Parquet): 12 systems, 1 day at 15 min."""
    if shutil.which("node") is None:
        pytest.skip("node is needed to generate the fleet")
    root = tmp_path_factory.mktemp("fleet")
    csv_dir, pq_dir = root / "csv", root / "parquet"
    subprocess.run(
        ["node", str(REPO / "bin" / "harness.js"), "generate", "--systems", "12", "--days", "1", "--interval", "15m", "--out", str(csv_dir)],
        check=True,
        capture_output=True,
        cwd=root,
    )
    csv_fleet_to_parquet(csv_dir, pq_dir)
    return csv_dir, pq_dir


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as mp:
        # The Python workers import the models by module name, as executors of a cluster would with --py-files.
        paths = [str(REPO / "python"), str(TESTS_DIR), str(IFOREST_DIR)]
        mp.setenv("PYTHONPATH", os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")]))
        mp.setenv("PYSPARK_PYTHON", sys.executable)
        for p in paths[1:]:
            mp.syspath_prepend(p)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("bess-harness tests")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            # Not UTC on purpose: the series a model sees must not depend on the session's time zone.
            .config("spark.sql.session.timeZone", "America/New_York")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


# --- scoring without Spark: the reference ---------------------------------------------------------


def protocol_frames(csv_dir: Path, ids: list[str]) -> list[pd.DataFrame]:
    """The CSV fleet's series as serve() hands them to a model: through the protocol's Arrow payload."""
    frames = [(i, load_timeseries(i, data_dir=csv_dir)) for i in ids]
    payload, rows = encode_series(frames)
    return decode_series(payload, [{"system_id": i} for i in ids], rows)


def pandas_scores(model, csv_dir: Path, train_ids: list[str] | None) -> pd.Series:
    meta = {r["system_id"]: model_metadata(r) for r in read_metadata(data_dir=csv_dir)}
    if train_ids is not None:
        model.seed = SEED
        model.fit(Dataset([SystemData(meta[i], f) for i, f in zip(train_ids, protocol_frames(csv_dir, train_ids))], seed=SEED))
    ids = sorted(meta)
    frames = protocol_frames(csv_dir, ids)
    model.seed = SEED
    if hasattr(model, "score_batch"):
        scores = [model.score_batch([f], [meta[i]])[0] for i, f in zip(ids, frames)]
    else:
        scores = [model.score(f, meta[i]) for i, f in zip(ids, frames)]
    return pd.Series(scores, index=pd.Index(ids, name="system_id"), name="score", dtype="float64")


def normals(csv_dir: Path) -> list[str]:
    labels = load_labels(data_dir=csv_dir)
    return labels.loc[labels["label"] == "normal", "system_id"].tolist()


def read_scores(path: Path) -> pd.Series:
    df = pd.read_parquet(path)
    assert list(df.columns) == ["system_id", "score"]
    return df.set_index("system_id")["score"]


# --- tests ---------------------------------------------------------------------------------------


def test_the_model_sees_the_frames_and_metadata_the_protocol_gives(spark, fleet, tmp_path) -> None:
    from example_models.fingerprint import Fingerprint

    csv_dir, pq_dir = fleet
    score_fleet(spark, str(pq_dir), Fingerprint(), str(tmp_path / "scores.parquet"), seed=SEED)
    got = read_scores(tmp_path / "scores.parquet")
    want = pandas_scores(Fingerprint(), csv_dir, None)
    # A fingerprint: equal only when every column, dtype, timestamp, NaN and metadata field is.
    assert got.index.tolist() == want.index.tolist()
    assert got.tolist() == want.tolist()


def test_a_model_is_shown_no_scenario_tags_in_fit_or_score(spark, fleet, tmp_path) -> None:
    """The tags tell the label (``subtle`` only on anomalies, ``noisy_normal`` only on normals):
    ``harness run`` shows a model none, and a tags-only model scored ROC AUC 0.646 here."""
    from example_models.tags_seen import TagsSeen

    csv_dir, pq_dir = fleet
    assert any(r["scenario_tags"] for r in read_metadata(data_dir=csv_dir))  # the fleet has tags to leak
    model = TagsSeen()
    out = tmp_path / "scores.parquet"
    score_fleet(spark, str(pq_dir), model, str(out), train_labels=str(pq_dir / "labels.csv"), seed=SEED)
    assert model.fit_tags == [[]] * len(normals(csv_dir))  # fit ran on the driver, on this object
    assert read_scores(out).tolist() == [0.0] * 12


def test_iforest_on_spark_scores_as_on_pandas_and_evaluate_agrees(spark, fleet, tmp_path) -> None:
    from iforest import IForest

    csv_dir, pq_dir = fleet
    out = tmp_path / "scores.parquet"
    score_fleet(spark, str(pq_dir), IForest(trees=50), str(out), train_labels=str(pq_dir / "labels.csv"), seed=SEED)
    got = read_scores(out)
    want = pandas_scores(IForest(trees=50), csv_dir, normals(csv_dir))
    assert got.index.is_unique and sorted(got.index) == sorted(load_metadata(data_dir=csv_dir)["system_id"])
    assert np.allclose(got.loc[want.index].to_numpy(), want.to_numpy(), rtol=0, atol=1e-12)
    assert got.std() > 0  # a model that scores everything alike would pass the comparison trivially

    def evaluate(scores: pd.Series, name: str) -> dict:
        csv = tmp_path / name
        scores.rename("score").reset_index().to_csv(csv, index=False, float_format="%.17g")
        cmd = ["node", str(REPO / "bin" / "harness.js"), "evaluate", "--scores", str(csv), "--labels", str(csv_dir / "labels.csv")]
        cmd += ["--metadata", str(csv_dir / "metadata.csv"), "--threshold", str(float(want.median())), "--json"]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        result = json.loads(r.stdout)
        result.pop("files", None)
        return result

    on_spark, on_pandas = evaluate(got, "spark.csv"), evaluate(want, "pandas.csv")
    assert on_spark == on_pandas
    from sklearn.metrics import roc_auc_score

    labels = load_labels(data_dir=csv_dir).set_index("system_id")["label"].eq("anomaly").astype(int)
    assert on_spark["n"] == 12
    assert on_spark["metrics"]["roc_auc"] == pytest.approx(roc_auc_score(labels.loc[got.index], got.to_numpy()), abs=1e-12)


def test_a_saved_state_restores_to_the_same_scores(spark, fleet, tmp_path) -> None:
    from iforest import IForest

    _, pq_dir = fleet
    state = tmp_path / "iforest.state"
    score_fleet(spark, str(pq_dir), IForest(trees=20), str(tmp_path / "a.parquet"), train_labels=str(pq_dir / "labels.csv"), save_state=str(state), seed=SEED)
    score_fleet(spark, str(pq_dir), IForest(trees=20), str(tmp_path / "b.parquet"), state=str(state), seed=SEED)
    assert read_scores(tmp_path / "a.parquet").equals(read_scores(tmp_path / "b.parquet"))


def test_the_command_line_replaces_its_output_whole(spark, fleet, tmp_path) -> None:
    _, pq_dir = fleet
    out = tmp_path / "scores.parquet"
    out.mkdir()
    (out / "stale.parquet").write_bytes(b"not parquet")
    args = ["--dataset", str(pq_dir), "--model", "example_models.fingerprint:Fingerprint", "--out", str(out)]
    assert main(args) == 0
    assert not (out / "stale.parquet").exists() and len(read_scores(out)) == 12
    assert not list(tmp_path.glob("scores.parquet.tmp-*"))
    assert spark.range(1).count() == 1  # the CLI stops only a session it started
    assert main(["--dataset", str(tmp_path / "nowhere"), "--model", "example_models.fingerprint:Fingerprint", "--out", str(out)]) == 2
    assert main(["--dataset", str(pq_dir), "--model", "no_such_module:X", "--out", str(out)]) == 2


def test_a_score_that_is_not_finite_fails_naming_the_system(spark, fleet, tmp_path, capsys) -> None:
    _, pq_dir = fleet
    out = tmp_path / "scores.parquet"
    assert main(["--dataset", str(pq_dir), "--model", "example_models.fingerprint:NaNForOne", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "scoring failed: ValueError: score for system sys-0001 is nan: a score must be a finite number" in err
    assert not out.exists() and not list(tmp_path.glob("scores.parquet.tmp-*"))


def test_score_one_checks_a_score_as_serve_does() -> None:
    """Spark's score of one system, without Spark: what ``score_batch`` returns is read as
    ``serve()`` reads it. A dict's first key was taken for the score (``{"sys-0001": 0.9}`` scored
    as float("sys-0001")… or, with numeric ids, as the id), and text ("0.5") passed as a number."""
    from bess_harness.spark import score_one

    frame = pd.DataFrame({"timestamp": pd.to_datetime([0], unit="ms", utc=True), "voltage_v": [1.0]})
    meta = {"system_id": "007"}

    class Batch:
        def __init__(self, out):
            self.out = out

        def score_batch(self, frames, metas):
            return self.out

    class One:
        def __init__(self, out):
            self.out = out

        def score(self, frame, meta):
            return self.out

    assert score_one(Batch({"007": 0.25}), frame, meta, 1) == 0.25
    assert score_one(Batch(pd.Series([0.5], index=["007"])), frame, meta, 1) == 0.5
    assert score_one(Batch(np.array([0.75])), frame, meta, 1) == 0.75
    assert score_one(One(np.float32(0.5)), frame, meta, 1) == 0.5
    refused = [
        (Batch({"7": 0.25}), "score_batch returned a dict keyed by '7' for systems 007"),
        (Batch(["0.5"]), "score for system 007 is '0.5': a score must be a finite number"),
        (One("0.5"), "score for system 007 is '0.5': a score must be a finite number"),
        (One(float("inf")), "score for system 007 is inf: a score must be a finite number"),
        (Batch([0.1, 0.2]), "score_batch returned 2 scores for 1 system"),
        (Batch(None), "score_batch returned NoneType"),
    ]
    for model, message in refused:
        with pytest.raises(ValueError, match=re.escape(message)):
            score_one(model, frame, meta, 1)


def test_ids_are_strings_and_must_match_the_metadata(spark, fleet, tmp_path) -> None:
    from example_models.fingerprint import Fingerprint

    _, pq_dir = fleet
    small = tmp_path / "small"
    (small / "raw").mkdir(parents=True)
    first = sorted((pq_dir / "raw").iterdir())[0]
    shutil.copytree(first, small / "raw" / "system_id=0042")
    meta = pd.read_csv(pq_dir / "metadata.csv", dtype=str, keep_default_na=False)
    row = meta[meta["system_id"] == first.name.split("=", 1)[1]].assign(system_id="0042")
    row.to_csv(small / "metadata.csv", index=False)
    score_fleet(spark, str(small), Fingerprint(), str(tmp_path / "s.parquet"))
    assert read_scores(tmp_path / "s.parquet").index.tolist() == ["0042"]  # not the integer 42

    shutil.copytree(first, small / "raw" / "system_id=extra-1")
    with pytest.raises(HarnessDataError, match=r"1 system\(s\) have a series but no metadata row: extra-1"):
        score_fleet(spark, str(small), Fingerprint(), str(tmp_path / "s.parquet"))
    shutil.rmtree(small / "raw" / "system_id=extra-1")
    pd.concat([row, row.assign(system_id="ghost")]).to_csv(small / "metadata.csv", index=False)
    with pytest.raises(HarnessDataError, match=r"1 system\(s\) in metadata.csv have no series under raw/: ghost"):
        score_fleet(spark, str(small), Fingerprint(), str(tmp_path / "s.parquet"))
    assert read_scores(tmp_path / "s.parquet").index.tolist() == ["0042"]  # a failed run left the old scores


def test_evaluate_reads_the_scores_spark_wrote_and_checks_their_page_checksums(spark, fleet, tmp_path) -> None:
    """Spark (parquet-mr) writes a CRC-32 of each page: the harness reads Spark's scores.parquet
    as written (a wrong check would refuse every Spark file), and a bit flipped in a page of one
    part is exit 2 naming that part, not a score off in its last digits."""
    from example_models.fingerprint import Fingerprint

    csv_dir, pq_dir = fleet
    out = tmp_path / "scores.parquet"
    score_fleet(spark, str(pq_dir), Fingerprint(), str(out), seed=SEED)
    parts = sorted(out.glob("*.parquet"))
    assert parts

    def evaluate() -> subprocess.CompletedProcess:
        cmd = ["node", str(REPO / "bin" / "harness.js"), "evaluate", "--scores", str(out), "--labels", str(csv_dir / "labels.csv")]
        return subprocess.run(cmd + ["--metadata", str(csv_dir / "metadata.csv"), "--json"], capture_output=True, text=True, cwd=tmp_path)

    good = evaluate()
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["n"] == 12

    damaged = next(p for p in parts if pq.ParquetFile(p).metadata.num_rows > 0)
    chunk = pq.ParquetFile(damaged).metadata.row_group(0).column(1)  # score
    data = bytearray(damaged.read_bytes())
    data[chunk.data_page_offset + chunk.total_compressed_size - 1] ^= 0x01
    damaged.write_bytes(bytes(data))
    bad = evaluate()
    assert bad.returncode == 2, bad.stdout
    assert f"{damaged.name}: not a readable Parquet file (column score, row group 1: a page's bytes do not match its checksum" in bad.stderr + bad.stdout


def small_fleet(pq_dir: Path, root: Path, ids: list[str]) -> Path:
    """A fleet of some of ``pq_dir``'s systems, with their metadata rows."""
    for i in ids:
        shutil.copytree(pq_dir / "raw" / f"system_id={i}", root / "raw" / f"system_id={i}")
    meta = pd.read_csv(pq_dir / "metadata.csv", dtype=str, keep_default_na=False)
    meta[meta["system_id"].isin(ids)].to_csv(root / "metadata.csv", index=False)
    shutil.copy(pq_dir / "labels.csv", root / "labels.csv")
    return root


def loader_problems(fleet_dir: Path, system_id: str) -> list[tuple[str, str]]:
    """What load_timeseries (held to the TypeScript loader by the conformance cases) says of a series."""
    with pytest.raises(HarnessDataError) as err:
        load_timeseries(system_id, data_dir=fleet_dir)
    return [(p.file, p.message) for p in err.value.problems]


def test_a_series_the_loaders_refuse_is_not_scored_and_each_part_is_named(spark, fleet, tmp_path) -> None:
    """Parts that overlap in time were merged with their repeated rows dropped, a stored NaN was
    scored as a missing reading and a part out of order was sorted: Spark scored what the loaders
    refuse. Now the job fails naming each part and row in the loaders' words, and writes nothing."""
    from example_models.fingerprint import Fingerprint
    from iforest import IForest

    _, pq_dir = fleet
    ids = sorted(p.name.split("=", 1)[1] for p in (pq_dir / "raw").iterdir())[:4]
    small = small_fleet(pq_dir, tmp_path / "fleet", ids)
    # ids[0]: split in two parts that share 3 rows, as an overlapping Spark write leaves them.
    part = small / "raw" / f"system_id={ids[0]}" / "part-0.parquet"
    table = pq.read_table(part)
    part.unlink()
    pq.write_table(table.slice(0, 60), part.with_name("part-00000.parquet"))
    pq.write_table(table.slice(57), part.with_name("part-00001.parquet"))
    # ids[1]: a NaN stored where a missing reading is null.
    part = small / "raw" / f"system_id={ids[1]}" / "part-0.parquet"
    table = pq.read_table(part)
    volts = table.column("voltage_v").to_numpy(zero_copy_only=False).copy()
    volts[5] = np.nan
    pq.write_table(table.set_column(table.schema.get_field_index("voltage_v"), "voltage_v", pa.array(volts, from_pandas=False)), part)
    # ids[2]: two rows swapped within the part.
    part = small / "raw" / f"system_id={ids[2]}" / "part-0.parquet"
    table = pq.read_table(part)
    order = list(range(table.num_rows))
    order[10], order[11] = 11, 10
    pq.write_table(table.take(order), part)

    out = tmp_path / "scores.parquet"
    with pytest.raises(HarnessDataError, match=re.escape(f"3 system(s) have series the loaders refuse: {', '.join(ids[:3])}")) as err:
        score_fleet(spark, str(small), Fingerprint(), str(out))
    got = [(p.file, p.message) for p in err.value.problems]
    want = [p for i in ids[:3] for p in loader_problems(small, i)]
    assert got == want
    assert any("is also at row 58 of part-00000.parquet: timestamps must be unique" in m for _, m in got)
    assert ("column voltage_v: 1 NaN value: NaN is not a reading (a missing reading is null)") in [m for _, m in got]
    assert any(m.startswith("row 12, column timestamp: ") and "timestamps must strictly increase" in m for _, m in got)
    assert not out.exists() and not list(tmp_path.glob("scores.parquet.tmp-*"))
    # The training set is held to the same rules before the model is fitted on it.
    with pytest.raises(HarnessDataError, match=re.escape(f"1 training system(s) have series the loaders refuse: {ids[1]}")):
        score_fleet(spark, str(small), IForest(trees=5), str(out), train_ids=[ids[3], ids[1]])


def test_a_system_whose_parts_have_no_rows_fails_naming_it(spark, fleet, tmp_path, capsys) -> None:
    """A zero-row part forms no group in groupBy: the system was left out of scores.parquet
    ("wrote 11 scores" for 12 systems, exit 0) and a suite judged the rest."""
    _, pq_dir = fleet
    ids = sorted(p.name.split("=", 1)[1] for p in (pq_dir / "raw").iterdir())[:3]
    small = small_fleet(pq_dir, tmp_path / "fleet", ids)
    empty = small / "raw" / f"system_id={ids[1]}" / "part-0.parquet"
    pq.write_table(pq.read_table(empty).slice(0, 0), empty)
    out = tmp_path / "scores.parquet"
    args = ["--dataset", str(small), "--model", "example_models.fingerprint:Fingerprint", "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"1 system(s) have no rows under raw/ and would get no score: {ids[1]}" in err
    assert f"system_id={ids[1]}/part-0.parquet: file has no rows" in err  # shown relative to the working directory
    assert not out.exists()
    # A part with no rows beside one with rows: the loaders refuse it, so does Spark.
    shutil.copy(pq_dir / "raw" / f"system_id={ids[1]}" / "part-0.parquet", empty.with_name("part-1.parquet"))
    assert loader_problems(small, ids[1]) == [(str(empty), "file has no rows")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"1 system(s) have series the loaders refuse: {ids[1]}" in err and f"system_id={ids[1]}/part-0.parquet: file has no rows" in err
    empty.unlink()
    assert main(args) == 0 and len(read_scores(out)) == 3


def rewrite_part(small: Path, system_id: str, change) -> Path:
    """Rewrites a system's part-0.parquet as ``change(table)`` gives it (a table, or (table, write options))."""
    part = small / "raw" / f"system_id={system_id}" / "part-0.parquet"
    out = change(pq.read_table(part))
    table, options = out if isinstance(out, tuple) else (out, {})
    pq.write_table(table, part, **options)
    return part


def with_timestamps(table: pa.Table, stamps: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index("timestamp"), "timestamp", stamps)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        # Epoch seconds as a bare INT64 were taken for ms and scored as January 1970.
        ("int64 seconds", "column timestamp is INT64: expected INT64 TIMESTAMP (UTC)"),
        ("int96", "column timestamp is INT96 (a legacy Spark type): write INT64 TIMESTAMP, e.g. spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS"),
    ],
)
def test_a_timestamp_type_the_loaders_refuse_fails_with_their_message(spark, fleet, tmp_path, capsys, kind, message) -> None:
    _, pq_dir = fleet
    ids = sorted(p.name.split("=", 1)[1] for p in (pq_dir / "raw").iterdir())[:3]
    small = small_fleet(pq_dir, tmp_path / "fleet", ids)

    def change(table: pa.Table):
        ms = table.column("timestamp").cast(pa.int64())
        if kind == "int64 seconds":
            return with_timestamps(table, pa.compute.divide(ms, 1000))
        return table, {"use_deprecated_int96_timestamps": True}

    # INT96 in one part of three: Spark takes its schema from one part and read an INT96 part as a
    # timestamp whatever the others were. Epoch seconds in every part: read as ms, scored as 1970.
    for i in ids if kind == "int64 seconds" else ids[1:2]:
        part = rewrite_part(small, i, change)
        assert loader_problems(small, i) == [(str(part), message)]
    out = tmp_path / "scores.parquet"
    assert main(["--dataset", str(small), "--model", "example_models.fingerprint:Fingerprint", "--out", str(out)]) == 2
    assert f"raw: {message}" in capsys.readouterr().err
    assert not out.exists()


def test_a_series_with_a_timestamp_past_9999_or_a_file_the_loaders_skip_is_refused_in_their_words(spark, fleet, tmp_path) -> None:
    """A timestamp past the years 0000–9999 (microseconds written as MILLIS, say) and a part Spark reads
    that the loaders do not (part-1.PARQUET) were scored; an INT64 reading past 2^53 was scored as the
    double it rounds to. Now each is the loaders' problem, in their words."""
    from example_models.fingerprint import Fingerprint

    _, pq_dir = fleet
    ids = sorted(p.name.split("=", 1)[1] for p in (pq_dir / "raw").iterdir())[:4]
    small = small_fleet(pq_dir, tmp_path / "fleet", ids)

    def far_future(table: pa.Table) -> pa.Table:
        us = table.column("timestamp").cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()).to_numpy().copy()
        us[-1] = 600_000_000_000_000_000  # about the year 20983
        return with_timestamps(table, pa.array(us, pa.int64()).cast(pa.timestamp("us", tz="UTC")))

    folder = small / "raw" / f"system_id={ids[1]}"

    def integers(past_2_53: bool):
        def change(table: pa.Table) -> pa.Table:
            ints = np.arange(table.num_rows, dtype="int64") + 700
            if past_2_53:
                ints[3] = 2**53 + 1
            return table.set_column(table.schema.get_field_index("voltage_v"), "voltage_v", pa.array(ints))

        return change

    # Readings as INT64 in every part (Spark reads one type a column), one past 2^53.
    for i in ids:
        rewrite_part(small, i, integers(i == ids[2]))
    rewrite_part(small, ids[0], far_future)
    shutil.copy(folder / "part-0.parquet", folder / "part-1.PARQUET")
    with pytest.raises(HarnessDataError, match=re.escape(f"3 system(s) have series the loaders refuse: {', '.join(ids[:3])}")) as err:
        score_fleet(spark, str(small), Fingerprint(), str(tmp_path / "scores.parquet"))
    got = [(p.file, p.message) for p in err.value.problems]
    assert got == [p for i in ids[:3] for p in loader_problems(small, i)]
    messages = [m for _, m in got]
    assert any(m.endswith("about the year 20983: timestamps lie in the years 0000–9999 (is the column's unit, MICROS, the one its numbers were written in?)") for m in messages)
    assert any(m.startswith("a file in the system's folder that is not a part (*.parquet)") for m in messages)
    assert "row 4, column voltage_v: 9007199254740992 is an integer past 2^53, which a double does not hold exactly (write the column as DOUBLE)" in messages


def test_a_fraction_of_a_millisecond_reaches_the_model_as_the_harness_rounds_it(spark, fleet, tmp_path) -> None:
    """Spark's unix_millis floors: 00:00:00.000999 reached the model as .000 on Spark and as .001
    under `harness run` (the protocol rounds the loaders' ms to the nearest)."""
    from example_models.fingerprint import Fingerprint

    csv_dir, pq_dir = fleet
    ids = sorted(p.name.split("=", 1)[1] for p in (pq_dir / "raw").iterdir())[:2]
    small = small_fleet(pq_dir, tmp_path / "fleet", ids)

    def jitter(table: pa.Table) -> pa.Table:
        us = table.column("timestamp").cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()).to_numpy().copy()
        us[1::2] += 999  # µs: rounds up to the next ms
        us[2::2] += 400  # rounds down
        return with_timestamps(table, pa.array(us, pa.int64()).cast(pa.timestamp("us", tz="UTC")))

    rewrite_part(small, ids[0], jitter)
    out = tmp_path / "scores.parquet"
    spark_scores = score_fleet(spark, str(small), Fingerprint(), str(out)).toPandas().set_index("system_id")["score"]
    # The reference: the series the loader reads, its instants rounded to the ms as the harness's
    # process protocol sends them (series-arrow.ts: Math.round), through the protocol's decoding.
    frames = [(i, load_timeseries(i, data_dir=small)) for i in ids]
    assert frames[0][1].index[1].microsecond % 1000 == 999  # the loader keeps the fraction
    for _, f in frames:
        f.index = (f.index.asi8 + 500_000) // 1_000_000
    payload, rows = encode_series(frames)
    meta = {r["system_id"]: model_metadata(r) for r in read_metadata(data_dir=small)}
    model = Fingerprint()
    model.seed = None
    reference = [model.score(f, meta[i]) for i, f in zip(ids, decode_series(payload, [{"system_id": i} for i in ids], rows))]
    assert spark_scores.loc[ids].tolist() == reference


def stale_crc(part: Path) -> Path:
    """A Hadoop checksum file beside ``part`` that does not match it, as Spark's own .crc does once
    another tool rewrote the part: the header, 512 bytes per checksum, a zero CRC-32 per chunk."""
    import struct

    chunks = -(-part.stat().st_size // 512)
    crc = part.with_name(f".{part.name}.crc")
    crc.write_bytes(b"crc\x00" + struct.pack(">i", 512) + b"\x00\x00\x00\x00" * chunks)
    return crc


def test_a_stale_hadoop_checksum_file_is_named_in_one_line(spark, fleet, tmp_path, capsys) -> None:
    """Spark failed with a ChecksumException and the scorer printed only "An error occurred while
    calling o28.parquet." Now it names the part and its .crc, and says to delete it: exit 2."""
    _, pq_dir = fleet
    ids = sorted(p.name.split("=", 1)[1] for p in (pq_dir / "raw").iterdir())[:2]
    small = small_fleet(pq_dir, tmp_path / "fleet", ids)
    part = small / "raw" / f"system_id={ids[0]}" / "part-0.parquet"
    crc = stale_crc(part)
    out = tmp_path / "scores.parquet"
    args = ["--dataset", str(small), "--model", "example_models.fingerprint:Fingerprint", "--out", str(out)]
    assert main(args) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("bess_harness.spark:")]
    assert err == [
        f"bess_harness.spark: {part}: its Hadoop checksum file .part-0.parquet.crc does not match "
        "(the part was rewritten by another tool): delete the .crc file"
    ]
    crc.unlink()
    assert main(args) == 0


def test_a_stray_file_in_raw_is_named_in_one_line_in_the_loaders_words(spark, fleet, tmp_path, capsys) -> None:
    """raw/README.md beside the partitions failed with "cannot read the Parquet fleet …/raw: An error
    occurred while calling o28.parquet." after 78 lines of JVM trace, the file named only inside it."""
    _, pq_dir = fleet
    ids = sorted(p.name.split("=", 1)[1] for p in (pq_dir / "raw").iterdir())[:2]
    small = small_fleet(pq_dir, tmp_path / "fleet", ids)
    readme = small / "raw" / "README.md"
    readme.write_text("telemetry exported 2026-03-01\n")
    with pytest.raises(HarnessDataError) as err:
        load_dataset(data_dir=small)
    said = next(p.message for p in err.value.problems if p.file == str(readme))
    assert said.startswith("not a series file: series are <id>.csv or system_id=<id>/")
    out = tmp_path / "scores.parquet"
    args = ["--dataset", str(small), "--model", "example_models.fingerprint:Fingerprint", "--out", str(out)]
    assert main(args) == 2
    err_lines = capsys.readouterr().err.splitlines()
    assert [line for line in err_lines if line.startswith("bess_harness.spark:")] == [f"bess_harness.spark: {readme}: {said}"]
    assert not any(line.lstrip().startswith("at ") for line in err_lines)  # no JVM trace
    assert not out.exists()
    (small / "raw" / "notes.txt").write_text("")
    with pytest.raises(HarnessDataError, match=re.escape(f"{readme}: {said} (and 1 more that are not series: notes.txt)")):
        read_fleet(spark, str(small))
    readme.rename(small / "raw" / "_README.md")  # Spark and the loaders leave out names starting with _
    (small / "raw" / "notes.txt").unlink()
    assert main(args) == 0


def python_without_the_package(tmp_path: Path) -> Path:
    """A folder whose ``python3`` is the system's, which has neither bess_harness nor pandas: what
    PATH gives Spark's workers when the venv the driver runs in is not activated."""
    system = Path("/usr/bin/python3")
    if not system.exists() or subprocess.run([str(system), "-c", "import pandas, pyarrow"], capture_output=True).returncode == 0:
        pytest.skip("needs a /usr/bin/python3 without pandas and pyarrow")
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "python3").symlink_to(system)
    return folder


def score_in_a_fresh_process(pq_dir: Path, out: Path, path_first: Path, pyspark_python: str | None) -> subprocess.CompletedProcess:
    """`python -m bess_harness.spark` run by this interpreter's path, the venv not activated: PATH
    starts with ``path_first`` and PYSPARK_PYTHON is ``pyspark_python`` (removed when None)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(path_first), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "python"), str(TESTS_DIR)])
    if pyspark_python is not None:
        env["PYSPARK_PYTHON"] = pyspark_python
    cmd = [sys.executable, "-m", "bess_harness.spark", "--dataset", str(pq_dir), "--model", "example_models.fingerprint:Fingerprint"]
    return subprocess.run([*cmd, "--out", str(out)], capture_output=True, text=True, env=env, cwd=out.parent)


def test_local_workers_run_the_drivers_python_when_pyspark_python_is_unset(fleet, tmp_path) -> None:
    """Spark starts its Python workers with `python3` from PATH: run as venv/bin/python without the
    venv activated, the job ended in 106 lines of Java and Python traceback and
    `ModuleNotFoundError: No module named 'bess_harness'`. In local mode the workers now run the
    driver's own interpreter."""
    _, pq_dir = fleet
    out = tmp_path / "scores.parquet"
    r = score_in_a_fresh_process(pq_dir, out, python_without_the_package(tmp_path), None)
    assert r.returncode == 0, r.stderr[-3000:]
    assert len(read_scores(out)) == 12


def test_workers_that_cannot_import_the_package_are_named_in_one_line(fleet, tmp_path) -> None:
    """A PYSPARK_PYTHON the user set is kept; when its interpreter lacks a module, the error says
    which interpreter the workers ran and how to point them elsewhere, without the Java stack."""
    _, pq_dir = fleet
    python3 = python_without_the_package(tmp_path) / "python3"
    out = tmp_path / "scores.parquet"
    r = score_in_a_fresh_process(pq_dir, out, tmp_path, str(python3))
    assert r.returncode == 2, r.stderr[-3000:]
    ours = [line for line in r.stderr.splitlines() if line.startswith("bess_harness.spark:")]
    assert len(ours) == 1, r.stderr[-3000:]
    assert ours[0].startswith(f"bess_harness.spark: the Spark workers' Python ({python3}) cannot import ")
    assert "No module named" in ours[0] and "PYSPARK_PYTHON" in ours[0] and "spark.pyspark.python" in ours[0]
    assert "\tat org.apache" not in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()
