"""load_dataset reads each source folder from one version of it: ``data/synthetic`` is a link that
``harness generate`` points at a new version, and a load that read metadata.csv through the link, then
labels.csv through it after a generate, joined fleet A's metadata with fleet B's labels without a word
(same ids, other labels). The generate lands here at a fixed point, right after the metadata is read:
the load must give one fleet, here the new one (the old version is gone by the time labels are read).
And a data/real that a killed `harness import` left half replaced is refused until the harness finishes it.
Needs node."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from bess_harness import HarnessDataError, load_dataset
from bess_harness import loader

REPO = Path(__file__).resolve().parents[2]
HARNESS = str(REPO / "bin" / "harness.js")
FLEET = ["--systems", "12", "--days", "1", "--interval", "1h"]

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the harness")


def generate(data: Path, seed: str) -> None:
    r = subprocess.run(["node", HARNESS, "generate", *FLEET, "--seed", seed, "--data", str(data)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_a_generate_between_metadata_and_labels_does_not_mix_fleets(tmp_path, monkeypatch):
    generate(tmp_path / "ref-a", "a")
    generate(tmp_path / "ref-b", "b")
    want = load_dataset(data_dir=tmp_path / "ref-b")
    assert not want.equals(load_dataset(data_dir=tmp_path / "ref-a"))

    data = tmp_path / "data"
    generate(data, "a")
    read_metadata = loader._read_located_metadata
    landed = []

    def then_generate(*args, **kwargs):
        rows = read_metadata(*args, **kwargs)
        if not landed:
            landed.append(True)
            generate(data, "b")
        return rows

    monkeypatch.setattr(loader, "_read_located_metadata", then_generate)
    got = load_dataset(data_dir=data)
    assert landed
    # Fleet A's version was removed under the read: it is read again, wholly from fleet B.
    pd.testing.assert_frame_equal(got, want)


def test_errors_name_the_folder_link_not_its_version(tmp_path):
    data = tmp_path / "data"
    generate(data, "a")
    labels = data / "synthetic" / "labels.csv"
    labels.write_text(labels.read_text().replace(",normal,", ",nope,", 1))
    with pytest.raises(HarnessDataError) as info:
        load_dataset(data_dir=data)
    assert info.value.problems[0].file == str(labels)
    assert ".synthetic.v-" not in str(info.value)


def test_a_half_swapped_real_folder_is_refused_until_the_harness_finishes_it(tmp_path):
    """A `harness import` killed while it replaced data/real leaves raw/, metadata.csv and labels.csv of
    two imports; the staging folder's journal says so, and this loader (which does not write) refuses."""
    data = tmp_path / "data"
    generate(data, "a")
    real = data / "real"
    (real / "raw").mkdir(parents=True)
    (real / "metadata.csv").write_text("system_id,source,operational_mode,season\n")
    staging = data / ".real.staging-2147483600-0badcafe"
    (staging / ".old").mkdir(parents=True)
    (staging / "swap.json").write_text('{"renames": ["raw", "metadata.csv"], "writes": []}\n')
    # Killed after raw/ came in and the old metadata.csv went to .old/, before the new one came in.
    (staging / "metadata.csv").write_text("system_id,source,operational_mode,season\n")
    (real / "metadata.csv").rename(staging / ".old" / "metadata.csv")
    with pytest.raises(HarnessDataError, match=r"half replaced by a `harness import`.*harness validate"):
        load_dataset(data_dir=data)
    r = subprocess.run(["node", HARNESS, "validate", "--data", str(data)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not staging.exists()
    assert len(load_dataset(data_dir=data)) == 12
