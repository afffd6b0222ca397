"""Two hubbub processes behind Debian's nginx, configured with docs/nginx-cluster.conf
(which docs/deploy.md shows verbatim): clients that come in through one address land on
both processes and are one chat, each seen at its own address."""

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
from conftest import Cluster
from nginx_server import DOCS, nginx_serving

SITE = DOCS / "nginx-cluster.conf"


def test_the_deploy_guide_shows_the_tested_configuration() -> None:
    assert SITE.read_text() in (DOCS / "deploy.md").read_text()


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def cluster_options() -> tuple[str, ...]:
    return ("--trusted-proxy", "127.0.0.1")


@pytest.fixture
def behind_nginx(cluster: Cluster, tmp_path: Path, authority: trustme.CA) -> Iterator[str]:
    """The cluster's processes (trusting nginx's X-Forwarded-For) behind nginx; its wss URL."""
    upstreams = [
        (f"server 10.0.0.{11 + index}:8765 ", f"server 127.0.0.1:{server.port} ")
        for index, server in enumerate(cluster.servers)
    ]
    with nginx_serving(tmp_path / "nginx", SITE, upstreams, authority) as url:
        yield url.replace("https", "wss") + "/ws"


@pytest.fixture
def trusting(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


async def test_clients_through_nginx_reach_both_processes_as_one_chat(
    behind_nginx: str, trusting: ssl.SSLContext, cluster: Cluster
) -> None:
    addresses = [f"127.0.0.{10 + n}" for n in range(4)]
    async with (
        session_from(addresses[0]) as one,
        session_from(addresses[1]) as two,
        session_from(addresses[2]) as three,
        session_from(addresses[3]) as four,
    ):
        sockets = [
            await session.ws_connect(behind_nginx, ssl=trusting)
            for session in (one, two, three, four)
        ]
        for number, ws in enumerate(sockets):
            assert (await sign_in(ws, f"user{number}"))["type"] == "ok"
        per_process = [
            {c["peer"].rsplit(":", 1)[0] for c in Cluster.status(server)["connections"]}
            for server in cluster.servers
        ]
        assert all(per_process), f"nginx sent every client to one process: {per_process}"
        assert set().union(*per_process) == set(addresses)

        await sockets[0].send_json({"type": "say", "id": 1, "text": "through nginx to all"})
        for ws in sockets[1:]:
            heard = await _first(ws, lambda event: event.get("type") == "message")
            assert (heard["from"], heard["text"]) == ("user0", "through nginx to all")
        for ws in sockets:
            await ws.close()


async def _first(ws: aiohttp.ClientWebSocketResponse, match: Any) -> dict[str, Any]:
    async with asyncio.timeout(30):
        while True:
            event: dict[str, Any] = await ws.receive_json()
            if match(event):
                return event
