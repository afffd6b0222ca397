"""``hubbub admin``: accounts and the audit log, on a server's database, running or not.

It writes the database directly (SQLite in WAL mode lets it write beside a running
server) through the same functions the server's store uses, so each action is one
transaction with its audit row. A running server reads the audit rows about accounts
every second and follows them: a ban closes the account's connections, a password
reset ends its sessions, a grant or revoke changes what it may do.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import secrets
import sys
import time
from pathlib import Path

import click
from sqlalchemy import URL, Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from hubbub.hub.inputs import normalise_name
from hubbub.protocol import MAX_REASON_CHARS, Refusal
from hubbub.store import StoreError, default_url
from hubbub.store.database import open_engine, parse_url, upgrade_schema, why_not_opened
from hubbub.store.moderation import (
    CLI_ACTOR,
    AccountRow,
    Act,
    Action,
    apply,
    audit_page,
    list_accounts,
)
from hubbub.store.schema import accounts
from hubbub.store_options import store_options

NEW_PASSWORD_BYTES = 12


class _Database:
    """The database named by ``--data-dir`` / ``--database``, opened on first use."""

    def __init__(self, data_dir: Path, database: str | None) -> None:
        self.url = database or default_url(data_dir)
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                where = parse_url(self.url)
            except StoreError as error:
                raise click.ClickException(str(error)) from None
            try:
                exists = _made_by_hubbub(where)
                if exists:
                    upgrade_schema(where)
            except SQLAlchemyError as error:
                reason = why_not_opened(error)
                raise click.ClickException(
                    f"cannot open the database {where!r}: {reason}"
                ) from None
            if not exists:
                raise click.ClickException(
                    f"there is no hubbub database at {where.database}; "
                    "give the server's --data-dir or --database"
                )
            self._engine = open_engine(where)
        return self._engine

    def account(self, name: str) -> AccountRow:
        try:
            _, key = normalise_name(name)
        except Refusal as refusal:
            raise click.ClickException(refusal.message) from None
        with self.engine.connect() as connection:
            found = list_accounts(connection, key)
        if not found:
            raise click.ClickException(f"there is no account called {name}")
        return found[0]

    def act(self, act: Act) -> None:
        """Carry out ``act`` with its audit row, in one transaction that starts by writing."""
        with self.engine.begin() as connection:
            apply(connection, act, time.time())


def _made_by_hubbub(where: URL) -> bool:
    """Whether a hubbub server has made this database: a SQLite file that exists, or a
    PostgreSQL database with hubbub's tables. Neither is ever created here."""
    if where.get_backend_name() == "sqlite":
        return Path(where.database or "").is_file()
    engine = open_engine(where)
    try:
        with engine.connect() as connection:
            return inspect(connection).has_table(accounts.name)
    finally:
        engine.dispose()


@click.group()
@store_options
@click.pass_context
def admin(context: click.Context, data_dir: Path, database: str | None) -> None:
    """Manage accounts of a hubbub server (running or stopped), and read its audit log."""
    context.obj = _Database(data_dir, database)


def _when(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


@admin.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per account.")
@click.pass_obj
def users(db: _Database, as_json: bool) -> None:
    """List every account: name, role, whether banned, when created."""
    with db.engine.connect() as connection:
        rows = list_accounts(connection)
    for row in rows:
        if as_json:
            record = dataclasses.asdict(row)
            del record["id"]
            click.echo(json.dumps(record))
        else:
            banned = "banned" if row.banned else "-"
            click.echo(f"{row.name:<32} {row.role:<6} {banned:<7} {_when(row.created_at)}")


def _account_command(action: Action, done: str, help_text: str) -> None:
    @admin.command(name=action.replace("_account", ""), help=help_text)
    @click.argument("name")
    @click.pass_obj
    def command(db: _Database, name: str) -> None:
        account = db.account(name)
        db.act(Act(action, CLI_ACTOR, account.id, account.name))
        click.echo(f"{account.name} {done}")


_account_command("grant", "is now an admin", "Make NAME a server admin.")
_account_command("revoke", "is no longer an admin", "Make NAME an ordinary user again.")
_account_command("unban_account", "may sign in again", "Lift NAME's server ban.")


@admin.command()
@click.argument("name")
@click.option("--reason", default="", help="Why; kept in the audit log.")
@click.pass_obj
def ban(db: _Database, name: str, reason: str) -> None:
    """Ban NAME from the server: sessions end, sign-in is refused."""
    if len(reason) > MAX_REASON_CHARS:
        raise click.BadParameter(f"at most {MAX_REASON_CHARS} characters", param_hint="--reason")
    account = db.account(name)
    db.act(Act("ban_account", CLI_ACTOR, account.id, account.name, reason=reason))
    click.echo(f"{account.name} is banned")


@admin.command(name="reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from stdin (one line).")
@click.pass_obj
def reset_password(db: _Database, name: str, password_stdin: bool) -> None:
    """Give NAME a new password and end every session of theirs.

    Prints a new random password once, unless one is read from stdin.
    """
    from hubbub.server.passwords import hash_password

    account = db.account(name)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not 1 <= len(password) <= 1024:
            raise click.ClickException("a password is 1 to 1024 characters")
    else:
        password = secrets.token_urlsafe(NEW_PASSWORD_BYTES)
    act = Act(
        "reset_password", CLI_ACTOR, account.id, account.name, password_hash=hash_password(password)
    )
    db.act(act)
    if password_stdin:
        click.echo(f"{account.name}'s password is changed; their sessions are ended")
    else:
        click.echo(f"{account.name}'s new password: {password}")


@admin.command()
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry.")
@click.pass_obj
def audit(db: _Database, limit: int, as_json: bool) -> None:
    """Show the newest moderation and administration actions, newest first."""
    with db.engine.connect() as connection:
        entries = audit_page(connection, None, limit)
    for entry in entries:
        if as_json:
            click.echo(json.dumps(dataclasses.asdict(entry)))
            continue
        where = f" in {entry.room}" if entry.room else ""
        why = f" ({entry.reason})" if entry.reason else ""
        until = f" until {_when(entry.until)}" if entry.until is not None else ""
        click.echo(
            f"{_when(entry.at)}  {entry.actor}: {entry.action} {entry.target}{where}{until}{why}"
        )
