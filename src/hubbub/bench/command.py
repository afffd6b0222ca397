"""``hubbub bench SCENARIO``: put one load on a server and report what it cost.

By default the benchmark seeds a temporary database, starts its own ``hubbub serve`` on
it pinned to one CPU, and pins itself to another, so the server's CPU time and memory can
be read from /proc. ``--url`` aims at a running server instead: deliveries and latency are
still checked, CPU and memory are not measured.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from hubbub.bench.catalog import SCENARIOS, Load, Scenario


def _scenario_help() -> str:
    lines = []
    for s in SCENARIOS.values():
        defaults = ", ".join(
            f"--{knob.replace('_', '-')} {getattr(s.defaults, knob):g}" for knob in s.knobs
        )
        lines += [f"  {s.name:<8}{s.summary}", f"  {'':<8}(defaults: {defaults})"]
    return "Scenarios:\n\n\b\n" + "\n".join(lines)


@click.command(epilog=_scenario_help())
@click.argument("scenario", type=click.Choice(list(SCENARIOS)))
@click.option(
    "--url",
    help="Aim at this running server (http://host:port) instead of starting one; "
    "then there are no server CPU or memory figures; run it with --no-limits.",
)
@click.option(
    "--database",
    help="Run the benchmark's server on this database (postgresql://…; it seeds its accounts "
    "there and leaves them) instead of a SQLite file in a temporary directory.",
)
@click.option("--clients", type=click.IntRange(min=1), help="Simulated users.")
@click.option("--messages", type=click.IntRange(min=1), help="fanout: lobby messages to send.")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), help="dm: messages/s.")
@click.option(
    "--duration", type=click.FloatRange(min=0, min_open=True), help="dm: seconds of sending."
)
@click.option(
    "--in-flight",
    type=click.IntRange(min=1),
    help="fanout: messages sent and not yet answered, all senders together.",
)
@click.option(
    "--rooms",
    type=click.IntRange(min=0),
    help="fanout: post to this many rooms, each client in 3 of them and the senders in "
    "all (0: everyone in the lobby).",
)
@click.option(
    "--password-clients",
    type=click.IntRange(min=1),
    help="signin: new users signing up with a password during the second storm.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the report to this file as JSON.",
)
def bench(
    scenario: str, url: str | None, database: str | None, json_path: Path | None, **given: Any
) -> None:
    """Measure the server under one load; exit 1 on any lost or duplicated delivery or error.

    Defaults mirror the project's performance table; each option overrides one knob of
    the scenarios that have it.
    """
    # The machinery loads only when a benchmark runs, so that ``hubbub status`` stays quick.
    import uvloop
    from rich.console import Console

    from hubbub.bench.display import Board, render
    from hubbub.bench.launch import execute
    from hubbub.bench.report import to_json
    from hubbub.bench.server import ServerFailed
    from hubbub.store import StoreError

    chosen = SCENARIOS[scenario]
    load = _load(chosen, {name: value for name, value in given.items() if value is not None})
    if load.rooms and url is not None:
        raise click.UsageError("--rooms needs a server of the benchmark's own: it seeds the rooms")
    if database is not None and url is not None:
        raise click.UsageError("--database is for a server of the benchmark's own, not --url")
    with (
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
        Board.on(Console(stderr=True)) as board,
    ):
        try:
            report = runner.run(execute(chosen, load, url, board, database))
        except (ServerFailed, StoreError) as exc:
            raise click.ClickException(str(exc)) from None
    Console().print(render(report))
    if json_path is not None:
        json_path.write_bytes(to_json(report))
    if not report.passed:
        raise SystemExit(1)


def _load(scenario: Scenario, given: dict[str, Any]) -> Load:
    foreign = sorted(set(given) - set(scenario.knobs))
    if foreign:
        options = ", ".join("--" + name.replace("_", "-") for name in foreign)
        raise click.UsageError(f"{scenario.name} has no use for {options}")
    fields = {name: getattr(scenario.defaults, name) for name in scenario.knobs} | given
    return Load(**fields)
