"""The documents a model author reads say that scoring never runs in the process that ran fit, that
the fit reaches it through save_state/restore_state only, and that `harness check` catches a model
that keeps its fit elsewhere. They said "so other workers restore instead of fitting", which reads as
if one worker scored where it fitted: a model keeping its fit in a module global then scored all 0
(AUC 0.5) with exit 0. test/integration/process-ship-state.test.ts holds the harness to it."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _flat(path: str) -> str:
    return " ".join((REPO / path).read_text(encoding="utf-8").split())


@pytest.mark.parametrize(
    "path, says",
    [
        ("README.md", "**Scoring never runs in the process that ran `fit`**"),
        ("docs/process-protocol.md", "**Fit and scoring run in different processes**, even with `workers: 1`"),
        ("python/README.md", "**The harness never scores in the process that ran `fit`** (not even with `workers: 1`)"),
    ],
)
def test_the_docs_say_fit_and_scoring_never_share_a_process(path: str, says: str) -> None:
    text = _flat(path)
    assert says in text
    at = text.index(says)
    nearby = text[at : at + 1200]
    assert "save_state" in nearby and "harness check" in nearby and "state_roundtrip" in nearby
    assert "shipState: false" in nearby


def test_the_model_docstring_says_it_too() -> None:
    from bess_harness import Model

    doc = " ".join((Model.__doc__ or "").split())
    assert "The harness never scores in the process that ran ``fit``" in doc and "harness check" in doc
