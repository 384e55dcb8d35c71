"""One user-facing error type; findings are results, never exceptions."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or configuration: reported as one clear message, exit status 2."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"
