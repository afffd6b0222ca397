"""One account flooding the lobby, against a real ``hubbub serve`` with its limits on: the
flooder is told ``rate_limited`` and then closed; ordinary readers keep their connections
and keep receiving."""

from __future__ import annotations

import asyncio

from abuse.attacks import flood
from conftest import ServerProcess
from hubbub.client import Client
from hubbub.protocol import Message

FLOODING = 4001
READERS = 10


async def test_a_lobby_flood_is_refused_and_readers_are_not_cut_off(
    server_process: ServerProcess,
) -> None:
    server_process.limits = True
    server_process.start()
    # No reconnecting: a reader cut off as too slow would show, not quietly resume.
    readers = [Client.connect(server_process.url, reconnect=False) for _ in range(READERS)]
    try:
        await _flood_past(server_process.url, readers)
    finally:
        for reader in readers:
            await reader.close()


async def _flood_past(url: str, readers: list[Client]) -> None:
    for n, reader in enumerate(readers):
        await reader.open()
        await reader.sign_in(f"reader{n}", f"pw-reader{n}")

    answers, close_code = await flood(url, "flooder", 500)

    assert close_code == FLOODING
    refused = [a for a in answers if a["type"] == "error"]
    assert refused
    assert {a["code"] for a in refused} == {"rate_limited"}
    assert all(a["retry_after"] > 0 for a in refused)
    assert len([a for a in answers if a["type"] == "ok"]) <= 20

    speaker = readers[0]
    await speaker.say("the flood is over")
    heard = await asyncio.gather(
        *(
            reader.wait_for(Message, lambda m: m.text == "the flood is over", timeout=30)
            for reader in readers
        )
    )
    assert all(message.sender == "reader0" for message in heard)
