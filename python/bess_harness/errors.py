"""Errors the loader reports to a person, located like the TypeScript harness's: ``file:line:column: message``."""
from __future__ import annotations

import os
from typing import NamedTuple


def display_path(file: str) -> str:
    """A path as a person typed it: relative to the working directory when it lies below it (``displayPath``)."""
    try:
        rel = os.path.relpath(file)
    except ValueError:  # another drive on Windows
        return file
    return rel if rel and rel != "." and not rel.startswith("..") and not os.path.isabs(rel) else file


class Problem(NamedTuple):
    """One problem in one file (1-based line and column; column 0 = the whole line; line 0 = no line)."""

    file: str
    line: int
    column: int
    message: str

    def format(self, relative: bool = False) -> str:
        """``file:line:column: message``, or ``file: message`` without a line; ``relative`` shows the
        file relative to the working directory, as the harness CLI prints it."""
        file = display_path(self.file) if relative else self.file
        if self.line == 0:
            return f"{file}: {self.message}"
        return f"{file}:{self.line}:{self.column}: {self.message}"


PROBLEMS_SHOWN = 50
"""Problems ``str(HarnessDataError)`` lists, as the harness CLI lists 50 for a failed command."""


class HarnessDataError(Exception):
    """Bad data: the same message and located problems as the TypeScript loader's ``HarnessError('E_DATA')``.

    ``message`` is the one-line summary, ``problems`` the list of :class:`Problem` (file, line, column,
    message). ``str(err)`` is the summary followed by one problem per line, as ``harness`` prints them:
    the first 50, then how many more (``problems`` holds every one; a file bad on each of a million
    rows would otherwise print a million lines into a traceback or a notebook).
    """

    code = "E_DATA"

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.message = message
        self.problems: list[Problem] = list(problems or [])
        super().__init__(message)

    def __str__(self) -> str:
        shown = [p.format(relative=True) for p in self.problems[:PROBLEMS_SHOWN]]
        more = len(self.problems) - len(shown)
        tail = [f"… and {more} more problems (err.problems holds every one)"] if more > 0 else []
        return "\n".join([self.message, *shown, *tail])
