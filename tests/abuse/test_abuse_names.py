"""Abuse: an impostor tries to become "alice" with a look-alike or an invisible name.

Rerun of issue 9's attack over raw WebSocket frames, as an attacker's script would send
them, against a real ``hubbub serve`` on 127.0.0.1. Outcomes, not timings: every attempt
is refused with the documented code, no attempt leaves an account behind (a message to
it finds nobody), and alice's own name and messages are untouched.

The server runs with ``--no-limits`` (the conftest default): the rule tested here is not
a limit, and the sign-up throttle would otherwise answer some attempts first.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from conftest import ServerProcess
from lookalikes import INVISIBLE, LOOK_ALIKES, ORIGINAL

ATTEMPTS = [(name, "name_in_use") for name in LOOK_ALIKES.values()] + [
    (name, "invalid_name") for name in INVISIBLE.values()
]
REPLY_TIMEOUT = 10.0


class Wire:
    """One WebSocket, speaking the protocol's JSON frames directly."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.next_id = 0

    async def ask(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Send a request and return its answer (``ok`` or ``error``), skipping events."""
        self.next_id += 1
        await self.socket.send_str(json.dumps({"type": kind, "id": self.next_id, **fields}))
        while True:
            frame = await self.socket.receive_json(timeout=REPLY_TIMEOUT)
            if frame.get("id") == self.next_id and frame["type"] in ("ok", "error"):
                return dict(frame)


@pytest.fixture
async def wires(hubbub: ServerProcess) -> AsyncIterator[list[Wire]]:
    """Three connections to the server: alice's, the impostor's and a bystander's."""
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(f"{hubbub.url}/ws") for _ in range(3)]
        yield [Wire(socket) for socket in sockets]
        for socket in sockets:
            await socket.close()


async def test_look_alike_and_invisible_names_do_not_become_accounts(wires: list[Wire]) -> None:
    alice, impostor, bystander = wires
    assert (await alice.ask("sign_in", name=ORIGINAL, password="alice's"))["type"] == "ok"
    assert (await bystander.ask("sign_in", name="bystander", password="b's"))["type"] == "ok"

    outcomes = [
        (name, await impostor.ask("sign_in", name=name, password="impostor's"))
        for name, _ in ATTEMPTS
    ]
    assert [(name, reply["type"], reply.get("code")) for name, reply in outcomes] == [
        (name, "error", code) for name, code in ATTEMPTS
    ]
    assert all(reply["message"] for _, reply in outcomes)

    for name, _ in ATTEMPTS:
        reply = await bystander.ask("message_user", to=name, text="who are you?")
        assert (reply["type"], reply["code"]) in {
            ("error", "unknown_user"),
            ("error", "invalid_name"),
        }, (name, reply)

    taken_over = await impostor.ask("sign_in", name=ORIGINAL, password="impostor's")
    assert (taken_over["type"], taken_over["code"]) == ("error", "name_in_use")
    sent = await bystander.ask("message_user", to=ORIGINAL, text="is it really you?")
    assert sent["type"] == "ok"
    while (frame := await alice.socket.receive_json(timeout=REPLY_TIMEOUT))["type"] != "message":
        pass
    assert (frame["from"], frame["text"]) == ("bystander", "is it really you?")
