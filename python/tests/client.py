"""A small client of the process protocol for the tests: starts a model process and speaks to it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from bess_harness.protocol import PROTOCOL, encode_frame, encode_series, read_frame

TESTS = Path(__file__).resolve().parent


class ModelProcess:
    """``python -m <module>`` with the tests folder on the path; ``call`` sends one request and reads the reply."""

    def __init__(self, module: str, *args: str):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def call(self, header: dict, payload: bytes = b"") -> tuple[dict, bytes]:
        self.send_raw(encode_frame(header, payload))
        assert self.proc.stdout is not None
        frame = read_frame(self.proc.stdout)
        assert frame is not None, f"the model process closed stdout; stderr: {self.stderr()}"
        return frame

    def hello(self) -> dict:
        return self.call({"type": "hello", "protocol": PROTOCOL, "harness_version": "test"})[0]

    def with_series(self, kind: str, systems: list[tuple[dict, pd.DataFrame]], seed: int = 7) -> tuple[dict, bytes]:
        payload, rows = encode_series([(m["system_id"], df) for m, df in systems])
        sensors = [list(map(str, df.columns)) for _, df in systems]  # each system's own, as the harness sends them
        return self.call({"type": kind, "seed": seed, "systems": [m for m, _ in systems], "rows": rows, "sensors": sensors}, payload)

    def wait(self, timeout: float = 20) -> int:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        return self.proc.wait(timeout)

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read().decode("utf-8", "replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
