"""What a person watching sees: progress bars while it runs, a table at the end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType

from rich.console import Console, Group, JustifyMethod, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from hubbub.bench.report import Report, SideBySide

REFRESH_SECONDS = 0.2


class Board:
    """Progress bars redrawn from the event loop, so no display thread competes with the load."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    @classmethod
    def on(cls, console: Console) -> Board:
        columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn())
        return cls(Progress(*columns, TimeElapsedColumn(), console=console, auto_refresh=False))

    def __enter__(self) -> Board:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._progress.stop()

    @asynccontextmanager
    async def track(
        self, description: str, total: int, count: Callable[[], int]
    ) -> AsyncIterator[None]:
        """Show a bar for the block's duration, its position polled from ``count``."""
        task = self._progress.add_task(description, total=total)

        def show() -> None:
            self._progress.update(task, completed=count())
            self._progress.refresh()

        async def keep_showing() -> None:
            while True:
                show()
                await asyncio.sleep(REFRESH_SECONDS)

        refresher = asyncio.create_task(keep_showing())
        try:
            yield
        finally:
            refresher.cancel()
            show()


def render(report: Report) -> RenderableType:
    """The results table, the phases table, and the verdict."""
    size = ", ".join(f"{name} {value:g}" for name, value in report.parameters.items())
    where = f"{report.server}, own server" if report.own_server else report.url
    heading = Text(f"hubbub bench {report.scenario}: {size} ({where})", style="bold")
    results = Table()
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("", "left"),
        ("result", "right"),
        ("target", "right"),
        ("", "left"),
    )
    for column, justify in columns:
        results.add_column(column, justify=justify)
    for m in report.metrics:
        results.add_row(
            m.name, _number(m.value, m.unit), str(m.target) if m.target else "", _verdict(m.met)
        )
    results.add_section()
    results.add_row(
        "deliveries received / owed",
        f"{report.deliveries_received:,} / {report.deliveries_expected:,}",
        "all",
        _verdict(report.deliveries_received == report.deliveries_expected),
    )
    for name, count in (
        ("lost", report.lost),
        ("duplicates", report.duplicates),
        ("unexpected", report.unexpected),
    ):
        results.add_row(name, f"{count:,}", "0", _verdict(count == 0))
    if report.latency is not None:
        timed = report.latency
        results.caption = f"latency: {timed.of}; {timed.samples:,} samples, stamp to arrival"
        results.caption_justify = "left"
    if report.server_rss_kib is not None:
        peak = (report.server_peak_rss_kib or 0) / 1024
        results.add_row(
            "server RSS at the end (peak)", f"{report.server_rss_kib / 1024:,.1f} MiB ({peak:,.1f})"
        )

    phases = Table(title="measured phases", title_justify="left")
    for column in ("phase", "wall s", "server CPU s", "generator CPU s", "generator busy"):
        phases.add_column(column, justify="left" if column == "phase" else "right")
    for p in report.phases:
        phases.add_row(
            p.name,
            f"{p.wall_s:.2f}",
            "n/a" if p.server_cpu_s is None else f"{p.server_cpu_s:.2f}",
            f"{p.generator_cpu_s:.2f}",
            f"{p.generator_share:.0%}",
        )

    lines: list[RenderableType] = [heading, results, phases]
    lines += [Text(f"note: {note}", style="dim") for note in report.notes]
    lines += [Text(f"error: {error}", style="red") for error in report.errors]
    if report.passed:
        lines.append(Text("PASS: every delivery arrived exactly once", style="bold green"))
    else:
        lines.append(Text("FAIL: losses, duplicates or errors (see above)", style="bold red"))
    return Group(*lines)


def render_comparison(pair: SideBySide) -> RenderableType:
    """Both reports, then one table of their headline figures side by side with the ratios."""
    mine, other = pair.hubbub, pair.other
    table = Table(title=f"{mine.scenario}: hubbub against {other.server}", title_justify="left")
    for column in ("", "hubbub", other.server, f"hubbub ÷ {other.server}"):
        table.add_column(column, justify="left" if not column else "right")
    for r in pair.ratios:
        ratio = "n/a" if r.ratio is None else f"{r.ratio:,.2f}x"
        table.add_row(r.name, _number(r.hubbub, r.unit), _number(r.other, r.unit), ratio)
    verdict = (
        Text("PASS: both servers delivered everything exactly once", style="bold green")
        if pair.passed
        else Text(
            "FAIL: losses, duplicates or errors on either server (see above)", style="bold red"
        )
    )
    return Group(render(mine), Text(""), render(other), Text(""), table, verdict)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    digits = 0 if abs(value) >= 100 or value.is_integer() else 2
    return f"{value:,.{digits}f} {unit}".rstrip()


def _verdict(met: bool | None) -> Text:
    if met is None:
        return Text("")
    return Text("✓", style="green") if met else Text("✗", style="red")
