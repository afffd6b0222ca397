"""Only the server's own pages, allowed origins and non-browser clients open the WebSocket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from conftest import Running

StartServer = Callable[..., Awaitable[Running]]


async def upgrade(url: str, origin: str | None) -> int:
    """Try the WebSocket upgrade with ``origin``: 101 if it opened, else the HTTP status."""
    headers = {} if origin is None else {"Origin": origin}
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(f"{url}/ws", headers=headers):
                return 101
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status


async def test_a_page_elsewhere_cannot_open_the_websocket(server: Running) -> None:
    assert await upgrade(server.url, "http://evil.example") == 403
    assert await upgrade(server.url, "null") == 403


async def test_the_servers_own_page_and_non_browsers_can(server: Running) -> None:
    assert await upgrade(server.url, server.url) == 101
    assert await upgrade(server.url, None) == 101


@pytest.mark.parametrize("origin", ["https://chat.example.org", "https://chat.example.org/"])
async def test_an_allowed_origin_can(start_server: StartServer, origin: str) -> None:
    server = await start_server(allowed_origins=("https://chat.example.org",))
    assert await upgrade(server.url, origin) == 101
    assert await upgrade(server.url, "https://other.example.org") == 403


async def test_responses_name_the_server_without_a_version(server: Running) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/", "/healthz"):
            async with session.get(f"{server.url}{path}") as response:
                assert response.headers["Server"] == "hubbub"


async def test_a_plain_request_for_the_websocket_gets_a_sentence(server: Running) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{server.url}/ws") as response:
        assert response.status == 400
        assert response.content_type == "text/plain"
        assert "takes WebSocket connections only" in await response.text()
