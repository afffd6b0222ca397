"""``hubbub admin`` on a running and on a stopped server's data dir, as an operator runs it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from conftest import ServerProcess, SignedInTo, free_port, query
from hubbub.client import Client, Disconnected, RequestFailed
from hubbub.hub.admin import ACCOUNT_BANNED, PASSWORD_RESET
from hubbub.protocol import ErrorCode, Notice
from postgres import PostgresServer


def admin(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubbub", "admin", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
    )


async def run_admin(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    done = await asyncio.to_thread(admin, data_dir, *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def eventually(attempt: Callable[[], Awaitable[object]], while_refused: ErrorCode) -> None:
    """Try until the running server has followed the command line (it reads the audit log
    every second), for up to 10 s; refused with any other code fails at once."""
    for _ in range(50):
        try:
            await attempt()
        except RequestFailed as refused:
            if refused.code != while_refused:
                raise
            await asyncio.sleep(0.2)
        else:
            return
    raise AssertionError(f"still refused {while_refused} after 10 s")


async def sign_in_fails(url: str, name: str, password: str) -> ErrorCode:
    client = Client.connect(url, reconnect=False)
    async with client:
        with pytest.raises(RequestFailed) as caught:
            await client.sign_in(name, password)
    return caught.value.code


async def test_a_ban_from_the_command_line_closes_the_open_connection_of_a_running_server(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    await signed_in_to(hubbub, "root")
    bob = await signed_in_to(hubbub, "bob")
    out = await run_admin(hubbub.data_dir, "ban", "bob", "--reason", "spam")
    assert out.strip() == "bob is banned"
    notice = await bob.wait_for(Notice, lambda n: n.code == "account_banned", timeout=10)
    assert "banned" in notice.text
    closed = await bob.wait_for(Disconnected, timeout=10)
    assert closed.code == ACCOUNT_BANNED
    assert await sign_in_fails(hubbub.url, "bob", "pw-bob") == ErrorCode.ACCOUNT_BANNED
    await run_admin(hubbub.data_dir, "unban", "bob")

    async def sign_in() -> None:
        client = Client.connect(hubbub.url, reconnect=False)
        async with client:
            await client.sign_in("bob", "pw-bob")

    await eventually(sign_in, ErrorCode.ACCOUNT_BANNED)


async def test_users_grant_and_revoke_list_and_change_roles(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    await signed_in_to(hubbub, "root")
    bob = await signed_in_to(hubbub, "bob")
    listed = [
        json.loads(line)
        for line in (await run_admin(hubbub.data_dir, "users", "--json")).splitlines()
    ]
    assert [(u["name"], u["role"], u["banned"]) for u in listed] == [
        ("root", "admin", False),
        ("bob", "user", False),
    ]
    await run_admin(hubbub.data_dir, "grant", "Bob")
    await eventually(bob.audit, ErrorCode.NOT_ALLOWED)
    await run_admin(hubbub.data_dir, "revoke", "bob")
    table = await run_admin(hubbub.data_dir, "users")
    assert [line.split()[:3] for line in table.splitlines()] == [
        ["root", "admin", "-"],
        ["bob", "user", "-"],
    ]


async def test_reset_password_prints_a_new_one_and_ends_every_session(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    bob = await signed_in_to(hubbub, "bob")
    out = await run_admin(hubbub.data_dir, "reset-password", "bob")
    password = out.strip().rsplit(" ", 1)[-1]
    assert out.startswith("bob's new password: ")
    closed = await bob.wait_for(Disconnected, timeout=10)
    assert closed.code == PASSWORD_RESET
    assert await sign_in_fails(hubbub.url, "bob", "pw-bob") == ErrorCode.WRONG_PASSWORD
    again = Client.connect(hubbub.url, reconnect=False)
    async with again:
        await again.sign_in("bob", password)
    await run_admin(
        hubbub.data_dir, "reset-password", "bob", "--password-stdin", stdin="chosen one\n"
    )
    chosen = Client.connect(hubbub.url, reconnect=False)
    async with chosen:
        await chosen.sign_in("bob", "chosen one")


async def test_on_a_stopped_server_actions_last_and_are_in_the_audit_log(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    server_process.start()
    root = await signed_in_to(server_process, "root")
    await signed_in_to(server_process, "eve")
    await root.close()
    assert await asyncio.to_thread(server_process.interrupt) == 0
    await run_admin(server_process.data_dir, "ban", "eve", "--reason", "phishing")
    await run_admin(server_process.data_dir, "grant", "eve")
    log = await run_admin(server_process.data_dir, "audit", "--json")
    entries = [json.loads(line) for line in log.splitlines()]
    assert [(e["actor"], e["action"], e["target"], e["reason"]) for e in entries] == [
        ("hubbub admin", "grant", "eve", ""),
        ("hubbub admin", "ban_account", "eve", "phishing"),
    ]
    human = await run_admin(server_process.data_dir, "audit")
    assert "hubbub admin: ban_account eve (phishing)" in human
    server_process.start()
    assert await sign_in_fails(server_process.url, "eve", "pw-eve") == ErrorCode.ACCOUNT_BANNED
    admin_again = Client.connect(server_process.url, reconnect=False)
    async with admin_again:
        await admin_again.sign_in("root", "pw-root")
        page = await admin_again.audit()
        assert [e.action for e in page.entries] == ["grant", "ban_account"]


def test_unknown_accounts_and_missing_databases_get_one_clear_line(tmp_path: Path) -> None:
    missing = admin(tmp_path / "nowhere", "users")
    assert missing.returncode == 1
    assert "there is no hubbub database" in missing.stderr
    assert not (tmp_path / "nowhere").exists()


async def test_on_postgresql_a_ban_closes_the_running_servers_connection(
    postgres: PostgresServer, tmp_path: Path, signed_in_to: SignedInTo
) -> None:
    url = postgres.new_database()
    server = ServerProcess(tmp_path / "data", free_port(), database=url)
    server.start()
    try:
        await signed_in_to(server, "root")
        bob = await signed_in_to(server, "bob")
        out = await run_admin(tmp_path, "--database", url, "ban", "bob")
        assert out.strip() == "bob is banned"
        closed = await bob.wait_for(Disconnected, timeout=10)
        assert closed.code == ACCOUNT_BANNED
        table = await run_admin(tmp_path, "--database", url, "users")
        assert [line.split()[:3] for line in table.splitlines()] == [
            ["root", "admin", "-"],
            ["bob", "user", "banned"],
        ]
    finally:
        server.stop()


def test_an_empty_postgresql_database_is_not_one_and_is_left_empty(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    url = postgres.new_database()
    empty = admin(tmp_path, "--database", url, "users")
    assert empty.returncode == 1
    assert "there is no hubbub database" in empty.stderr
    assert query(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_an_unreachable_postgresql_gets_one_line_without_its_password() -> None:
    unreachable = f"postgresql://hubbub:secret-pw@127.0.0.1:{free_port()}/hubbub"
    done = admin(Path("unused"), "--database", unreachable, "users")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: cannot open the database postgresql")
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "secret-pw" not in done.stderr + done.stdout
