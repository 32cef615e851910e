"""serve() through a real process: the tests start ``python -m example_models.mean_temp`` and speak
protocol 1 to it (tests/client.py), as the harness does."""
from __future__ import annotations

import os
import pickle
from pathlib import Path
import struct

import numpy as np
import pandas as pd
import pytest
from client import ModelProcess

from bess_harness.protocol import PROTOCOL, decode_series, encode_series


def series(temps: list[float], start: str = "2026-01-01T00:00:00Z") -> pd.DataFrame:
    index = pd.date_range(start, periods=len(temps), freq="h", tz="UTC", name="timestamp")
    return pd.DataFrame({"temp_cell_max_c": temps, "soc_pct": np.linspace(40, 60, len(temps))}, index=index)


def meta(system_id: str, season: str = "winter") -> dict:
    return {"system_id": system_id, "source": "synthetic", "operational_mode": "arbitrage", "season": season, "scenario_tags": []}


TRAIN = [(meta("T1"), series([20.0, 22.0, np.nan])), (meta("T2"), series([24.0, 26.0]))]


@pytest.fixture
def model():
    p = ModelProcess("example_models.mean_temp")
    yield p
    p.kill()


def test_hello_announces_name_version_and_capabilities(model: ModelProcess) -> None:
    assert model.hello() == {
        "type": "hello",
        "protocol": PROTOCOL,
        "name": "mean-temp",
        "version": "3",
        "capabilities": {"fit": True, "score_batch": False, "score_over_time": False, "state": True},
    }


def test_a_protocol_it_does_not_speak_is_an_error(model: ModelProcess) -> None:
    reply, _ = model.call({"type": "hello", "protocol": 99, "harness_version": "x"})
    assert reply["type"] == "error" and "protocol 99 is not supported" in reply["message"]


def test_fit_then_score_in_order_and_prints_stay_off_stdout(model: ModelProcess) -> None:
    model.hello()
    assert model.with_series("fit", TRAIN)[0] == {"type": "ok"}
    reply, _ = model.with_series("score", [(meta("A"), series([30.0, 30.0])), (meta("B"), series([23.0]))])
    assert reply == {"type": "scores", "scores": [7.0, 0.0]}
    assert model.call({"type": "teardown"})[0] == {"type": "ok"}
    assert model.wait() == 0
    err = model.stderr()
    assert "this print must not reach the protocol stream" in err and "nor this write to file descriptor 1" in err


def test_state_round_trips_into_a_fresh_process(model: ModelProcess) -> None:
    model.hello()
    model.with_series("fit", TRAIN)
    reply, state = model.call({"type": "save_state"})
    assert reply == {"type": "state", "payload_bytes": len(state)}
    assert pickle.loads(state)["fitted_on"] == ["T1", "T2"]
    other = ModelProcess("example_models.mean_temp")
    try:
        other.hello()
        assert other.call({"type": "restore_state"}, state)[0] == {"type": "ok"}
        assert other.with_series("score", [(meta("A"), series([30.0]))])[0]["scores"] == [7.0]
    finally:
        other.kill()


def test_a_model_exception_is_an_error_reply_and_the_process_serves_on(model: ModelProcess) -> None:
    model.hello()
    reply, _ = model.with_series("score", [(meta("A"), series([1.0])), (meta("X", "explode"), series([1.0]))])
    # The system that raised, not the batch's first (the harness names that one before the reply).
    assert reply == {"type": "error", "message": "score(X): RuntimeError: cannot score X"}
    reply, _ = model.with_series("score", [(meta("A"), series([1.0]))])
    assert reply == {"type": "scores", "scores": [1.0]}
    assert model.call({"type": "teardown"})[0]["type"] == "ok"
    assert model.wait() == 0
    assert "Traceback" in model.stderr()


def test_a_long_exception_message_is_cut_and_the_process_serves_on(model: ModelProcess) -> None:
    # An exception whose text holds a frame: sent whole, a large one passed the protocol's 16 MiB header
    # limit and the harness read the model's stdout as garbage. Messages are cut to 8000 characters.
    model.hello()
    reply, _ = model.with_series("score", [(meta("V", "verbose"), series([1.0]))])
    assert reply["type"] == "error" and reply["message"].startswith("score(V): ValueError: bad frame:\n0.123456789 ")
    assert reply["message"].endswith("more characters cut)") and len(reply["message"]) < 8100
    reply, _ = model.with_series("score", [(meta("A"), series([1.0]))])
    assert reply == {"type": "scores", "scores": [1.0]}


def test_a_nan_score_and_an_unknown_request_are_errors(model: ModelProcess) -> None:
    reply, _ = model.with_series("score", [(meta("N", "nan"), series([1.0]))])
    assert reply == {"type": "error", "message": "score for system N is nan: a score must be a finite number"}
    reply, _ = model.call({"type": "predict"})
    assert reply["type"] == "error" and "unknown request type 'predict'" in reply["message"]


def test_a_bad_payload_is_an_error_reply(model: ModelProcess) -> None:
    payload, _ = encode_series([("A", series([1.0, 2.0]))])
    reply, _ = model.call({"type": "score", "systems": [meta("A")], "rows": [3]}, payload)
    assert reply["type"] == "error" and reply["message"].startswith("bad series payload: rows add up to 3")
    reply, _ = model.call({"type": "score", "systems": [meta("B")], "rows": [2]}, payload)
    assert reply["message"] == "bad series payload: rows 0…1 of the payload are not all of system B"
    reply, _ = model.call({"type": "score", "systems": [meta("A")], "rows": [2], "sensors": [["soc_pct", "volts"]]}, payload)
    assert reply["message"] == "bad series payload: sensors of system A name volts, not a sensor column of the payload"
    reply, _ = model.call({"type": "score", "systems": [meta("A")], "rows": [2], "sensors": []}, payload)
    assert reply["message"] == "bad series payload: sensors must be a list of 1 lists, one per system"


def test_score_batch_of_the_wrong_length_is_an_error() -> None:
    p = ModelProcess("example_models.mean_temp", "bad-batch")
    try:
        assert p.hello()["capabilities"]["score_batch"] is True
        reply, _ = p.with_series("score", [(meta("A"), series([1.0])), (meta("B"), series([2.0]))])
        assert reply == {
            "type": "error",
            "message": "score_batch returned 1 scores for 2 systems: it must return one per system, in order",
        }
    finally:
        p.kill()


class _Batch:
    """A model whose score_batch returns whatever ``result(metadata)`` builds."""

    def __init__(self, result) -> None:
        self.result = result

    def score_batch(self, series, metadata):
        return self.result(metadata)


_IDS = ["007", "002", "010"]


@pytest.mark.parametrize(
    "result, scores",
    [
        # keyed by system_id, in another order than the batch: aligned by id, never taken in key order
        (lambda ms: {m["system_id"]: float(k) for k, m in reversed(list(enumerate(ms)))}, [0.0, 1.0, 2.0]),
        (lambda ms: pd.Series([0.0, 1.0, 2.0], index=[m["system_id"] for m in ms]).sort_index(), [0.0, 1.0, 2.0]),
        (lambda ms: pd.Series([0.5, 0.25, 0.75]), [0.5, 0.25, 0.75]),  # a plain Series: in order
    ],
)
def test_score_batch_keyed_by_system_id_is_aligned_by_id(result, scores) -> None:
    from bess_harness.serve import handle

    payload, rows = encode_series([(i, series([1.0])) for i in _IDS])
    reply, _ = handle(_Batch(result), {"type": "score", "systems": [meta(i) for i in _IDS], "rows": rows}, payload)
    assert reply == {"type": "scores", "scores": scores}


def _both_sources() -> tuple[dict, bytes]:
    """A batch of a dataset of both sources (source: 'all') that holds sys-1 from each."""
    systems = [{**meta("sys-1"), "source": "synthetic"}, {**meta("sys-1"), "source": "real"}, {**meta("sys-2"), "source": "real"}]
    payload, rows = encode_series([(m["system_id"], series([1.0])) for m in systems])
    return {"type": "score", "systems": systems, "rows": rows}, payload


def test_score_batch_keyed_by_source_and_system_id_is_aligned_by_both() -> None:
    from bess_harness.serve import handle

    header, payload = _both_sources()
    by_pair = lambda ms: pd.Series([0.1, 0.2, 0.3], index=pd.MultiIndex.from_tuples([(m["source"], m["system_id"]) for m in ms])).sort_index()  # noqa: E731
    assert handle(_Batch(by_pair), header, payload)[0] == {"type": "scores", "scores": [0.1, 0.2, 0.3]}
    as_dict = lambda ms: {(m["source"], m["system_id"]): float(k) for k, m in reversed(list(enumerate(ms)))}  # noqa: E731
    assert handle(_Batch(as_dict), header, payload)[0] == {"type": "scores", "scores": [0.0, 1.0, 2.0]}


def test_score_batch_keyed_by_an_id_two_systems_share_says_to_key_by_source_too() -> None:
    from bess_harness.serve import _CallError, handle

    header, payload = _both_sources()
    # One key per id cannot hold the two sys-1's scores: a dict keeps the last.
    with pytest.raises(_CallError) as e:
        handle(_Batch(lambda ms: {m["system_id"]: 1.0 for m in ms}), header, payload)
    assert str(e.value) == (
        "score_batch returned a dict keyed by 'sys-1', 'sys-2' for systems sys-1, sys-1, sys-2: sys-1 is in this batch once per source, "
        "so a system_id does not say which system a score is for: key the scores by (source, system_id) (a Series with a two-level "
        "index, or a dict of tuples), or return a list in the order of the systems"
    )


@pytest.mark.parametrize(
    "result, says",
    [
        # sort_values keeps the positions as the index: taken in order, the scores would belong to other systems
        (lambda ms: pd.Series([0.1, 0.3, 0.2]).sort_values(), "score_batch returned a Series keyed by 0, 2, 1 for systems 007, 002, 010"),
        (lambda ms: {"007": 1.0, "002": 2.0, "011": 3.0}, "score_batch returned a dict keyed by '007', '002', '011'"),
        (lambda ms: {m["system_id"]: 1.0 for m in ms[:2]}, "score_batch returned a dict keyed by '007', '002' for"),
        (lambda ms: pd.DataFrame({"score": [1.0, 2.0, 3.0]}), "score_batch returned a DataFrame"),
        (lambda ms: None, "score_batch returned NoneType"),
        # text is not a score, though float() reads it (the ids of a dict's keys, say)
        (lambda ms: [m["system_id"] for m in ms], "score for system 007 is '007': a score must be a finite number"),
        (lambda ms: [10**400, 1.0, 2.0], "score for system 007 is 1000"),
        # a flag is not a score: float(True) is 1.0, and numpy's bools convert as well
        (lambda ms: [True, False, True], "score for system 007 is True, a flag: a score must be a finite number"),
        (lambda ms: np.array([0.5, 0.6, 0.7]) > 0.55, "score for system 007 is False, a flag"),
        # predict_proba(X)[:, [1]] is a column, not one score per system: the shape is what is wrong
        (
            lambda ms: np.array([[0.1], [0.2], [0.3]]),
            "score_batch returned an array of shape (3, 1): expected 1-D, one score per system (3 here); `.ravel()` flattens it",
        ),
        (lambda ms: np.array([[0.1, 0.2, 0.3]]), "score_batch returned an array of shape (1, 3): expected 1-D"),
        (lambda ms: np.zeros((3, 2)), "score_batch returned an array of shape (3, 2): expected 1-D, one score per system (3 here); take the one column"),
        (lambda ms: [[0.1], [0.2], [0.3]], "score for system 007 is a list, not a number ([0.1]): score_batch must return one number per system"),
    ],
)
def test_score_batch_results_that_cannot_be_aligned_are_errors(result, says: str) -> None:
    from bess_harness.serve import _CallError, handle

    payload, rows = encode_series([(i, series([1.0])) for i in _IDS])
    with pytest.raises(_CallError) as e:
        handle(_Batch(result), {"type": "score", "systems": [meta(i) for i in _IDS], "rows": rows}, payload)
    assert str(e.value).startswith(says)


def test_a_score_that_is_a_series_is_refused_in_one_line() -> None:
    # Each a one-element Series: its repr spans lines, and the message broke the plain report.
    from bess_harness.serve import _CallError, handle

    payload, rows = encode_series([(i, series([1.0])) for i in _IDS])
    many = pd.Series(np.arange(500.0), name="a long one")
    for result in (lambda ms: [pd.Series([0.1]) for _ in ms], lambda ms: [many for _ in ms]):
        with pytest.raises(_CallError) as e:
            handle(_Batch(result), {"type": "score", "systems": [meta(i) for i in _IDS], "rows": rows}, payload)
        message = str(e.value)
        assert message.startswith("score for system 007 is a Series of shape (")
        assert "\n" not in message and len(message) < 300, message


def test_score_returning_a_one_element_array_says_it_must_return_a_number() -> None:
    from bess_harness.serve import _CallError, handle

    class One:
        def score(self, series, metadata):
            return np.array([0.07])

    payload, rows = encode_series([("A", series([1.0]))])
    with pytest.raises(_CallError) as e:
        handle(One(), {"type": "score", "systems": [meta("A")], "rows": rows}, payload)
    assert str(e.value) == "score for system A is a ndarray of shape (1,), not a number (array([0.07])): score must return one number"


def test_an_unpicklable_fit_says_which_attribute_and_how_to_ship_it() -> None:
    import threading

    from bess_harness import Model
    from bess_harness.serve import _CallError, handle

    class Locked(Model):
        def fit(self, train):
            self.center = 0.05
            self.lock = threading.Lock()

    model = Locked()
    model.fit([])
    with pytest.raises(_CallError) as e:
        handle(model, {"type": "save_state"}, b"")
    assert str(e.value) == (
        "TypeError: cannot pickle '_thread.lock' object (self.lock, a lock): the default save_state pickles the model's "
        "attributes, and the harness scores in other processes than the one that ran fit; override save_state/restore_state "
        "to save what score needs, or set shipState: false in the model's config entry (each scoring process then fits again)"
    )

    class OwnState(Locked):  # its own save_state's error is its own: passed on as it is
        def save_state(self) -> bytes:
            raise RuntimeError("no state today")

    with pytest.raises(RuntimeError, match="no state today"):
        handle(OwnState(), {"type": "save_state"}, b"")


@pytest.mark.parametrize(
    "garbage, says",
    [
        (b"hello world\n", "frame header length"),
        (struct.pack("<I", 5) + b"{nope", "not UTF-8 JSON"),
        (struct.pack("<I", 2) + b"[]", 'a JSON object with a string "type"'),
        (struct.pack("<I", 39) + b'{"type":"score","payload_bytes":100000}' + b"short", "the stream ended 5 bytes into a 100000-byte payload"),
    ],
)
def test_garbage_on_stdin_exits_non_zero_with_a_message(garbage: bytes, says: str) -> None:
    p = ModelProcess("example_models.mean_temp")
    try:
        p.send_raw(garbage)
        assert p.wait() == 2
        err = p.stderr()
        assert says in err and "bess_harness.serve" in err
        assert p.proc.stdout is not None and p.proc.stdout.read() == b""
    finally:
        p.kill()


def test_end_of_stdin_between_frames_is_a_clean_exit(model: ModelProcess) -> None:
    model.hello()
    assert model.wait() == 0


def test_series_survive_the_arrow_round_trip() -> None:
    a, b = series([1.0, np.nan, 3.0]), series([5.0], start="2026-03-01T12:00:00.250Z").drop(columns=["soc_pct"])
    payload, rows = encode_series([("A", a), ("B", b)])
    back = decode_series(payload, [meta("A"), meta("B")], rows)
    pd.testing.assert_frame_equal(back[0], a, check_freq=False, check_index_type=False)
    assert back[1].index[0] == pd.Timestamp("2026-03-01T12:00:00.250Z")
    assert np.isnan(back[1]["soc_pct"].iloc[0])  # without the header's sensors: every column of the batch
    # With them (as the harness sends them), each system has its own columns, in its own order.
    own = decode_series(payload, [meta("A"), meta("B")], rows, [list(a.columns)[::-1], list(b.columns)])
    pd.testing.assert_frame_equal(own[0], a[a.columns[::-1]], check_freq=False, check_index_type=False)
    assert list(own[1].columns) == list(b.columns) and "soc_pct" not in own[1].columns


def test_a_served_series_is_indexed_as_load_timeseries_indexes_it(tmp_path: Path) -> None:
    from bess_harness import load_timeseries
    from bess_harness.serve import _CallError, handle

    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "S1.csv").write_text("timestamp,voltage_v\n2026-01-01T00:00:00Z,800\n2026-01-01T01:00:00.250Z,\n")
    local = load_timeseries("S1", data_dir=tmp_path, source="synthetic")
    payload, rows = encode_series([("S1", local)])
    [served] = decode_series(payload, [meta("S1")], rows)
    # same unit (pandas 3 read epoch ms into microseconds): index.asi8 means the same in both places
    pd.testing.assert_frame_equal(served, local, check_freq=False)
    assert served.index.asi8.tolist() == local.index.asi8.tolist() == [1_767_225_600_000_000_000, 1_767_229_200_250_000_000]
    sentinel, _ = encode_series([("S1", pd.DataFrame({"voltage_v": [1.0]}, index=[253_402_214_400_000]))])  # 9999-12-31, as epoch ms
    with pytest.raises(_CallError, match="^bad series payload: .*9999-12-31"):
        handle(object(), {"type": "score", "systems": [meta("S1")], "rows": [1]}, sentinel)


def test_the_byte_example_of_the_protocol_document_holds() -> None:
    from bess_harness.protocol import encode_frame

    doc = (Path(__file__).resolve().parents[2] / "docs" / "process-protocol.md").read_text()
    hello = {"type": "hello", "protocol": 1, "harness_version": "0.1.0"}
    frame = encode_frame(hello)
    assert frame[:4] == bytes.fromhex("37000000") and len(frame) == 59
    assert frame[4:].decode() in doc and "59 bytes in all" in doc
    assert encode_frame({"type": "scores", "scores": [0.82]})[:4] == bytes.fromhex("21000000")
    m = {"system_id": "S-001", "source": "synthetic", "operational_mode": "arbitrage", "season": "winter", "scenario_tags": []}
    frame = encode_frame({"type": "score", "seed": 7, "systems": [m], "rows": [2], "sensors": [["temp_cell_max_c"]]}, bytes(584))
    n = int.from_bytes(frame[:4], "little")
    assert frame[4 : 4 + n].decode() in doc and f"{frame[:4].hex(' ')}   " in doc and f"n = {hex(n)} = {n}" in doc


def test_python_m_bess_harness_serve_loads_a_model_by_name() -> None:
    p = ModelProcess("bess_harness", "serve", "example_models.mean_temp:MeanTemp")
    try:
        assert p.hello()["name"] == "mean-temp"
        assert p.call({"type": "teardown"})[0] == {"type": "ok"}
        assert p.wait() == 0
    finally:
        p.kill()
    bad = ModelProcess("bess_harness", "serve", "example_models.mean_temp:Nope")
    assert bad.wait() == 2 and "cannot load example_models.mean_temp:Nope" in bad.stderr()


@pytest.mark.parametrize(
    "source, target, says",
    [
        # an error raised by the module's code at import: where it was raised, not only what
        (
            "import numpy as np\n\nX = np.float(3)\nclass M:\n    pass\n",
            "broken_at_import:M",
            "bess_harness: cannot load broken_at_import:M: importing broken_at_import raised AttributeError at {file}:3: module 'numpy' has no attribute 'float'",
        ),
        # a dependency the module imports is missing: not the spec's module, so its line is shown
        (
            "import os\nimport no_such_dependency_xyz\nclass M:\n    pass\n",
            "broken_at_import:M",
            "importing broken_at_import raised ModuleNotFoundError at {file}:2: No module named 'no_such_dependency_xyz'",
        ),
        (
            "class M:\n    def __init__(self):\n        raise ValueError('no weights file')\n",
            "broken_at_import:M",
            "M() (a class or factory served by name is called without arguments) raised ValueError at {file}:3: no weights file",
        ),
    ],
)
def test_python_m_bess_harness_serve_shows_where_the_model_code_raised(tmp_path: Path, monkeypatch, source: str, target: str, says: str) -> None:
    (tmp_path / "broken_at_import.py").write_text(source)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    p = ModelProcess("bess_harness", "serve", target)
    try:
        assert p.wait() == 2
        err = p.stderr()
        assert says.format(file=tmp_path / "broken_at_import.py") in err, err
        assert f'File "{tmp_path / "broken_at_import.py"}", line' in err and "importlib" not in err
    finally:
        p.kill()


@pytest.mark.parametrize(
    "target, says",
    [
        ("example_models.no_such_model:M", "cannot load example_models.no_such_model:M: No module named 'example_models.no_such_model' (looked for from "),
        ("no_such_package_xyz.m:M", "cannot load no_such_package_xyz.m:M: No module named 'no_such_package_xyz' (looked for from "),
        ("example_models/mean_temp.py:MeanTemp", "name the module with dots, as `python -m` does (my_models.iforest), not a file path"),
        ("example_models.mean_temp:Nope", "module example_models.mean_temp ("),
    ],
)
def test_python_m_bess_harness_serve_names_a_module_or_class_the_spec_names_that_is_missing(target: str, says: str) -> None:
    p = ModelProcess("bess_harness", "serve", target)
    try:
        assert p.wait() == 2
        err = p.stderr()
        assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    finally:
        p.kill()


def test_python_m_bess_harness_serve_keeps_prints_at_import_and_construction_off_stdout(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "noisy_model.py").write_text(
        "import os\n"
        "from bess_harness import Model\n"
        "print('loading weights (a print at import)')\n"
        "class Noisy(Model):\n"
        "    name = 'noisy'\n"
        "    def __init__(self):\n"
        "        print('Noisy.__init__ prints too')\n"
        "        os.write(1, b'and writes to fd 1\\n')\n"
        "    def score(self, series, metadata):\n"
        "        return 1.0\n"
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    p = ModelProcess("bess_harness", "serve", "noisy_model:Noisy")
    try:
        assert p.hello()["name"] == "noisy"
        assert p.with_series("score", [(meta("A"), series([1.0]))])[0] == {"type": "scores", "scores": [1.0]}
        assert p.call({"type": "teardown"})[0] == {"type": "ok"}
        assert p.wait() == 0
        err = p.stderr()
        assert "a print at import" in err and "Noisy.__init__ prints too" in err and "and writes to fd 1" in err
    finally:
        p.kill()


def test_the_readme_model_example_fits_and_scores_systems_without_its_sensors() -> None:
    # harness check's fleets include a system with no sensor at all; the example raised KeyError
    # 'temp_cell_max_c' on it, in fit as in score.
    pytest.importorskip("sklearn")
    from bess_harness import Dataset, SystemData

    readme = (Path(__file__).resolve().parents[2] / "python" / "README.md").read_text()
    example = "# my_models/iforest.py" + readme.split("# my_models/iforest.py", 1)[1].split("```", 1)[0]
    assert len(example.strip().splitlines()) <= 21
    module: dict = {"__name__": "my_models.iforest"}
    exec(compile(example, "python/README.md", "exec"), module)
    model = module["IForest"]()
    full = series([20.0, 22.0, 21.0]).assign(voltage_v=[800.0, 801.0, 799.0])
    bare = full[[]]  # timestamps, no sensor
    model.fit(Dataset([SystemData(meta("A"), full), SystemData(meta("B"), bare), SystemData(meta("C"), full[["soc_pct"]])]))
    scores = [model.score(s, meta("X")) for s in (full, bare, full[["voltage_v"]])]
    assert all(np.isfinite(scores))


def test_a_large_batch_and_state_go_through_whole(model: ModelProcess) -> None:
    big = [(meta(f"S{i}"), series(list(np.linspace(20, 30, 5000)))) for i in range(40)]  # 200k rows
    model.hello()
    assert model.with_series("fit", big)[0] == {"type": "ok"}
    reply, _ = model.with_series("score", big)
    assert reply["type"] == "scores" and len(reply["scores"]) == 40
    reply, state = model.call({"type": "save_state"})
    assert reply["payload_bytes"] == len(state) and pickle.loads(state)["fitted_on"][-1] == "S39"
