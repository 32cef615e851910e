"""A Parquet series column of the wrong type, as pyarrow (pandas, Spark) writes it: the Python
loader refuses what the TypeScript reader refuses, in its words, which name the file's Parquet
types (``FIXED_LEN_BYTE_ARRAY (DECIMAL)``), not pyarrow's reading of them (``decimal128(10, 2)``).
Each case is checked against ``harness validate`` on the same files. Needs node."""
from __future__ import annotations

import decimal
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bess_harness.parquet import scan_series_parquet

REPO = Path(__file__).resolve().parents[2]
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
STAMPS = pa.array([T0, T0 + 3_600_000], pa.timestamp("ms", tz="UTC"))

# system → its columns besides a good timestamp (or with a timestamp of another type).
CASES: dict[str, dict[str, pa.Array]] = {
    "decimal": {"voltage_v": pa.array([decimal.Decimal("700.25"), decimal.Decimal("701.50")], pa.decimal128(10, 2))},
    # Integers of any width are readings (pandas writes Int16 as INT32 (INT_16), UInt32 as
    # INT32 (UINT_32)); not an unsigned 64-bit one, nor an INT64 past 2^53, which a double rounds.
    "int8": {"soc_pct": pa.array([50, 51], pa.int8())},
    "int16": {"current_a": pa.array([-300, None], pa.int16())},
    "uint32": {"insulation_resistance_kohm": pa.array([3_000_000_000, 4_294_967_295], pa.uint32())},
    "uint64": {"insulation_resistance_kohm": pa.array([1, 2], pa.uint64())},
    "int64-wide": {"insulation_resistance_kohm": pa.array([2**53 - 1, -(2**53) - 1], pa.int64())},
    "float16": {"voltage_v": pa.array([700.0, 701.0], pa.float16())},
    "bool": {"voltage_v": pa.array([True, False])},
    "list": {"voltage_v": pa.array([[700.0], [701.0]])},
    "struct": {"voltage_v": pa.array([{"a": 1.0}, {"a": 2.0}])},
    "sensor-timestamp": {"voltage_v": pa.array([1, 2], pa.timestamp("us", tz="UTC"))},
    "text-timestamp": {"timestamp": pa.array(["2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"]), "voltage_v": pa.array([700.0, 701.0])},
    "date-timestamp": {"timestamp": pa.array([20454, 20455], pa.date32()), "voltage_v": pa.array([700.0, 701.0])},
    "local-timestamp": {"timestamp": pa.array([T0, T0 + 3_600_000], pa.timestamp("ms")), "voltage_v": pa.array([700.0, 701.0])},
    # What both read: nanoseconds, int32 and int64 and float32 readings.
    "good": {
        "timestamp": pa.array([T0 * 1_000_000, (T0 + 3_600_000) * 1_000_000], pa.timestamp("ns", tz="UTC")),
        "voltage_v": pa.array([700.0, 701.0], pa.float32()),
        "soc_pct": pa.array([50, 51], pa.int32()),
        "current_a": pa.array([-3, 4], pa.int64()),
    },
}


def write_fleet(data: Path) -> None:
    for sid, columns in CASES.items():
        folder = data / "raw" / f"system_id={sid}"
        folder.mkdir(parents=True)
        table = pa.table({"timestamp": columns.get("timestamp", STAMPS), **{k: v for k, v in columns.items() if k != "timestamp"}})
        pq.write_table(table, folder / "part-0.parquet")
    (data / "metadata.csv").write_text(
        "system_id,source,operational_mode,season\n" + "".join(f"{sid},synthetic,backup,winter\n" for sid in CASES)
    )
    (data / "labels.csv").write_text(
        "system_id,label,failure_type,lead_time_days,source,label_version\n" + "".join(f"{sid},normal,none,,synthetic,1\n" for sid in CASES)
    )


def python_problems(data: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for sid in CASES:
        problems: list[str] = []
        scan_series_parquet(str(data / "raw" / f"system_id={sid}"), lambda p: problems.append(p.message))
        out[sid] = problems
    return out


def test_the_python_loader_names_parquet_types(tmp_path: Path) -> None:
    write_fleet(tmp_path)
    got = python_problems(tmp_path)
    assert got["decimal"] == ["column voltage_v is FIXED_LEN_BYTE_ARRAY (DECIMAL): sensor readings are DOUBLE (null for a missing reading)"]
    assert got["text-timestamp"] == ["column timestamp is BYTE_ARRAY (STRING): expected INT64 TIMESTAMP (UTC)"]
    assert got["good"] == got["int8"] == got["int16"] == got["uint32"] == []
    assert got["uint64"] == [
        "column insulation_resistance_kohm is INT64 (UINT_64): an unsigned 64-bit integer is no reading a double holds "
        "(past 2^63 its bits read as a negative number); write it as DOUBLE or a signed integer"
    ]
    assert got["int64-wide"] == [
        "row 2, column insulation_resistance_kohm: -9007199254740992 is an integer past 2^53, which a double does not hold exactly (write the column as DOUBLE)"
    ]


def test_integer_readings_are_read_as_their_values(tmp_path: Path) -> None:
    """An unsigned INT32 past 2^31 is its value, not the negative its bits are as a signed one."""
    write_fleet(tmp_path)
    scan = scan_series_parquet(str(tmp_path / "raw" / "system_id=uint32"), lambda p: pytest.fail(p.message))
    assert scan.columns == ["insulation_resistance_kohm"]
    assert scan.values[0].tolist() == [3_000_000_000.0, 4_294_967_295.0]


@pytest.mark.skipif(shutil.which("node") is None or not (REPO / "node_modules").exists(), reason="needs node and the repo's node_modules")
def test_both_loaders_refuse_the_same_columns_in_the_same_words(tmp_path: Path) -> None:
    write_fleet(tmp_path)
    r = subprocess.run(["node", str(REPO / "bin" / "harness.js"), "validate", "--data", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    typescript: dict[str, list[str]] = {sid: [] for sid in CASES}
    for m in re.finditer(r"system_id=([\w.-]+)/part-0\.parquet: (.*)", r.stdout + r.stderr):
        typescript[m.group(1)].append(m.group(2))
    assert python_problems(tmp_path) == typescript
    accepted = {"good", "int8", "int16", "uint32"}
    assert {sid for sid, problems in typescript.items() if not problems} == accepted
