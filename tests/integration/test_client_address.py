"""Which address a connection counts as: its own, or the client a trusted proxy names; and
the per-address caps that key on it, as flags and variables and lifted by --no-limits."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from abuse.attacks import ANOTHER_ADDRESS, session_from, sign_in, ws_url
from conftest import ServerProcess, free_port


async def peers_seen(server: ServerProcess) -> set[str]:
    """The peers ``/status`` lists (asked from this machine, without any proxy header)."""
    async with aiohttp.ClientSession() as session, session.get(f"{server.url}/status") as r:
        report: dict[str, Any] = await r.json()
    return {c["peer"] for c in report["connections"]}


async def test_a_trusted_proxy_names_the_client_and_anyone_else_is_ignored(
    server_process: ServerProcess,
) -> None:
    server_process.options = ("--trusted-proxy", "127.0.0.1")
    server_process.start()
    url = ws_url(server_process.url)
    async with session_from() as proxy, session_from(ANOTHER_ADDRESS) as stranger:
        # From the proxy: the right-most address that is not a trusted proxy.
        relayed = await proxy.ws_connect(
            url, headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.4, 127.0.0.1"}
        )
        # From the proxy, but it names nobody usable: the proxy itself.
        garbled = await proxy.ws_connect(url, headers={"X-Forwarded-For": "not-an-address"})
        # Not from a trusted proxy: the header is ignored.
        claimed = await stranger.ws_connect(url, headers={"X-Forwarded-For": "192.0.2.1"})
        hosts = {peer.rsplit(":", 1)[0] for peer in await peers_seen(server_process)}
        assert hosts == {"198.51.100.4", "127.0.0.1", ANOTHER_ADDRESS}
        assert "198.51.100.4:0" in await peers_seen(server_process)
        for ws in (relayed, garbled, claimed):
            await ws.close()


async def test_status_is_not_local_for_a_request_with_a_proxy_header(
    server_process: ServerProcess,
) -> None:
    server_process.start()
    async with aiohttp.ClientSession() as session:
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
            async with session.get(
                f"{server_process.url}/status", headers={header: "127.0.0.1"}
            ) as response:
                assert response.status == 403
        async with session.get(f"{server_process.url}/status") as response:
            assert response.status == 200


async def test_the_cap_per_address_is_a_variable_and_no_limits_lifts_it(
    server_process: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBBUB_CONNECTIONS_PER_ADDRESS", "1")
    server_process.limits = True
    server_process.start()
    unlimited = ServerProcess(tmp_path / "unlimited", free_port())  # --no-limits
    unlimited.start()
    try:
        async with session_from() as session:
            first = await session.ws_connect(ws_url(server_process.url))
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(ws_url(server_process.url))
            assert refused.value.status == 429
            many = [await session.ws_connect(ws_url(unlimited.url)) for _ in range(30)]
            assert (await sign_in(many[-1], "alice"))["type"] == "ok"
            for ws in [first, *many]:
                await ws.close()
    finally:
        unlimited.stop()


def test_more_connections_than_the_open_file_limit_allows_is_one_line(tmp_path: Path) -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    result = subprocess.run(
        [sys.executable, "-m", "hubbub", "serve", "--port", str(free_port()),
         "--data-dir", str(tmp_path / "data"), "--max-connections", str(soft)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"--max-connections {soft} is more than the open-file limit" in lines[0]
    assert not (tmp_path / "data").exists()
