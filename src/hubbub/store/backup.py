"""A consistent copy of a SQLite database, safe while a server writes to it.

SQLite's online backup API copies every page in one step inside one read transaction, so
the copy is the database as of one instant: every transaction committed before the copy
began is in it, and none is half in it. In WAL mode (the store's) a reader never blocks
the writer, so a running server goes on storing messages meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hubbub.store.database import parse_url
from hubbub.store.records import StoreError

_BUSY_SECONDS = 5.0
"""How long to wait for a lock the server holds (a checkpoint) before giving up."""
_OWNER_ONLY = 0o600
_WHOLE_DATABASE = -1
"""``pages`` for :meth:`sqlite3.Connection.backup`: every page in one step."""


@dataclass(frozen=True, slots=True)
class Backup:
    source: Path
    target: Path
    size: int
    """Bytes in the copy."""


def database_file(url: str) -> Path:
    """The SQLite file a database URL names; :class:`StoreError` if it is not one."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise StoreError("hubbub backup copies SQLite databases; back up PostgreSQL with pg_dump")
    assert parsed.database is not None
    return Path(parsed.database)


def back_up(source: Path, target: Path, *, replace: bool = False) -> Backup:
    """Copy the database ``source`` to ``target`` and check the copy's integrity.

    The copy is made beside ``target`` under another name and renamed into place only
    once it is whole and checked, so ``target`` is never a half-written file. An existing
    ``target`` is refused unless ``replace``. Every failure is a :class:`StoreError`
    whose message is one sentence for people.
    """
    if not source.is_file():
        raise StoreError(f"there is no database at {source} (check --data-dir or --database)")
    if target.exists() and target.resolve() == source.resolve():
        raise StoreError(f"{target} is the database itself; choose another file")
    if target.exists() and not replace:
        raise StoreError(f"{target} already exists; use --force to replace it")
    if not target.parent.is_dir():
        raise StoreError(f"cannot write {target}: there is no directory {target.parent}")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        _copy(source, partial)
        partial.replace(target)
    except (sqlite3.Error, OSError) as error:
        raise StoreError(f"cannot back up {source} to {target}: {error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return Backup(source, target, target.stat().st_size)


def _copy(source: Path, partial: Path) -> None:
    """Copy the pages, make the copy one self-contained file, and check it. The file is
    made readable by its owner only first: it holds password and token hashes."""
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _OWNER_ONLY))
    with (
        contextlib.closing(sqlite3.connect(source, timeout=_BUSY_SECONDS)) as origin,
        contextlib.closing(sqlite3.connect(partial)) as copy,
    ):
        origin.backup(copy, pages=_WHOLE_DATABASE)
        copy.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise sqlite3.DatabaseError(f"the copy fails its integrity check: {problems[0]}")
