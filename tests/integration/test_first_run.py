"""``hubbub serve`` as a newcomer runs it: a mistake is one clear line, and nothing is made."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import pytest

from conftest import free_port
from hubbub.client import Client

WITHIN = 20.0


async def serve(*args: str) -> tuple[int, str]:
    """Run ``hubbub serve`` expecting it to refuse: (exit code, what it printed)."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "hubbub", "serve", *args),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), WITHIN)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_a_port_in_use_is_one_line_and_no_database(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        code, said = await serve("--port", str(port), "--data-dir", str(tmp_path / "d"))
    assert code == 1
    assert said.strip().splitlines() == [
        f"Error: port {port} on 127.0.0.1 is in use by another program; "
        "stop it or choose another with --port"
    ]
    assert not (tmp_path / "d" / "hubbub.db").exists()


@pytest.mark.parametrize("port", ["65536", "-1"])
async def test_a_port_out_of_range_is_refused(tmp_path: Path, port: str) -> None:
    code, said = await serve("--port", port, "--data-dir", str(tmp_path / "d"))
    assert code == 2
    assert "0<=x<=65535" in said
    assert not (tmp_path / "d").exists()


async def test_a_negative_leave_linger_is_refused(tmp_path: Path) -> None:
    code, said = await serve("--leave-linger", "-1", "--data-dir", str(tmp_path / "d"))
    assert code == 2
    assert "Invalid value for '--leave-linger': -1.0 is not in the range x>=0." in said
    assert not (tmp_path / "d").exists()


async def test_a_bad_host_is_one_line(tmp_path: Path) -> None:
    code, said = await serve("--host", "no.such.host.invalid", "--data-dir", str(tmp_path / "d"))
    assert code == 1
    assert said.startswith("Error: cannot listen on host 'no.such.host.invalid'")
    assert len(said.strip().splitlines()) == 1
    assert not (tmp_path / "d" / "hubbub.db").exists()


async def test_an_unusable_data_dir_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, said = await serve("--port", str(free_port()), "--data-dir", str(blocker / "data"))
    assert code == 1
    assert said.startswith(f"Error: cannot use {blocker / 'data'} as the data dir")
    assert len(said.strip().splitlines()) == 1


async def test_port_0_prints_the_port_it_got(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "hubbub", "serve", "--port", "0"),
        *("--data-dir", str(tmp_path / "d"), "--no-limits"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), WITHIN)).decode()
        assert "running on http://127.0.0.1:" in first
        port = int(first.rsplit(":", 1)[1].split()[0])
        assert port > 0
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
    finally:
        process.kill()
        await process.wait()


async def test_shutdown_logs_closed_by_shutdown_not_dropped(tmp_path: Path) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "hubbub", "serve", "--port", str(port)),
        *("--data-dir", str(tmp_path / "d"), "--log-level", "INFO"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readline(), WITHIN)
        client = Client.connect(f"http://127.0.0.1:{port}", reconnect=False)
        await client.open()
        await client.sign_in("alice", "pw-alice")
        process.send_signal(signal.SIGINT)
        _, errors = await asyncio.wait_for(process.communicate(), WITHIN)
        await client.close()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = errors.decode()
    assert "name=alice closed by shutdown" in log
    assert "dropped" not in log
