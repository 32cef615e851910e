"""Page checksums, as Spark writes them (a CRC-32 of each page's bytes), are verified by the
Python loader as by the TypeScript reader (src/data/parquet-columns.ts): a byte flipped in a page
is a problem naming the file, not a reading off in its last digits."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from bess_harness.parquet import scan_series_parquet

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def write(tmp_path):
    folder = tmp_path / "system_id=sys-1"
    folder.mkdir()
    table = pa.table(
        {
            "timestamp": pa.array([T0 + i * 60_000 for i in range(50)], pa.timestamp("ms", tz="UTC")),
            "voltage_v": pa.array([800.0 + i / 8 for i in range(50)]),
        }
    )
    file = folder / "part-0.parquet"
    pq.write_table(table, file, write_page_checksum=True, compression="NONE", use_dictionary=False)
    return folder, file


def scan(folder):
    problems: list[str] = []
    result = scan_series_parquet(str(folder), lambda p: problems.append(p.message))
    return result, problems


def test_a_part_with_checksums_reads_as_any_other(tmp_path):
    folder, _ = write(tmp_path)
    result, problems = scan(folder)
    assert problems == []
    assert float(result.values[0][49]) == 800.0 + 49 / 8


def test_a_byte_flipped_in_a_page_is_a_problem(tmp_path):
    folder, file = write(tmp_path)
    chunk = pq.ParquetFile(file).metadata.row_group(0).column(1)
    data = bytearray(file.read_bytes())
    data[chunk.data_page_offset + chunk.total_compressed_size - 8] ^= 0x01  # the last reading's lowest bit
    file.write_bytes(bytes(data))
    _, problems = scan(folder)
    assert len(problems) == 1
    assert "checksum" in problems[0].lower() or "crc" in problems[0].lower()
