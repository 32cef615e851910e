"""The loader's arguments given in a shape it does not take: a message that says which argument and
what it takes, never a raw TypeError from deep inside or a wrong result."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from bess_harness import HarnessDataError, load_labels, load_timeseries, visualize_labels  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "conformance" / "valid-dataset" / "data"


def test_a_system_id_that_is_not_a_string_is_named() -> None:
    with pytest.raises(TypeError, match=r"^system_id must be a string such as 'sys-0001', not int: 1$"):
        load_timeseries(1, data_dir=DATA)  # type: ignore[arg-type]


def test_a_single_derived_feature_name_is_one_name_not_its_letters() -> None:
    df = load_timeseries("S-001", data_dir=DATA, derive="cell_delta_v_mv")
    assert df.columns[-1] == "cell_delta_v_mv"
    assert df["cell_delta_v_mv"].iloc[0] == pytest.approx((3.3312 - 3.3101) * 1000)
    with pytest.raises(TypeError, match=r"^derive must be names \(strings\), not int: 1$"):
        load_timeseries("S-001", data_dir=DATA, derive=[1])  # type: ignore[list-item]


def test_a_single_extra_sensor_name_is_one_name_not_its_letters(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "S1.csv").write_text("timestamp,voltage_v,foo\n2026-01-01T00:00:00Z,800,1.5\n")
    df = load_timeseries("S1", data_dir=tmp_path, extra_sensors="foo")
    assert list(df.columns) == ["voltage_v", "foo"] and df["foo"].iloc[0] == 1.5


def test_a_missing_data_folder_says_data_dir_and_where_a_relative_one_was_looked_for(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a notebook started in notebooks/, say: ./data is not there
    for load in (load_labels, lambda: load_timeseries("S-001")):
        with pytest.raises(HarnessDataError) as e:
            load()
        assert e.value.message == (
            f"data folder {tmp_path / 'data'} not found (run `harness generate`, or pass data_dir=: "
            f"a relative path is the working directory's, {tmp_path})"
        )


def test_a_data_folder_given_as_the_source_says_to_pass_it_as_data_dir() -> None:
    with pytest.raises(ValueError, match=r"not '.*data' \('.*data' is a folder: pass it as data_dir='.*data'\)$"):
        load_labels(str(DATA))


def test_visualize_labels_takes_a_data_folder_or_says_what_it_takes() -> None:
    fig = visualize_labels(DATA)  # read as load_dataset(data_dir=...): operational_mode is there
    assert [a.get_title() for a in fig.get_axes()][2] == "systems by operational_mode"
    assert sum(p.get_height() for p in fig.get_axes()[0].patches) == 4
    with pytest.raises(TypeError, match=r"^visualize_labels takes a labels DataFrame \(load_dataset\(\) or load_labels\(\)\) or a data folder's path, not list$"):
        visualize_labels([1, 2])  # type: ignore[arg-type]
