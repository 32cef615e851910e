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


def hidden_from_readers(name: str) -> bool:
    """True for the names Spark and pyarrow leave out of a dataset folder, and so does the harness
    (``hiddenFromReaders``): ``_SUCCESS``, ``_metadata``, ``.crc`` files and other dot-files."""
    return name.startswith(("_", "."))


def parquet_folder(folder: str) -> tuple[list[str], list[str]]:
    """A dataset folder's ``*.parquet`` part files and its strays, each sorted (``parquetFolderSync``):
    a stray is what Spark and pyarrow would read but the harness does not (a file of another name,
    ``part-1.PARQUET`` or Hadoop's suffix-less ``part-00001``, or a folder), so a series with one is refused."""
    parts: list[str] = []
    strays: list[str] = []
    # Sorted by UTF-16 code units, as JavaScript's sort() orders them (code points differ past U+FFFF).
    for n in sorted(os.listdir(folder), key=lambda n: n.encode("utf-16-be")):
        if not hidden_from_readers(n):
            (parts if n.endswith(".parquet") else strays).append(os.path.join(folder, n))
    return parts, strays


def parquet_parts(folder: str) -> list[str]:
    """The ``*.parquet`` part files of a folder, sorted, leaving out ``_SUCCESS``, ``_metadata`` and dot-files."""
    return parquet_folder(folder)[0]


def stray_problem(file: str) -> str:
    """The problem of an entry of a system's folder that is not a part (``strayProblem``)."""
    if os.path.isdir(file):
        return (
            "a folder in the system's folder: Spark and pyarrow would read the parts in it, the harness reads only the system's "
            "own *.parquet files; move its parts up or out (names starting with _ or . are left out)"
        )
    return (
        "a file in the system's folder that is not a part (*.parquet): Spark and pyarrow would read it, the harness does not; "
        "rename it or move it out (names starting with _ or . are left out)"
    )


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
            parts, strays = parquet_folder(folder)
        except OSError as e:
            from .loader import _unreadable_reason

            emit(folder, _unreadable_reason(e))
            return SeriesScan([], [], [])
        # Spark and pyarrow read these as rows of the series: loaded without them, a series was short of them.
        for stray in strays:
            emit(stray, stray_problem(stray))
        if not parts:
            if strays:
                return SeriesScan([], [], [])
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


_UNITS_PER_MS = {"ms": 1, "us": 1_000, "ns": 1_000_000}
_MAX_SAFE_INTEGER = 2**53 - 1


def wide_integer(row: int, column: str, value: float) -> str:
    """The loaders' words for an INT64 reading past 2^53 (``value``, the double it rounds to): two
    integers there read as one double, so the reading may not be the one written."""
    return f"row {row}, column {column}: {_js(value)} is an integer past 2^53, which a double does not hold exactly (write the column as DOUBLE)"


def units_to_ms(units: np.ndarray, per_ms: int) -> np.ndarray:
    """Instants counted in ``per_ms`` units a millisecond (int64) as epoch ms (float64), the way the
    CSV reader reads the same instant's text (parse_timestamp; parquet-columns.ts's unitsToMs): whole
    seconds × 1000 plus the second's fraction in ms. A whole number of ms is exact (dividing the whole
    count as a double was not: 1767141895122000000 ns became …121999756 ms, and a timestamp repeated in
    a ms part and a ns part escaped the "in one part only" check); a fraction of a ms is kept."""
    units = units.astype("int64", copy=False)
    if per_ms == 1:
        return units.astype("float64")
    per_second = per_ms * 1000
    seconds, fraction = np.divmod(units, per_second)  # floor division: the fraction is never negative
    return seconds.astype("float64") * 1000.0 + fraction.astype("float64") / per_ms

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
            self.unsigned_bits = None
            return
        self.physical = leaf.physical_type
        name = leaf.logical_type.type
        self.logical = None if name == "NONE" else _LOGICAL_NAMES.get(name, name)
        self.converted = None if leaf.converted_type == "NONE" else leaf.converted_type
        logical = json.loads(leaf.logical_type.to_json())
        self.utc = self.logical == "TIMESTAMP" and logical.get("isAdjustedToUTC") is True
        #: The width of an unsigned integer (its INTEGER annotation, logical or converted), else None.
        if self.logical == "INTEGER" and logical.get("isSigned") is False:
            self.unsigned_bits = logical.get("bitWidth")
        else:
            self.unsigned_bits = int(self.converted[4:]) if self.converted and self.converted.startswith("UINT_") else None

    def __str__(self) -> str:
        return f"{self.physical or 'a group'}{f' ({self.logical})' if self.logical else ''}"


#: The loaders' words for a timestamp column of Spark's legacy INT96 type, and for one in local time.
INT96_TIMESTAMP = "column timestamp is INT96 (a legacy Spark type): write INT64 TIMESTAMP, e.g. spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS"
LOCAL_TIMESTAMP = "column timestamp is a local time (isAdjustedToUTC=false): the contract's timestamps are UTC instants"


def other_timestamp_type(type_name: str) -> str:
    """The loaders' words for a timestamp column of another type (``INT64``, ``BYTE_ARRAY (STRING)``)."""
    return f"column timestamp is {type_name}: expected INT64 TIMESTAMP (UTC)"


def _timestamp_type_problem(t: _ParquetType) -> str | None:
    """Why the timestamp column is not the contract's UTC instants (parquet-read.ts's timestampTypeProblem)."""
    if t.physical == "INT96":
        return INT96_TIMESTAMP
    if t.physical == "INT64" and t.logical == "TIMESTAMP":
        return None if t.utc else LOCAL_TIMESTAMP
    if t.physical == "INT64" and t.converted in ("TIMESTAMP_MILLIS", "TIMESTAMP_MICROS"):
        return None
    return other_timestamp_type(str(t))


#: The integer annotations (parquet-read.ts's INTEGER_ANNOTATIONS); UINT_64 is then refused by name.
_INTEGER_ANNOTATIONS = ("INT_8", "INT_16", "INT_32", "INT_64", "UINT_8", "UINT_16", "UINT_32", "UINT_64")


def _value_type_problem(name: str, t: _ParquetType) -> str | None:
    """Why a sensor column is not plain numbers (parquet-read.ts's valueTypeProblem): DOUBLE, FLOAT
    or an integer of any width but an unsigned 64-bit one."""
    if t.physical in _NUMERIC_TYPES and t.logical in (None, "INTEGER") and (t.converted is None or t.converted in _INTEGER_ANNOTATIONS):
        if t.unsigned_bits == 64:
            return (
                f"column {name} is INT64 (UINT_64): an unsigned 64-bit integer is no reading a double holds "
                "(past 2^63 its bits read as a negative number); write it as DOUBLE or a signed integer"
            )
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
    # Nulls filled before numpy sees the column: with them, to_numpy gives float64 (NaN for a null),
    # and a NANOS count past 2^53 is rounded before it is divided.
    ts = units_to_ms(pc.fill_null(pc.cast(tcol, pa.int64()), 0).to_numpy(zero_copy_only=False), per_ms)
    if tcol.null_count:
        ts[np.asarray(pc.is_null(tcol))] = np.nan
    values: list[np.ndarray] = []
    past_2_53: dict[str, np.ndarray] = {}
    for c in columns:
        col = table.column(c)
        if pa.types.is_int64(col.type):
            # pyarrow refuses to cast an integer past 2^53 to a double (ArrowInvalid, a traceback):
            # such a reading is named, as parquet-read.ts names it, and read as its nearest double.
            ints = pc.fill_null(col, 0).to_numpy(zero_copy_only=False)
            past = np.flatnonzero((ints > _MAX_SAFE_INTEGER) | (ints < -_MAX_SAFE_INTEGER))
            if len(past):
                past_2_53[c] = past
            v = ints.astype("float64")
            if col.null_count:
                v[np.asarray(pc.is_null(col))] = np.nan
        else:
            v = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False).astype("float64")
        values.append(v)
    check_timestamps(file, ts, {1: "MILLIS", 1_000: "MICROS", 1_000_000: "NANOS"}[per_ms], emit)
    for c, col in zip(columns, values):
        lim = PHYSICAL_LIMITS.get(c) if check_limits else None
        past = past_2_53.get(c, ())
        # Counted before ±Infinity becomes NaN below: a NaN read here is a null or a NaN the file stores.
        nans = int(np.count_nonzero(np.isnan(col)))
        rows = sorted({*np.flatnonzero(np.isinf(col)).tolist(), *past}) if lim is None else range(len(col))
        past = set(past)
        for i in rows:
            v = float(col[i])
            if math.isinf(v):
                emit(file, f"row {i + 1}, column {c}: {'Infinity' if v > 0 else '-Infinity'} is not a reading (a missing reading is null)")
                col[i] = np.nan
            elif i in past:
                emit(file, wide_integer(i + 1, c, v))
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


def check_timestamps(
    file: str, ts: np.ndarray, unit: str | Callable[[], str | None] | None, emit: Callable[[str, str], None], rows: np.ndarray | None = None
) -> None:
    """Null timestamps (NaN in ``ts``, epoch ms) and those past the years 0000–9999 (made NaN), as
    parquet-read.ts's checkTimestamps names them: a unit written wrong (nanoseconds stored as MILLIS)
    lands in the year 55 million, strictly increasing, so nothing else would catch it. ``unit`` is the
    column's (MILLIS, MICROS, NANOS), named in the hint, or None when unknown (or a function that says,
    asked only when a timestamp is outside); ``rows`` the rows' 0-based indexes in the part (default:
    their positions)."""
    with np.errstate(invalid="ignore"):
        outside = (ts < _ISO_MIN_MS) | (ts > _ISO_MAX_MS)
    for i in np.flatnonzero(np.isnan(ts) | outside).tolist():
        t = float(ts[i])
        row = (i if rows is None else int(rows[i])) + 1
        if math.isnan(t):
            emit(file, f"row {row}, column timestamp: null: every row has a timestamp")
        else:
            year = math.floor(1970 + t / 31_556_952_000)
            if callable(unit):
                unit = unit()
            emit(
                file,
                f"row {row}, column timestamp: {_js(t)} ms from 1970, about the year {year}: timestamps lie in the years 0000–9999 "
                f"(is the column's unit{f', {unit},' if unit else ''} the one its numbers were written in?)",
            )
            ts[i] = np.nan


def _js(x: float) -> str:
    from .validate import js_number

    return js_number(x)
