"""The account attacks of issue 9, rerun against ``hubbub serve`` with its default limits
(127.0.0.1 only; 127.0.0.2 as a second machine): guessing a password from many sockets,
stuffing credentials across names, and a stolen token used after its owner revoked it.
Outcomes are asserted, never timings."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from conftest import ServerProcess, free_port, whole_history
from hubbub.client import Client
from hubbub.hub.hub import SIGNED_OUT
from hubbub.protocol import LOBBY

ANOTHER_ADDRESS = "127.0.0.2"


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "data", free_port(), limits=True)
    server.start()
    yield server
    server.stop()


@asynccontextmanager
async def socket_from(
    url: str, address: str | None = None
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A bare WebSocket to the server, from ``address`` (default: 127.0.0.1)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0) if address else None)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.ws_connect(f"{url}/ws") as ws,
    ):
        yield ws


async def answer_to(ws: aiohttp.ClientWebSocketResponse, request: dict[str, Any]) -> dict[str, Any]:
    await ws.send_json(request)
    async with asyncio.timeout(60):
        while (answer := await ws.receive_json()).get("id") != request["id"]:
            pass
    return answer


async def close_code(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    """Read until the server closes the socket: its close code."""
    async with asyncio.timeout(30):
        async for _ in ws:
            pass
    return ws.close_code


async def guesses(url: str, name: str, count: int) -> list[str]:
    """``count`` wrong passwords for ``name`` on one socket: the error codes."""
    async with socket_from(url) as ws:
        return [
            (
                await answer_to(
                    ws, {"type": "sign_in", "id": n, "name": name, "password": f"guess {n}"}
                )
            )["code"]
            for n in range(count)
        ]


async def test_500_wrong_passwords_are_refused_and_others_still_sign_in(
    limited: ServerProcess,
) -> None:
    async with Client.connect(limited.url, reconnect=False) as victim:
        await victim.sign_in("victim", "pw-victim")
    async with Client.connect(limited.url, reconnect=False) as bystander:
        await bystander.sign_in("bystander", "pw-bystander")

    async def bystander_signs_in() -> str:
        async with socket_from(limited.url, ANOTHER_ADDRESS) as ws:
            request = {"type": "sign_in", "id": 1, "name": "bystander", "password": "pw-bystander"}
            return str((await answer_to(ws, request))["type"])

    *attack, signed_in = await asyncio.gather(
        *(guesses(limited.url, "victim", 50) for _ in range(10)), bystander_signs_in()
    )

    codes = Counter(code for codes in attack for code in codes)
    assert sum(codes.values()) == 500
    assert codes["wrong_password"] <= 5
    assert codes["too_many_attempts"] >= 495
    assert signed_in == "ok"


async def test_stuffing_credentials_across_names_is_throttled_per_address(
    limited: ServerProcess,
) -> None:
    names = [f"user{n}" for n in range(8)]
    for name in names:
        async with Client.connect(limited.url, reconnect=False) as client:
            await client.sign_in(name, f"pw-{name}")

    codes = [code for name in names for code in await guesses(limited.url, name, 4)]

    assert codes[:20] == ["wrong_password"] * 20
    assert set(codes[20:]) == {"too_many_attempts"}
    async with socket_from(limited.url, ANOTHER_ADDRESS) as owner:
        request = {"type": "sign_in", "id": 0, "name": "user7", "password": "pw-user7"}
        assert (await answer_to(owner, request))["type"] == "ok"


async def test_a_stolen_token_stops_working_on_its_open_connection_when_revoked(
    limited: ServerProcess,
) -> None:
    async with Client.connect(limited.url, reconnect=False) as laptop:
        token = (await laptop.sign_in("owner", "pw-owner", device="laptop")).token
    async with (
        Client.connect(limited.url, reconnect=False) as phone,
        socket_from(limited.url, ANOTHER_ADDRESS) as thief,
    ):
        await phone.sign_in("owner", "pw-owner", device="phone")
        signed = await answer_to(
            thief, {"type": "sign_in", "id": 0, "name": "owner", "token": token}
        )
        assert signed["type"] == "ok"
        said = await answer_to(thief, {"type": "say", "id": 1, "text": "the thief speaks"})
        assert said["type"] == "ok"

        [stolen] = [s for s in await phone.sessions() if s.address == ANOTHER_ADDRESS]
        assert stolen.device == "laptop"
        closed = asyncio.create_task(close_code(thief))
        await phone.revoke_session(stolen.id)

        assert await closed == SIGNED_OUT
        async with socket_from(limited.url, ANOTHER_ADDRESS) as again:
            retry = {"type": "sign_in", "id": 0, "name": "owner", "token": token}
            assert (await answer_to(again, retry))["code"] == "invalid_token"
        texts = [m.text for m in await whole_history(phone, LOBBY)]
    assert "the thief speaks" in texts
