"""The Python loader refuses Parquet timestamps past the years 0000–9999 with the TypeScript
reader's message (src/data/parquet-read.ts ISO_YEARS): nanoseconds written with unit MILLIS land
in the year 55 million, strictly increasing, and were loaded as they were. Two timestamp columns
are a duplicate column, as there."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from bess_harness.parquet import scan_series_parquet

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
