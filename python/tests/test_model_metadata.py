"""The metadata a model is shown: :func:`bess_harness.protocol.model_metadata` (what
``bess_harness.spark`` hands a model) against what the harness sends a process model (the
TypeScript loader's row, then ``modelMetadata``, then JSON), field by field and type by type.
Needs node."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bess_harness.protocol import model_metadata
from bess_harness.validate import parse_csv, parse_metadata_table

REPO = Path(__file__).resolve().parents[2]

# Tags that tell the label, optional fields present and absent, and capacities JSON writes as an
# integer (2752, 1e20 as 21 digits), as a fraction, and with an exponent (2e21).
METADATA = """system_id,source,operational_mode,season,chemistry,capacity_kwh,climate,scenario_tags,parent_system_id
sys-0001,synthetic,arbitrage,winter,LFP,2752,hot,subtle;spike,
sys-0002,synthetic,backup,summer,,0.5,,noisy_normal,
sys-0003,synthetic,peak_shaving,spring,NMC,100000000000000000000,cold,,
sys-0004,synthetic,arbitrage,autumn,,2e21,,,sys-0001
plant-7,real,unknown,winter,,,,,
"""


def python_side() -> list[dict]:
    problems: list = []
    rows = parse_metadata_table(parse_csv(METADATA, "metadata.csv", problems.append), problems.append)
    assert not problems
    return [model_metadata(loc.row) for loc in rows]


@pytest.mark.skipif(shutil.which("npx") is None or not (REPO / "node_modules").exists(), reason="needs node and the repo's node_modules")
def test_a_model_is_shown_the_metadata_the_harness_sends() -> None:
    proc = subprocess.run(
        ["npx", "tsx", "test/fixtures/conformance/model-metadata.ts"], cwd=REPO, input=METADATA, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    sent = json.loads(proc.stdout)
    # json.dumps tells 2752 from 2752.0 and keeps key order: equal only when the model's dicts are.
    assert [json.dumps(m) for m in python_side()] == [json.dumps(m) for m in sent]
    assert all(m["scenario_tags"] == [] for m in sent)


def test_the_tags_that_tell_the_label_are_withheld() -> None:
    shown = python_side()
    assert [m["scenario_tags"] for m in shown] == [[]] * 5
    assert shown[0] == {
        "system_id": "sys-0001", "source": "synthetic", "operational_mode": "arbitrage", "season": "winter",
        "chemistry": "LFP", "capacity_kwh": 2752, "climate": "hot", "scenario_tags": [],
    }  # fmt: skip
