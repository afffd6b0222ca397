"""``hubbub backup FILE``: a consistent copy of a server's database, running or stopped."""

from __future__ import annotations

from pathlib import Path

import click

from hubbub.store.backup import back_up, database_file
from hubbub.store.database import default_url
from hubbub.store.records import StoreError
from hubbub.store_options import store_options


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@store_options
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup(file: Path, data_dir: Path, database: str | None, force: bool) -> None:
    """Copy the database to FILE, safely while the server runs (SQLite's online backup)."""
    try:
        done = back_up(database_file(database or default_url(data_dir)), file, replace=force)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backed up {done.source} to {done.target} ({done.size:,} bytes, integrity ok)")
