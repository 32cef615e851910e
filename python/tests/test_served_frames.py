"""What ``harness run`` hands a Python model, against what ``load_timeseries`` gives for the same
system: the frame (columns and their order, dtypes, index, every value's bits) and the metadata, by
a model that writes down a fingerprint of both. The fleet's systems carry different sensors, so a
score batch holds systems with and without a sensor: a system must not get its neighbours' sensors
as columns of its own (all NaN), which made ``"insulation_resistance_kohm" in series.columns``
depend on the batch. Needs node."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bess_harness.loader import load_timeseries, read_metadata
from bess_harness.protocol import model_metadata

REPO = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
from example_models.fingerprint import fingerprint  # noqa: E402

CONFIG = """export default {{
  workers: 1,
  models: {{ fp: {{ command: [{python}, '-m', 'example_models.frame_log'], cwd: {tests} }} }},
}};
"""
SUITE = """import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 'frames', dataset: { path: 'fleet' }, split: { folds: 2 }, models: ['fp'] });
"""


def cut_column(file: Path, column: str) -> None:
    lines = file.read_text().splitlines()
    at = lines[0].split(",").index(column)
    file.write_text("".join(",".join(c for i, c in enumerate(line.split(",")) if i != at) + "\n" for line in lines))


def move_column_last(file: Path, column: str) -> None:
    lines = [line.split(",") for line in file.read_text().splitlines()]
    at = lines[0].index(column)
    file.write_text("".join(",".join([*row[:at], *row[at + 1 :], row[at]]) + "\n" for row in lines))


@pytest.mark.skipif(shutil.which("node") is None or not (REPO / "node_modules").exists(), reason="needs node and the repo's node_modules")
def test_a_served_frame_is_the_frame_load_timeseries_gives_whatever_the_batch(tmp_path: Path) -> None:
    harness = [shutil.which("node") or "node", str(REPO / "bin" / "harness.js")]
    fleet = tmp_path / "fleet"
    subprocess.run([*harness, "generate", "--systems", "40", "--days", "1", "--interval", "1h", "--out", str(fleet)], check=True, capture_output=True)
    files = sorted((fleet / "raw").glob("*.csv"))
    # Most systems lack the insulation sensor; every fifth has it, so each score batch mixes both.
    for k, f in enumerate(files):
        if k % 5 != 0:
            cut_column(f, "insulation_resistance_kohm")
    move_column_last(files[3], "soc_pct")  # a system's own column order, not its batch's
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "bess-harness").symlink_to(REPO, target_is_directory=True)
    (tmp_path / "package.json").write_text('{"name": "fixture", "type": "module", "private": true}')
    (tmp_path / "harness.config.ts").write_text(CONFIG.format(python=json.dumps(sys.executable), tests=json.dumps(str(TESTS))))
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "frames.suite.ts").write_text(SUITE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "python"), env.get("PYTHONPATH", "")])
    env["FRAME_LOG"] = str(tmp_path / "frames.jsonl")
    r = subprocess.run([*harness, "run", "--reporter", "plain", "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr

    seen = [json.loads(line) for line in (tmp_path / "frames.jsonl").read_text().splitlines()]
    meta = {m["system_id"]: model_metadata(m) for m in read_metadata(data_dir=fleet)}
    assert {s["system_id"] for s in seen} == set(meta)  # each at least once (the run's own checks score some again)
    want = {i: load_timeseries(i, data_dir=fleet) for i in meta}
    for s in seen:
        frame = want[s["system_id"]]
        assert s["columns"] == list(frame.columns), s["system_id"]
        assert s["fingerprint"] == fingerprint(frame, meta[s["system_id"]]), s["system_id"]
