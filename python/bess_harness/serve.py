"""``serve(model)``: runs a model as a process plugin of the harness, speaking protocol 1 over
stdin/stdout (docs/process-protocol.md). A model module ends with::

    if __name__ == "__main__":
        serve(MyModel())

and the harness starts it as ``python -m my_models.my_model``.
"""
from __future__ import annotations

import io
import math
import os
import select
import signal
import struct
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from typing import BinaryIO

from .model import Dataset, Model, SystemData, capabilities, model_name
from .protocol import PROTOCOL, HeaderTooLarge, ProtocolError, decode_series, epoch_ms, read_frame, write_frame

#: Exit status when the stream is not the protocol (garbage, or a frame cut short).
EXIT_PROTOCOL = 2


class _CallError(Exception):
    """A request that cannot be served: answered with an error frame, and the loop goes on."""


class _SystemError(Exception):
    """A model's exception in a call for one system of a batch: the reply names that system, as a
    TypeScript plugin's error does (``score(sys-0013): RuntimeError: boom``); the batch's first id,
    which the harness puts before it, is not the one that failed."""

    def __init__(self, call: str, system_id: str, error: Exception) -> None:
        super().__init__(f"{call}({system_id}): {type(error).__name__}: {error}")


def _per_system(call: str, fn, frames: list, systems: list[dict]) -> list:
    """``fn(frame, metadata)`` for each system, in order; an exception names its system."""
    out = []
    for i, (df, m) in enumerate(zip(frames, systems)):
        try:
            out.append(fn(df, m))
        except Exception as e:
            raise _SystemError(call, _sid(systems, i), e) from e
    return out


def _batch_scores(value, systems: list[dict]) -> list:
    """``score_batch``'s result as one score per system, in the order of ``systems``.

    A list, tuple or array is taken in order. A dict, or a pandas Series not indexed 0…n-1, carries
    keys that say which system a score belongs to, and its order need not be the systems' (a Series
    keeps its index through ``sort_values``; a dict iterates over its keys, which for ids such as
    ``007`` read as numbers): it is aligned by system_id, or by (source, system_id) pairs (a Series
    with a two-level index), which a batch that holds one id from each source needs; keys that are
    not exactly the batch's are an error, never scores given to the wrong systems.
    """
    import pandas as pd

    n = len(systems)
    if isinstance(value, pd.DataFrame):
        raise _CallError(
            "score_batch returned a DataFrame: return one score per system, a list in the order of the systems or a Series indexed by system_id"
        )
    if isinstance(value, pd.Series):
        if value.index.equals(pd.RangeIndex(n)):
            return value.tolist()
        keyed = list(zip(value.index, value.tolist()))
    elif isinstance(value, Mapping):
        keyed = list(value.items())
    elif value is None or isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise _CallError(f"score_batch returned {type(value).__name__}: it must return one score per system, in order")
    else:
        _check_flat(value, n)
        return list(value)
    ids = [_sid(systems, i) for i in range(n)]
    pairs = [(str(systems[i].get("source")), ids[i]) for i in range(n)]
    by_key = dict(keyed)
    if len(by_key) == len(keyed):
        for want in (ids, pairs):
            if len(set(want)) == n and set(by_key) == set(want):
                return [by_key[k] for k in want]
    keys = ", ".join(_one_line(k) for k, _ in keyed[:5]) + (", …" if len(keyed) > 5 else "")
    where = f"score_batch returned a {type(value).__name__} keyed by {keys or 'nothing'} for systems {', '.join(ids[:5])}{', …' if n > 5 else ''}"
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise _CallError(
            f"{where}: {', '.join(twice[:5])} {'is' if len(twice) == 1 else 'are'} in this batch once per source, so a system_id does not say "
            "which system a score is for: key the scores by (source, system_id) (a Series with a two-level index, or a dict of tuples), "
            "or return a list in the order of the systems"
        )
    raise _CallError(f"{where}: key it by system_id, one score per system (or return a list in the order of the systems)")


def _check_flat(value, n: int) -> None:
    """Refuses an array that is not 1-D: an (n, 1) column (``predict_proba(X)[:, [1]]``) read row by
    row gave one-element arrays, each refused as "not a finite number" without saying why."""
    shape = getattr(value, "shape", None)
    if not isinstance(shape, tuple) or len(shape) == 1:
        return
    if len(shape) == 2 and 1 in shape:
        hint = "`.ravel()` flattens it (or take the column as `[:, 1]`, not `[:, [1]]`)"
    elif len(shape) == 2:
        hint = "take the one column that is the score, e.g. `predict_proba(X)[:, 1]`"
    else:
        hint = "flatten it to one score per system"
    raise _CallError(f"score_batch returned an array of shape {shape}: expected 1-D, one score per system ({n} here); {hint}")


#: How much of a value a message shows: a message is one line of the plain report.
MAX_VALUE_CHARS = 80


def _one_line(value) -> str:
    """``repr(value)`` on one line, cut to MAX_VALUE_CHARS: a Series' repr spans lines and broke the report."""
    text = " ".join(repr(value).split())
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


#: What a score that is not one number is told, by the call that returned it.
_ONE_NUMBER = {
    "score_batch": "score_batch must return one number per system (a flat list or 1-D array)",
    "score": "score must return one number",
    None: "a score must be one number",
}


def _finite_scores(values, systems: list[dict], call: str | None = None) -> list[float]:
    out = []
    for i, v in enumerate(values):
        if isinstance(v, (str, bytes)):  # float("7") would take text (a dict's key, an id) for a score
            raise _CallError(f"score for system {_sid(systems, i)} is {_one_line(v)}: a score must be a finite number")
        shape = getattr(v, "shape", None)
        if (isinstance(shape, tuple) and shape != ()) or isinstance(v, (list, tuple, dict, set)):
            kind = type(v).__name__
            what = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}" + (f" of shape {shape}" if isinstance(shape, tuple) else "")
            raise _CallError(
                f"score for system {_sid(systems, i)} is {what}, not a number ({_one_line(v)}): {_ONE_NUMBER[call]}"
            )
        # float(True) is 1.0: a flag (vmax > 800) ranked every system 0/1, ROC AUC measured on two
        # values, where a TypeScript plugin returning a boolean is refused. numpy's is bool_/bool.
        if isinstance(v, bool) or type(v).__name__ in ("bool_", "bool"):
            raise _CallError(
                f"score for system {_sid(systems, i)} is {bool(v)!r}, a flag: a score must be a finite number "
                "(return the value the flag thresholds, so the systems can be ranked)"
            )
        try:
            f = float(v)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an int past the float range
            raise _CallError(f"score for system {_sid(systems, i)} is {_one_line(v)}: a score must be a finite number") from None
        if not math.isfinite(f):
            raise _CallError(f"score for system {_sid(systems, i)} is {f}: a score must be a finite number")
        out.append(f)
    return out


def _over_time(value, system_id: str) -> dict:
    """A ``score_over_time`` result as the reply carries it: epoch ms and scores, NaN as null."""
    import pandas as pd

    where = f"score_over_time for system {system_id}"
    if isinstance(value, pd.DataFrame):
        if "timestamp" not in value.columns or "score" not in value.columns:
            raise _CallError(f"{where} returned a DataFrame with columns {list(value.columns)}: it needs timestamp and score")
        index = pd.DatetimeIndex(pd.to_datetime(value["timestamp"], utc=True))
        scores = value["score"].to_numpy()
    elif isinstance(value, pd.Series):
        if not isinstance(value.index, pd.DatetimeIndex):
            raise _CallError(f"{where} returned a Series indexed by {type(value.index).__name__}: index it by timestamp (UTC datetimes)")
        index = value.index
        scores = value.to_numpy()
    else:
        raise _CallError(f"{where} returned {type(value).__name__}: return a pandas Series indexed by timestamp, or a DataFrame with columns timestamp, score")
    # Text is no score: float("0.5") would pass a column of strings (read from a CSV) as numbers.
    text = next((v for v in scores if isinstance(v, (str, bytes))), None)
    if text is not None:
        raise _CallError(f"{where}: a score is {_one_line(text)}, text: every score must be a number (NaN for none)")
    try:
        floats = [float(v) for v in scores]
    except (TypeError, ValueError, OverflowError):
        raise _CallError(f"{where}: every score must be a number (NaN for none)") from None
    if any(math.isinf(f) for f in floats):
        raise _CallError(f"{where}: a score is infinite; a score is a finite number, or NaN for no score at that instant")
    return {"t": [int(t) for t in epoch_ms(index)], "score": [None if math.isnan(f) else f for f in floats]}


#: The longest error message sent: a model's exception can carry a whole frame in its text.
MAX_MESSAGE_CHARS = 8000


def _short(message: str) -> str:
    """``message``, cut to MAX_MESSAGE_CHARS with a note of how much was left out."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"{message[:MAX_MESSAGE_CHARS]}… ({len(message) - MAX_MESSAGE_CHARS} more characters cut)"


def _sid(systems: list[dict], i: int) -> str:
    return str(systems[i].get("system_id", f"#{i}")) if i < len(systems) else f"#{i}"


def _systems(header: dict) -> list[dict]:
    systems = header.get("systems", [])
    if not isinstance(systems, list) or not all(isinstance(m, dict) for m in systems):
        raise _CallError('"systems" must be a list of metadata objects')
    return systems


def _series(header: dict, payload: bytes, systems: list[dict]):
    rows = header.get("rows")
    try:
        return decode_series(payload, systems, rows, header.get("sensors"))
    except Exception as e:  # a bad payload is the caller's mistake: say so and go on
        raise _CallError(f"bad series payload: {e}") from None


def handle(model: object, header: dict, payload: bytes) -> tuple[dict, bytes]:
    """The reply to one request (header, payload). Raises _CallError or the model's own exception."""
    kind = header["type"]
    if "seed" in header:
        try:
            model.seed = header["seed"]  # type: ignore[attr-defined]
        except AttributeError:
            pass
    if kind == "hello":
        if header.get("protocol") != PROTOCOL:
            raise _CallError(f"protocol {header.get('protocol')!r} is not supported: this model speaks protocol {PROTOCOL}")
        version = getattr(model, "version", "0")
        return {"type": "hello", "protocol": PROTOCOL, "name": model_name(model), "version": str(version), "capabilities": capabilities(model)}, b""
    if kind == "fit":
        fit = getattr(model, "fit", None)
        if not callable(fit):
            raise _CallError(f"{model_name(model)} has no fit (its hello said capabilities.fit false)")
        systems = _systems(header)
        frames = _series(header, payload, systems)
        fit(Dataset([SystemData(m, df) for m, df in zip(systems, frames)], seed=header.get("seed")))
        return {"type": "ok"}, b""
    if kind == "score":
        systems = _systems(header)
        frames = _series(header, payload, systems)
        batch = getattr(model, "score_batch", None)
        if callable(batch):
            scores = _batch_scores(batch(frames, systems), systems)
            if len(scores) != len(systems):
                raise _CallError(f"score_batch returned {len(scores)} scores for {len(systems)} systems: it must return one per system, in order")
        else:
            scores = _per_system("score", model.score, frames, systems)  # type: ignore[attr-defined]
        return {"type": "scores", "scores": _finite_scores(scores, systems, "score_batch" if callable(batch) else "score")}, b""
    if kind == "score_over_time":
        over_time = getattr(model, "score_over_time", None)
        if not callable(over_time):
            raise _CallError(f"{model_name(model)} has no score_over_time (its hello said capabilities.score_over_time false)")
        systems = _systems(header)
        frames = _series(header, payload, systems)
        values = _per_system("score_over_time", over_time, frames, systems)
        return {"type": "scores_over_time", "series": [_over_time(v, _sid(systems, i)) for i, v in enumerate(values)]}, b""
    if kind == "save_state":
        try:
            state = model.save_state()  # type: ignore[attr-defined]
        except Exception as e:
            if getattr(type(model), "save_state", None) is not Model.save_state:
                raise
            raise _CallError(_unpicklable(model, e)) from e
        if not isinstance(state, (bytes, bytearray, memoryview)):
            raise _CallError(f"save_state returned {type(state).__name__}, not bytes")
        return {"type": "state"}, bytes(state)
    if kind == "restore_state":
        model.restore_state(payload)  # type: ignore[attr-defined]
        return {"type": "ok"}, b""
    if kind == "teardown":
        teardown = getattr(model, "teardown", None)
        if callable(teardown):
            teardown()
        return {"type": "ok"}, b""
    raise _CallError(f"unknown request type {kind!r} (protocol {PROTOCOL}: hello, fit, score, score_over_time, save_state, restore_state, teardown)")


def _unpicklable(model: object, error: Exception) -> str:
    """Why the default save_state failed, naming the attribute pickle choked on, and the two ways out."""
    import pickle

    culprit = ""
    for name, value in vars(model).items():
        try:
            pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            culprit = f" (self.{name}, a {type(value).__name__})"
            break
    return (
        f"{type(error).__name__}: {error}{culprit}: the default save_state pickles the model's attributes, and the harness "
        "scores in other processes than the one that ran fit; override save_state/restore_state to save what score needs, "
        "or set shipState: false in the model's config entry (each scoring process then fits again)"
    )


def claim_stdio() -> tuple[BinaryIO, BinaryIO]:
    """The protocol's streams, taken from the process: (requests, replies). From now on the model's
    stdin reads as empty and its prints (``sys.stdout``, file descriptor 1) go to stderr. Called before
    the model's module is imported when it runs as ``python -m bess_harness serve``, so a print at
    import or in a constructor cannot reach the protocol stream either."""
    # Requests come from a private copy of fd 0; fd 0 and sys.stdin become /dev/null, so neither the
    # model (input()) nor a process it starts can take bytes of the protocol stream.
    in_fd = os.dup(0)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.close(null_fd)
    stdin = io.BufferedReader(io.FileIO(in_fd, "rb", closefd=True))
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    # Frames go to a private copy of fd 1; fd 1 itself (C code, subprocesses) and sys.stdout now reach stderr.
    sys.stdout.flush()
    out_fd = os.dup(1)
    os.dup2(2, 1)
    stdout = io.BufferedWriter(io.FileIO(out_fd, "wb", closefd=True))  # buffered: a write is never partial
    sys.stdout = sys.stderr
    return stdin, stdout


#: The variable the harness puts in a model process's environment (process-groups.ts), with a
#: token of its own: it finds the model's escaped children by it, and so does the watchdog below.
MODEL_TOKEN_VAR = "BESS_HARNESS_MODEL"


def _end_model_processes(token: str) -> None:
    """Kills what the harness would have killed: the processes carrying this model's token that left
    its group (``start_new_session``), then its process group, this process included."""
    needle = f"{MODEL_TOKEN_VAR}={token}\0".encode()
    me = os.getpid()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read():
                    os.kill(int(entry), signal.SIGKILL)
        except OSError:
            pass  # gone, or not ours to read
    try:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    finally:
        os._exit(EXIT_PROTOCOL)


def _queued_bytes(fd: int) -> int:
    """Bytes waiting to be read on a pipe or socket (FIONREAD)."""
    import fcntl  # POSIX only: the watchdog runs on POSIX only, and the package imports anywhere
    import termios

    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def _watch_harness(in_fd: int, token: str) -> None:
    """Ends the model when the harness is gone. The harness keeps its end of the request stream open
    until it has the answer it waits for, and ends the model's processes itself; when it was killed
    (SIGKILL, an OOM kill) nobody does, and a model busy in ``fit`` ran on at full CPU, its children
    with it, until it next read its stdin. A hang-up of the stream (Node's stdio is a socket: its
    peer closed) with no request left in it says so while the model is busy; an idle model reads
    the end of stdin and exits on its own."""
    poller = select.poll()
    poller.register(in_fd, getattr(select, "POLLRDHUP", 0) | select.POLLHUP)  # not POLLIN: requests are the loop's
    while True:
        if poller.poll() and _queued_bytes(in_fd) == 0:
            try:  # stderr went to the harness too: most likely closed with it
                sys.stderr.write("bess_harness.serve: the harness is gone (its end of stdin closed); ending the model's processes\n")
                sys.stderr.flush()
            except OSError:
                pass
            _end_model_processes(token)
        time.sleep(0.5)  # a request still queued: the loop reads it first


def serve(model: object, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Serves ``model`` over stdin/stdout until ``teardown`` (exit 0) or the end of stdin (exit 0).

    stdout carries frames only: the model's prints (``sys.stdout``, and anything written to file
    descriptor 1) go to stderr, and stdin reads as empty to the model. A model exception answers
    that request with an error frame and the loop goes on; a stream that is not the protocol ends the
    process with status 2 and a message on stderr. Never returns.
    """
    if stdin is None or stdout is None:
        claimed_in, claimed_out = claim_stdio()
        # Only under the harness (its token), over a pipe: a model fed a file, or a pipe by hand
        # while debugging, ends at the end of its requests as before.
        token = os.environ.get(MODEL_TOKEN_VAR)
        if stdin is None and token and os.name == "posix" and hasattr(select, "poll"):
            threading.Thread(target=_watch_harness, args=(claimed_in.fileno(), token), daemon=True).start()
        stdin = stdin if stdin is not None else claimed_in
        stdout = stdout if stdout is not None else claimed_out
    sys.stdout = sys.stderr
    while True:
        try:
            frame = read_frame(stdin)
        except ProtocolError as e:
            sys.stderr.write(f"bess_harness.serve: {e}; exiting\n")
            sys.stderr.flush()
            os._exit(EXIT_PROTOCOL)
        if frame is None:
            sys.stderr.flush()
            os._exit(0)
        header, payload = frame
        try:
            reply, reply_payload = handle(model, header, payload)
        except _CallError as e:
            reply, reply_payload = {"type": "error", "message": _short(str(e))}, b""
        except _SystemError as e:
            traceback.print_exc(file=sys.stderr)
            reply, reply_payload = {"type": "error", "message": _short(str(e))}, b""
        except Exception as e:  # the model's own failure: this request fails, the process serves on
            traceback.print_exc(file=sys.stderr)
            reply, reply_payload = {"type": "error", "message": _short(f"{type(e).__name__}: {e}")}, b""
        try:
            write_frame(stdout, reply, reply_payload)
        except (BrokenPipeError, OSError):
            os._exit(EXIT_PROTOCOL)
        except HeaderTooLarge as e:  # e.g. score_over_time at a one-second step over a year
            message = f"the {reply['type']} reply to {header['type']} cannot be sent: {e}"
            if reply["type"] == "scores_over_time":
                message += "; score at a coarser step (hourly scores are plenty to judge alarms)"
            write_frame(stdout, {"type": "error", "message": message})
        except (TypeError, ValueError) as e:  # a reply JSON cannot hold (e.g. a model name that is not a string)
            write_frame(stdout, {"type": "error", "message": f"reply not JSON-serializable: {e}"})
        if header["type"] == "teardown":
            sys.stderr.flush()
            os._exit(0 if reply["type"] == "ok" else 1)
