"""The Python loader against the shared conformance fixture (test/fixtures/conformance/): every case's
expected.json was written by the TypeScript loader (make-expected.ts), and the Python side must load
the same rows and series, or fail with the same message and the same located problems."""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from bess_harness import HarnessDataError, load_dataset, load_labels, load_metadata, load_timeseries

ROOT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "conformance"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


def _clean(d: dict) -> dict:
    """A row without its empty values: absent in TypeScript, NaN or None in a DataFrame."""
    out = {}
    for k, v in d.items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        out[k] = list(v) if isinstance(v, (list, tuple)) else v
    return out


def _rows(df: pd.DataFrame) -> list[dict]:
    return [_clean(r) for r in df.to_dict(orient="records")]


def _series(df: pd.DataFrame) -> dict:
    return {
        "columns": list(df.columns),
        # Whole seconds and their fraction apart, as both loaders read an instant (t / 1e6 rounded t
        # to a double first: 1767141895122000000 ns came out 0.0002 ms short).
        "timestamps": [(t // 1_000_000_000) * 1000 + (t % 1_000_000_000) / 1e6 for t in df.index.asi8.tolist()],
        "values": [[None if math.isnan(v) else v for v in df[c].tolist()] for c in df.columns],
    }


def _assert_series(actual: dict, expected: dict) -> None:
    assert actual["columns"] == expected["columns"]
    assert actual["timestamps"] == pytest.approx(expected["timestamps"], abs=1e-6)
    assert actual["values"] == expected["values"]


def _rel(s: str, case_dir: str) -> str:
    return s.replace(case_dir + os.sep, "").replace(case_dir, ".")


#: Where the CLI's message says `--data`, the Python loader names its argument and the working
#: directory a relative data_dir is taken from: the one wording the two loaders do not share.
_PY_DATA_HINT = re.compile(r"or pass data_dir=: a relative path is the working directory's, [^)]*\)")


def _as_cli(message: str) -> str:
    return _PY_DATA_HINT.sub("or pass --data)", message).replace("a data folder: data_dir= takes", "a data folder: --data takes")


@pytest.mark.parametrize("name", CASES)
def test_case(name: str) -> None:
    case_dir = str(ROOT / name)
    spec = json.loads((ROOT / name / "case.json").read_text())
    expected = json.loads((ROOT / name / "expected.json").read_text())
    data_dir = os.path.join(case_dir, spec.get("data_dir", "data"))
    source = spec.get("source")
    try:
        if spec["load"] == "labels":
            got = _rows(load_labels(source, data_dir=data_dir))
            want = [_clean(r) for r in expected.get("result", [])]
        elif spec["load"] == "metadata":
            got = _rows(load_metadata(source, data_dir=data_dir))
            want = [_clean(r) for r in expected.get("result", [])]
        elif spec["load"] == "timeseries":
            df = load_timeseries(spec["system_id"], data_dir=data_dir, source=source, extra_sensors=spec.get("extra_sensors", ()))
            got = {"source": df.attrs["source"], **_series(df)}
            want = expected.get("result")
        else:
            ds = load_dataset(source, data_dir=data_dir)
            got = {"unlabelled_real": ds.attrs["unlabelled_real"], "systems": []}
            for row in _rows(ds):
                s = load_timeseries(row["system_id"], data_dir=data_dir, source=row["source"])
                got["systems"].append({"row": row, "series": _series(s)})
            want = {
                "unlabelled_real": expected["result"]["unlabelled_real"],
                "systems": [{"row": _clean({**s["label"], **s["metadata"]}), "series": s["series"]} for s in expected["result"]["systems"]],
            } if expected["ok"] else None
    except HarnessDataError as err:
        actual = {
            "ok": False,
            "message": _as_cli(_rel(err.message, case_dir)),
            "problems": [
                {"file": _rel(p.file, case_dir), "line": p.line, "column": p.column, "message": _rel(p.message, case_dir)} for p in err.problems
            ],
        }
        assert actual == expected
        return
    assert expected["ok"], f"the TypeScript loader failed with: {expected.get('message')}"
    if spec["load"] == "timeseries":
        assert got["source"] == want["source"]
        _assert_series(got, want)
    elif spec["load"] == "dataset":
        assert got["unlabelled_real"] == want["unlabelled_real"]
        assert [s["row"] for s in got["systems"]] == [s["row"] for s in want["systems"]]
        for g, w in zip(got["systems"], want["systems"]):
            _assert_series(g["series"], w["series"])
    else:
        assert got == want


def test_error_str_lists_problems_like_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "bad-enum")
    with pytest.raises(HarnessDataError) as info:
        load_labels(data_dir="data")
    lines = str(info.value).splitlines()
    assert lines[0].startswith("cannot read labels /")  # the message names the absolute path, as in TypeScript
    assert lines[1] == 'data/synthetic/labels.csv:2:2: unknown label "anomly" (did you mean "anomaly"?) (expected one of normal, anomaly)'
    assert info.value.problems[0].file == str(ROOT / "bad-enum" / "data" / "synthetic" / "labels.csv")
    assert len(info.value.problems) == 4


@pytest.mark.parametrize("source", ["all", "Real", "bogus"])
def test_load_timeseries_refuses_a_source_that_is_no_folder(tmp_path: Path, source: str) -> None:
    # flat: the source was ignored (and df.attrs said "bogus"); a data dir: "<dir>/all/raw/<id>.csv: file not found"
    for raw in (tmp_path / "flat" / "raw", tmp_path / "dir" / "synthetic" / "raw"):
        raw.mkdir(parents=True)
        (raw / "S1.csv").write_text("timestamp,voltage_v\n2026-01-01T00:00:00Z,800\n")
        with pytest.raises(ValueError, match=f"source must be None .*'synthetic' or 'real', not '{source}'"):
            load_timeseries("S1", data_dir=raw.parent if raw.parent.name == "flat" else raw.parent.parent, source=source)
    assert load_timeseries("S1", data_dir=tmp_path / "dir", source="synthetic").attrs["source"] == "synthetic"
