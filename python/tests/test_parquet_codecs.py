"""The Parquet fleet layout across codecs, between the harness (node) and pyarrow, both ways:
pyarrow reads what `harness generate --format parquet --compression C` writes (the same values as
the CSV fleet of the same seed, in C), and the harness validates and loads what pyarrow writes in
the codecs Spark, Databricks and DuckDB use (ZSTD, GZIP, BROTLI, LZ4, SNAPPY, none), loading the
same series as from the CSV fleet. Needs node."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
HARNESS = str(REPO / "bin" / "harness.js")
SMALL = ["--systems", "6", "--days", "1", "--interval", "15m", "--seed", "codecs"]

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the harness")


def harness(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", HARNESS, *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def csv_fleet(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("codecs")
    r = harness("generate", *SMALL, "--out", str(root / "csv"), cwd=root)
    assert r.returncode == 0, r.stderr
    return root / "csv"


def csv_frame(csv_dir: Path, system_id: str) -> pd.DataFrame:
    df = pd.read_csv(csv_dir / "raw" / f"{system_id}.csv", dtype={"timestamp": str})
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601").astype("datetime64[ms, UTC]")
    # A logger's repeated rows are a CSV artefact the Parquet file leaves out (as the loaders do).
    return df.drop_duplicates().reset_index(drop=True)


@pytest.mark.parametrize("compression", ["snappy", "zstd", "gzip", "none"])
def test_pyarrow_reads_what_the_harness_writes(csv_fleet: Path, tmp_path: Path, compression: str) -> None:
    out = tmp_path / compression
    r = harness("generate", *SMALL, "--format", "parquet", "--compression", compression, "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    codec = {"snappy": "SNAPPY", "zstd": "ZSTD", "gzip": "GZIP", "none": "UNCOMPRESSED"}[compression]
    parts = sorted((out / "raw").glob("system_id=*/part-0.parquet"))
    assert len(parts) == 6
    for part in parts:
        md = pq.ParquetFile(part).metadata
        assert {md.row_group(0).column(i).compression for i in range(md.num_columns)} == {codec}
        got = pq.read_table(part).to_pandas()
        want = csv_frame(csv_fleet, part.parent.name.removeprefix("system_id="))
        assert list(got.columns) == list(want.columns)
        assert (got["timestamp"] == want["timestamp"]).all()
        for c in want.columns[1:]:
            np.testing.assert_array_equal(got[c].to_numpy(dtype="float64"), want[c].to_numpy(dtype="float64"))
    # The hive-partitioned dataset as a whole, with system_id from the folder names.
    table = pq.read_table(out / "raw")
    assert sorted(set(table.column("system_id").to_pylist())) == [p.parent.name.removeprefix("system_id=") for p in parts]


@pytest.mark.parametrize("compression", ["zstd", "gzip", "brotli", "lz4", "snappy", "none"])
@pytest.mark.parametrize("page_version", ["1.0", "2.0"])
def test_the_harness_reads_what_pyarrow_writes(csv_fleet: Path, tmp_path: Path, compression: str, page_version: str) -> None:
    out = tmp_path / "pq"
    for f in sorted((csv_fleet / "raw").glob("*.csv")):
        part = out / "raw" / f"system_id={f.stem}"
        part.mkdir(parents=True)
        df = csv_frame(csv_fleet, f.stem)
        table = pa.Table.from_pandas(df, preserve_index=False)
        # Small pages and row groups: several of each per file, so page boundaries are crossed.
        pq.write_table(table, part / "part-0.parquet", compression=compression, data_page_version=page_version, data_page_size=2048, row_group_size=40)
    for name in ("metadata.csv", "labels.csv"):
        shutil.copy(csv_fleet / name, out / name)
    r = harness("validate", "--data", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "6 systems checked: valid" in r.stdout
    # The harness loads the same bits from this fleet as from the CSV one.
    digests = [json.loads(harness_digest(d, tmp_path)) for d in (csv_fleet, out)]
    assert digests[0] == digests[1]


DIGEST = """
import { createHash } from 'node:crypto';
const { loadDataset } = await import(process.argv[2] + '/src/data/load-dataset.ts');
const ds = await loadDataset({ dataDir: process.argv[3] });
const out = {};
for (const s of ds.systems) {
  const x = await s.loadSeries();
  const h = createHash('sha256');
  h.update(new Uint8Array(x.timestamps.buffer, x.timestamps.byteOffset, x.timestamps.byteLength));
  for (const [name, col] of Object.entries(x.sensors)) { h.update(name); h.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength)); }
  out[s.systemId] = h.digest('hex');
}
console.log(JSON.stringify(out));
"""


def harness_digest(data_dir: Path, cwd: Path) -> str:
    """A hash of every series the harness's loader gives for `data_dir`, per system."""
    script = cwd / "digest.mts"
    script.write_text(DIGEST)
    r = subprocess.run(["node", "--import", "tsx", str(script), str(REPO), str(data_dir)], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("compression", ["zstd", "gzip"])
def test_evaluate_reads_scores_pyarrow_writes(csv_fleet: Path, tmp_path: Path, compression: str) -> None:
    """Scores as Spark on Databricks writes them (ZSTD): `harness evaluate` judges them."""
    labels = pd.read_csv(csv_fleet / "labels.csv", dtype={"system_id": str})
    scores = np.where(labels["label"] == "anomaly", 0.9, 0.1)
    out = tmp_path / f"scores-{compression}.parquet"
    pq.write_table(pa.table({"system_id": labels["system_id"], "score": scores}), out, compression=compression)
    r = harness("evaluate", "--scores", str(out), "--data", str(csv_fleet), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["n"] == len(labels) and got["metrics"]["roc_auc"] == 1
