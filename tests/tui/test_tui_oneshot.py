"""``hubbub send`` and ``hubbub calc`` as scripts run them: output, JSON, exit codes.

Also how ``hubbub chat`` fails before the screen is taken: one line and a non-zero code.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ServerProcess, free_port
from hubbub.client import Client
from hubbub.protocol import Message

Library = Callable[[str], Awaitable[Client]]


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict[str, object]:
        parsed: dict[str, object] = json.loads(self.out)
        return parsed


@pytest.fixture
def hubbub_cli(tmp_path: Path) -> Callable[..., Awaitable[Outcome]]:
    """``await hubbub_cli(*args, password=...)``: run ``hubbub`` with its own config dir."""

    async def run(*args: str, password: str | None = None) -> Outcome:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBUB_")}
        env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
        if password is not None:
            env["HUBBUB_PASSWORD"] = password
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hubbub", *args,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode is not None
        return Outcome(process.returncode, out.decode(), err.decode())

    return run


async def test_send_to_a_person_then_a_room_with_the_saved_session(
    hubbub: ServerProcess, hubbub_cli: Callable[..., Awaitable[Outcome]], library: Library
) -> None:
    bob = await library("bob")
    to_bob = ("send", "--server", hubbub.url, "--name", "alice", "--to", "bob")
    sent = await hubbub_cli(*to_bob, "hello", "bob", password="pw-alice")
    assert sent.code == 0, sent.err
    assert sent.out.startswith("sent to bob (#1 in dm:")
    assert sent.err == ""
    got = await bob.wait_for(Message, lambda m: m.text == "hello bob")
    assert (got.sender, got.to) == ("alice", "bob")

    again = await hubbub_cli("send", "--server", hubbub.url, "--to", "#lobby", "--json", "hi all")
    assert again.code == 0, again.err  # no password, no name: the session saved by the first
    assert again.json == {
        "ok": True,
        "to": "Lobby",
        "conversation": "lobby",
        "seq": again.json["seq"],
        "ts": again.json["ts"],
    }
    await bob.wait_for(Message, lambda m: m.text == "hi all" and m.conversation == "lobby")

    nobody = await hubbub_cli("send", "--server", hubbub.url, "--to", "nobody", "psst")
    assert nobody.code == 1
    assert nobody.out == ""
    assert nobody.err.count("\n") == 1
    assert "nobody" in nobody.err


async def test_calc_prints_the_answer_or_the_fault(
    hubbub: ServerProcess, hubbub_cli: Callable[..., Awaitable[Outcome]]
) -> None:
    args = ("calc", "--server", hubbub.url, "--name", "carol")
    answered = await hubbub_cli(*args, "2*(3+4)", password="pw-carol")
    assert (answered.code, answered.out, answered.err) == (0, "14\n", "")
    as_json, fault = await asyncio.gather(
        hubbub_cli(*args, "--json", "sqrt(16)"), hubbub_cli(*args, "1/0")
    )
    assert as_json.code == 0
    assert as_json.json == {"ok": True, "expression": "sqrt(16)", "result": "4.0"}
    assert fault.code == 1
    assert fault.out == ""
    assert fault.err == "hubbub: division by zero at 2\n"


async def test_a_refused_password_is_one_line_and_exit_1(
    hubbub: ServerProcess, hubbub_cli: Callable[..., Awaitable[Outcome]], library: Library
) -> None:
    alice = await library("alice")
    await alice.close()
    args = ("send", "--server", hubbub.url, "--name", "alice", "--to", "lobby", "hi")
    refused, as_json, chat = await asyncio.gather(
        hubbub_cli(*args, password="not her password"),
        hubbub_cli(*args, "--json", password="not her password"),
        hubbub_cli("chat", "--server", hubbub.url, "--name", "alice", password="nope"),
    )
    assert refused.code == 1
    assert refused.out == ""
    assert refused.err == "hubbub: wrong password for alice\n"
    assert as_json.code == 1
    assert as_json.json == {
        "ok": False,
        "error": "wrong_password",
        "message": "wrong password for alice",
    }
    assert chat.code == 1
    assert chat.err == "Error: wrong password for alice\n"


async def test_an_unreachable_server_is_one_line_and_exit_3(
    hubbub_cli: Callable[..., Awaitable[Outcome]],
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    failed, as_json, chat, unnamed = await asyncio.gather(
        hubbub_cli("calc", "--server", nowhere, "--name", "x", "1+1", password="pw"),
        hubbub_cli("send", "--server", nowhere, "--name", "x", "--to", "y", "--json", "z"),
        hubbub_cli("chat", "--server", nowhere, "--name", "x", password="pw"),
        hubbub_cli("calc", "--server", nowhere, "1+1"),
    )
    assert failed.code == 3
    assert failed.out == ""
    assert failed.err.startswith(f"hubbub: cannot reach {nowhere}")
    assert failed.err.count("\n") == 1
    assert as_json.code == 3
    assert as_json.json["error"] == "unreachable"
    assert chat.code == 1
    assert chat.err.startswith(f"Error: cannot reach {nowhere}")
    assert unnamed.code == 2
    assert unnamed.err == "hubbub: no name: give --name NAME (or set HUBBUB_NAME)\n"
