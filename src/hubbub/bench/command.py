"""``hubbub bench SCENARIO``: put one load on a server and report what it cost.

By default the benchmark seeds a temporary database, starts its own ``hubbub serve`` on
it pinned to one CPU, and pins itself to another, so the server's CPU time and memory can
be read from /proc. ``--url`` aims at a running server instead: deliveries and latency are
still checked, CPU and memory are not measured. ``--against inspircd`` then runs the same
scenario on InspIRCd, pinned and measured the same way, and shows the ratios.
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
@click.option(
    "--redis",
    help="fanout, dm: give the benchmark's servers this Redis (redis://…) to share live "
    "events over.",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="fanout, dm: start this many servers on the same --database (postgresql://…) and "
    "--redis, sign the clients in on each in turn, and sum their CPU and memory.",
)
@click.option("--clients", type=click.IntRange(min=1), help="Simulated users.")
@click.option("--messages", type=click.IntRange(min=1), help="fanout: lobby messages to send.")
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    help="dm: direct messages/s; soak: lobby messages/s.",
)
@click.option(
    "--duration", type=click.FloatRange(min=0, min_open=True), help="dm, soak: seconds of sending."
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
    "--irc",
    type=click.IntRange(min=0),
    help="fanout: this many of the clients (the last ones) on hubbub's IRC listener, the "
    "others on the WebSocket.",
)
@click.option(
    "--password-clients",
    type=click.IntRange(min=1),
    help="signin: new users signing up with a password during the second storm.",
)
@click.option(
    "--against",
    type=click.Choice(["inspircd"]),
    help="Then run the same load on InspIRCd 3 (Debian package inspircd), spoken to over "
    "IRC, and show both servers' figures and their ratios (fanout, dm and idle).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the report to this file as JSON.",
)
def bench(
    scenario: str,
    url: str | None,
    against: str | None,
    database: str | None,
    redis: str | None,
    processes: int,
    json_path: Path | None,
    **given: Any,
) -> None:
    """Measure the server under one load; exit 1 on any lost or duplicated delivery or error.

    Defaults mirror the project's performance table; each option overrides one knob of
    the scenarios that have it.
    """
    # The machinery loads only when a benchmark runs, so that ``hubbub status`` stays quick.
    import uvloop
    from rich.console import Console

    from hubbub.bench.display import Board, render, render_comparison
    from hubbub.bench.launch import execute, execute_on_inspircd
    from hubbub.bench.report import Report, SideBySide, compare, to_json
    from hubbub.bench.server import ServerFailed
    from hubbub.store import StoreError

    chosen = SCENARIOS[scenario]
    load = _load(chosen, {name: value for name, value in given.items() if value is not None})
    if load.rooms and url is not None:
        raise click.UsageError("--rooms needs a server of the benchmark's own: it seeds the rooms")
    if against is not None:
        _check_against(chosen, load, url)
    if load.irc and (url is not None or load.rooms):
        raise click.UsageError(
            "--irc needs a server of the benchmark's own and the lobby, not --url or --rooms"
        )
    if load.irc > load.clients:
        raise click.UsageError(f"--irc {load.irc} is more than the {load.clients} clients")
    if database is not None and url is not None:
        raise click.UsageError("--database is for a server of the benchmark's own, not --url")
    _check_processes(chosen, url, database, redis, processes)
    with (
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
        Board.on(Console(stderr=True)) as board,
    ):
        try:
            hubbub = runner.run(execute(chosen, load, url, board, database, redis, processes))
            other = (
                None if against is None else runner.run(execute_on_inspircd(chosen, load, board))
            )
        except (ServerFailed, StoreError) as exc:
            raise click.ClickException(str(exc)) from None
    report: Report | SideBySide = hubbub
    if other is None:
        Console().print(render(hubbub))
    else:
        report = compare(hubbub, other)
        Console().print(render_comparison(report))
    if json_path is not None:
        json_path.write_bytes(to_json(report))
    if not report.passed:
        raise SystemExit(1)


def _check_against(scenario: Scenario, load: Load, url: str | None) -> None:
    """``--against inspircd`` needs the package, a server of the benchmark's own, and a
    scenario IRC can carry; if the package is missing, one line says how to install it."""
    from hubbub.bench.inspircd import MISSING, installed

    if url is not None:
        raise click.UsageError("--against compares servers of the benchmark's own, not --url")
    if not scenario.on_irc:
        names = ", ".join(s.name for s in SCENARIOS.values() if s.on_irc)
        raise click.UsageError(f"--against runs {names}, not {scenario.name}")
    if load.rooms:
        raise click.UsageError("--against runs the lobby fanout, not --rooms")
    if not installed():
        click.echo(MISSING, err=True)
        raise SystemExit(2)


def _check_processes(
    scenario: Scenario, url: str | None, database: str | None, redis: str | None, processes: int
) -> None:
    """``--redis`` and ``--processes`` are for fanout and dm on servers of the benchmark's
    own; several processes share a PostgreSQL database and a Redis."""
    if redis is None and processes == 1:
        return
    if scenario.name not in ("fanout", "dm"):
        raise click.UsageError(f"--redis and --processes run fanout and dm, not {scenario.name}")
    if url is not None:
        raise click.UsageError("--redis and --processes are for servers of the benchmark's own")
    if processes > 1 and (redis is None or not (database or "").startswith("postgresql")):
        raise click.UsageError(
            "--processes above 1 needs --database postgresql://… and --redis redis://…: "
            "the processes share them"
        )


def _load(scenario: Scenario, given: dict[str, Any]) -> Load:
    foreign = sorted(set(given) - set(scenario.knobs))
    if foreign:
        options = ", ".join("--" + name.replace("_", "-") for name in foreign)
        raise click.UsageError(f"{scenario.name} has no use for {options}")
    fields = {name: getattr(scenario.defaults, name) for name in scenario.knobs} | given
    return Load(**fields)
