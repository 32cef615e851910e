"""The Parquet layout of a raw folder, read with pyarrow as the TypeScript loader reads it
(src/data/parquet-read.ts): one partition folder ``raw/system_id=<id>/`` per system holding its
series as ``*.parquet`` parts (``part-0.parquet`` from ``harness generate --format parquet``, or
Spark's ``part-*.parquet``), merged by timestamp. Same checks, same order, same messages; a
problem names the part file and says ``row N, column NAME``, at line 0.
"""
from __future__ import annotations

import json
import math
import os
from datetime import datetime, timezone
from typing import Callable, Iterable

import numpy as np

from .errors import HarnessDataError, Problem
from .validate import EXTRA_COLUMN_PATTERN, PHYSICAL_LIMITS, SENSORS, SeriesScan, did_you_mean


def partition_dir_name(system_id: str) -> str:
    """The partition folder of a system in a raw folder (``partitionDirName``)."""
    return f"system_id={system_id}"


def parquet_parts(folder: str) -> list[str]:
    """The ``*.parquet`` part files of a folder, sorted, leaving out ``_SUCCESS``, ``_metadata`` and dot-files."""
    names = sorted(n for n in os.listdir(folder) if n.endswith(".parquet") and not n.startswith((".", "_")))
    return [os.path.join(folder, n) for n in names]


def format_timestamp(ms: float) -> str:
    """Epoch ms as the CSV writer's ISO text (``formatTimestamp``): milliseconds only when not zero."""
    whole = math.floor(ms / 1000)
    milli = round(ms - whole * 1000)
    if milli == 1000:
        whole, milli = whole + 1, 0
    text = datetime.fromtimestamp(whole, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}Z" if milli == 0 else f"{text}.{milli:03d}Z"


class _Stop(Exception):
    pass


def scan_series_parquet(
    folder: str,
    report: Callable[[Problem], bool | None],
    extra_sensors: Iterable[str] = (),
    extra_columns: bool = False,
    check_limits: bool = False,
) -> SeriesScan:
    """Reads a system's partition folder like ``scanSeriesParquet``; ``report`` returning False stops."""

    def emit(file: str, message: str) -> None:
        if report(Problem(file, 0, 0, message)) is False:
            raise _Stop()

    try:
        try:
            parts = parquet_parts(folder)
        except OSError as e:
            from .loader import _unreadable_reason

            emit(folder, _unreadable_reason(e))
            return SeriesScan([], [], [])
        if not parts:
            emit(folder, "no part file: a system's folder holds its series as part-0.parquet (or Spark's part-*.parquet)")
            return SeriesScan([], [], [])
        read: list[tuple[list[str], np.ndarray, list[np.ndarray], str]] = []
        for file in parts:
            part = _read_part(file, list(extra_sensors), extra_columns, check_limits, emit)
            if part is None:
                continue
            columns, ts, values = part
            if read and columns != read[0][0]:
                emit(
                    file,
                    f"columns {', '.join(columns)} differ from those of {os.path.basename(parts[0])} ({', '.join(read[0][0])}): "
                    "every part of a system has the same columns",
                )
                continue
            check_part_order(file, ts, emit)
            read.append((columns, ts, values, file))
        return merge_parts(read, emit)
    except _Stop:
        return SeriesScan([], [], [])


def check_part_order(file: str, ts: np.ndarray, emit: Callable[[str, str], None]) -> None:
    """Within a part, rows are in time order, as in a CSV file: ``emit(file, message)`` for each
    row whose timestamp is not after the previous one (a null timestamp, NaN, is skipped)."""
    prev = -math.inf
    for i, t in enumerate(ts.tolist()):
        if t != t:
            continue
        if not t > prev:
            emit(file, f"row {i + 1}, column timestamp: {format_timestamp(t)} is not after row {i}: timestamps must strictly increase")
        prev = t


def merge_parts(read, emit) -> SeriesScan:
    """The parts' rows as one series in time order (``mergeParts``): parts merged by timestamp, a
    timestamp in two parts named at the later part's row. ``read`` holds each part (in name order)
    as ``(columns, timestamps, values, file)``; ``emit(file, message)`` receives the problems."""
    if not read:
        return SeriesScan([], [], [])
    columns = read[0][0]
    if len(read) == 1:
        return SeriesScan(columns, read[0][1], read[0][2])
    ts = np.concatenate([p[1] for p in read])
    values = [np.concatenate([p[2][j] for p in read]) for j in range(len(columns))]
    in_order = all(read[k][1][0] > read[k - 1][1][-1] for k in range(1, len(read)))
    if in_order:
        return SeriesScan(columns, ts, values)
    part = np.concatenate([np.full(len(p[1]), k) for k, p in enumerate(read)])
    row = np.concatenate([np.arange(len(p[1])) for p in read])
    order = np.argsort(ts, kind="stable")  # ties keep part order; NaN (a null timestamp) goes last
    merged = ts[order]
    for m in range(1, len(order)):
        if merged[m] == merged[m - 1]:
            n, prev = order[m], order[m - 1]
            emit(
                read[part[n]][3],
                f"row {row[n] + 1}, column timestamp: {format_timestamp(float(merged[m]))} is also at row {row[prev] + 1} of "
                f"{os.path.basename(read[part[prev]][3])}: timestamps must be unique",
            )
    return SeriesScan(columns, merged, [v[order] for v in values])


_UNITS_PER_MS = {"ms": 1, "us": 1e3, "ns": 1e6, "s": 1e-3}

#: pyarrow's names of Parquet logical types that the format (and parquet-read.ts) names otherwise;
#: the newer ones parquet-thrift.ts knows by their number only.
_LOGICAL_NAMES = {"INT": "INTEGER", "UNKNOWN": "NULL", "VARIANT": "logical type 16", "GEOMETRY": "logical type 17", "GEOGRAPHY": "logical type 18"}
#: Physical types a sensor column may have (parquet-read.ts's NUMERIC_TYPES).
_NUMERIC_TYPES = ("DOUBLE", "FLOAT", "INT32", "INT64")


class _ParquetType:
    """A top-level column's type as the file's Parquet schema states it, which is what
    parquet-read.ts judges and names (``FIXED_LEN_BYTE_ARRAY (DECIMAL)``): Arrow's names for the
    same column (``decimal128(10, 2)``) are pyarrow's reading of it, not the file's."""

    def __init__(self, pf, field) -> None:
        import pyarrow as pa

        leaf = next((pf.schema.column(i) for i in range(len(pf.schema)) if pf.schema.column(i).path == field.name), None)
        if leaf is None:  # a group: a list, map or struct of columns
            self.physical = None
            self.logical = "LIST" if pa.types.is_list(field.type) or pa.types.is_large_list(field.type) else "MAP" if pa.types.is_map(field.type) else None
            self.converted = None
            self.utc = False
            return
        self.physical = leaf.physical_type
        name = leaf.logical_type.type
        self.logical = None if name == "NONE" else _LOGICAL_NAMES.get(name, name)
        self.converted = None if leaf.converted_type == "NONE" else leaf.converted_type
        self.utc = self.logical == "TIMESTAMP" and json.loads(leaf.logical_type.to_json()).get("isAdjustedToUTC") is True

    def __str__(self) -> str:
        return f"{self.physical or 'a group'}{f' ({self.logical})' if self.logical else ''}"


def _timestamp_type_problem(t: _ParquetType) -> str | None:
    """Why the timestamp column is not the contract's UTC instants (parquet-read.ts's timestampTypeProblem)."""
    if t.physical == "INT96":
        return "column timestamp is INT96 (a legacy Spark type): write INT64 TIMESTAMP, e.g. spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS"
    if t.physical == "INT64" and t.logical == "TIMESTAMP":
        return None if t.utc else "column timestamp is a local time (isAdjustedToUTC=false): the contract's timestamps are UTC instants"
    if t.physical == "INT64" and t.converted in ("TIMESTAMP_MILLIS", "TIMESTAMP_MICROS"):
        return None
    return f"column timestamp is {t}: expected INT64 TIMESTAMP (UTC)"


def _value_type_problem(name: str, t: _ParquetType) -> str | None:
    """Why a sensor column is not plain numbers (parquet-read.ts's valueTypeProblem)."""
    if t.physical in _NUMERIC_TYPES and t.logical in (None, "INTEGER") and t.converted is None:
        return None
    return f"column {name} is {t}: sensor readings are DOUBLE (null for a missing reading)"


def _read_part(file: str, extra: list[str], extra_columns: bool, check_limits: bool, emit):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .loader import read_regular_bytes

    try:
        data = read_regular_bytes(file)
    except HarnessDataError as err:
        emit(file, err.message[len(file) + 2 :])
        return None
    try:
        # Page checksums are verified where the writer wrote them (Spark does): a flipped byte
        # would otherwise read as a wrong number, as in parquet-columns.ts.
        pf = pq.ParquetFile(pa.BufferReader(data), page_checksum_verification=True)
        schema = pf.schema_arrow
    except Exception as err:  # noqa: BLE001 - any failure to parse is the file's problem
        emit(file, f"not a readable Parquet file ({err})")
        return None
    bad = False
    names = schema.names
    if names.count("timestamp") > 1:
        # Two of them (pyarrow writes what it is given) leave which is the series' time to chance.
        bad = True
        emit(file, 'duplicate column "timestamp"')
    if "timestamp" not in names:
        bad = True
        emit(file, "missing column timestamp: a series has a timestamp column (INT64 TIMESTAMP, UTC) and one DOUBLE column per sensor")
    else:
        # Judged by the file's Parquet types, as parquet-read.ts judges them (pyarrow shows INT96 as
        # a timestamp with no zone, and a DECIMAL as decimal128).
        problem = _timestamp_type_problem(_ParquetType(pf, schema.field(names.index("timestamp"))))
        if problem is None and not pa.types.is_timestamp(schema.field(names.index("timestamp")).type):
            problem = f"column timestamp is {schema.field(names.index('timestamp')).type} in its Arrow schema: expected INT64 TIMESTAMP (UTC)"
        if problem is not None:
            bad = True
            emit(file, problem)
    known = [*SENSORS, *extra]
    seen: set[str] = set()
    columns: list[str] = []
    for f in schema:
        if f.name == "timestamp":
            continue
        if f.name in seen:
            bad = True
            emit(file, f'duplicate column "{f.name}"')
            continue
        seen.add(f.name)
        if f.name == "system_id":
            bad = True
            emit(file, "column system_id in the file: the system id is the folder name (system_id=<id>), as Spark and pyarrow partition it")
        elif f.name not in known and not (extra_columns and EXTRA_COLUMN_PATTERN.fullmatch(f.name)):
            bad = True
            if extra_columns:
                emit(
                    file,
                    f'unknown column "{f.name}"{did_you_mean(f.name, known)}: every column must be a known sensor or an extra column '
                    "named in lowercase snake_case (such as string_current_1_a)",
                )
            else:
                emit(file, f'unknown column "{f.name}"{did_you_mean(f.name, known)}: every column must be a known sensor (declare extra sensors in the config)')
        elif (problem := _value_type_problem(f.name, _ParquetType(pf, f))) is not None:
            bad = True
            emit(file, problem)
        columns.append(f.name)
    if bad:
        return None
    if pf.metadata.num_rows == 0:
        emit(file, "file has no rows")
        return None
    try:
        table = pf.read(columns=["timestamp", *columns])
    except Exception as err:  # noqa: BLE001
        emit(file, f"not a readable Parquet file ({err})")
        return None
    tcol = table.column("timestamp")
    per_ms = _UNITS_PER_MS[tcol.type.unit]
    ts = pc.cast(tcol, pa.int64()).to_numpy(zero_copy_only=False).astype("float64") / per_ms
    if tcol.null_count:
        ts[np.asarray(pc.is_null(tcol))] = np.nan
    values = [pc.cast(table.column(c), pa.float64()).to_numpy(zero_copy_only=False).astype("float64") for c in columns]
    # Instants past what ISO 8601's four-digit years hold (a unit written wrong: nanoseconds stored
    # as MILLIS land in the year 55 million) are problems, then nulls, as in parquet-read.ts.
    unit = {1: "MILLIS", 1_000: "MICROS", 1_000_000: "NANOS"}.get(per_ms, "MILLIS")
    with np.errstate(invalid="ignore"):
        outside = (ts < _ISO_MIN_MS) | (ts > _ISO_MAX_MS)
    for i in np.flatnonzero(np.isnan(ts) | outside).tolist():
        t = float(ts[i])
        if math.isnan(t):
            emit(file, f"row {i + 1}, column timestamp: null: every row has a timestamp")
        else:
            year = math.floor(1970 + t / 31_556_952_000)
            emit(
                file,
                f"row {i + 1}, column timestamp: {_js(t)} ms from 1970, about the year {year}: timestamps lie in the years 0000–9999 "
                f"(is the column's unit, {unit}, the one its numbers were written in?)",
            )
            ts[i] = np.nan
    for c, col in zip(columns, values):
        lim = PHYSICAL_LIMITS.get(c) if check_limits else None
        # Counted before ±Infinity becomes NaN below: a NaN read here is a null or a NaN the file stores.
        nans = int(np.count_nonzero(np.isnan(col)))
        for i in np.flatnonzero(np.isinf(col)).tolist() if lim is None else range(len(col)):
            v = float(col[i])
            if math.isinf(v):
                emit(file, f"row {i + 1}, column {c}: {'Infinity' if v > 0 else '-Infinity'} is not a reading (a missing reading is null)")
                col[i] = np.nan
            elif lim is not None and (v < lim[0] or v > lim[1]):
                emit(file, f"row {i + 1}, column {c}: {_js(v)} is physically impossible (outside {_js(lim[0])}…{_js(lim[1])})")
        # A NaN stored in the file is not a null (a missing reading is null, as an empty CSV cell is):
        # once read the two look alike, so the NaNs beyond the column's nulls are stored ones (checkValues).
        stored = nans - table.column(c).null_count
        if stored > 0:
            emit(file, f"column {c}: {stored} NaN value{'' if stored == 1 else 's'}: NaN is not a reading (a missing reading is null)")
    return columns, ts, values


# The instants of years 0000–9999 in epoch ms (parquet-read.ts ISO_YEARS): the last is the last double before 10000.
_ISO_MIN_MS = -62_167_219_200_000.0
_ISO_MAX_MS = 253_402_300_800_000.0 - 2**-5


def _js(x: float) -> str:
    from .validate import js_number

    return js_number(x)
