"""The Python loader refuses Parquet timestamps past the years 0000–9999 with the TypeScript
reader's message (src/data/parquet-read.ts ISO_YEARS): nanoseconds written with unit MILLIS land
in the year 55 million, strictly increasing, and were loaded as they were. Two timestamp columns
are a duplicate column, as there. Within those years, a timestamp a pandas DatetimeIndex cannot hold
(1677…2262) is a located error of load_timeseries, never another date."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pyarrow as pa
import pytest
import pyarrow.parquet as pq

from bess_harness import HarnessDataError, load_timeseries
from bess_harness.parquet import scan_series_parquet

REPO = Path(__file__).resolve().parents[2]
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def scan(tmp_path, ms: list[int], unit: str = "ms") -> list[str]:
    folder = tmp_path / "system_id=sys-1"
    folder.mkdir()
    table = pa.table({"timestamp": pa.array(ms, pa.timestamp(unit, tz="UTC")), "voltage_v": pa.array([800.0] * len(ms))})
    pq.write_table(table, folder / "part-0.parquet")
    problems: list[str] = []
    scan_series_parquet(str(folder), lambda p: problems.append(p.message))
    return problems


def test_nanoseconds_written_as_millis_are_named_per_row(tmp_path):
    problems = scan(tmp_path, [(T0 + i * 60_000) * 1_000_000 for i in range(3)])
    assert len(problems) == 3
    assert problems[0] == (
        "row 1, column timestamp: 1767225600000000000 ms from 1970, about the year 56003119: timestamps lie in the years "
        "0000–9999 (is the column's unit, MILLIS, the one its numbers were written in?)"
    )


def test_the_last_instant_of_9999_is_read(tmp_path):
    last = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
    assert scan(tmp_path, [T0, last]) == []


def test_two_timestamp_columns_are_a_duplicate_column(tmp_path):
    folder = tmp_path / "system_id=sys-1"
    folder.mkdir()
    ts = pa.array([T0, T0 + 60_000], pa.timestamp("ms", tz="UTC"))
    table = pa.Table.from_arrays([ts, pa.array([800.0, 801.0]), ts], names=["timestamp", "voltage_v", "timestamp"])
    pq.write_table(table, folder / "part-0.parquet")
    problems: list[str] = []
    scan_series_parquet(str(folder), lambda p: problems.append(p.message))
    assert problems == ['duplicate column "timestamp"']


SENTINEL = "9999-12-31T23:59:59Z"  # a logger's "no date" (.NET's DateTime.MaxValue)


@pytest.mark.parametrize("bom", ["", "\ufeff"])  # a BOM takes the located scanner, which wrapped it into 1816
def test_a_csv_timestamp_pandas_cannot_index_is_a_located_error(tmp_path, bom: str) -> None:
    (tmp_path / "raw").mkdir()
    rows = f"{bom}timestamp,voltage_v\n2026-01-01T00:00:00Z,800\n2026-01-01T01:00:00Z,801\n{SENTINEL},\n"
    (tmp_path / "raw" / "sys-1.csv").write_text(rows, encoding="utf-8")
    with pytest.raises(HarnessDataError) as e:
        load_timeseries("sys-1", data_dir=tmp_path, source="synthetic")
    assert e.value.message.startswith("cannot load the series of sys-1 into pandas")
    [p] = e.value.problems
    assert (p.file, p.line, p.column) == (str(tmp_path / "raw" / "sys-1.csv"), 4, 1)
    assert p.message.startswith(f"timestamp {SENTINEL} is outside the instants pandas can index (1677-09-21 … 2262-04-11)")


def test_a_parquet_timestamp_pandas_cannot_index_is_an_error(tmp_path) -> None:
    folder = tmp_path / "raw" / "system_id=sys-1"
    folder.mkdir(parents=True)
    early = -11_676_096_000_000  # 1600-01-01T00:00:00Z
    ts = pa.array([early, T0, T0 + 60_000], pa.timestamp("ms", tz="UTC"))
    pq.write_table(pa.table({"timestamp": ts, "voltage_v": pa.array([800.0, 801.0, 802.0])}), folder / "part-0.parquet")
    with pytest.raises(HarnessDataError) as e:
        load_timeseries("sys-1", data_dir=tmp_path, source="synthetic")
    [p] = e.value.problems
    assert p.file == str(folder) and p.message.startswith("timestamp 1600-01-01T00:00:00Z is outside the instants pandas can index")


def test_the_edges_of_what_pandas_indexes_load_as_they_are(tmp_path) -> None:
    (tmp_path / "raw").mkdir()
    first, last = "1677-09-22T00:00:00Z", "2262-04-11T00:00:00Z"
    (tmp_path / "raw" / "sys-1.csv").write_text(f"\ufefftimestamp,voltage_v\n{first},800\n{last},801\n", encoding="utf-8")
    df = load_timeseries("sys-1", data_dir=tmp_path, source="synthetic")
    assert [t.isoformat() for t in df.index] == ["1677-09-22T00:00:00+00:00", "2262-04-11T00:00:00+00:00"]


def test_int96_timestamps_are_named_as_the_typescript_reader_names_them(tmp_path):
    # pyarrow shows INT96 as a timestamp with no zone, which read as "a local time": the message
    # said the wrong fix. Both readers now say what the column is (parquet-read.ts).
    folder = tmp_path / "system_id=sys-1"
    folder.mkdir()
    table = pa.table({"timestamp": pa.array([T0, T0 + 60_000], pa.timestamp("ms", tz="UTC")), "voltage_v": pa.array([800.0, 801.0])})
    pq.write_table(table, folder / "part-0.parquet", use_deprecated_int96_timestamps=True)
    problems: list[str] = []
    scan_series_parquet(str(folder), lambda p: problems.append(p.message))
    message = (
        "column timestamp is INT96 (a legacy Spark type): write INT64 TIMESTAMP, "
        "e.g. spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS"
    )
    assert problems == [message]
    # The same file through `harness validate`, the TypeScript reader.
    (tmp_path / "metadata.csv").write_text("system_id,source,operational_mode,season\nsys-1,synthetic,backup,winter\n")
    (tmp_path / "labels.csv").write_text("system_id,label,failure_type,lead_time_days,source,label_version\nsys-1,normal,none,,synthetic,1\n")
    (tmp_path / "raw").mkdir()
    folder.rename(tmp_path / "raw" / "system_id=sys-1")
    r = subprocess.run(["node", str(REPO / "bin" / "harness.js"), "validate", "--data", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"system_id=sys-1/part-0.parquet: {message}" in r.stdout + r.stderr
