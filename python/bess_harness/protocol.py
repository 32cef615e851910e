"""The process protocol, version 1 (docs/process-protocol.md): frames over a byte stream and the
Arrow IPC payload that carries series. Used by :func:`bess_harness.serve` on the model's side and by
any client that drives a model process (the tests' client, or a harness written in another language).

A frame is a 4-byte little-endian unsigned length ``n``, then ``n`` bytes of UTF-8 JSON (the header,
an object with a ``type``), then ``header["payload_bytes"]`` bytes of payload when that is above 0.
"""
from __future__ import annotations

import json
import struct
from typing import BinaryIO, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: The protocol version this package speaks.
PROTOCOL = 1
#: A header longer than this is taken as garbage on the stream, not as a message.
MAX_HEADER_BYTES = 16 * 1024 * 1024
#: A payload longer than this is refused (a fleet is sent in batches, not at once).
MAX_PAYLOAD_BYTES = 4 * 1024 * 1024 * 1024

_LEN = struct.Struct("<I")


class ProtocolError(Exception):
    """The byte stream does not hold a frame: the peer is not speaking the protocol (or died mid-frame)."""


def _read_exact(stream: BinaryIO, n: int, what: str) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            raise ProtocolError(f"the stream ended {got} bytes into a {n}-byte {what}")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO) -> tuple[dict, bytes] | None:
    """The next frame as (header, payload), or None when the stream ends cleanly between frames."""
    first = stream.read(4)
    if not first:
        return None
    if len(first) < 4:
        first += _read_exact(stream, 4 - len(first), "frame length")
    (n,) = _LEN.unpack(first)
    if n == 0 or n > MAX_HEADER_BYTES:
        raise ProtocolError(f"frame header length {n} is not in 1…{MAX_HEADER_BYTES}: not a protocol frame (bytes {first.hex(' ')})")
    raw = _read_exact(stream, n, "frame header")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ProtocolError(f"frame header is not UTF-8 JSON ({e}): {raw[:80]!r}") from None
    if not isinstance(header, dict) or not isinstance(header.get("type"), str):
        raise ProtocolError(f'frame header must be a JSON object with a string "type", got {raw[:80]!r}')
    size = header.get("payload_bytes", 0)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0 or size > MAX_PAYLOAD_BYTES:
        raise ProtocolError(f"payload_bytes must be an integer in 0…{MAX_PAYLOAD_BYTES}, got {size!r}")
    payload = _read_exact(stream, size, "payload") if size > 0 else b""
    return header, payload


class HeaderTooLarge(ValueError):
    """A frame whose JSON header is longer than MAX_HEADER_BYTES: never written."""


def encode_frame(header: dict, payload: bytes = b"") -> bytes:
    """A frame's bytes; ``payload_bytes`` is set from ``payload`` (and left out when it is empty)."""
    h = {k: v for k, v in header.items() if k != "payload_bytes"}
    if payload:
        h["payload_bytes"] = len(payload)
    raw = json.dumps(h, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    if len(raw) > MAX_HEADER_BYTES:  # the reader would take its length for garbage on stdout
        raise HeaderTooLarge(f"its header is {len(raw)} bytes of JSON, over the protocol's {MAX_HEADER_BYTES}")
    return _LEN.pack(len(raw)) + raw + payload


def write_frame(stream: BinaryIO, header: dict, payload: bytes = b"") -> None:
    stream.write(encode_frame(header, payload))
    stream.flush()


# --- systems --------------------------------------------------------------------------------

#: The largest magnitude JavaScript's JSON.stringify writes as plain digits (from 1e21 on it writes
#: an exponent, which json.loads reads as a float); below it a whole number arrives as an int.
_JS_PLAIN_DIGITS = 1e21


def model_metadata(row: dict) -> dict:
    """A metadata row (as the loaders parse it) as the harness hands it to a model in ``systems``
    (``modelMetadata`` in src/runner/score.ts, then JSON): keys only for known values, whole numbers
    as ints, and ``scenario_tags`` empty. The tags are the generator's record of what it injected
    (``subtle`` is only ever on an anomaly, ``noisy_normal`` only on a normal), so a model that read
    them would score on the label. Whatever feeds a model outside the harness (``bess_harness.spark``)
    builds its metadata here, so the model sees what ``harness run`` shows it."""
    out = {}
    for k, v in row.items():
        if v is None:
            continue
        if k == "scenario_tags":
            v = []
        elif isinstance(v, float) and v.is_integer() and abs(v) < _JS_PLAIN_DIGITS:
            v = int(v)
        out[k] = list(v) if isinstance(v, (list, tuple)) else v
    return out


# --- series payload ------------------------------------------------------------------------


def encode_series(series: Sequence[tuple[str, pd.DataFrame]]) -> tuple[bytes, list[int]]:
    """An Arrow IPC stream of ``(system_id, df)`` in long form, and the row count of each system.

    Columns: ``system_id`` (utf8), ``timestamp`` (int64, ms since the epoch, UTC), then one float64
    column per sensor (the union over the systems, in first-seen order), NaN where a system has no
    reading or no such sensor. ``df`` is indexed by timestamps (datetime-like or epoch ms numbers).
    """
    sensors: list[str] = []
    for _, df in series:
        for c in df.columns:
            if c not in sensors:
                sensors.append(str(c))
    ids, stamps, cols, rows = [], [], {s: [] for s in sensors}, []
    for system_id, df in series:
        n = len(df)
        rows.append(n)
        ids.append(np.full(n, system_id, dtype=object))
        stamps.append(epoch_ms(df.index))
        for s in sensors:
            cols[s].append(df[s].to_numpy(dtype="float64") if s in df.columns else np.full(n, np.nan))
    cat = lambda parts, dtype: np.concatenate(parts) if parts else np.array([], dtype=dtype)  # noqa: E731
    arrays = [pa.array(cat(ids, object), type=pa.string()), pa.array(cat(stamps, "int64"), type=pa.int64())]
    arrays += [pa.array(cat(cols[s], "float64"), type=pa.float64()) for s in sensors]
    table = pa.Table.from_arrays(arrays, names=["system_id", "timestamp", *sensors])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes(), rows


def epoch_ms(index) -> np.ndarray:
    """Epoch milliseconds (int64) of a DatetimeIndex (naive = UTC) or of numbers already in ms."""
    if isinstance(index, pd.DatetimeIndex):
        idx = index.tz_convert("UTC") if index.tz is not None else index.tz_localize("UTC")
        return (idx.as_unit("ns").asi8 // 1_000_000).astype("int64") if hasattr(idx, "as_unit") else (idx.asi8 // 1_000_000).astype("int64")
    return np.asarray(index, dtype="float64").round().astype("int64")


def decode_series(
    payload: bytes, systems: Sequence[dict], rows: Sequence[int] | None, sensors_of: Sequence[Sequence[str]] | None = None
) -> list[pd.DataFrame]:
    """The per-system DataFrames of a fit or score payload, in the order of ``systems``.

    Rows of one system are contiguous, system after system; ``rows`` gives their counts (without it,
    runs of equal ``system_id`` are used). Each DataFrame is indexed by ``timestamp`` (pandas UTC
    datetimes) with one float64 column per sensor: those ``sensors_of`` lists for the system (the
    header's ``sensors``: its own series' columns, in its order), or every sensor column of the
    payload without it. The payload's columns are the union over the batch, so without the list a
    system's frame would hold, all NaN, the sensors its neighbours in the batch have and it lacks.
    """
    if sensors_of is not None and (not isinstance(sensors_of, (list, tuple)) or len(sensors_of) != len(systems)):
        raise ValueError(f"sensors must be a list of {len(systems)} lists, one per system")
    if not payload:
        if any(rows or []):
            raise ValueError("rows are given but the message has no payload")
        return [pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="timestamp")) for _ in systems]
    table = pa.ipc.open_stream(pa.py_buffer(payload)).read_all()
    names = table.column_names
    if names[:2] != ["system_id", "timestamp"]:
        raise ValueError(f"the series payload must start with columns system_id, timestamp; it has {', '.join(names)}")
    ts_col = table.column("timestamp")
    if pa.types.is_timestamp(ts_col.type):
        ts_col = ts_col.cast(pa.timestamp("ms", tz="UTC")).cast(pa.int64())
    stamps = ts_col.to_numpy().astype("int64")
    id_col = table.column("system_id")
    sensors = names[2:]
    # One (sensor × row) block for the whole batch: each system's frame is a slice of it, so it is
    # built without a per-column dict (the frames share nothing: their rows are disjoint).
    block = np.empty((len(sensors), len(stamps)), dtype="float64")
    for j, s in enumerate(sensors):
        block[j] = table.column(s).cast(pa.float64()).to_numpy(zero_copy_only=False)
    if rows is None:
        rows = _runs(id_col.to_numpy(zero_copy_only=False))
    if len(rows) != len(systems):
        raise ValueError(f"rows has {len(rows)} counts for {len(systems)} systems")
    if sum(rows) != len(stamps):
        raise ValueError(f"rows add up to {sum(rows)} but the payload has {len(stamps)} rows")
    index = pd.to_datetime(stamps, unit="ms", utc=True)
    if hasattr(index, "as_unit"):
        # pandas 3 indexes epoch ms in microseconds; load_timeseries gives nanoseconds, and a model's
        # index.asi8 or astype("int64") must mean the same when served as in a notebook. Past
        # 1677…2262 this raises, as load_timeseries does, rather than wrap into another date.
        index = index.as_unit("ns")
    column_of = {s: j for j, s in enumerate(sensors)}
    out, at = [], 0
    for k, (meta, n) in enumerate(zip(systems, rows)):
        sid = meta.get("system_id")
        if n > 0 and sid is not None and not pc.all(pc.equal(id_col.slice(at, n), str(sid)), skip_nulls=False).as_py():
            raise ValueError(f"rows {at}…{at + n - 1} of the payload are not all of system {sid}")
        frame_index = pd.DatetimeIndex(index[at : at + n], name="timestamp")
        own = sensors if sensors_of is None else _own_sensors(sensors_of[k], column_of, sid)
        values = block[:, at : at + n] if own == sensors else block[[column_of[c] for c in own], at : at + n]
        out.append(pd.DataFrame(values.T, index=frame_index, columns=own))
        at += n
    return out


def _own_sensors(names, column_of: dict[str, int], sid) -> list[str]:
    """One system's entry of the header's ``sensors``, checked against the payload's columns."""
    if not isinstance(names, (list, tuple)) or not all(isinstance(c, str) for c in names):
        raise ValueError(f"sensors of system {sid} must be a list of column names")
    unknown = [c for c in names if c not in column_of]
    if unknown:
        raise ValueError(f"sensors of system {sid} name {', '.join(unknown)}, not a sensor column of the payload")
    if len(set(names)) != len(names):
        raise ValueError(f"sensors of system {sid} name a column twice")
    return list(names)


def _runs(ids: np.ndarray) -> list[int]:
    runs: list[int] = []
    prev = object()
    for v in ids:
        if runs and v == prev:
            runs[-1] += 1
        else:
            runs.append(1)
            prev = v
    return runs

