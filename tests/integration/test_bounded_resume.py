"""Bounded resume over real sockets: a resume from far back replays at most MAX_REPLAYED
entries of a conversation, says where the rest starts (``resume_gap``), and the client
library pages the rest in with ``history`` so the application still sees every message
once and in order."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from conftest import ServerProcess, StartServer, free_port, say, sign_up
from hubbub.client import Client
from hubbub.hub.session import MAX_REPLAYED
from hubbub.protocol import LOBBY, Message, ResumeGap
from hubbub.store import default_url, open_store

SAID = MAX_REPLAYED * 2 + 500


@pytest.fixture
def busy_lobby(tmp_path: Path) -> Iterator[ServerProcess]:
    """``hubbub serve`` on a database whose Lobby already holds SAID messages."""

    async def seed() -> None:
        store = await open_store(default_url(tmp_path / "data"))
        try:
            writer = await sign_up(store, "writer")
            for start in range(0, SAID, 500):
                await asyncio.gather(
                    *(store.append(say(writer, f"old {n}")) for n in range(start + 1, start + 501))
                )
        finally:
            await store.close()

    asyncio.run(seed())
    server = ServerProcess(tmp_path / "data", free_port())
    server.start()
    yield server
    server.stop()


async def resume_raw(url: str, name: str, since: dict[str, int]) -> list[dict[str, Any]]:
    """Sign in with ``since`` over a bare socket: every frame up to the ``resume_gap``."""
    frames: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws") as ws:
        await ws.send_json(
            {"type": "sign_in", "id": 1, "name": name, "password": f"pw-{name}", "since": since}
        )
        async with asyncio.timeout(30):
            async for frame in ws:
                frames.append(json.loads(frame.data))
                if frames[-1]["type"] == "resume_gap":
                    return frames
    raise AssertionError(f"no resume_gap after {len(frames)} frames")


async def test_a_resume_from_far_back_replays_the_limit_then_reports_the_gap(
    busy_lobby: ServerProcess,
) -> None:
    async with Client.connect(busy_lobby.url, reconnect=False) as reader:
        await reader.sign_in("reader", "pw-reader")

    frames = await resume_raw(busy_lobby.url, "reader", {LOBBY: 0})

    replayed = [f["seq"] for f in frames if f["type"] == "message"]
    assert replayed == list(range(1, MAX_REPLAYED + 1))
    assert frames[-1] == {
        "type": "resume_gap",
        "conversation": LOBBY,
        "after": MAX_REPLAYED,
        "head": SAID,
    }
    async with Client.connect(busy_lobby.url, reconnect=False) as reader:
        await reader.sign_in("reader", "pw-reader")
        rest = await reader.history(LOBBY, after=MAX_REPLAYED, limit=200)
        assert [m.seq for m in rest] == list(range(MAX_REPLAYED + 1, MAX_REPLAYED + 201))


async def test_a_short_absence_has_no_gap(busy_lobby: ServerProcess) -> None:
    async with Client.connect(busy_lobby.url, reconnect=False) as reader:
        await reader.sign_in("reader", "pw-reader")
    async with Client.connect(busy_lobby.url, reconnect=False) as reader:
        await reader.sign_in("reader", "pw-reader", since={LOBBY: SAID - 3})
        missed = [await reader.wait_for(Message) for _ in range(3)]
        assert [m.seq for m in missed] == [SAID - 2, SAID - 1, SAID]
        await reader.say("and now live")
        live = await reader.wait_for(Message)
        assert live.text == "and now live"
    # The gap event never came: it would have been queued before the live message.


async def test_the_client_library_fills_the_gap_and_keeps_live_messages_in_order(
    busy_lobby: ServerProcess,
) -> None:
    async with Client.connect(busy_lobby.url, reconnect=False) as reader:
        await reader.sign_in("reader", "pw-reader")
    async with (
        Client.connect(busy_lobby.url, reconnect=False) as talker,
        Client.connect(busy_lobby.url, reconnect=False) as reader,
    ):
        await talker.sign_in("talker", "pw-talker")
        await reader.sign_in("reader", "pw-reader", since={LOBBY: 0})
        await talker.say("said while the reader catches up")

        seen: list[Message] = []
        gaps: list[ResumeGap] = []
        async with asyncio.timeout(60):
            async for event in reader.events():
                if isinstance(event, ResumeGap):
                    gaps.append(event)
                elif isinstance(event, Message) and event.conversation == LOBBY:
                    seen.append(event)
                    if event.text == "said while the reader catches up":
                        break

    assert gaps == [ResumeGap(conversation=LOBBY, after=MAX_REPLAYED, head=SAID)]
    assert [m.seq for m in seen] == list(range(1, SAID + 2))
    assert seen[SAID - 1].text == f"old {SAID}"


async def test_a_replay_stops_when_its_connection_closes(
    start_server: StartServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A client that asks for a long replay and closes at once costs no store reads: the
    server's log says the catch-up stopped, and nothing was replayed."""
    store = await open_store(default_url(tmp_path / "data0"))
    try:
        writer = await sign_up(store, "writer")
        await asyncio.gather(*(store.append(say(writer, f"old {n}")) for n in range(500)))
    finally:
        await store.close()
    server = await start_server()
    async with Client.connect(server.url, reconnect=False) as reader:
        await reader.sign_in("reader", "pw-reader")

    caplog.set_level(logging.INFO, logger="hubbub")
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(f"{server.url}/ws")
        await ws.send_json(
            {"type": "sign_in", "id": 1, "name": "reader", "password": "pw-reader",
             "since": {LOBBY: 0}}
        )  # fmt: skip
        await ws.close()
    async with asyncio.timeout(10):
        while "disconnect" not in caplog.text:  # noqa: ASYNC110 (a log to poll)
            await asyncio.sleep(0.05)

    assert "catch_up stopped the connection closed" in caplog.text
    assert "replayed=" not in caplog.text
