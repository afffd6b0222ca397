"""The ``hubbub`` command: run the server, and look at a running one."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from hubbub import __version__
from hubbub.admin_cli import admin
from hubbub.backup_command import backup
from hubbub.bench.command import bench
from hubbub.desktop.command import desktop
from hubbub.hub.presence import LEAVE_LINGER
from hubbub.limit_options import connection_limits_from, limit_options, limits_from
from hubbub.migrate_command import migrate_to_postgres
from hubbub.server.proxies import TrustedProxies, parse_network
from hubbub.store_options import store_options
from hubbub.tui.launch import chat
from hubbub.tui.oneshot import calc, send


@click.group()
@click.version_option(__version__)
def main() -> None:
    """hubbub: a self-hosted chat server."""


def _networks(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> TrustedProxies:
    """``--trusted-proxy`` values (the variable may hold several, space-separated)."""
    texts = [text for value in values for text in value.split()]
    try:
        return TrustedProxies(parse_network(text) for text in texts)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param) from None


@main.command()
@click.option("--host", envvar="HUBBUB_HOST", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    envvar="HUBBUB_PORT",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="0 picks a free port (printed at start).",
)
@store_options
@click.option(
    "--redis",
    envvar="HUBBUB_REDIS",
    default=None,
    help="A Redis URL (redis://host:6379/0): run as one of several processes of one chat, "
    "sharing live events over its pub/sub. Needs --database postgresql://….",
)
@click.option(
    "--workers",
    envvar="HUBBUB_WORKERS",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Server processes on this port (more than 1 needs --database postgresql://… and --redis).",
)
@click.option(
    "--grace",
    envvar="HUBBUB_GRACE",
    default=20.0,
    show_default=True,
    type=float,
    help="Seconds a dropped connection keeps its presence and chat, waiting for a resume.",
)
@click.option(
    "--leave-linger",
    envvar="HUBBUB_LEAVE_LINGER",
    default=LEAVE_LINGER,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds a user must stay offline before the others are told, so that a page reload "
    "or a quick reconnect shows nothing to anyone.",
)
@click.option(
    "--log-level",
    envvar="HUBBUB_LOG_LEVEL",
    default="INFO",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
)
@click.option(
    "--allowed-origin",
    "allowed_origins",
    envvar="HUBBUB_ALLOWED_ORIGINS",
    multiple=True,
    help="A web origin (https://chat.example.org) besides the server's own whose pages may "
    "connect; repeat for more (the variable: separated by spaces).",
)
@click.option(
    "--token-idle-days",
    envvar="HUBBUB_TOKEN_IDLE_DAYS",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Days a session token may go unused before it expires.",
)
@click.option(
    "--tls-cert",
    envvar="HUBBUB_TLS_CERT",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A PEM certificate (chain): serve https and wss. Needs --tls-key.",
)
@click.option(
    "--tls-key",
    envvar="HUBBUB_TLS_KEY",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PEM private key of --tls-cert.",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    envvar="HUBBUB_TRUSTED_PROXIES",
    multiple=True,
    callback=_networks,
    help="The address (or network, 10.0.0.0/8) of a reverse proxy whose X-Forwarded-For names "
    "the client; repeat for more (the variable: separated by spaces).",
)
@click.option(
    "--metrics-public",
    envvar="HUBBUB_METRICS_PUBLIC",
    is_flag=True,
    help="Answer GET /metrics to everyone, not only to requests from this machine.",
)
@click.option(
    "--irc-port",
    envvar="HUBBUB_IRC_PORT",
    default=None,
    type=click.IntRange(0, 65535),
    help="Also listen for IRC clients on this port (0 picks a free one); default: no IRC.",
)
@click.option(
    "--irc-tls-port",
    envvar="HUBBUB_IRC_TLS_PORT",
    default=None,
    type=click.IntRange(0, 65535),
    help="Also listen for IRC over TLS on this port (needs --irc-port, --tls-cert, --tls-key).",
)
@click.option(
    "--irc-server-name",
    envvar="HUBBUB_IRC_SERVER_NAME",
    default=None,
    help="The server's name on IRC (default: this machine's host name).",
)
@click.option(
    "--irc-guests",
    envvar="HUBBUB_IRC_GUESTS",
    default="on",
    show_default=True,
    type=click.Choice(["on", "off"]),
    help="off: IRC connections must sign in (SASL PLAIN or PASS); on: others are guests.",
)
@limit_options
def serve(
    host: str,
    port: int,
    data_dir: Path,
    database: str | None,
    redis: str | None,
    workers: int,
    grace: float,
    leave_linger: float,
    log_level: str,
    allowed_origins: tuple[str, ...],
    token_idle_days: float,
    tls_cert: Path | None,
    tls_key: Path | None,
    trusted_proxies: TrustedProxies,
    metrics_public: bool,
    irc_port: int | None,
    irc_tls_port: int | None,
    irc_server_name: str | None,
    irc_guests: str,
    no_limits: bool,
    **limits: Any,
) -> None:
    """Run the chat server until Ctrl-C."""
    from hubbub.server import Config, create_app
    from hubbub.server.bus import BusUnavailable
    from hubbub.server.bus import shown_url as shown_redis_url
    from hubbub.server.config import IrcConfig
    from hubbub.server.site import run
    from hubbub.server.startup import (
        check_cluster,
        check_connection_cap,
        check_data_dir,
        listen,
        tls_context,
    )
    from hubbub.store import StoreError
    from hubbub.store.database import shown_url

    check_cluster(database, redis, workers)
    connections = connection_limits_from(limits)
    check_connection_cap(connections)
    ssl_context = tls_context(tls_cert, tls_key)
    if irc_tls_port is not None and (irc_port is None or ssl_context is None):
        raise click.ClickException("--irc-tls-port needs --irc-port, --tls-cert and --tls-key")
    if database is None:
        check_data_dir(data_dir)
    sock = listen(host, port)
    port = sock.getsockname()[1]
    irc = None
    if irc_port is not None:
        irc_sock = listen(host, irc_port)
        irc = IrcConfig(
            port=irc_sock.getsockname()[1],
            server_name=irc_server_name or socket.gethostname(),
            guests=irc_guests == "on",
            host=host,
            sock=irc_sock,
            tls_sock=None if irc_tls_port is None else listen(host, irc_tls_port),
            tls=ssl_context,
        )
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    config = Config(
        host=host,
        port=port,
        data_dir=data_dir,
        database=database,
        redis=redis,
        grace=grace,
        leave_linger=leave_linger,
        allowed_origins=tuple(origin.rstrip("/") for origin in allowed_origins),
        token_idle_days=token_idle_days,
        irc=irc,
        limits=limits_from(no_limits, limits),
        connections=connections,
        trusted_proxies=trusted_proxies,
        metrics_public=metrics_public,
    )
    secure = "s" if ssl_context is not None else ""
    processes = f"{workers} worker processes" if workers > 1 else "one of several processes"
    sharing = f"  {processes}, sharing live events over {shown_redis_url(redis)}\n" if redis else ""
    url = f"http{secure}://{host}:{port}"

    def announce() -> None:
        click.echo(
            f"hubbub {__version__} is running on {url}\n"
            f"  clients connect to ws{secure}://{host}:{port}/ws  (protocol: docs/protocol.md)\n"
            f"  from Python:  async with hubbub.client.Client.connect({url!r}) as c: ...\n"
            f"  data: {shown_url(database) if database else data_dir.resolve() / 'hubbub.db'}"
            f"   who is on: hubbub status --port {port}\n"
            + (f"  IRC clients connect to {host}:{irc.port} as {irc.server_name}\n" if irc else "")
            + (
                f"  IRC over TLS: {host}:{irc.tls_sock.getsockname()[1]}\n"
                if irc and irc.tls_sock
                else ""
            )
            + sharing
            + "  Ctrl-C stops the server.",
            err=False,
        )

    def serve_here(announce: Callable[[], None]) -> None:
        try:
            run(create_app(config), sock, ssl_context, _new_loop(), announce)
        except (StoreError, BusUnavailable) as error:  # cannot start: one line, exit 1
            raise click.ClickException(str(error)) from None

    if workers == 1:
        serve_here(announce)
        return
    from hubbub.workers import supervise

    announce()
    if supervise(workers, serve_here) != 0:
        raise click.ClickException("a worker failed to start (its error is above)")


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


main.add_command(bench)
main.add_command(desktop)
main.add_command(chat)
main.add_command(send)
main.add_command(calc)
main.add_command(backup)
main.add_command(admin)
main.add_command(migrate_to_postgres)


@main.command()
@click.option("--host", envvar="HUBBUB_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="HUBBUB_PORT", default=8765, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the raw JSON.")
@click.option(
    "--tls",
    is_flag=True,
    help="The server serves TLS (--tls-cert): ask over https. Its certificate is not "
    "checked: it names the server's public name, and this request stays on this machine.",
)
def status(host: str, port: int, as_json: bool, tls: bool) -> None:
    """Show who is connected to a running server on this machine."""
    url = f"http{'s' if tls else ''}://{host}:{port}/status"
    context = ssl.create_default_context() if tls else None
    if context is not None:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as response:
            report = json.load(response)
    except (urllib.error.URLError, OSError) as error:
        raise click.ClickException(f"no hubbub server answers at {url}: {error}") from None
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    table = Table(title=f"hubbub at {host}:{port}")
    for column in ("conn", "peer", "name", "status"):
        table.add_column(column)
    for row in report["connections"]:
        table.add_row(
            str(row["conn"]), row["peer"], row["name"] or "(not signed in)", row["status"] or ""
        )
    console = Console()
    console.print(table)
    console.print(f"{len(report['users'])} signed in, {len(report['connections'])} connections")
    if (bus := report.get("bus")) is not None:
        state = "connected to" if bus["up"] else "NOT connected to"
        console.print(
            f"process {bus['node']}, {state} Redis, hears {len(bus['nodes'])} other processes"
        )
