"""What ``hubbub serve`` checks before it creates anything: each failure is one clear line.

A newcomer who mistypes a host, picks a busy port or a data dir they cannot write, or
names a TLS certificate that cannot be used, should learn which, and nothing should be
left behind (no half-made database).
"""

from __future__ import annotations

import errno
import os
import socket
import ssl
from pathlib import Path

import click

from hubbub.server.conn_limits import ConnLimits, open_file_room
from hubbub.store import StoreError
from hubbub.store.database import parse_url


def check_data_dir(data_dir: Path) -> None:
    """Create the data dir if missing; refuse one that cannot be written."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.ClickException(
            f"cannot use {data_dir} as the data dir: {error.strerror or error}"
        ) from None
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise click.ClickException(f"cannot use {data_dir} as the data dir: it is not writable")


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port), or one line saying why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise click.ClickException(f"cannot listen on host {host!r}: {error.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"port {port} on {host} is in use by another program; "
                "stop it or choose another with --port"
            ) from None
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {error.strerror or error}"
        ) from None
    sock.setblocking(False)
    return sock


def tls_context(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    """The TLS context for ``--tls-cert`` and ``--tls-key``, or one line saying what is wrong."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise click.ClickException("TLS needs both --tls-cert and --tls-key")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    for path, what in ((cert, "certificate"), (key, "key")):
        try:
            path.read_bytes()
        except OSError as error:
            raise click.ClickException(
                f"cannot read the TLS {what} {path}: {error.strerror or error}"
            ) from None
    try:
        context.load_cert_chain(cert, key)
    except ssl.SSLError as error:
        raise click.ClickException(
            f"cannot use the TLS certificate {cert} with the key {key}: {error.reason or error}"
        ) from None
    return context


def check_connection_cap(limits: ConnLimits) -> None:
    """Refuse a ``--max-connections`` the open-file limit has no room for."""
    room = open_file_room()
    if limits.max_connections > room:
        raise click.ClickException(
            f"--max-connections {limits.max_connections} is more than the open-file limit "
            f"leaves room for ({room}); raise it (ulimit -n) or ask for fewer"
        )


def check_cluster(database: str | None, redis: str | None, workers: int) -> None:
    """Several processes share one chat only through PostgreSQL and Redis: refuse
    ``--redis`` without PostgreSQL, and ``--workers`` above 1 without both."""
    if redis is None and workers == 1:
        return
    needs = "--redis" if workers == 1 else f"--workers {workers}"
    on_postgres = False
    if database is not None:
        try:
            on_postgres = parse_url(database).get_backend_name() == "postgresql"
        except StoreError as error:
            raise click.ClickException(str(error)) from None
    if not on_postgres:
        raise click.ClickException(
            f"{needs} needs --database postgresql://…: several processes share one "
            "PostgreSQL database (a SQLite file serves one process only)"
        )
    if redis is None:
        raise click.ClickException(
            f"{needs} needs --redis redis://…: the processes share live events over Redis"
        )
