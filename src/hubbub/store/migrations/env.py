"""Alembic's entry point. Migrates the connection a caller passes in
``config.attributes["connection"]`` or else, as from the ``alembic`` CLI, ``sqlalchemy.url``."""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.util import CommandError

from hubbub.store.database import open_engine, parse_url
from hubbub.store.schema import include_name, metadata


def migrate(**options: Any) -> None:
    context.configure(
        target_metadata=metadata, render_as_batch=True, include_name=include_name, **options
    )
    with context.begin_transaction():
        context.run_migrations()


def migrate_url() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise CommandError("set sqlalchemy.url to the database to migrate")
    if context.is_offline_mode():
        migrate(url=url, literal_binds=True)
        return
    engine = open_engine(parse_url(url))  # postgresql:// goes through psycopg 3, as the store
    try:
        with engine.begin() as connection:
            migrate(connection=connection)
    finally:
        engine.dispose()


given_connection = context.config.attributes.get("connection")
if given_connection is None:
    migrate_url()
else:
    migrate(connection=given_connection)
