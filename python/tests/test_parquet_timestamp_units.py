"""MICROS and NANOS timestamps become epoch ms as parquet-columns.ts reads them (unitsToMs) and as
the CSV reader reads the same instant's text: whole seconds × 1000 plus the second's fraction. A
whole number of ms is exact: divided as a float64, pandas' default datetime64[ns, UTC] turned
1767141895122 ms into 1767141895121.9998, and the instant repeated in a MILLIS part escaped "a
timestamp may be in one part only" (the conformance case parquet-series-timestamp-units)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bess_harness.parquet import scan_series_parquet
from bess_harness.validate import parse_timestamp

MS = 1_767_141_895_122  # 2025-12-31T00:44:55.122Z


def read(folder: Path, table: pa.Table) -> list[float]:
    folder.mkdir()
    pq.write_table(table, folder / "part-0.parquet")
    scan = scan_series_parquet(str(folder), lambda p: pytest.fail(p.message))
    return scan.timestamps.tolist()


@pytest.mark.parametrize("nulls", [False, True])
def test_pandas_nanoseconds_are_whole_milliseconds(tmp_path: Path, nulls: bool) -> None:
    stamps = pd.to_datetime([MS, MS + 60_000], unit="ms", utc=True).as_unit("ns")
    df = pd.DataFrame({"timestamp": stamps, "voltage_v": [700.0, None if nulls else 701.0]})
    got = read(tmp_path / "system_id=S1", pa.Table.from_pandas(df, preserve_index=False))
    assert got == [MS, MS + 60_000]


def test_a_null_beside_nanoseconds_leaves_the_others_exact(tmp_path: Path) -> None:
    """With a null, pyarrow hands the column to numpy as float64: the counts were rounded first."""
    ts = pa.array([MS * 1_000_000, None, (MS + 60_000) * 1_000_000], pa.timestamp("ns", tz="UTC"))
    folder = tmp_path / "system_id=S1"
    folder.mkdir()
    pq.write_table(pa.table({"timestamp": ts, "voltage_v": [700.0, 701.0, 702.0]}), folder / "part-0.parquet")
    problems: list[str] = []
    scan = scan_series_parquet(str(folder), lambda p: problems.append(p.message))
    assert problems == ["row 2, column timestamp: null: every row has a timestamp"]
    assert scan.timestamps[0] == MS and scan.timestamps[2] == MS + 60_000


@pytest.mark.parametrize(
    ("unit", "per_second", "text"),
    [("ns", 10**9, "2025-12-31T00:44:55.122999756Z"), ("ns", 10**9, "2025-12-31T00:44:55.000000001Z"), ("us", 10**6, "2025-12-31T00:44:55.122001Z")],
)
def test_a_fraction_of_a_millisecond_is_read_as_the_csv_reads_its_text(tmp_path: Path, unit: str, per_second: int, text: str) -> None:
    seconds = MS // 1000
    fraction = int(text[20:-1])
    units = seconds * per_second + fraction
    got = read(tmp_path / "system_id=S1", pa.table({"timestamp": pa.array([units], pa.timestamp(unit, tz="UTC")), "voltage_v": [700.0]}))
    assert got == [parse_timestamp(text)]
