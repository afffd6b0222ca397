"""hubbub behind Debian's nginx, configured with docs/nginx.conf (which docs/operations.md
shows verbatim): chat goes through, the hub sees each real client's address, and
``/status`` is not public through the proxy."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import trustme

from abuse.attacks import session_from, sign_in
from conftest import ServerProcess
from nginx_server import DOCS, nginx_serving

SITE = DOCS / "nginx.conf"


def test_the_operations_guide_shows_the_tested_configuration() -> None:
    assert SITE.read_text() in (DOCS / "operations.md").read_text()


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def nginx(tmp_path: Path, authority: trustme.CA, server_process: ServerProcess) -> Iterator[str]:
    """hubbub (limits on, 2 WebSockets per address) behind nginx; nginx's https URL."""
    server_process.limits = True
    server_process.options = (
        "--trusted-proxy",
        "127.0.0.1",
        "--connections-per-address",
        "2",
    )
    server_process.start()
    upstream = [("server 127.0.0.1:8765;", f"server 127.0.0.1:{server_process.port};")]
    with nginx_serving(tmp_path / "nginx", SITE, upstream, authority) as url:
        yield url


@pytest.fixture
def trusting(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


async def test_chat_goes_through_nginx(nginx: str, trusting: ssl.SSLContext) -> None:
    wss = nginx.replace("https", "wss") + "/ws"
    async with (
        session_from("127.0.0.3") as alice_session,
        session_from("127.0.0.4") as bob_session,
        alice_session.ws_connect(wss, ssl=trusting) as alice,
        bob_session.ws_connect(wss, ssl=trusting) as bob,
    ):
        assert (await sign_in(alice, "alice"))["type"] == "ok"
        assert (await sign_in(bob, "bob"))["type"] == "ok"
        await alice.send_json({"type": "say", "id": 1, "text": "hello through nginx"})
        heard = await _first(bob, lambda event: event.get("type") == "message")
        assert heard["from"] == "alice"
        assert heard["text"] == "hello through nginx"


async def _first(ws: aiohttp.ClientWebSocketResponse, match: Any) -> dict[str, Any]:
    async with asyncio.timeout(30):
        while True:
            event: dict[str, Any] = await ws.receive_json()
            if match(event):
                return event


async def test_the_hub_counts_the_real_client_not_nginx(
    nginx: str, trusting: ssl.SSLContext, server_process: ServerProcess
) -> None:
    wss = nginx.replace("https", "wss") + "/ws"
    # A client cannot pass for another by sending its own X-Forwarded-For: nginx appends
    # the address it sees, and hubbub reads the list from the right.
    spoofed = {"X-Forwarded-For": "198.51.100.7"}
    async with session_from("127.0.0.2") as crowd, session_from("127.0.0.3") as other:
        first = await crowd.ws_connect(wss, ssl=trusting)
        second = await crowd.ws_connect(wss, ssl=trusting, headers=spoofed)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await crowd.ws_connect(wss, ssl=trusting, headers=spoofed)
        assert refused.value.status == 429
        async with other.ws_connect(wss, ssl=trusting) as ws:
            assert (await sign_in(ws, "carol"))["type"] == "ok"
            async with (
                aiohttp.ClientSession() as local,
                local.get(f"{server_process.url}/status") as response,
            ):
                peers = {c["peer"] for c in (await response.json())["connections"]}
            assert {peer.rsplit(":", 1)[0] for peer in peers} == {"127.0.0.2", "127.0.0.3"}
        await first.close()
        await second.close()


async def test_status_is_refused_through_nginx(
    nginx: str, trusting: ssl.SSLContext, server_process: ServerProcess
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{nginx}/status", ssl=trusting) as response:
            assert response.status == 403
            assert "from this machine only" in await response.text()
        async with session.get(f"{nginx}/healthz", ssl=trusting) as response:
            assert response.status == 200
        async with session.get(f"{server_process.url}/status") as response:
            assert response.status == 200
