"""The HTTP routes beside the WebSocket, and the ``hubbub`` command as an operator runs it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from conftest import ServerProcess, wait_joined, wait_left
from hubbub import __version__
from hubbub.client import Client, Disconnected, RequestFailed
from hubbub.protocol import ErrorCode

if TYPE_CHECKING:
    from conftest import Running

SignedIn = Callable[..., Awaitable[Client]]
Spawn = Callable[..., Awaitable[asyncio.subprocess.Process]]

STARTUP_TIMEOUT = 20.0
SHUTDOWN_TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_environment(**variables: str) -> dict[str, str]:
    """This process's environment without any HUBBUB_* setting, plus ``variables``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUBBUB_")}
    return {**env, **variables}


async def hubbub_command(*args: str, env: dict[str, str] | None) -> asyncio.subprocess.Process:
    """Start ``python -m hubbub ...`` with its output piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hubbub",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env if env is not None else clean_environment(),
    )


@pytest.fixture
async def spawn() -> AsyncIterator[Spawn]:
    """Start ``python -m hubbub ...`` processes; each is stopped by its PID at the end."""
    started: list[asyncio.subprocess.Process] = []

    async def start(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
        process = await hubbub_command(*args, env=env)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), SHUTDOWN_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()


async def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``python -m hubbub ...`` to completion: exit code, stdout, stderr."""
    process = await hubbub_command(*args, env=env)
    try:
        out, err = await asyncio.wait_for(process.communicate(), 20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def read_until(stream: asyncio.StreamReader | None, needle: str) -> str:
    """Everything ``stream`` says up to the line containing ``needle``."""
    assert stream is not None
    seen = ""
    async with asyncio.timeout(STARTUP_TIMEOUT):
        while needle not in seen:
            line = await stream.readline()
            assert line, f"the output ended without {needle!r}:\n{seen}"
            seen += line.decode()
    return seen


async def get_json(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.content_type == "application/json"
        return response.status, await response.json()


@pytest.fixture
async def raw_sockets(server: Running) -> AsyncIterator[Callable[[], Any]]:
    """Plain WebSockets to the in-process server; all close at the end."""
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())

        async def open_one() -> aiohttp.ClientWebSocketResponse:
            return await stack.enter_async_context(http.ws_connect(f"{server.url}/ws"))

        yield open_one


# --------------------------------------------------------------------------- HTTP routes


async def test_healthz_answers_200_json_with_ok_true(server: Running, signed_in: SignedIn) -> None:
    status, body = await get_json(f"{server.url}/healthz")
    assert status == 200
    assert body == {"ok": True, "version": __version__, "connections": 0}

    await signed_in("alice")
    status, body = await get_json(f"{server.url}/healthz")
    assert (status, body["ok"], body["connections"]) == (200, True, 1)


async def test_status_lists_every_connection_with_its_id_peer_and_name(
    server: Running, signed_in: SignedIn, raw_sockets: Callable[[], Any]
) -> None:
    await signed_in("alice")
    anonymous: aiohttp.ClientWebSocketResponse = await raw_sockets()
    bob: aiohttp.ClientWebSocketResponse = await raw_sockets()
    await bob.send_str(json.dumps({"type": "sign_in", "id": 1, "name": "bob", "password": "pw"}))
    while (reply := await bob.receive_json(timeout=5))["type"] != "ok":
        pass
    assert reply["id"] == 1

    status, report = await get_json(f"{server.url}/status")
    assert status == 200
    connections = report["connections"]
    assert len(connections) == 3
    assert len({row["conn"] for row in connections}) == 3
    assert all(isinstance(row["conn"], int) for row in connections)
    for row in connections:
        host, port = row["peer"].rsplit(":", 1)
        assert (host, port.isdigit()) == ("127.0.0.1", True), row
    by_peer = {row["peer"]: row for row in connections}
    for ws, name in [(anonymous, None), (bob, "bob")]:
        host, port = ws.get_extra_info("sockname")[:2]
        assert by_peer[f"{host}:{port}"]["name"] == name
    assert sorted(row["name"] or "" for row in connections) == ["", "alice", "bob"]
    assert sorted(user["name"] for user in report["users"]) == ["alice", "bob"]


async def test_status_forgets_a_connection_once_it_closes(
    server: Running, signed_in: SignedIn
) -> None:
    alice = await signed_in("alice")
    bob = await signed_in("bob")
    await wait_joined(alice, "bob")
    await bob.close()
    await wait_left(alice, "bob")
    _, report = await get_json(f"{server.url}/status")
    assert [row["name"] for row in report["connections"]] == ["alice"]


# --------------------------------------------------------------------------- the command


async def test_status_command_prints_a_table_of_connections_and_names(
    server_process: ServerProcess,
) -> None:
    await asyncio.to_thread(server_process.start)
    async with AsyncExitStack() as stack:
        for name in ["alice", "bob"]:
            client = await stack.enter_async_context(
                Client.connect(server_process.url, reconnect=False)
            )
            await client.sign_in(name, f"pw-{name}")
        await stack.enter_async_context(Client.connect(server_process.url, reconnect=False))

        code, out, err = await run_cli("status", "--port", str(server_process.port))
        assert code == 0, err
        assert f"hubbub at 127.0.0.1:{server_process.port}" in out
        rows = [
            line for line in out.splitlines() if "127.0.0.1:" in line and "hubbub at" not in line
        ]
        assert len(rows) == 3, out
        assert sum("alice" in row for row in rows) == 1, out
        assert sum("bob" in row for row in rows) == 1, out
        assert sum("(not signed in)" in row for row in rows) == 1, out
        assert "2 signed in, 3 connections" in out

        # The port can come from HUBBUB_PORT, and --json prints the raw report.
        env = clean_environment(HUBBUB_PORT=str(server_process.port))
        code, out, err = await run_cli("status", "--json", env=env)
        assert code == 0, err
        report = json.loads(out)
        assert sorted(row["name"] or "-" for row in report["connections"]) == ["-", "alice", "bob"]


async def test_status_command_fails_clearly_when_no_server_answers() -> None:
    port = free_port()
    code, _, err = await run_cli("status", "--port", str(port))
    assert code != 0
    assert f"no hubbub server answers at http://127.0.0.1:{port}/status" in err


async def test_serve_prints_its_url_on_startup(spawn: Spawn, tmp_path: Path) -> None:
    port = free_port()
    process = await spawn("serve", "--port", str(port), "--data-dir", str(tmp_path / "data"))
    said = await read_until(process.stdout, f"http://127.0.0.1:{port}")
    assert f"running on http://127.0.0.1:{port}" in said
    status, body = await get_json(f"http://127.0.0.1:{port}/healthz")
    assert (status, body["ok"]) == (200, True)


async def test_serve_honours_hubbub_port_and_hubbub_data_dir(spawn: Spawn, tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "from-the-environment"
    env = clean_environment(HUBBUB_PORT=str(port), HUBBUB_DATA_DIR=str(data_dir))
    process = await spawn("serve", env=env)
    said = await read_until(process.stdout, f"http://127.0.0.1:{port}")
    said += await read_until(process.stdout, "hubbub.db")
    assert f"{data_dir.resolve()}/hubbub.db" in said
    async with Client.connect(f"http://127.0.0.1:{port}", reconnect=False) as client:
        await client.sign_in("alice", "pw-alice")
        await client.say("stored where I said")
    assert (data_dir / "hubbub.db").is_file()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
async def test_stopping_serve_closes_clients_with_1001_exits_0_and_keeps_acknowledged_messages(
    server_process: ServerProcess, stop: signal.Signals
) -> None:
    await asyncio.to_thread(server_process.start)
    async with (
        Client.connect(server_process.url, reconnect=False) as alice,
        Client.connect(server_process.url, reconnect=False) as bob,
    ):
        await alice.sign_in("alice", "pw-alice")
        await bob.sign_in("bob", "pw-bob")
        sent = await alice.say("acknowledged just before the signal")

        process = server_process.process
        assert process is not None
        loop = asyncio.get_running_loop()
        started = loop.time()
        process.send_signal(stop)
        exit_code = await asyncio.to_thread(process.wait, 20)
        assert loop.time() - started < SHUTDOWN_TIMEOUT
        assert exit_code == 0
        for client in (alice, bob):
            closed = await client.wait_for(Disconnected, timeout=SHUTDOWN_TIMEOUT)
            assert closed.code == 1001
    assert process.stderr is not None
    assert "Traceback" not in process.stderr.read().decode()

    # Restarted on the same data: the message is there, the accounts too.
    await asyncio.to_thread(server_process.start)
    async with Client.connect(server_process.url, reconnect=False) as alice:
        await alice.sign_in("alice", "pw-alice")
        history = await alice.history("lobby")
        assert [(m.seq, m.sender, m.text) for m in history] == [
            (sent.seq, "alice", "acknowledged just before the signal")
        ]
    async with Client.connect(server_process.url, reconnect=False) as impostor:
        with pytest.raises(RequestFailed) as refused:
            await impostor.sign_in("bob", "not bob's")
        assert refused.value.code is ErrorCode.WRONG_PASSWORD


async def test_the_readme_example_runs_as_written_on_a_fresh_server(
    server_process: ServerProcess,
) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    example = readme.split("```python\n", 1)[1].split("```", 1)[0]
    server_process.start()
    code = example.replace("http://127.0.0.1:8765", server_process.url)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(child.communicate(), timeout=30)
    assert child.returncode == 0, err.decode()
    assert out.decode().splitlines() == ["14", "alice to bob: psst"]
