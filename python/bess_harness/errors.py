"""Errors the loader reports to a person, located like the TypeScript harness's: ``file:line:column: message``."""
from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One problem in one file (1-based line and column; column 0 = the whole line; line 0 = no line)."""

    file: str
    line: int
    column: int
    message: str

    def format(self) -> str:
        """``file:line:column: message``, or ``file: message`` without a line (as the harness CLI prints it)."""
        if self.line == 0:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class HarnessDataError(Exception):
    """Bad data: the same message and located problems as the TypeScript loader's ``HarnessError('E_DATA')``.

    ``message`` is the one-line summary, ``problems`` the list of :class:`Problem` (file, line, column,
    message). ``str(err)`` is the summary followed by one problem per line, as ``harness`` prints them.
    """

    code = "E_DATA"

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.message = message
        self.problems: list[Problem] = list(problems or [])
        super().__init__(message)

    def __str__(self) -> str:
        return "\n".join([self.message, *(p.format() for p in self.problems)])
