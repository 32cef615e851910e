"""The Python CSV parser and series scanner against the TypeScript ones on thousands of random texts
(quotes, blank lines, CRLF and CR line ends, BOMs, bad numbers and timestamps): the same fields, lines
and messages, beyond what the conformance fixture's hand-written cases reach. Needs node."""
from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from bess_harness.validate import parse_csv, scan_series

REPO = Path(__file__).resolve().parents[2]

CSV_ATOMS = ["a", "b", "é", ",", ",", '"', '""', "\n", "\n", "\r\n", "\r", " ", 'x"y', '"q"', "\n\n", "\ufeff"]
SERIES_ATOMS = [
    "timestamp", "soc_pct", "voltage_v", "volt", ",", ",", "\n", "\n", "\r\n", "\n\n", "", '"', "é", "Z", ".", "5.", "1", "-2.5",
    "1e3", "abc", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T00:30:00.5Z", "2026-02-29T00:00:00Z",
    "2024-02-29T23:59:59.123456Z",
]  # fmt: skip
HEADERS = ["timestamp,soc_pct,voltage_v\n", "timestamp,soc_pct\n", "", "timestamp,volt\n"]


def texts(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    out = [{"kind": "csv", "text": "".join(rng.choice(CSV_ATOMS) for _ in range(rng.randint(0, 16)))} for _ in range(n)]
    out += [
        {"kind": "series", "text": rng.choice(HEADERS) + "".join(rng.choice(SERIES_ATOMS) for _ in range(rng.randint(0, 24)))}
        for _ in range(n)
    ]
    return out


def python_side(case: dict) -> dict:
    problems: list = []
    if case["kind"] == "csv":
        t = parse_csv(case["text"], "f", problems.append)
        return {"header": t.header, "records": [[line, fields] for line, fields in t.records], "problems": [p._asdict() for p in problems]}
    s = scan_series(case["text"], "f", lambda p: (problems.append(p), len(problems) < 10)[1])
    nan = lambda v: None if (math.isnan(v) or math.isinf(v)) else v  # noqa: E731 (JSON.stringify writes ±Infinity as null)
    return {
        "columns": s.columns,
        "timestamps": [nan(v) for v in s.timestamps],
        "values": [[nan(x) for x in v] for v in s.values],
        "problems": [p._asdict() for p in problems],
    }


@pytest.mark.skipif(shutil.which("npx") is None or not (REPO / "node_modules").exists(), reason="needs node and the repo's node_modules")
def test_python_and_typescript_parse_random_texts_alike() -> None:
    cases = texts(seed=20261202, n=2000)
    proc = subprocess.run(
        ["npx", "tsx", "test/fixtures/conformance/parse-texts.ts"], cwd=REPO, input=json.dumps(cases), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    expected = json.loads(proc.stdout)
    mismatches = [(c["text"], e, python_side(c)) for c, e in zip(cases, expected) if python_side(c) != e]
    assert not mismatches, "\n".join(f"{t!r}\n  TS {e}\n  PY {p}" for t, e, p in mismatches[:3])
