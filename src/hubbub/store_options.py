"""``--data-dir`` and ``--database``: where a server's database is, for every command that
opens one (``serve``, ``admin``, ``backup``), spelled and defaulted alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def store_options(command: F) -> F:
    """Add ``--data-dir`` (``HUBBUB_DATA_DIR``) and ``--database`` (``HUBBUB_DATABASE``)."""
    command = click.option(
        "--database",
        envvar="HUBBUB_DATABASE",
        default=None,
        help="The database URL: sqlite:///PATH (default: DATA_DIR/hubbub.db) or postgresql://….",
    )(command)
    return click.option(
        "--data-dir",
        envvar="HUBBUB_DATA_DIR",
        default=".hubbub",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="The server's data dir, where its SQLite database lives.",
    )(command)
