"""Sign-in throttling over real sockets, against ``hubbub serve`` with its default limits:
a guesser is refused ``too_many_attempts`` without the server checking the password,
new accounts from one address are limited, a full hashing queue answers ``busy``, and a
person signing in normally meets none of it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from conftest import ServerProcess, free_port
from hubbub.client import Client, RequestFailed
from hubbub.protocol import ErrorCode, SignedIn

StartProcess = Callable[..., ServerProcess]


@pytest.fixture
def start_process(tmp_path: Path) -> Iterator[StartProcess]:
    """``start_process(*flags)``: ``hubbub serve`` with the default limits and ``flags``."""
    started: list[ServerProcess] = []

    def start(*options: str) -> ServerProcess:
        server = ServerProcess(
            tmp_path / f"data{len(started)}", free_port(), limits=True, options=options
        )
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


async def attempts(url: str, name: str, passwords: list[str]) -> list[dict[str, Any]]:
    """Sign in once per password, one after the other on one socket: the answers."""
    answers = []
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws") as ws:
        for n, password in enumerate(passwords):
            await ws.send_json({"type": "sign_in", "id": n, "name": name, "password": password})
            while (answer := await ws.receive_json(timeout=30)).get("id") != n:
                pass
            answers.append(answer)
    return answers


async def signed_up(url: str, name: str) -> SignedIn:
    """Claim ``name`` (password "pw-<name>") and sign out of the connection again."""
    async with Client.connect(url, reconnect=False) as client:
        return await client.sign_in(name, f"pw-{name}")


async def test_guessing_a_password_is_refused_after_a_few_failures(
    start_process: StartProcess,
) -> None:
    server = start_process()
    await signed_up(server.url, "victim")
    answers = await attempts(server.url, "victim", [f"guess{n}" for n in range(100)])

    codes = [answer.get("code") for answer in answers]
    assert codes[:5] == ["wrong_password"] * 5
    assert set(codes[5:]) == {"too_many_attempts"}
    assert all(answer["retry_after"] >= 1 for answer in answers[5:])
    assert "try again in" in answers[-1]["message"]


async def test_a_throttled_name_still_signs_in_with_its_token_and_others_with_passwords(
    start_process: StartProcess,
) -> None:
    server = start_process()
    token = (await signed_up(server.url, "victim")).token
    await signed_up(server.url, "bystander")
    await attempts(server.url, "victim", [f"guess{n}" for n in range(10)])

    [right_password] = await attempts(server.url, "victim", ["pw-victim"])
    assert right_password["code"] == "too_many_attempts"
    async with Client.connect(server.url, reconnect=False) as victim:
        assert (await victim.sign_in("victim", token=token)).name == "victim"
    async with Client.connect(server.url, reconnect=False) as bystander:
        assert (await bystander.sign_in("bystander", "pw-bystander")).name == "bystander"


async def test_guesses_from_one_address_across_names_are_throttled(
    start_process: StartProcess,
) -> None:
    server = start_process("--name-failures-limit", "100,1", "--address-failures-limit", "8,0.01")
    for name in ("ann", "bob", "cat"):
        await signed_up(server.url, name)
    answers = [
        answer
        for name in ("ann", "bob", "cat")
        for answer in await attempts(server.url, name, ["wrong"] * 4)
    ]
    assert [a["code"] for a in answers] == ["wrong_password"] * 8 + ["too_many_attempts"] * 4


async def test_new_accounts_from_one_address_are_limited(start_process: StartProcess) -> None:
    server = start_process("--sign-ups-limit", "3,0.001")
    for name in ("one", "two", "three"):
        await signed_up(server.url, name)

    [fourth] = await attempts(server.url, "four", ["pw-four"])
    assert fourth["code"] == "too_many_attempts"
    assert "new accounts" in fourth["message"]
    assert (await signed_up(server.url, "two")).name == "two"


async def test_a_full_hashing_queue_answers_busy_rather_than_queueing(
    start_process: StartProcess,
) -> None:
    server = start_process(
        "--hash-queue", "1", "--sign-ups-limit", "100,1", "--handshakes-per-address", "0"
    )
    answers = await asyncio.gather(
        *(attempts(server.url, f"newcomer{n}", ["a password"]) for n in range(12))
    )
    codes = [answer.get("code") for [answer] in answers]
    assert "busy" in codes
    assert set(codes) <= {None, "busy"}
    busy = next(answer for [answer] in answers if answer.get("code") == "busy")
    assert busy["retry_after"] == 1
    # The client library waits and tries again on its own.
    clients = [Client.connect(server.url, reconnect=False) for _ in range(3)]
    try:
        for client in clients:
            await client.open()
        signed = await asyncio.gather(
            *(c.sign_in(f"patient{n}", "pw") for n, c in enumerate(clients))
        )
        assert [s.name for s in signed] == [f"patient{n}" for n in range(3)]
    finally:
        for client in clients:
            await client.close()


async def test_a_person_signing_in_normally_never_meets_a_limit(
    start_process: StartProcess,
) -> None:
    server = start_process()
    await signed_up(server.url, "ann")
    answers = await attempts(server.url, "ann", ["pw-ann?", "Pw-ann", "pw-ann"])
    assert [a.get("code") for a in answers] == ["wrong_password", "wrong_password", None]
    for _ in range(10):
        async with Client.connect(server.url, reconnect=False) as client:
            await client.sign_in("ann", "pw-ann")
            await client.sign_out()
    async with Client.connect(server.url, reconnect=False) as client:
        with pytest.raises(RequestFailed) as refused:
            await client.sign_in("ann", "one more typo")
        assert refused.value.code is ErrorCode.WRONG_PASSWORD
