"""Scoring a Parquet fleet on Apache Spark with the same :class:`bess_harness.Model` the harness runs.

A fleet too big for one machine lives where the telemetry is, as a hive-partitioned Parquet dataset::

    <dataset>/raw/system_id=<id>/part-0.parquet   timestamp (TIMESTAMP(MILLIS, UTC)) + one DOUBLE per sensor
    <dataset>/metadata.csv                        as in the CSV layout
    <dataset>/labels.csv                          (read here only for --train-labels)

:func:`score_fleet` fits the model once on the driver (or restores a saved state), broadcasts its
state to the executors, scores every system with ``groupBy('system_id').applyInPandas`` and writes
``scores.parquet`` (system_id, score), which ``harness evaluate --scores`` or a suite's
``scores: { path }`` judges. Every system's rows are first held to the loaders' rules for the
Parquet layout (a file Spark reads that is not a ``*.parquet`` part, a part with no rows, a null,
non-increasing or out-of-range timestamp within a part, a timestamp in two parts, a reading that
is NaN or ±Infinity, an INT64 reading past 2^53), and the timestamp column to their type (INT64
TIMESTAMP, UTC): a series the harness would refuse is not scored, and the job fails naming each
part and row as the loaders do. A system that yields no
rows at all (no group) is named too, so the scores written always cover the whole fleet. Each system reaches the model exactly as the harness's process protocol
hands it over (the rows go through the protocol's own Arrow decoding; the metadata is
:func:`~bess_harness.protocol.model_metadata`'s, scenario tags withheld as ``harness run`` withholds
them), so the scores are the ones the harness would get, to the bit. From a shell (``spark-submit`` or ``python -m``)::

    python -m bess_harness.spark --dataset D --model my_models.iforest:IForest --out scores.parquet \\
        --train-labels D/labels.csv

See docs/spark.md for spark-submit on a cluster and for Databricks.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pickle
import re
import shutil
import sys
import uuid
from collections import Counter
from typing import Iterable, Iterator, Sequence
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import HarnessDataError, Problem
from .model import Dataset, SystemData, model_name
from .parquet import (
    INT96_TIMESTAMP,
    LOCAL_TIMESTAMP,
    check_part_order,
    check_timestamps,
    hidden_from_readers,
    merge_parts,
    other_timestamp_type,
    units_to_ms,
    wide_integer,
)
from .protocol import decode_series, model_metadata
from .serve import _CallError, _batch_scores, _finite_scores
from .loader import utf8_text
from .raw_entries import stray_raw_entry
from .validate import parse_csv, parse_labels_table, parse_metadata_table, throw_if_problems

#: The columns of the scores file, as ``harness evaluate --scores`` reads them.
SCORES_SCHEMA = "system_id string, score double"
#: Partition directories of the fleet: ``system_id=<id>`` (hive escaping, %XX, undone).
_PARTITION = re.compile(r"/system_id=([^/]+)/")
#: Fleet ids listed in one message before "and N more".
_SHOWN = 10
#: Problems kept per system, as the loaders stop a series after 10 (MAX_LOAD_PROBLEMS).
_PROBLEMS_PER_SYSTEM = 10
#: What each score row carries: the score, or the loaders' problems with the system's series.
_GROUP_SCHEMA = "system_id string, score double, problems array<struct<file: string, message: string>>"
#: The columns read_fleet adds for the checks: the part file's name, the row's index in it
#: (0-based), the sensors whose stored value is NaN (Spark tells NaN from null; pandas does not)
#: and the INT64 sensors whose reading is past 2^53 (the double it was cast to is not it).
_CHECK_COLUMNS = ("_part", "_row", "_nan", "_wide")
#: Largest integer every smaller one of which a double holds (2^53 - 1).
_MAX_SAFE_INTEGER = 2**53 - 1
#: Spark's reading of a timestamp column of another type, as the loaders name its Parquet type.
_PARQUET_TYPE_OF = {
    "bigint": "INT64",
    "int": "INT32",
    "smallint": "INT32 (INTEGER)",
    "tinyint": "INT32 (INTEGER)",
    "double": "DOUBLE",
    "float": "FLOAT",
    "string": "BYTE_ARRAY (STRING)",
    "binary": "BYTE_ARRAY",
    "boolean": "BOOLEAN",
    "date": "INT32 (DATE)",
}

# A restored model per Python worker, keyed by one score_fleet call: Spark reuses its Python workers
# across tasks, so each restores the broadcast state once rather than once per system.
_MODELS: dict[str, object] = {}


def score_fleet(
    spark,
    dataset_path: str,
    model: object,
    out_path: str,
    *,
    train_ids: Iterable[str] | None = None,
    train_labels: str | None = None,
    state: bytes | str | None = None,
    save_state: str | None = None,
    seed: int | str | None = None,
    merge_schema: bool = False,
):
    """Scores every system of the Parquet fleet at ``dataset_path`` with ``model`` and writes
    ``out_path`` (a Parquet dataset of ``system_id, score``, one part, sorted by id). Returns it as a
    Spark DataFrame.

    - ``train_ids``: fit on these systems (in this order) first, on the driver; ``train_labels``: a
      labels CSV whose *normal* systems are the training set (in file order). Without either, the
      model scores as given (already fitted, or one that does not learn).
    - ``state``: the model's saved state (bytes, or a local file holding them) to restore instead of
      fitting; ``save_state``: a local file to write the state the model is scored with.
    - ``seed``: what ``model.seed`` (and ``Dataset.seed`` in ``fit``) holds, as the harness's case seed.
    - ``merge_schema``: read the union of the sensor columns of every part (``mergeSchema``; reads every
      footer). By default the columns are those of one part, so use it when systems carry different sensors.

    Raises :class:`HarnessDataError` for a fleet that does not match its metadata (ids without
    metadata, metadata without a series) or a bad metadata or labels file.
    """
    dataset_path = dataset_path.rstrip("/")
    if train_ids is not None and train_labels is not None:
        raise ValueError("pass train_ids or train_labels, not both")
    if state is not None and (train_ids is not None or train_labels is not None):
        raise ValueError("pass a state to restore or a training set to fit on, not both")
    fleet, sensors = read_fleet(spark, dataset_path, merge_schema=merge_schema)
    metadata = read_metadata_rows(spark, f"{dataset_path}/metadata.csv")
    parts = fleet_parts(fleet)
    ids = sorted(parts)
    _check_ids(ids, metadata, dataset_path)

    # The model as given is what every executor starts from; the fitted state travels separately.
    from pyspark import cloudpickle  # imported here: the rest of the package must not need pyspark

    template = cloudpickle.dumps(model)
    if isinstance(state, str):
        with open(state, "rb") as f:
            state = f.read()
    if train_labels is not None:
        train_ids = normal_ids(spark, train_labels)
    if train_ids is not None:
        train_ids = list(train_ids)
        missing = [i for i in train_ids if i not in metadata]
        if missing:
            raise HarnessDataError(f"{len(missing)} training system(s) are not in the fleet {dataset_path}: {_nice(missing)}")
        _fit_on_driver(spark, model, fleet, sensors, [metadata[i] for i in train_ids], seed, parts, dataset_path)
        state = model.save_state()  # type: ignore[attr-defined]
    elif state is not None:
        model.restore_state(state)  # type: ignore[attr-defined]  # on the driver first: a bad state fails here, not in 1000 tasks
    if save_state is not None:
        _write_bytes_atomic(save_state, state if state is not None else model.save_state())  # type: ignore[attr-defined]

    shared = _Shared(spark, {"template": template, "state": state, "metadata": metadata, "parts": parts})
    key = uuid.uuid4().hex

    def score_group(rows: pd.DataFrame) -> pd.DataFrame:
        system_id = str(rows["system_id"].iloc[0])
        problems = series_problems(rows, sensors, shared.get("parts")[system_id])
        if problems:  # returned as data: the driver names every refused system, not the first task's
            listed = [{"file": f, "message": m} for f, m in problems]
            return pd.DataFrame({"system_id": [system_id], "score": [None], "problems": [listed]})
        m = _restored(key, shared.get("template"), shared.get("state"))
        meta = shared.get("metadata")[system_id]
        frame = protocol_frame(rows, sensors, meta)
        return pd.DataFrame({"system_id": [system_id], "score": [score_one(m, frame, meta, seed)], "problems": [None]})

    try:
        # One row a system: the scores are checked on the driver before anything is written.
        with _local_workers_run_this_python(spark):
            scored = fleet.groupBy("system_id").applyInPandas(score_group, schema=_GROUP_SCHEMA).collect()
    finally:
        shared.release()
    _check_scored(scored, parts, dataset_path)
    scores = spark.createDataFrame([(r["system_id"], r["score"]) for r in scored], SCORES_SCHEMA)
    _write_atomic(spark, scores.repartition(1).sortWithinPartitions("system_id"), out_path)
    return spark.read.parquet(out_path)


def series_problems(rows: pd.DataFrame, sensors: Sequence[str], parts: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """What the loaders refuse in one system's rows ((file, message), at most 10), in their order
    and words (parquet-read.ts, bess_harness.parquet): ``parts`` are the files Spark read for the
    system as (name within its folder, path), sorted by name; ``rows`` carry read_fleet's ``_part``,
    ``_row``, ``_nan`` and ``_wide``, and the timestamp in µs. A file the loaders do not read as a part
    (not ``*.parquet``, or in a subfolder), a part listed with no rows, a null timestamp or one past
    the years 0000–9999, a reading that is ±Infinity, a stored NaN (a missing reading is null) or an
    INT64 past 2^53, a timestamp not after the previous row of its part, one in two parts."""
    out: list[tuple[str, str]] = []

    class _Full(Exception):
        pass

    def emit(file: str, message: str) -> None:
        out.append((file, message))
        if len(out) >= _PROBLEMS_PER_SYSTEM:
            raise _Full()

    by_part = dict(iter(rows.groupby("_part", sort=False)))
    read = []
    try:
        # What the loaders list in the system's folder and refuse, before its parts (stray_problem).
        strays: set[tuple[str, str, bool]] = set()
        for name, file in parts:
            entry = _stray_entry(name, file)
            if entry is not None:
                strays.add(entry)
        for _, path, folder in sorted(strays, key=lambda e: e[0].encode("utf-16-be")):
            emit(path, _STRAY_FOLDER if folder else _STRAY_FILE)
        for name, file in parts:
            if _stray_entry(name, file) is not None:
                continue
            part = by_part.get(name)
            if part is None:
                emit(file, "file has no rows")
                continue
            part = part.sort_values("_row", kind="stable")
            row_index = part["_row"].to_numpy()
            ts = _loader_ms(part["timestamp"])
            check_timestamps(file, ts, lambda: _timestamp_unit(file), emit, row_index)
            nan_flags = Counter(c for f in part["_nan"][part["_nan"].notna() & (part["_nan"] != "")] for c in f.split(","))
            wide = {c: set() for c in sensors}
            for i, f in enumerate(part["_wide"].tolist()):
                for c in (f.split(",") if f else ()):
                    wide[c].add(i)
            for c in sensors:
                col = part[c].to_numpy(dtype="float64", na_value=np.nan)
                for i in sorted({*np.flatnonzero(np.isinf(col)).tolist(), *wide[c]}):
                    if np.isinf(col[i]):
                        emit(file, f"row {int(row_index[i]) + 1}, column {c}: {'Infinity' if col[i] > 0 else '-Infinity'} is not a reading (a missing reading is null)")
                    else:
                        emit(file, wide_integer(int(row_index[i]) + 1, c, float(col[i])))
                stored = nan_flags[c]
                if stored:
                    emit(file, f"column {c}: {stored} NaN value{'' if stored == 1 else 's'}: NaN is not a reading (a missing reading is null)")
            check_part_order(file, ts, emit)
            read.append(([], ts, [], file))
        merge_parts(read, emit)
    except _Full:
        pass
    return out


#: The loaders' words for an entry of a system's folder they do not read (bess_harness.parquet.stray_problem).
_STRAY_FILE = (
    "a file in the system's folder that is not a part (*.parquet): Spark and pyarrow would read it, the harness does not; "
    "rename it or move it out (names starting with _ or . are left out)"
)
_STRAY_FOLDER = (
    "a folder in the system's folder: Spark and pyarrow would read the parts in it, the harness reads only the system's "
    "own *.parquet files; move its parts up or out (names starting with _ or . are left out)"
)


def _stray_entry(name: str, path: str) -> tuple[str, str, bool] | None:
    """The entry of the system's folder the loaders refuse that file ``name`` (relative to that
    folder) belongs to, as (entry name, its path, is a folder), or None for a part they read."""
    if "/" in name:
        top = name.split("/", 1)[0]
        return top, path[: len(path) - len(name) + len(top)], True
    return None if name.endswith(".parquet") else (name, path, False)


def _loader_ms(micros: pd.Series) -> np.ndarray:
    """Spark's timestamps (µs, int64; NaN for a null) as the loaders' epoch ms (units_to_ms): a
    whole ms exact, a fraction of one kept, so the checks compare what the loaders compare."""
    if micros.dtype.kind in "iu":
        return units_to_ms(micros.to_numpy(), 1_000)
    values = micros.to_numpy(dtype="float64", na_value=np.nan)
    nulls = np.isnan(values)
    ms = units_to_ms(np.where(nulls, 0, values).astype("int64"), 1_000)
    ms[nulls] = np.nan
    return ms


def _timestamp_unit(file: str) -> str | None:
    """The unit of a part's timestamp column (MILLIS, MICROS, NANOS) for the loaders' hint, read
    from its footer when the part is a local file; None when it is not (the hint then names none)."""
    try:
        import pyarrow.parquet as pq

        t = pq.read_schema(file).field("timestamp").type
        return {"ms": "MILLIS", "us": "MICROS", "ns": "NANOS"}.get(getattr(t, "unit", ""))
    except Exception:  # noqa: BLE001 - a remote path, or no footer: the hint goes without the unit
        return None


class _Shared:
    """Values every task reads: Spark broadcasts (sent once per executor) where the session has a
    SparkContext; on Spark Connect (Databricks shared and serverless compute) there is none, and the
    values travel inside the scoring function instead."""

    def __init__(self, spark, values: dict) -> None:
        try:
            sc = spark.sparkContext
        except Exception:  # Spark Connect: no SparkContext, no broadcasts
            sc = None
        self._broadcasts = {k: sc.broadcast(v) for k, v in values.items()} if sc is not None else None
        self._values = None if sc is not None else values

    def get(self, name: str):
        return self._broadcasts[name].value if self._broadcasts is not None else self._values[name]  # type: ignore[index]

    def release(self) -> None:
        for b in (self._broadcasts or {}).values():
            b.unpersist()


def read_fleet(spark, dataset_path: str, merge_schema: bool = False):
    """The fleet's rows as a Spark DataFrame (system_id string, timestamp as int64 µs UTC, one double
    per sensor, then what the loaders' checks need: ``_part`` the part file's name, ``_row`` the
    row's 0-based index in it, ``_nan`` the sensors whose stored value is NaN and ``_wide`` the INT64
    sensors whose reading is past 2^53, comma-separated) and the sensor columns in the files' order.

    The timestamp column must be what the loaders read: INT64 TIMESTAMP adjusted to UTC. Spark reads
    a bare INT64 as numbers (epoch seconds were scored as 1970) and Spark's legacy INT96 as a
    timestamp; both, and any other type, raise HarnessDataError with the loaders' message. The type
    is the schema's Spark reads (one part's, or every part's with ``merge_schema``: a part of another
    INT64 type then fails the read); INT96 is looked for in every part."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    raw = f"{dataset_path.rstrip('/')}/raw"
    _refuse_stray_raw_entries(raw)

    def schema_read(int96_as_timestamp: bool, merge: bool):
        # Ids such as 0042 must stay strings: Spark would otherwise infer the partition as an integer.
        # NANOS stays refused by name (read as a long, it would be taken for another type).
        confs = {
            "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
            "spark.sql.parquet.int96AsTimestamp": str(int96_as_timestamp).lower(),
            "spark.sql.legacy.parquet.nanosAsLong": "false",
        }
        with _conf(spark, confs):
            df = spark.read.option("mergeSchema", str(merge).lower()).parquet(raw)
            return df if int96_as_timestamp else df.schema

    try:
        df = schema_read(True, merge_schema)
    except Exception as e:  # AnalysisException: the JVM's message says what is wrong (no such path, no parquet)
        if "TIMESTAMP(NANOS" in str(e):
            problem = (
                "column timestamp is INT64 (TIMESTAMP(NANOS)), which Spark does not read: write it as MICROS or MILLIS "
                "(pandas: to_parquet(..., coerce_timestamps='us'); the harness's loaders read NANOS)"
            )
            raise HarnessDataError(f"cannot read the Parquet fleet {raw}: {problem}", [Problem(raw, 0, 0, problem)]) from None
        stale = checksum_problem(e)
        if stale is not None:
            raise HarnessDataError(f"{stale.file}: {stale.message}") from None  # one line: the part and the fix
        raise HarnessDataError(f"cannot read the Parquet fleet {raw}: {_first_line(e)}") from None
    fields = {f.name: f.dataType for f in df.schema.fields}
    if "system_id" not in fields:
        raise HarnessDataError(f"{raw} is not partitioned by system_id: expected {raw}/system_id=<id>/part-0.parquet")
    if "timestamp" not in fields:
        raise HarnessDataError(f"the Parquet fleet {raw} has no timestamp column")
    ts = fields["timestamp"]
    problem = None
    if isinstance(ts, T.TimestampNTZType):
        problem = LOCAL_TIMESTAMP
    elif not isinstance(ts, T.TimestampType):
        problem = other_timestamp_type(_PARQUET_TYPE_OF.get(ts.simpleString(), f"{ts.simpleString()} (as Spark reads it)"))
    else:
        # Spark takes the schema from one part: every part's footer is read (a Spark job), INT96 as
        # what it is (as a timestamp, a part of it among INT64 ones was read silently; so, Spark
        # refuses it by name), and a part of another timestamp type fails to merge with the rest.
        try:
            schema_read(False, True)
        except Exception as e:  # noqa: BLE001 - a failure to merge other columns says nothing of the timestamp
            problem = INT96_TIMESTAMP if "INT96" in str(e) else _timestamp_merge_problem(str(e))
    if problem is not None:
        raise HarnessDataError(
            f"cannot score the fleet {dataset_path}: {problem} (as Spark reads its parts; run `harness validate` to see each part the loaders refuse)",
            [Problem(raw, 0, 0, problem)],
        )
    sensors = [c for c in df.columns if c not in ("system_id", "timestamp")]
    # A DECIMAL (pandas' or Spark's decimals, an unsigned 64-bit integer) is refused by the loaders too.
    bad = [f"{c} ({fields[c].simpleString()})" for c in sensors if not isinstance(fields[c], T.NumericType) or isinstance(fields[c], T.DecimalType)]
    if bad:
        raise HarnessDataError(f"sensor columns of {raw} must be numbers (DOUBLE, FLOAT or integers): {', '.join(bad)}")
    # Microseconds, Spark's own precision: the loaders keep a fraction of a ms, and the model gets
    # the instant rounded to a ms as the harness hands it over (protocol_frame).
    cols = [F.col("system_id").cast("string").alias("system_id"), F.unix_micros(F.col("timestamp")).alias("timestamp")]
    cols += [F.col(c).cast("double").alias(c) for c in sensors]

    def flags(columns: Sequence[str], test):
        """The names of ``columns`` whose value passes ``test``, comma-separated, per row."""
        return F.concat_ws(",", *[F.when(test(F.col(c)), F.lit(c)) for c in columns]) if columns else F.lit("")

    # Spark keeps a stored NaN apart from a null, which pandas (NaN for both) cannot: flagged here.
    nan = flags(sensors, lambda col: F.isnan(col.cast("double")))
    # An INT64 reading past 2^53 is cast to a double another integer shares: flagged before the cast.
    wide = flags([c for c in sensors if isinstance(fields[c], T.LongType)], lambda col: F.abs(col) > F.lit(_MAX_SAFE_INTEGER))
    cols += [F.col("_metadata.file_name").alias("_part"), F.col("_metadata.row_index").alias("_row"), nan.alias("_nan"), wide.alias("_wide")]
    return df.select(*cols), sensors


def _timestamp_merge_problem(error: str) -> str | None:
    """The loaders' words for a timestamp column of another type in some part, from Spark's
    CANNOT_MERGE_SCHEMAS error (its two schemas, `STRUCT<timestamp: BIGINT, …>`), or None when the
    timestamp is not what failed to merge."""
    types = re.findall(r'"STRUCT<`?timestamp`?: ([A-Z_]+)', error) + re.findall(r'"STRUCT<.*?, `?timestamp`?: ([A-Z_]+)', error)
    other = next((t.lower() for t in types if t != "TIMESTAMP"), None)
    if other is None:
        return None
    return LOCAL_TIMESTAMP if other == "timestamp_ntz" else other_timestamp_type(_PARQUET_TYPE_OF.get(other, f"{other} (as Spark reads it)"))


def fleet_ids(fleet) -> list[str]:
    """The system ids of the fleet, from its partition folders (the file listing; no data is read)."""
    return sorted(fleet_parts(fleet))


def fleet_parts(fleet) -> dict[str, list[tuple[str, str]]]:
    """The part files of each system of the fleet, from the file listing (no data is read; a part
    with no rows is listed too): id → [(file name, path)], sorted by name as the loaders read them.
    A local path is shown without its ``file:`` scheme."""
    parts: dict[str, list[tuple[str, str]]] = {}
    for f in fleet.inputFiles():
        m = _PARTITION.search(f)
        if not m:
            continue
        path = unquote(urlparse(f).path) if f.startswith("file:") else f
        # The name within the system's folder: a file in a subfolder is `month=2/part-0.parquet`.
        name = f[m.end() :]
        parts.setdefault(unquote(m.group(1)), []).append((name, path))
    return {i: sorted(p, key=lambda e: e[0].encode("utf-16-be")) for i, p in parts.items()}


def read_metadata_rows(spark, file: str) -> dict[str, dict]:
    """metadata.csv as the process protocol's ``systems`` entries (what the harness shows a model:
    :func:`~bess_harness.protocol.model_metadata`, tags withheld), by system id, in file order."""
    rows = _parse_table(spark, file, "metadata", parse_metadata_table)
    return {loc.row["system_id"]: model_metadata(loc.row) for loc in rows}


def normal_ids(spark, file: str) -> list[str]:
    """The systems a labels CSV calls normal, in file order: the training set of ``--train-labels``."""
    rows = _parse_table(spark, file, "labels", parse_labels_table)
    return [loc.row["system_id"] for loc in rows if loc.row["label"] == "normal"]


def _parse_table(spark, file: str, what: str, parse) -> list:
    """A CSV file's rows by the loader's own parser (the TypeScript loader's rules and messages),
    read through Spark when ``file`` is a URI, so any file system the cluster reads works."""
    problems: list[Problem] = []
    rows = parse(parse_csv(_read_text(spark, file), file, problems.append), problems.append)
    throw_if_problems(problems, f"cannot read {what} {file}")
    return rows


def _read_text(spark, file: str) -> str:
    if "://" not in file and not file.startswith("dbfs:"):
        try:
            with open(file, "rb") as f:
                return utf8_text(f.read(), file)
        except OSError as e:
            raise HarnessDataError(f"cannot read {file}: {e.strerror or e}") from None
    try:
        rows = spark.read.text(file, wholetext=True).collect()
    except Exception as e:
        raise HarnessDataError(f"cannot read {file}: {_first_line(e)}") from None
    return rows[0][0] if rows else ""


def protocol_frame(rows: pd.DataFrame, sensors: Sequence[str], meta: dict) -> pd.DataFrame:
    """One system's rows (system_id, timestamp in µs, the sensors; any order) as the model's
    DataFrame: sorted by time and decoded by the protocol's own :func:`decode_series`, so it is the
    frame ``serve()`` would hand the model (UTC index named timestamp, float64 columns in the
    fleet's order, NaN for a missing reading)."""
    rows = rows.sort_values("timestamp", kind="stable")
    # A Parquet series holds a timestamp once (series_problems names a repeat as the loaders do);
    # nothing is dropped here, so a repeat that slipped through fails rather than being scored.
    if rows["timestamp"].duplicated().any():
        at = int(rows.loc[rows["timestamp"].duplicated(), "timestamp"].iloc[0])
        raise ValueError(f"system {meta['system_id']}: timestamp {pd.Timestamp(at, unit='us', tz='UTC').isoformat()} appears twice: timestamps must be unique")
    n = len(rows)
    # µs to the ms the process protocol sends: the nearest, a half up (series-arrow.ts, Math.round).
    ms = (rows["timestamp"].to_numpy(dtype="int64") + 500) // 1000
    arrays = [pa.array(np.full(n, str(meta["system_id"]), dtype=object), type=pa.string()), pa.array(ms)]
    arrays += [pa.array(rows[s].to_numpy(dtype="float64", na_value=np.nan), type=pa.float64()) for s in sensors]
    table = pa.Table.from_arrays(arrays, names=["system_id", "timestamp", *sensors])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return decode_series(sink.getvalue().to_pybytes(), [meta], [n])[0]


def score_one(model: object, frame: pd.DataFrame, meta: dict, seed: int | str | None) -> float:
    """The model's score of one system, as ``serve()`` asks for it (``score_batch`` of one when the
    model has it), checked as ``serve()`` checks it: one finite number. A dict or Series from
    ``score_batch`` is aligned by system_id (its first key was once taken for the score), and text
    is no score (``"0.5"`` was read as 0.5 here while ``serve()`` refused it)."""
    with contextlib.suppress(AttributeError):
        model.seed = seed  # type: ignore[attr-defined]
    systems = [meta]
    try:
        batch = getattr(model, "score_batch", None)
        if callable(batch):
            out = _batch_scores(batch([frame], systems), systems)
            if len(out) != 1:
                raise ValueError(f"score_batch returned {len(out)} scores for 1 system: it must return one per system, in order")
        else:
            out = [model.score(frame, meta)]  # type: ignore[attr-defined]
        return _finite_scores(out, systems)[0]
    except _CallError as e:  # serve's message, as a model's own error on Spark
        raise ValueError(str(e)) from None


def _restored(key: str, template: bytes, state: bytes | None) -> object:
    m = _MODELS.get(key)
    if m is None:
        m = pickle.loads(template)
        if state is not None:
            m.restore_state(state)  # type: ignore[attr-defined]
        _MODELS.clear()  # one call's model at a time: a worker serving many jobs must not keep them all
        _MODELS[key] = m
    return m


def _fit_on_driver(spark, model: object, fleet, sensors: Sequence[str], train: list[dict], seed, parts, dataset_path: str) -> None:
    fit = getattr(model, "fit", None)
    if not callable(fit):
        raise ValueError(f"{model_name(model)} has no fit: pass no training set (or a state to restore)")
    from pyspark.sql import functions as F

    ids = [m["system_id"] for m in train]
    with _conf(spark, {"spark.sql.execution.arrow.pyspark.enabled": "true"}):
        rows = fleet.where(F.col("system_id").isin(ids)).toPandas()
    by_id = dict(iter(rows.groupby("system_id", sort=False)))
    empty = rows.iloc[:0]
    refused = [(i, series_problems(by_id.get(i, empty), sensors, parts[i])) for i in ids]
    _raise_refused([(i, p) for i, p in refused if p], dataset_path, "training system")
    systems = [SystemData(m, protocol_frame(by_id[m["system_id"]], sensors, m)) for m in train]
    with contextlib.suppress(AttributeError):
        model.seed = seed  # type: ignore[attr-defined]
    fit(Dataset(systems, seed=seed))


def _check_ids(ids: list[str], metadata: dict[str, dict], dataset_path: str) -> None:
    no_meta = [i for i in ids if i not in metadata]
    known = set(ids)
    no_series = [i for i in metadata if i not in known]
    parts = []
    if no_meta:
        parts.append(f"{len(no_meta)} system(s) have a series but no metadata row: {_nice(no_meta)}")
    if no_series:
        parts.append(f"{len(no_series)} system(s) in metadata.csv have no series under raw/: {_nice(no_series)}")
    if parts:
        raise HarnessDataError(f"the fleet {dataset_path} does not match its metadata: {'; '.join(parts)}")


def _check_scored(scored: list, parts: dict[str, list[tuple[str, str]]], dataset_path: str) -> None:
    """Every system of the fleet scored, none refused: a system whose parts yield no rows forms no
    group, so it would be left out of the scores without a word (a suite would judge the rest)."""
    seen = {r["system_id"] for r in scored}
    refused = sorted((r["system_id"], [(p["file"], p["message"]) for p in r["problems"]]) for r in scored if r["problems"])
    missing = [i for i in sorted(parts) if i not in seen]
    refused += [(i, [(path, "file has no rows") for _, path in parts[i]]) for i in missing]
    _raise_refused(refused, dataset_path, "system", missing)


def _raise_refused(refused: list, dataset_path: str, what: str, missing: Sequence[str] = ()) -> None:
    """HarnessDataError naming the systems whose series the loaders refuse, with their problems."""
    if not refused:
        return
    no_rows = set(missing)
    bad = [i for i, _ in refused if i not in no_rows]
    said = []
    if bad:
        said.append(f"{len(bad)} {what}(s) have series the loaders refuse: {_nice(bad)}")
    if missing:
        said.append(f"{len(missing)} {what}(s) have no rows under raw/ and would get no score: {_nice(list(missing))}")
    problems = [Problem(file, 0, 0, message) for _, ps in refused for file, message in ps]
    raise HarnessDataError(
        f"cannot score the fleet {dataset_path}: {'; '.join(said)} (run `harness validate` to see every problem in the data folder)",
        problems,
    )


@contextlib.contextmanager
def _local_workers_run_this_python(spark) -> Iterator[None]:
    """In local mode, with no worker Python chosen (PYSPARK_PYTHON, spark.pyspark.python), the
    workers run this very interpreter for the block. Spark starts them with `python3` from PATH,
    which for a venv not activated (venv/bin/python -m bess_harness.spark, a notebook kernel) is
    another Python without bess_harness: the job died in ModuleNotFoundError. On a cluster the
    executors' Python is the user's to set (docs/spark.md), and it is left alone."""
    try:
        sc = spark.sparkContext
        chosen = "PYSPARK_PYTHON" in os.environ or sc.getConf().get("spark.pyspark.python") is not None
        local = sc.master.startswith("local")
    except Exception:  # noqa: BLE001 - Spark Connect: no SparkContext, the workers are the server's
        yield
        return
    if chosen or not local:
        yield
        return
    # Read when the scoring function is wrapped for the JVM (udf.py _wrap_function), so set for
    # the block and put back: a session the caller holds keeps its own setting afterwards.
    old = sc.pythonExec
    sc.pythonExec = sys.executable
    try:
        yield
    finally:
        sc.pythonExec = old


def worker_import_problem(spark, e: BaseException) -> str | None:
    """One line for a Spark job whose Python workers could not import a module: which interpreter
    they ran and how to point them at another; None for any other error. The JVM's trace of it
    (106 lines) said neither."""
    text = str(e)
    if "ModuleNotFoundError: " not in text or "Python worker" not in text and "PythonException" not in text:
        return None
    try:
        python = spark.sparkContext.pythonExec
        shown = python if os.path.isabs(python) or shutil.which(python) is None else f"{python}, {shutil.which(python)} here"
    except Exception:  # noqa: BLE001 - Spark Connect: the server's workers
        shown = "the cluster's"
    return (
        f"the Spark workers' Python ({shown}) cannot import a module ({_python_error(e)}): point them at a Python that has "
        "bess_harness, its dependencies and the model's module with PYSPARK_PYTHON=<python> "
        "(spark-submit: --conf spark.pyspark.python=<python>; a module of your own: --py-files)"
    )


def _write_atomic(spark, df, out_path: str) -> None:
    """Writes ``df`` as Parquet beside ``out_path`` and renames it into place (replacing an old one),
    so ``out_path`` never holds half a job's output. On Spark Connect, where the driver's Hadoop
    file system is out of reach, Spark's own overwrite is used."""
    try:
        jvm = spark.sparkContext._jvm
        conf = spark.sparkContext._jsc.hadoopConfiguration()
    except Exception:
        df.write.mode("overwrite").parquet(out_path)
        return
    Path = jvm.org.apache.hadoop.fs.Path
    target = Path(out_path)
    fs = target.getFileSystem(conf)
    tmp = f"{out_path.rstrip('/')}.tmp-{uuid.uuid4().hex[:12]}"
    try:
        df.write.mode("error").parquet(tmp)
        if fs.exists(target):
            fs.delete(target, True)
        if not fs.rename(Path(tmp), target):
            raise OSError(f"cannot rename {tmp} to {out_path}")
    finally:
        if fs.exists(Path(tmp)):
            fs.delete(Path(tmp), True)


def _write_bytes_atomic(file: str, data: bytes) -> None:
    tmp = f"{file}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, file)


@contextlib.contextmanager
def _conf(spark, values: dict[str, str]) -> Iterator[None]:
    """Sets session confs for a block and puts the caller's back afterwards."""
    old = {k: spark.conf.get(k, None) for k in values}
    for k, v in values.items():
        spark.conf.set(k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                spark.conf.unset(k)
            else:
                spark.conf.set(k, v)


def _nice(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN])
    return f"{shown} and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else shown


def _python_error(e: Exception) -> str:
    """The Python exception line inside a Spark error (which carries the executor's traceback)."""
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    found = [line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception): ", line)]
    return found[-1] if found else (lines[0] if lines else type(e).__name__)


#: Hadoop's local file system checks each file it reads against the ``.<name>.crc`` beside it.
_CHECKSUM_ERROR = re.compile(r"ChecksumException: Checksum error: (\S+) at \d+")


def checksum_problem(e: BaseException) -> Problem | None:
    """The part named by a Hadoop ChecksumException in a Spark (Py4J) error, as one problem, or None.

    Spark writes a ``.<part>.crc`` beside each part it writes; a part rewritten by another tool
    (pyarrow, pandas) keeps the old .crc, and every later read fails with a ChecksumException
    buried in the JVM's trace, which the message did not show (\"An error occurred while calling
    o28.parquet\"). The fix is the user's: delete the stale .crc."""
    found = _CHECKSUM_ERROR.search(str(e))
    if found is None:
        return None
    url = found.group(1)
    part = unquote(urlparse(url).path) if url.startswith("file:") else url
    name = part.rsplit("/", 1)[-1]
    return Problem(
        part,
        0,
        0,
        f"its Hadoop checksum file .{name}.crc does not match (the part was rewritten by another tool): delete the .crc file",
    )


def _refuse_stray_raw_entries(raw: str) -> None:
    """A HarnessDataError in one line naming the first entry of a local ``raw/`` that is no series
    (raw_entries.stray_raw_entry: the loaders' rule and words). Spark tried to read raw/README.md as
    Parquet and failed with "An error occurred while calling o28.parquet." after 78 lines of JVM
    trace, the file named only inside it. A remote raw/ (hdfs://, s3a://) is left to Spark, and so
    is a local one that cannot be listed (Spark's message says it is missing)."""
    scheme = urlparse(raw).scheme
    if len(scheme) > 1 and scheme != "file":
        return
    local = unquote(urlparse(raw).path) if scheme == "file" else raw
    try:
        entries = list(os.scandir(local))
    except OSError:
        return
    # In the loaders' order (JavaScript's: UTF-16 code units), so both name the same one first.
    strays = sorted(((e.name, why) for e in entries if (why := stray_raw_entry(e)) is not None), key=lambda s: s[0].encode("utf-16-be"))
    if not strays:
        return
    name, why = strays[0]
    more = f" (and {len(strays) - 1} more that are not series: {_nice([n for n, _ in strays[1:]])})" if len(strays) > 1 else ""
    raise HarnessDataError(f"{os.path.join(local, name)}: {why}{more}")


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


# --- command line ----------------------------------------------------------------------------


def load_model(spec: str) -> object:
    """``module:name`` → a model: a Model subclass or factory is called without arguments, an
    instance is used as it is (as ``python -m bess_harness serve``)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"--model must be module:name (e.g. my_models.iforest:IForest), got {spec!r}")
    target = getattr(importlib.import_module(module_name), attr)
    is_model = not isinstance(target, type) and (hasattr(target, "score") or hasattr(target, "score_batch"))
    return target if is_model or not callable(target) else target()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bess_harness.spark",
        description="Scores a Parquet fleet (<dataset>/raw/system_id=<id>/part-0.parquet + metadata.csv) with a "
        "bess_harness.Model on Spark and writes scores.parquet (system_id, score) for `harness evaluate --scores`.",
    )
    p.add_argument("--dataset", required=True, help="the fleet folder (any path Spark reads: local, hdfs://, s3a://, dbfs:/)")
    p.add_argument("--model", required=True, help="module:name of the model (a Model subclass, factory or instance)")
    p.add_argument("--out", required=True, help="where to write the scores (a Parquet folder; replaced when it exists)")
    train = p.add_mutually_exclusive_group()
    train.add_argument("--train-labels", help="fit on the systems this labels CSV calls normal, then score")
    train.add_argument("--state", help="restore this saved model state (a local file) instead of fitting")
    p.add_argument("--save-state", help="write the state the model scored with to this local file")
    p.add_argument("--seed", default=None, help="the seed the model sees (model.seed, Dataset.seed)")
    p.add_argument("--merge-schema", action="store_true", help="read the union of every part's sensor columns")
    p.add_argument(
        "--spark-log-level",
        default="OFF",
        help="Spark's own log level for a session this command starts (default OFF: errors are reported in one line; WARN shows Spark's log)",
    )
    args = p.parse_args(argv)
    try:
        model = load_model(args.model)
    except (ImportError, AttributeError, ValueError) as e:
        sys.stderr.write(f"bess_harness.spark: cannot load {args.model}: {e}\n")
        return 2
    from pyspark.sql import SparkSession

    # Stop the session at the end only when this call started it (not one a notebook or test holds).
    ours = SparkSession.getActiveSession() is None
    spark = SparkSession.builder.appName(f"bess-harness score_fleet {model_name(model)}").getOrCreate()
    if ours:
        # A failed task is logged by Spark with the JVM's and the worker's traces (a hundred lines)
        # before the one line this command prints for it; --spark-log-level WARN shows them.
        spark.sparkContext.setLogLevel(args.spark_log_level)
    try:
        out = score_fleet(
            spark,
            args.dataset,
            model,
            args.out,
            train_labels=args.train_labels,
            state=args.state,
            save_state=args.save_state,
            seed=args.seed,
            merge_schema=args.merge_schema,
        )
        sys.stderr.write(f"bess_harness.spark: wrote {out.count()} scores to {args.out}\n")
    except HarnessDataError as e:
        sys.stderr.write(f"bess_harness.spark: {e}\n")
        return 2
    except Exception as e:  # the model failed on an executor: its own message, not the JVM's trace
        stale = checksum_problem(e)  # a part read while scoring, not only its footer in read_fleet
        no_module = worker_import_problem(spark, e)
        if stale is not None:
            sys.stderr.write(f"bess_harness.spark: {stale.file}: {stale.message}\n")
        elif no_module is not None:
            sys.stderr.write(f"bess_harness.spark: {no_module}\n")
        else:
            sys.stderr.write(f"bess_harness.spark: scoring failed: {_python_error(e)}\n")
        return 2
    finally:
        if ours:
            spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
