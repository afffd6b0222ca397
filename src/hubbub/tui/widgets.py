"""The terminal client's widgets: plain views that redraw only when what they show changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, RichLog
from textual.widgets.option_list import Option

from hubbub.tui.completion import Completer, InputHistory
from hubbub.tui.view import Row

ROW_STYLES = {"message": "", "own": "cyan", "mention": "bold yellow", "notice": "italic"}


class MessagePane(RichLog):
    """The messages and notices of the conversation shown, newest at the bottom."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, wrap=True, min_width=20, markup=False, auto_scroll=True)
        self.rows: list[Row] = []

    def show(self, rows: list[Row]) -> None:
        """Show ``rows``: appended ones are written, anything else redraws the pane."""
        if rows == self.rows:
            return
        if rows[: len(self.rows)] == self.rows:
            new = rows[len(self.rows) :]
        else:
            self.clear()
            new = rows
        self.rows = rows
        for row in new:
            self.write(_row_text(row))

    @property
    def plain(self) -> list[str]:
        """The rows as text, for people reading logs and for tests."""
        return [row.plain for row in self.rows]


def _row_text(row: Row) -> Text:
    text = Text(f"{row.time} ", style="dim")
    if row.who is None:
        text.append(f"· {row.text}", style="dim italic")
        return text
    style = ROW_STYLES[row.kind]
    text.append(row.who, style=f"bold {style}".strip())
    text.append(": ")
    text.append(row.text, style=style if row.kind == "mention" else "")
    return text


class ChoiceList(OptionList):
    """A list of (id, label, emphasised) rows, one highlighted; clicked rows are selected."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[tuple[str, str, bool]] = []

    def show(self, items: list[tuple[str, str, bool]], current: str | None) -> None:
        if items != self.items:
            self.items = items
            self.clear_options()
            self.add_options(
                Option(Text(label, style="bold" if bold else ""), id=key)
                for key, label, bold in items
            )
        keys = [key for key, _, _ in items]
        if current in keys and self.highlighted != keys.index(current):
            self.highlighted = keys.index(current)

    @property
    def labels(self) -> list[str]:
        return [label for _, label, _ in self.items]


class ChatInput(Input):
    """The input line: Up and Down walk the lines sent before, Tab completes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "older", "History", show=False),
        Binding("down", "newer", "History", show=False),
        Binding("tab", "complete", "Complete"),
    ]

    def __init__(
        self,
        names: Callable[[], Iterable[str]],
        *,
        placeholder: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self.names = names
        self.history = InputHistory()
        self.completer = Completer()

    def remember(self) -> str:
        """Take the line typed (for sending), keep it in the history and clear the input."""
        line = self.value
        self.history.add(line)
        self.value = ""
        return line

    def action_older(self) -> None:
        self._put(self.history.older(self.value))

    def action_newer(self) -> None:
        self._put(self.history.newer())

    def action_complete(self) -> None:
        self._put(self.completer.complete(self.value, self.names()))

    def put(self, line: str) -> None:
        self._put(line)
        self.focus()

    def _put(self, line: str | None) -> None:
        if line is not None:
            self.value = line
            self.cursor_position = len(line)
