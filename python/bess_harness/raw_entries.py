"""What a source's ``raw/`` folder holds (src/data/raw-entries.ts, same rules, same words): a series
is ``<id>.csv`` or a partition folder ``system_id=<id>/``; names starting with ``_`` or ``.`` are left
out, as Spark and pyarrow leave them. Anything else is an error naming it: ``sys-9.CSV`` or
``notes.txt`` beside the series was skipped without a word.
"""
from __future__ import annotations

import os
import re
from typing import Iterable

from .parquet import hidden_from_readers

_PARTITION = "system_id="

#: The shapes of a series, as the messages name them (``SERIES_SHAPES``).
_SERIES_SHAPES = "series are <id>.csv or system_id=<id>/"


def raw_entry_system(e: os.DirEntry) -> tuple[str, bool] | None:
    """(system id, is Parquet) of a ``raw/`` entry that holds a series (``rawEntrySystem``), else None."""
    if e.name.startswith(_PARTITION):
        return (e.name[len(_PARTITION) :], True) if e.is_dir() or e.is_symlink() else None
    return (e.name[: -len(".csv")], False) if e.name.endswith(".csv") else None


def stray_raw_entry(e: os.DirEntry) -> str | None:
    """Why a ``raw/`` entry is refused (``strayRawEntry``): neither a series nor a hidden name; None for those."""
    if hidden_from_readers(e.name) or raw_entry_system(e) is not None:
        return None
    return f"not a series file: {_SERIES_SHAPES} ({_stray_hint(e.name)})"


def _stray_hint(name: str) -> str:
    if re.search(r"\.csv$", name, re.I):
        return f"the extension is case-sensitive: rename it {name[:-4]}.csv"
    if name.startswith(_PARTITION):
        return "a partition system_id=<id> is a folder of *.parquet parts, not a file"
    if re.match(r"system_id=", name, re.I):
        return f"the folder name is case-sensitive: rename it system_id={name[len(_PARTITION):]}"
    if re.search(r"\.parquet$", name, re.I):
        return f"a Parquet series is a folder of parts: move it to system_id={name[: -len('.parquet')]}/part-0.parquet"
    return "the loaders read nothing else here: move it out, or start its name with _ or . to keep it"


def case_mismatch_note(names: Iterable[str], system_id: str) -> str | None:
    """The note for a missing series whose raw folder holds a name that differs only in case
    (``caseMismatchNote``): ``raw/ holds S1.CSV: the extension is case-sensitive``; else None."""
    csv = f"{system_id}.csv"
    partition = f"{_PARTITION}{system_id}"
    wanted = (csv.lower(), partition.lower())
    # Sorted as JavaScript sorts (UTF-16 code units), so both sides name the same one of two.
    ordered = sorted(names, key=lambda n: n.encode("utf-16-be"))
    near = next((n for n in ordered if n not in (csv, partition) and n.lower() in wanted), None)
    if near is None:
        return None
    extension_only = near[:-4] == system_id and bool(re.search(r"\.csv$", near, re.I))
    return f"raw/ holds {near}: {'the extension is' if extension_only else 'names are'} case-sensitive"
