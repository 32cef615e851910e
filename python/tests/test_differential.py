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

from bess_harness.validate import fast_scan_series, parse_csv, scan_series

REPO = Path(__file__).resolve().parents[2]

CSV_ATOMS = ["a", "b", "é", ",", ",", '"', '""', "\n", "\n", "\r\n", "\r", " ", 'x"y', '"q"', "\n\n", "\ufeff"]
SERIES_ATOMS = [
    "timestamp", "soc_pct", "voltage_v", "volt", ",", ",", "\n", "\n", "\r\n", "\n\n", "", '"', "é", "Z", ".", "5.", "1", "-2.5",
    "1e3", "abc", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T00:30:00.5Z", "2026-02-29T00:00:00Z",
    "2024-02-29T23:59:59.123456Z",
]  # fmt: skip
HEADERS = ["timestamp,soc_pct,voltage_v\n", "timestamp,soc_pct\n", "", "timestamp,volt\n"]


def near_clean_series(rng: random.Random) -> str:
    """A valid series file, maybe with one flaw: the texts the fast path must take or leave alike."""
    cols = rng.sample(["voltage_v", "current_a", "soc_pct", "temp_cell_max_c"], rng.randint(1, 4))
    eol = rng.choice(["\n", "\r\n"])
    lines = [",".join(["timestamp", *cols])]
    for i in range(rng.randint(1, 6)):
        frac = rng.choice(["", ".5", ".125", ".1234"])
        cells = [rng.choice(["", "1", "-2.5", "3.", ".25", "+4", "1e2", "12.3456789012345678"]) for _ in cols]
        lines.append(",".join([f"2026-01-01T{i:02d}:{rng.randint(0, 59):02d}:00{frac}Z", *cells]))
    flaw = rng.randint(0, 9)
    if flaw == 1:
        lines.append(lines[-1])  # a repeated timestamp
    elif flaw == 2:
        lines.insert(2 if len(lines) > 2 else 1, "")
    elif flaw == 3:
        lines[-1] += ",9"
    elif flaw == 4:
        lines[-1] = lines[-1].replace("2026-01-01T", "2026-02-30T")
    elif flaw == 5:
        lines[-1] += "x"
    return eol.join(lines) + rng.choice([eol, ""])


def texts(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    out = [{"kind": "csv", "text": "".join(rng.choice(CSV_ATOMS) for _ in range(rng.randint(0, 16)))} for _ in range(n)]
    out += [
        {"kind": "series", "text": rng.choice(HEADERS) + "".join(rng.choice(SERIES_ATOMS) for _ in range(rng.randint(0, 24)))}
        for _ in range(n)
    ]
    out += [{"kind": "series", "text": near_clean_series(rng)} for _ in range(n)]
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
    # The fast path: whatever it accepts, it reads as the located scanner does, and it takes most clean files.
    fast_taken = 0
    for c, e in zip(cases, expected):
        if c["kind"] != "series":
            continue
        fast = fast_scan_series(c["text"].encode("utf-8"))
        if fast is None:
            continue
        fast_taken += 1
        got = {
            "columns": fast.columns,
            "timestamps": [v / 1e6 for v in fast.timestamps_ns.tolist()],
            "values": [[None if math.isnan(x) else x for x in v.tolist()] for v in fast.values],
            "problems": [],
        }
        assert got == e, f"{c['text']!r}\n  TS {e}\n  fast {got}"
    assert fast_taken > 200, fast_taken
