"""Tab completion of command names and people's names, and the input line's history."""

from __future__ import annotations

from collections.abc import Iterable

from hubbub.tui.commands import COMMAND_NAMES


def candidates(line: str, names: Iterable[str]) -> list[str]:
    """Whole lines completing the last word of ``line``: a command, or a name.

    A name that starts plain text gets ``": "`` after it (the way to address someone),
    anywhere else a space; ``@`` before a partial name is kept.
    """
    if line.startswith("/") and " " not in line:
        prefix = line[1:].lower()
        return [f"/{name} " for name in COMMAND_NAMES if name.startswith(prefix)]
    head, _, word = line.rpartition(" ")
    mark = "@" if word.startswith("@") else ""
    stem = word.removeprefix(mark).casefold()
    if not stem and not mark:
        return []
    found = sorted({n for n in names if n.casefold().startswith(stem)}, key=str.casefold)
    lead = f"{head} " if head else ""
    end = ": " if not head and not mark else " "
    return [f"{lead}{mark}{name}{end}" for name in found]


class Completer:
    """Tab completes; Tab again on a completed line offers the next candidate."""

    def __init__(self) -> None:
        self._options: list[str] = []
        self._index = 0

    def complete(self, line: str, names: Iterable[str]) -> str | None:
        """The line after one press of Tab, or None when nothing completes it."""
        if self._options and line == self._options[self._index]:
            self._index = (self._index + 1) % len(self._options)
        else:
            self._options, self._index = candidates(line, names), 0
            if not self._options:
                return None
        return self._options[self._index]


class InputHistory:
    """Lines sent before, newest last: Up goes back, Down comes forward to the draft."""

    def __init__(self, limit: int = 500) -> None:
        self._lines: list[str] = []
        self._limit = limit
        self._position: int | None = None
        self._draft = ""

    def add(self, line: str) -> None:
        if line.strip() and (not self._lines or self._lines[-1] != line):
            self._lines.append(line)
            del self._lines[: -self._limit]
        self._position = None

    def older(self, current: str) -> str | None:
        """The line before the one shown; ``current`` is kept as the draft on the first step."""
        if self._position is None:
            self._draft, self._position = current, len(self._lines)
        if self._position == 0:
            return None
        self._position -= 1
        return self._lines[self._position]

    def newer(self) -> str | None:
        """The line after the one shown, then the draft; None when not browsing."""
        if self._position is None:
            return None
        self._position += 1
        if self._position >= len(self._lines):
            self._position = None
            return self._draft
        return self._lines[self._position]
