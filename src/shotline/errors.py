"""Errors meant for people: each names the file, the line and what was expected."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from outside (a file, an option). The CLI turns it into exit code 2."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message
