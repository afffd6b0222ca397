"""An IRC client for the tests, and ``hubbub serve --irc-port`` to point it at."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ServerProcess, free_port

WITHIN = 10.0


@dataclass
class IrcServer:
    process: ServerProcess
    irc_port: int

    @property
    def url(self) -> str:
        return self.process.url


def start(tmp_path: Path, *, limits: bool) -> IrcServer:
    port = free_port()
    process = ServerProcess(
        tmp_path / "data",
        free_port(),
        limits=limits,
        options=("--irc-port", str(port), "--irc-server-name", "irc.test"),
    )
    process.start()
    return IrcServer(process, port)


@pytest.fixture
def irc_server(tmp_path: Path) -> Iterator[IrcServer]:
    """``hubbub serve --irc-port`` without limits (tests send faster than people)."""
    server = start(tmp_path, limits=False)
    yield server
    server.process.stop()


@pytest.fixture
def limited_irc_server(tmp_path: Path) -> Iterator[IrcServer]:
    """``hubbub serve --irc-port`` with the default limits."""
    server = start(tmp_path, limits=True)
    yield server
    server.process.stop()


class Irc:
    """A line-at-a-time IRC client: send lines, wait for the first line that matches."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.seen: list[str] = []

    def send(self, line: str) -> None:
        self.writer.write(line.encode() + b"\r\n")

    async def expect(self, match: Callable[[str], bool], within: float = WITHIN) -> str:
        async with asyncio.timeout(within):
            while True:
                raw = await self.reader.readline()
                if not raw:
                    raise AssertionError(f"connection closed; saw {self.seen[-20:]}")
                line = raw.decode().rstrip("\r\n")
                self.seen.append(line)
                if line.startswith("PING "):
                    self.send("PONG " + line[5:])
                if match(line):
                    return line

    async def expect_has(self, *parts: str, within: float = WITHIN) -> str:
        return await self.expect(lambda line: all(part in line for part in parts), within)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@pytest.fixture
async def irc(irc_server: IrcServer) -> AsyncIterator[Callable[..., object]]:
    """``await irc(nick, password=None, caps=())``: a registered IRC client (with
    ``welcome=False``: registration sent, not awaited), closed at the end."""
    opened: list[Irc] = []

    async def connect(
        nick: str, password: str | None = None, caps: tuple[str, ...] = (), welcome: bool = True
    ) -> Irc:
        reader, writer = await asyncio.open_connection("127.0.0.1", irc_server.irc_port)
        client = Irc(reader, writer)
        opened.append(client)
        if caps:
            client.send("CAP LS 302")
            client.send("CAP REQ :" + " ".join(caps))
        if password is not None:
            client.send(f"PASS {nick}:{password}")
        client.send(f"NICK {nick}")
        client.send(f"USER {nick} 0 * :{nick} on IRC")
        if caps:
            client.send("CAP END")
        if welcome:
            await client.expect(lambda line: " 376 " in line or " 422 " in line, within=20)
        return client

    yield connect
    for client in opened:
        await client.close()
