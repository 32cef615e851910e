"""score_over_time through a real process (protocol 1, tests/client.py): what the reply carries, the
two shapes a model may return, and the errors for anything else."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from client import ModelProcess

from bess_harness.model import capabilities


def series(temps: list[float], start: str = "2026-01-01T00:00:00Z") -> pd.DataFrame:
    index = pd.date_range(start, periods=len(temps), freq="h", tz="UTC", name="timestamp")
    return pd.DataFrame({"temp_cell_max_c": temps}, index=index)


def meta(system_id: str, season: str = "winter") -> dict:
    return {"system_id": system_id, "source": "synthetic", "operational_mode": "arbitrage", "season": season, "scenario_tags": []}


T0 = 1767225600000  # 2026-01-01T00:00:00Z
HOUR = 3_600_000


@pytest.fixture
def model():
    p = ModelProcess("example_models.rolling_temp")
    yield p
    p.kill()


def test_hello_advertises_score_over_time(model: ModelProcess) -> None:
    assert model.hello()["capabilities"] == {"fit": True, "score_batch": False, "score_over_time": True, "state": True}


def test_a_model_without_it_does_not_advertise_it() -> None:
    class Plain:
        def score(self, series, metadata):
            return 0.0

    assert capabilities(Plain())["score_over_time"] is False


def test_a_series_or_a_frame_becomes_epoch_ms_and_scores_with_nan_as_null(model: ModelProcess) -> None:
    model.hello()
    assert model.with_series("fit", [(meta("T"), series([20.0, 20.0]))])[0] == {"type": "ok"}
    temps = [20.0, np.nan, 26.0, 29.0]
    reply, _ = model.with_series("score_over_time", [(meta("A"), series(temps)), (meta("B", "frame"), series([23.0]))])
    # 3-hour trailing means minus 20: 0, 0 (NaN skipped), 3 (20, 26), 7.5 (26, 29 over 01:00–03:00).
    assert reply == {
        "type": "scores_over_time",
        "series": [
            {"t": [T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR], "score": [0.0, 0.0, 3.0, 7.5]},
            {"t": [T0], "score": [3.0]},
        ],
    }
    reply, _ = model.with_series("score_over_time", [(meta("C"), series([np.nan, 21.0]))])
    assert reply["series"][0]["score"] == [None, 1.0]


@pytest.mark.parametrize(
    ("season", "message"),
    [
        ("list", "score_over_time for system bad returned list: return a pandas Series indexed by timestamp"),
        ("inf", "score_over_time for system bad: a score is infinite"),
        # Its header would pass the protocol's 16 MiB: an error that says so, never bytes the harness reads as garbage.
        ("huge", "the scores_over_time reply to score_over_time cannot be sent: its header is"),
        ("text", "score_over_time for system bad: a score is '21.000', text: every score must be a number"),
        ("raise", "score_over_time(bad): KeyError: 'temp_ambient_c'"),
    ],
)
def test_anything_else_is_an_error_naming_the_system_and_the_process_serves_on(model: ModelProcess, season: str, message: str) -> None:
    model.hello()
    # Second in its batch: the message names the system that failed, not the batch's first.
    reply, _ = model.with_series("score_over_time", [(meta("first"), series([21.0])), (meta("bad", season), series([21.0, 22.0]))])
    assert reply["type"] == "error" and message in reply["message"]
    reply, _ = model.with_series("score", [(meta("ok"), series([21.0]))])
    assert reply == {"type": "scores", "scores": [21.0]}
