"""notebooks/analysis.ipynb runs end to end: executed with nbclient in this venv's Python, in memory
(the notebook file is never written), and its tables hold the strata a reader is told about."""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "analysis.ipynb"
RUNS = REPO / ".harness" / "runs"
POINTER = REPO / ".harness" / "last-run" / "run-record.json"


def _text(cell) -> str:
    """What a code cell showed: its streams and the text/plain of its results."""
    parts = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            parts.append(o.text)
        elif "text/plain" in o.get("data", {}):
            parts.append(o.data["text/plain"])
    return "\n".join(parts)


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KernelManager:
    """A kernel of this test's Python (the venv's, with bess_harness), whatever kernelspecs Jupyter knows."""
    spec = tmp_path / "kernels" / "bess-harness-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "bess-harness test", "language": "python"}))
    # The kernel inherits this environment: a developer's MLflow server must not receive the run.
    for k in [k for k in os.environ if k.startswith("MLFLOW_")]:
        monkeypatch.delenv(k)
    monkeypatch.delenv("BESS_HARNESS_ROOT", raising=False)
    # Its connection file too goes in this test's folder: by default it is left in /tmp.
    return KernelManager(
        kernel_name="bess-harness-test",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]),
        connection_file=str(tmp_path / "kernel-connection.json"),
    )


@pytest.fixture
def history_left_as_it_was():
    """The notebook's `harness run` records a run in the project's history: take it out again."""
    before = set(RUNS.iterdir()) if RUNS.exists() else set()
    pointer = POINTER.read_bytes() if POINTER.exists() else None
    yield
    for d in (set(RUNS.iterdir()) if RUNS.exists() else set()) - before:
        run = d / "run.json"
        if run.exists() and json.loads(run.read_text()).get("argv") == ["--suite", "smoke"]:
            shutil.rmtree(d)
    if pointer is None:
        POINTER.unlink(missing_ok=True)
    else:
        POINTER.write_bytes(pointer)


def test_the_analysis_notebook_runs_end_to_end(kernel: KernelManager, history_left_as_it_was, tmp_path: Path) -> None:
    if shutil.which("node") is None or not (REPO / "node_modules").exists():
        pytest.skip("needs node and the repo's node_modules to run the harness")
    committed = NOTEBOOK.read_bytes()
    nb = nbformat.reads(committed.decode("utf-8"), as_version=4)
    # Committed without outputs: a diff of the notebook is a diff of its code and prose.
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))

    # As Jupyter starts it: in notebooks/, so the notebook has to find the project root itself.
    NotebookClient(nb, km=kernel, timeout=600, resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    nbformat.write(nb, tmp_path / "executed.ipynb")  # for a look when this fails

    errors = [f"{o.ename}: {o.evalue}" for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert _text(nb.cells[-1]).strip() == sys.prefix
    shown = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
    assert "run recorded: .harness/runs/" in shown
    assert "the suite evaluated the fleet generated above: True" in shown

    (tables,) = [c for c in nb.cells if "breakdown-tables" in c.metadata.get("tags", [])]
    text = _text(tables)
    for by in ("failure_type", "operational_mode", "lead_time_bucket"):
        assert f"ROC AUC [95% CI] by {by}" in text
    for stratum in ("thermal_runaway", "insulation_fault", "cooling_failure", "peak_shaving", "frequency_regulation", "[0,7)", "[7,30)"):
        assert stratum in text, stratum
    for model in ("random", "zscore", "pca"):
        assert f"roc_auc {model}" in text and f"recall {model}" in text
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # the label charts, the example series, the forest plot, ROC and PR
    assert NOTEBOOK.read_bytes() == committed
