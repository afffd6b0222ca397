"""What ``hubbub serve`` checks before it creates anything: each failure is one clear line.

A newcomer who mistypes a host, picks a busy port or a data dir they cannot write should
learn which, and nothing should be left behind (no half-made database).
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import click


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
