"""A private Redis server for the tests: Debian's ``redis-server``, a temporary directory,
a free port on 127.0.0.1, nothing saved to disk, stopped by its PID at the end."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ports import free_port

REDIS_SERVER = "/usr/bin/redis-server"


class RedisServer:
    """One Redis server; :meth:`halt` and :meth:`start` restart it on the same port."""

    def __init__(self) -> None:
        if not Path(REDIS_SERVER).exists():
            raise RuntimeError("redis-server is not installed: `make test` installs it")
        self.root = Path(tempfile.mkdtemp(prefix="hubbub-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and return once it answers PING."""
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.root), "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--logfile", str(self.root / "server.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.root / "server.log").read_text(errors="replace")
                raise RuntimeError(f"redis-server did not start:\n{log}")
            time.sleep(0.02)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def halt(self) -> None:
        """Stop the server by its PID (SIGTERM, nothing to save); :meth:`start` brings it back."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        """Halt the server, then remove its directory."""
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A Redis server of the test's own (pub/sub channels are shared by every database
    number, so two tests' clusters must not share a server); it may halt and start it."""
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
