"""The data contract's rules, mirrored line for line from the TypeScript loader (src/data/schema.ts,
csv-read.ts, row-fields.ts, load-labels.ts, load-metadata.ts, series-scan.ts): the same checks, the
same order, the same messages. test/fixtures/conformance/ holds cases both sides must answer alike.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pandas as pd

from .errors import HarnessDataError, Problem

# --- schema.ts -------------------------------------------------------------------------------

SENSORS = (
    "voltage_v",
    "current_a",
    "soc_pct",
    "temp_cell_max_c",
    "temp_cell_min_c",
    "temp_ambient_c",
    "cell_voltage_max_v",
    "cell_voltage_min_v",
    "insulation_resistance_kohm",
)
DERIVED_FEATURES = ("cell_delta_v_mv", "temp_spread_c")
SOURCES = ("synthetic", "real")
OPERATIONAL_MODES = ("frequency_regulation", "arbitrage", "peak_shaving", "solar_smoothing", "backup")
# A real system's metadata may also say `unknown` (REAL_OPERATIONAL_MODES in schema.ts).
REAL_OPERATIONAL_MODES = (*OPERATIONAL_MODES, "unknown")
# Extra columns of a real series file (EXTRA_COLUMN_PATTERN in schema.ts).
EXTRA_COLUMN_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
SEASONS = ("winter", "spring", "summer", "autumn")
LABELS = ("normal", "anomaly")
FAILURE_TYPES = (
    "thermal_runaway",
    "internal_short",
    "cell_imbalance",
    "capacity_fade",
    "cooling_failure",
    "insulation_fault",
)
FAILURE_TYPES_OR_NONE = (*FAILURE_TYPES, "none")
SCENARIO_TAGS = (
    "noisy_normal",
    "subtle",
    "sensor_dropout",
    "stuck_sensor",
    "spike",
    "timestamp_gap",
    "timestamp_jitter",
    "soc_recalibration",
    "string_trip",
    "repeated_rows",
    "idle_day",
)
METADATA_REQUIRED = ("system_id", "source", "operational_mode", "season")
METADATA_OPTIONAL = ("chemistry", "capacity_kwh", "climate", "scenario_tags", "parent_system_id")
LABELS_REQUIRED = ("system_id", "label", "failure_type", "lead_time_days", "source", "label_version")
LABELS_OPTIONAL = ("confidence", "notes", "labeler", "labeled_at", "failure_at", "onset_at")
# The longest lead time a label may give (schema.ts): a longer one is a unit mistake or a typo.
MAX_LEAD_TIME_DAYS = 3650

#: The source text of the pattern, as messages quote it.
SYSTEM_ID_PATTERN_SOURCE = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
SYSTEM_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
TIMESTAMP_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z")

PHYSICAL_LIMITS = {
    "voltage_v": (0.0, 5000.0),
    "soc_pct": (-5.0, 105.0),
    "temp_cell_max_c": (-273.15, 2000.0),
    "temp_cell_min_c": (-273.15, 2000.0),
    "temp_ambient_c": (-273.15, 2000.0),
    "cell_voltage_max_v": (0.0, 10.0),
    "cell_voltage_min_v": (0.0, 10.0),
    "insulation_resistance_kohm": (0.0, math.inf),
}

MIN_VALUE = 5e-324  # Number.MIN_VALUE
_POSITIVE_INT = re.compile(r"[1-9][0-9]*")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

ProblemSink = Callable[[Problem], None]


def is_safe_system_id(system_id: str) -> bool:
    """True when ``system_id`` matches SYSTEM_ID_PATTERN (ids name files)."""
    return SYSTEM_ID_PATTERN.fullmatch(system_id) is not None


def unsafe_id_message(system_id: str) -> str:
    return f"unsafe system id {js_string(system_id)}: ids name files, so they must match {SYSTEM_ID_PATTERN_SOURCE}"


def js_string(s: str) -> str:
    """``JSON.stringify`` of a string."""
    return json.dumps(s, ensure_ascii=False)


def js_number(x: float) -> str:
    """A number as JavaScript prints it in a template string (enough for the bounds in messages)."""
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    return repr(x)


# --- suggest.ts ------------------------------------------------------------------------------


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost))
        prev = cur
    return prev[len(b)]


def closest(value: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``value`` when close enough to be a typo, else None."""
    v = value.lower()
    best, best_d = None, math.inf
    for c in candidates:
        d = _distance(v, c.lower())
        if d < best_d:
            best, best_d = c, d
    return best if best is not None and best_d <= max(1, len(value) // 3) else None


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    c = closest(value, candidates)
    return "" if c is None else f' (did you mean "{c}"?)'


# --- numbers and timestamps (series-scan.ts) ---------------------------------------------------


class _Bad:
    pass


BAD = _Bad()


def parse_number(text: str) -> float | _Bad:
    """NaN for an empty field, the number, or BAD when the text is not a number."""
    if text == "":
        return math.nan
    if _NUMBER_RE.fullmatch(text):
        v = float(text)
        if not math.isinf(v):  # "1e999": as much a non-number as "Infinity" spelled out
            return v
    return BAD


def overflows_float(text: str) -> bool:
    """``overflowsFloat``: written as a number, too large for a 64-bit float."""
    return _NUMBER_RE.fullmatch(text) is not None and math.isinf(float(text))


def _days_from_civil(y: int, m: int, d: int) -> int:
    yy = y - 1 if m <= 2 else y
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _digits(s: str, at: int, n: int) -> int:
    v = 0
    for ch in s[at : at + n]:
        c = ord(ch) - 48
        if c < 0 or c > 9:
            return -1
        v = v * 10 + c
    return v


def parse_timestamp(s: str) -> float:
    """Epoch ms of a contract timestamp (``2026-01-01T00:00:00Z``, optional 1–9 digit fraction); NaN otherwise."""
    n_len = len(s)
    if n_len < 20 or s[-1] != "Z":
        return math.nan
    if s[4] != "-" or s[7] != "-" or s[10] != "T" or s[13] != ":" or s[16] != ":":
        return math.nan
    y, mo, d = _digits(s, 0, 4), _digits(s, 5, 2), _digits(s, 8, 2)
    h, mi, sec = _digits(s, 11, 2), _digits(s, 14, 2), _digits(s, 17, 2)
    if y < 0 or mo < 1 or mo > 12 or d < 1 or h < 0 or h > 23 or mi < 0 or mi > 59 or sec < 0 or sec > 59:
        return math.nan
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if d > (29 if mo == 2 and leap else _DAYS_IN_MONTH[mo]):
        return math.nan
    ms = 0.0
    if n_len > 20:
        n = n_len - 21
        if s[19] != "." or n < 1 or n > 9:
            return math.nan
        f = _digits(s, 20, n)
        if f < 0:
            return math.nan
        ms = f * 10 ** (3 - n) if n <= 3 else f / 10 ** (n - 3)
    return _days_from_civil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms


# --- csv-read.ts ---------------------------------------------------------------------------


@dataclass
class CsvTable:
    file: str
    header: list[str]
    records: list[tuple[int, list[str]]]  # (line, fields)
    row_count: int = 0
    complete: bool = True


def ragged_problem(file: str, line: int, found: int, expected: int) -> Problem:
    return Problem(
        file,
        line,
        expected + 1 if found > expected else found + 1,
        f"row has {found} field{'' if found == 1 else 's'} but the header has {expected}",
    )


class _CsvSyntax(Exception):
    def __init__(self, code: str, message: str, line: int, column: int, rows: list):
        super().__init__(message)
        self.code, self.message, self.line, self.column, self.rows = code, message, line, column, rows


_UTF8_BOM = "\ufeff".encode("utf-8")
#: What String.prototype.trim removes.
_JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _csv_rows(text: str, limit: int | None = None) -> list[tuple[int, int, list[str]]]:
    """The records of ``text`` as csv-read.ts reads them: csv-parse's fields and errors with the harness's
    options (comma, ``"`` as quote and escape, CRLF, LF and a CR alone each ending a record, blank lines
    skipped, ragged rows kept), on the lines an editor shows (``recordLines``: every line break counts
    once, inside quotes too). Returns (start line, end line, fields) per record, at most ``limit`` of them
    (csv-parse's ``to``); raises _CsvSyntax, located at the misplaced quote (an unclosed one: where it opens).
    """
    buf = text.encode("utf-8")
    n = len(buf)
    line = 1
    start = 0  # line the current record starts on; 0 before its first byte
    quoting = was_quoting = False
    open_line = 0
    field = bytearray()
    record: list[str] = []
    rows: list[tuple[int, int, list[str]]] = []

    def end_field() -> None:
        nonlocal field, was_quoting
        record.append(field.decode("utf-8", errors="replace"))
        field = bytearray()
        was_quoting = False

    pos = 0
    while pos < n:
        ch = buf[pos]
        if ch in (10, 13):
            size = 2 if ch == 13 and pos + 1 < n and buf[pos + 1] == 10 else 1
            if quoting:
                field += buf[pos : pos + size]
            elif was_quoting or record or field:
                end_field()
                rows.append((start, line, record))
                record, start = [], 0
                if limit is not None and len(rows) >= limit:
                    return rows
            pos += size
            line += 1
            continue
        if start == 0:
            start = line
        if ch == 34:
            if quoting:
                if pos + 1 < n and buf[pos + 1] == 34:
                    field.append(34)
                    pos += 2
                    continue
                nxt = buf[pos + 1] if pos + 1 < n else None
                if nxt is None or nxt in (44, 10, 13):
                    quoting, was_quoting = False, True
                    pos += 1
                    continue
                raise _CsvSyntax(
                    "CSV_INVALID_CLOSING_QUOTE",
                    f'Invalid Closing Quote: got "{chr(nxt)}" at line {line} instead of delimiter, record delimiter, trimable character (if activated) or comment',
                    line,
                    len(record),
                    rows,
                )
            if len(field) != 0:
                raise _CsvSyntax(
                    "INVALID_OPENING_QUOTE",
                    f"Invalid Opening Quote: a quote is found on field {len(record)} at line {line}, value is {js_string(field.decode('utf-8', errors='replace'))}{' (utf8 bom)' if field == _UTF8_BOM else ''}",
                    line,
                    len(record),
                    rows,
                )
            quoting, open_line = True, line
            pos += 1
            continue
        if ch == 44 and not quoting:
            end_field()
        else:
            field.append(ch)
        pos += 1
    if quoting:
        raise _CsvSyntax("CSV_QUOTE_NOT_CLOSED", f"Quote Not Closed: the parsing is finished with an opening quote at line {line}", open_line, len(record), rows)
    if was_quoting or record or field:
        end_field()
        rows.append((start, line, record))
    return rows


def parse_csv(text: str, file: str, report: ProblemSink) -> CsvTable:
    """Parses CSV text like ``parseCsv`` in csv-read.ts: ragged rows and syntax errors go to ``report``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        rows = _csv_rows(text)
    except _CsvSyntax as e:
        if e.code == "CSV_QUOTE_NOT_CLOSED":
            report(Problem(file, e.line, 0, "not valid CSV: a quoted field that starts on this line is never closed"))
        else:
            report(Problem(file, e.line, e.column + 1, f"not valid CSV: {e.message}"))
        return CsvTable(file, [], [], 0, False)
    if not rows:
        return CsvTable(file, [], [], 0, True)
    header = rows[0][2]
    records: list[tuple[int, list[str]]] = []
    for start, _end, fields in rows[1:]:
        if len(fields) != len(header):
            report(ragged_problem(file, start, len(fields), len(header)))
            continue
        records.append((start, fields))
    return CsvTable(file, header, records, len(rows) - 1, True)


def check_header(
    table: CsvTable, required: Iterable[str], optional: Iterable[str], report: ProblemSink, suggest: Callable[[str], str] | None = None
) -> dict[str, int]:
    """Checks a header like ``checkHeader``: missing, unknown and duplicate columns on line 1. Returns column index by name."""
    required, optional = list(required), list(optional)
    index: dict[str, int] = {}
    if not table.complete:
        return index  # parsing stopped at a syntax error, already reported: there is no header to check
    known = set(required) | set(optional)
    for i, name in enumerate(table.header):
        column = i + 1
        if name in index:
            report(Problem(table.file, 1, column, f'duplicate column "{name}" (first at column {index[name] + 1})'))
        elif name not in known:
            report(
                Problem(
                    table.file, 1, column, "empty column name" if name == "" else f'unknown column "{name}"{suggest(name) if suggest else ""}'
                )
            )
        else:
            index[name] = i
    missing = [c for c in required if c not in index]
    if missing:
        report(
            Problem(
                table.file,
                1,
                0,
                f"missing required column{'' if len(missing) == 1 else 's'} {', '.join(missing)} (header: {','.join(table.header) or 'empty'})",
            )
        )
    return index


def throw_if_problems(problems: list[Problem], what: str) -> None:
    """Raises HarnessDataError carrying ``problems`` when there are any (``throwIfProblems``)."""
    if not problems:
        return
    files = list(dict.fromkeys(p.file for p in problems))
    n = len(problems)
    raise HarnessDataError(
        f"{what}: {n} problem{'' if n == 1 else 's'} in {', '.join(files)} (run `harness validate` to see every problem in the data folder)",
        problems,
    )


# --- row-fields.ts ---------------------------------------------------------------------------


class _Absent:
    pass


ABSENT = _Absent()


class RowReader:
    """One row being read: its cells by column name, located for problems."""

    def __init__(self, file: str, line: int, fields: list[str], index: dict[str, int], report: ProblemSink):
        self.file, self.line, self.fields, self.index, self.report = file, line, fields, index, report
        self.bad = False

    def column(self, name: str) -> int:
        i = self.index.get(name)
        return 0 if i is None else i + 1

    def text(self, name: str) -> str | None:
        i = self.index.get(name)
        return None if i is None else self.fields[i]

    def problem(self, name: str, message: str) -> None:
        self.bad = True
        self.report(Problem(self.file, self.line, self.column(name), message))

    def system_id(self, name: str = "system_id") -> str | None:
        v = self.text(name) or ""
        if v == "":
            self.problem(name, f"empty {name}")
            return None
        if not is_safe_system_id(v):
            self.problem(name, unsafe_id_message(v))
            return None
        return v

    def one_of(self, name: str, values: Iterable[str]) -> str | None:
        values = list(values)
        v = self.text(name) or ""
        if v in values:
            return v
        expected = ", ".join(values)
        self.problem(
            name,
            f"empty {name} (expected one of {expected})"
            if v == ""
            else f"unknown {name} {js_string(v)}{did_you_mean(v, values)} (expected one of {expected})",
        )
        return None

    def number(self, name: str, lo: float, hi: float, what: str = "a number"):
        """None for empty or absent, the number, or ABSENT when the value was bad (reported)."""
        raw = self.text(name)
        if raw is None or raw == "":
            return None
        v = parse_number(raw)
        if v is BAD or v != v:
            self.problem(
                name,
                f"{name} is not a finite number: {js_string(raw)} overflows a 64-bit float"
                if overflows_float(raw)
                else f"{name} is not a number: {js_string(raw)}",
            )
            return ABSENT
        if v < lo or v > hi:
            self.problem(name, f"{name} {raw} out of range: expected {what}")
            return ABSENT
        return v

    def optional_text(self, name: str) -> str | None:
        v = self.text(name)
        return None if v is None or v == "" else v


# --- load-labels.ts / load-metadata.ts --------------------------------------------------------


@dataclass
class Located:
    row: dict
    line: int


def parse_labels_table(table: CsvTable, report: ProblemSink, folder_source: str | None = None) -> list[Located]:
    """Label rows of a table, every problem reported (``parseLabelsTable``); rows with a problem are left out."""
    index = check_header(table, LABELS_REQUIRED, LABELS_OPTIONAL, report, lambda n: did_you_mean(n, [*LABELS_REQUIRED, *LABELS_OPTIONAL]))
    if any(c not in index for c in LABELS_REQUIRED):
        return []
    out: list[Located] = []
    first_line: dict[tuple[str, str], int] = {}
    for line, fields in table.records:
        r = RowReader(table.file, line, fields, index, report)
        system_id = r.system_id()
        label = r.one_of("label", LABELS)
        failure_type = r.one_of("failure_type", FAILURE_TYPES_OR_NONE)
        lead = r.number("lead_time_days", 0, MAX_LEAD_TIME_DAYS, f"a number of days from 0 to {MAX_LEAD_TIME_DAYS} (ten years)")
        source = r.one_of("source", SOURCES)
        if source is not None and folder_source is not None and source != folder_source:
            r.problem(
                "source",
                f"source {source} in the {folder_source} labels file: every row of this file must be {folder_source} ({source} labels go in {source}/labels.csv)",
            )
        version_text = r.text("label_version") or ""
        if not _POSITIVE_INT.fullmatch(version_text):
            r.problem("label_version", f"label_version must be a positive integer, found {js_string(version_text)}")
        confidence = r.number("confidence", 0, 1, "a confidence between 0 and 1")
        times = _label_times(r, label)
        if label == "normal":
            if failure_type is not None and failure_type != "none":
                r.problem("failure_type", f"a normal system has failure_type none, found {js_string(failure_type)}")
            if lead is not None and lead is not ABSENT:
                r.problem("lead_time_days", f"a normal system has an empty lead_time_days, found {r.text('lead_time_days')}")
        elif label == "anomaly":
            if failure_type == "none":
                r.problem("failure_type", "an anomaly needs a failure type, found none")
            if lead is None:
                r.problem("lead_time_days", "an anomaly needs a lead_time_days (days from the last sample to the failure)")
        if system_id is not None and source is not None:
            key = (source, system_id)
            if key in first_line:
                r.problem("system_id", f"duplicate label for system {system_id} (source {source}); first on line {first_line[key]}")
            else:
                first_line[key] = line
        if r.bad or None in (system_id, label, failure_type, source) or lead is ABSENT or confidence is ABSENT:
            continue
        row = {
            "system_id": system_id,
            "label": label,
            "failure_type": failure_type,
            "lead_time_days": lead,
            "source": source,
            "label_version": int(version_text),
        }
        if confidence is not None:
            row["confidence"] = confidence
        for name in ("notes", "labeler", "labeled_at"):
            v = r.optional_text(name)
            if v is not None:
                row[name] = v
        row.update(times)
        out.append(Located(row, line))
    return out


def _label_instant(r: RowReader, name: str) -> tuple[str, float] | None:
    text = r.optional_text(name)
    if text is None:
        return None
    ms = parse_timestamp(text)
    if math.isnan(ms):
        r.problem(name, f"{name} is not an ISO 8601 UTC timestamp: {js_string(text)} (expected e.g. 2026-01-01T00:00:00Z)")
        return None
    return text, ms


def _label_times(r: RowReader, label: str | None) -> dict:
    """``failure_at`` / ``onset_at`` of a label row (``labelTimes`` in label-times.ts): ISO 8601 UTC, anomalies only, onset ≤ failure."""
    failure = _label_instant(r, "failure_at")
    onset = _label_instant(r, "onset_at")
    if label == "normal":
        for name, v in (("failure_at", failure), ("onset_at", onset)):
            if v is not None:
                r.problem(name, f"a normal system has an empty {name}, found {v[0]}")
        return {}
    if onset is not None and r.optional_text("failure_at") is None:
        r.problem("onset_at", "onset_at needs a failure_at (the onset of which failure?)")
    elif onset is not None and failure is not None and onset[1] > failure[1]:
        r.problem("onset_at", f"onset_at {onset[0]} is after failure_at {failure[0]}: a precursor starts before its failure")
    out = {}
    if failure is not None:
        out["failure_at"] = failure[0]
    if onset is not None:
        out["onset_at"] = onset[0]
    return out


def parse_metadata_table(table: CsvTable, report: ProblemSink, folder_source: str | None = None) -> list[Located]:
    """Metadata rows of a table, every problem reported (``parseMetadataTable``); rows with a problem are left out."""
    index = check_header(
        table, METADATA_REQUIRED, METADATA_OPTIONAL, report, lambda n: did_you_mean(n, [*METADATA_REQUIRED, *METADATA_OPTIONAL])
    )
    if any(c not in index for c in METADATA_REQUIRED):
        return []
    out: list[Located] = []
    first_line: dict[str, int] = {}
    for line, fields in table.records:
        r = RowReader(table.file, line, fields, index, report)
        system_id = r.system_id()
        source = r.one_of("source", SOURCES)
        if source is not None and folder_source is not None and source != folder_source:
            r.problem("source", f"source {source} in the {folder_source} folder: every row of this file must be {folder_source}")
        mode = r.one_of("operational_mode", REAL_OPERATIONAL_MODES if source == "real" else OPERATIONAL_MODES)
        season = r.one_of("season", SEASONS)
        capacity = r.number("capacity_kwh", MIN_VALUE, math.inf, "a capacity > 0")
        tags = [t.strip(_JS_WHITESPACE) for t in (r.text("scenario_tags") or "").split(";")]
        tags = list(dict.fromkeys(t for t in tags if t != ""))  # a tag listed twice is one tag, as in the TypeScript loader
        for t in tags:
            if t not in SCENARIO_TAGS:
                r.problem(
                    "scenario_tags",
                    f"unknown scenario tag {js_string(t)}{did_you_mean(t, SCENARIO_TAGS)} (expected {', '.join(SCENARIO_TAGS)})",
                )
        # A window's parent: optional, but when given it must be a safe id like any other.
        parent = None if r.optional_text("parent_system_id") is None else r.system_id("parent_system_id")
        if system_id is not None:
            if system_id in first_line:
                r.problem("system_id", f"duplicate system {system_id}; first on line {first_line[system_id]}")
            else:
                first_line[system_id] = line
        if r.bad or None in (system_id, source, mode, season) or capacity is ABSENT:
            continue
        row: dict = {"system_id": system_id, "source": source, "operational_mode": mode, "season": season}
        chemistry, climate = r.optional_text("chemistry"), r.optional_text("climate")
        if chemistry is not None:
            row["chemistry"] = chemistry
        if capacity is not None:
            row["capacity_kwh"] = capacity
        if climate is not None:
            row["climate"] = climate
        row["scenario_tags"] = tags
        if parent is not None:
            row["parent_system_id"] = parent
        out.append(Located(row, line))
    return out


# --- series-scan.ts ------------------------------------------------------------------------


@dataclass
class SeriesScan:
    columns: list[str]
    timestamps: list[float]  # epoch ms
    values: list[list[float]] = field(default_factory=list)  # one list per column, NaN = no reading


class _StopScan(Exception):
    pass


def _quote(s: str) -> str:
    return js_string(s[:40] + "…" if len(s) > 40 else s)


def scan_series(
    text: str,
    file: str,
    report: Callable[[Problem], bool | None],
    extra_sensors: Iterable[str] = (),
    check_limits: bool = False,
    extra_columns: bool = False,
) -> SeriesScan:
    """Scans a raw series file like ``scanSeries``; ``report`` returning False stops the scan.
    ``extra_columns`` (real data) accepts other columns named like EXTRA_COLUMN_PATTERN."""

    def emit(p: Problem) -> None:
        if report(p) is False:
            raise _StopScan()

    try:
        return _scan(text, file, emit, list(extra_sensors), check_limits, extra_columns)
    except _StopScan:
        return SeriesScan([], [], [])


#: ``CR_ONLY`` of series-scan.ts: a CR alone in the first line.
CR_ONLY = 'a CR alone breaks the first line (classic Mac line breaks?): series files end their lines in LF or CRLF (convert the file, e.g. tr "\\r" "\\n")'


def _scan(text: str, file: str, emit: ProblemSink, extra: list[str], check_limits: bool, extra_columns: bool = False) -> SeriesScan:
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last line
    li = 0
    header_text = ""
    while li < len(lines):
        header_text = lines[li].removesuffix("\r")
        li += 1
        if header_text != "":
            break
    header_line = max(li, 1)
    if header_text == "":
        emit(Problem(file, 1, 0, "file is empty: expected a header timestamp,<sensor>,..."))
        return SeriesScan([], [], [])
    if "\r" in header_text:
        # the file's lines end in a CR alone, most likely: said once, not as a column per glued value
        emit(Problem(file, header_line, 0, CR_ONLY))
        return SeriesScan([], [], [])
    header = header_text.split(",")
    known = [*SENSORS, *extra]
    known_set = set(known)
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        column = i + 1
        if '"' in name:
            emit(Problem(file, header_line, column, f"quoted column name {js_string(name)}: series files use plain names"))
        elif i == 0:
            if name != "timestamp":
                emit(Problem(file, header_line, column, f'first column must be "timestamp", found {js_string(name)}'))
        elif name in seen:
            emit(Problem(file, header_line, column, f'duplicate column "{name}" (first at column {seen[name] + 1})'))
        elif name == "":
            emit(Problem(file, header_line, column, "empty column name"))
        elif name not in known_set and not (extra_columns and EXTRA_COLUMN_PATTERN.fullmatch(name)):
            why = (
                "every column must be a known sensor or an extra column named in lowercase snake_case (such as string_current_1_a)"
                if extra_columns
                else "every column must be a known sensor (declare extra sensors in the config)"
            )
            emit(Problem(file, header_line, column, f'unknown column "{name}"{did_you_mean(name, known)}: {why}'))
        if name not in seen:
            seen[name] = i
    columns = header[1:]
    ncol = len(columns)
    limits = [PHYSICAL_LIMITS.get(c) if check_limits else None for c in columns]
    timestamps: list[float] = []
    values: list[list[float]] = [[] for _ in columns]
    prev_ts, prev_line, prev_row = math.nan, 0, ""
    line = header_line
    data_lines = 0  # non-blank lines after the header: rows that were all refused are still rows
    for raw in lines[li:]:
        line += 1
        row = raw.removesuffix("\r")
        if row == "":
            continue
        data_lines += 1
        parts = row.split(",")
        if '"' in row:
            quote_at = next(k for k, p in enumerate(parts) if '"' in p) + 1
            emit(Problem(file, line, quote_at, "quoted field: series files hold only timestamps and numbers"))
            continue
        if len(parts) != ncol + 1:
            emit(ragged_problem(file, line, len(parts), ncol + 1))
            continue
        ts_text = parts[0]
        ts = parse_timestamp(ts_text)
        if ts != ts:
            emit(Problem(file, line, 1, f"not an ISO 8601 UTC timestamp: {_quote(ts_text)} (expected e.g. 2026-01-01T00:00:00Z)"))
        else:
            # A logger's repeated row (same timestamp, same values) carries nothing new: drop it.
            # The same timestamp with other values is ambiguous and stays an error.
            if ts == prev_ts and row == prev_row:
                continue
            if ts <= prev_ts:
                emit(
                    Problem(
                        file,
                        line,
                        1,
                        f"timestamp {ts_text} is not after the previous one (line {prev_line}): timestamps must strictly increase",
                    )
                )
            prev_ts, prev_line, prev_row = ts, line, row
        timestamps.append(ts)
        for j in range(ncol):
            cell = parts[j + 1]
            v = parse_number(cell)
            if v is BAD:
                emit(
                    Problem(
                        file,
                        line,
                        j + 2,
                        f"not a finite number: {_quote(cell)} in column {columns[j]} overflows a 64-bit float"
                        if overflows_float(cell)
                        else f"not a number: {_quote(cell)} in column {columns[j]} (a missing reading is an empty field)",
                    )
                )
                v = math.nan
            elif v == v:
                lim = limits[j]
                if lim and (v < lim[0] or v > lim[1]):
                    emit(
                        Problem(
                            file,
                            line,
                            j + 2,
                            f"{columns[j]} {cell} is physically impossible (outside {js_number(lim[0])}…{js_number(lim[1])})",
                        )
                    )
            values[j].append(v)
    if data_lines == 0:
        emit(Problem(file, header_line, 0, "file has a header but no data rows"))
    return SeriesScan(columns, timestamps, values)


# --- the fast path of series files (the counterpart of series-bytes.ts) ----------------------------

_FAST_TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?Z$"
_FAST_NUMBER = r"^(?:[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)?$"


@dataclass
class FastScan:
    columns: list[str]
    timestamps_ns: "object"  # numpy int64 array
    values: list  # numpy float64 arrays


def fast_scan_series(data: bytes, extra_sensors: Iterable[str] = (), extra_columns: bool = False) -> FastScan | None:
    """A clean series file read column-wise with pyarrow, or None when anything is unusual (a quote, a
    BOM, non-ASCII, a lone CR, a bad header, a ragged row, a value or timestamp that does not parse,
    timestamps that do not strictly increase, more than millisecond precision, no rows): the located
    scanner then reads the file and reports its problems. On every file it accepts it gives exactly
    what :func:`scan_series` gives.
    """
    import io

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    if b'"' in data or data.startswith(b"\xef\xbb\xbf") or not data.isascii() or data.count(b"\r") != data.count(b"\r\n"):
        return None
    eol = data.find(b"\n")
    if eol <= 0:
        return None
    header = data[:eol].rstrip(b"\r").decode("ascii").split(",")
    columns = header[1:]
    known = {*SENSORS, *extra_sensors}
    unknown = [c for c in columns if c not in known and not (extra_columns and EXTRA_COLUMN_PATTERN.fullmatch(c))]
    if header[0] != "timestamp" or not columns or len(set(columns)) != len(columns) or unknown:
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(quote_char=False, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header}, strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows == 0:
        return None
    ts = table.column(0)
    if not pc.all(pc.match_substring_regex(ts, _FAST_TIMESTAMP)).as_py():
        return None
    try:
        stamps = pd.to_datetime(ts.to_numpy(zero_copy_only=False), format="ISO8601", utc=True)
    except (ValueError, OverflowError):
        return None
    if hasattr(stamps, "as_unit"):  # pandas 2 parses into seconds or ms when that is enough
        try:
            stamps = stamps.as_unit("ns")
        except (ValueError, OverflowError):  # past what nanoseconds hold: the located loader says where
            return None
    ns = stamps.asi8
    if ns.size > 1 and not (np.diff(ns) > 0).all():
        return None
    values = []
    for i in range(1, len(header)):
        col = table.column(i)
        if not pc.all(pc.match_substring_regex(col, _FAST_NUMBER)).as_py():
            return None
        try:
            num = pc.cast(pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        arr = num.to_numpy(zero_copy_only=False).astype("float64")
        if np.isinf(arr).any():
            return None  # "1e999": the located scanner refuses it
        values.append(arr)
    return FastScan(columns, np.asarray(ns, dtype="int64"), values)
