"""hubbub behind Debian's nginx, configured with docs/nginx.conf (which docs/operations.md
shows verbatim): chat goes through, the hub sees each real client's address, and
``/status`` is not public through the proxy."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import trustme

from abuse.attacks import session_from, sign_in
from conftest import ServerProcess, free_port

NGINX = "/usr/sbin/nginx"
DOCS = Path(__file__).resolve().parents[2] / "docs"
SITE = DOCS / "nginx.conf"
CERT = "/etc/letsencrypt/live/chat.example.org/fullchain.pem"
KEY = "/etc/letsencrypt/live/chat.example.org/privkey.pem"


def test_the_operations_guide_shows_the_tested_configuration() -> None:
    assert SITE.read_text() in (DOCS / "operations.md").read_text()


def site_config(nginx_port: int, hubbub_port: int, cert: Path, key: Path) -> str:
    """docs/nginx.conf with only its ports and certificate paths changed."""
    text = SITE.read_text()
    for old, new in [
        ("server 127.0.0.1:8765;", f"server 127.0.0.1:{hubbub_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{nginx_port} ssl;"),
        (CERT, str(cert)),
        (KEY, str(key)),
    ]:
        assert old in text, f"docs/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def main_config(prefix: Path) -> str:
    """What /etc/nginx/nginx.conf would be, for one nginx process in a temp dir."""
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nmaster_process off;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log off;\n{temp_paths}\n    include {prefix / 'hubbub.conf'};\n}}\n"
    )


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
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    issued = authority.issue_cert("127.0.0.1")
    cert, key = prefix / "cert.pem", prefix / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    port = free_port()
    (prefix / "hubbub.conf").write_text(site_config(port, server_process.port, cert, key))
    (prefix / "nginx.conf").write_text(main_config(prefix))
    process = subprocess.Popen(
        [
            NGINX,
            "-p",
            str(prefix),
            "-c",
            str(prefix / "nginx.conf"),
            "-e",
            str(prefix / "error.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_listening(port, process)
        yield f"https://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"nginx exited: {errors}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not listen within 20 s")


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
