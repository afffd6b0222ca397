"""``hubbub migrate-to-postgres``: move an embedded installation into PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import click

from hubbub.store.database import shown_url
from hubbub.store.records import StoreError
from hubbub.store.transfer import migrate, source_url


@click.command("migrate-to-postgres")
@click.option(
    "--from",
    "data_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The data dir of the embedded installation (its hubbub.db). Stop its server first.",
)
@click.option(
    "--to",
    "target",
    required=True,
    help="The URL of an empty PostgreSQL database: postgresql://USER:PASSWORD@HOST:PORT/DB.",
)
def migrate_to_postgres(data_dir: Path, target: str) -> None:
    """Copy accounts, rooms, history and everything else from DATA_DIR into PostgreSQL."""
    started = time.monotonic()
    try:
        copied = migrate(source_url(data_dir), target, click.echo)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"moved {sum(copied.values())} rows in {len(copied)} tables from {data_dir} "
        f"to {shown_url(target)} in {time.monotonic() - started:.1f} s:"
    )
    for table, rows in copied.items():
        click.echo(f"  {table}: {rows}")
    click.echo(f"start the server with: hubbub serve --database {shown_url(target)}")
