"""What raw/ holds besides the series: a file the loader does not read (``extra-sys.CSV`` copied in
with an uppercase extension, ``notes.txt``) was skipped without a word, the very silent drop the orphan
check exists to catch. Now load_dataset refuses it, naming it, as the TypeScript loader and `harness
validate` do (the conformance fixture holds both to the same words); names starting with ``_`` or
``.`` are left out, as Spark and pyarrow leave them."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bess_harness import HarnessDataError, load_dataset, load_timeseries

VALID = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "conformance" / "valid-dataset" / "data"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(VALID, tmp_path / "data")
    return tmp_path / "data"


def test_a_series_copied_in_as_csv_in_capitals_is_refused_by_name(data: Path) -> None:
    raw = data / "synthetic" / "raw"
    shutil.copy(raw / "S-001.csv", raw / "extra-sys.CSV")
    (raw / "_SUCCESS").write_text("")
    (raw / ".DS_Store").write_text("")
    with pytest.raises(HarnessDataError) as err:
        load_dataset(data_dir=data)
    assert "1 file(s) in raw/ are not series (<id>.csv or system_id=<id>/), so they would not be read: extra-sys.CSV" in err.value.message
    assert [(Path(p.file).name, p.message) for p in err.value.problems] == [
        (
            "extra-sys.CSV",
            "not a series file: series are <id>.csv or system_id=<id>/ (the extension is case-sensitive: rename it extra-sys.csv)",
        )
    ]


def test_hidden_names_are_left_out(data: Path) -> None:
    raw = data / "synthetic" / "raw"
    (raw / "_SUCCESS").write_text("")
    (raw / ".DS_Store").write_text("")
    assert len(load_dataset(data_dir=data)) == len(load_dataset(data_dir=VALID))


def test_a_missing_series_names_the_file_that_differs_only_in_case(data: Path) -> None:
    raw = data / "synthetic" / "raw"
    (raw / "S-001.csv").rename(raw / "S-001.CSV")
    with pytest.raises(HarnessDataError) as err:
        load_timeseries("S-001", data_dir=data, source="synthetic")
    assert err.value.message == f"{raw / 'S-001.csv'}: file not found (raw/ holds S-001.CSV: the extension is case-sensitive)"
