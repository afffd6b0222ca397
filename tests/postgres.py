"""A private PostgreSQL server for the tests: Debian's binaries, a temporary directory (in
memory when /dev/shm has room), a free port on 127.0.0.1, stopped by its PID at the end.

PostgreSQL refuses to run as root: as root, the server runs as the ``postgres`` user
(made by Debian's package), which owns the temporary directory.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ports import free_port

SERVICE_USER = "postgres"
MEMORY = Path("/dev/shm")
MEMORY_NEEDED = 8 * 2**30
"""Free bytes /dev/shm must have to hold the data: a session makes hundreds of databases
of about 7.5 MB each. On disk each CREATE DATABASE takes twice as long, and removing 300
of them at the end 8 s instead of 1.4 s."""


def scratch() -> Path | None:
    """Where the data directory goes: /dev/shm when it has room, else the usual temp dir."""
    if MEMORY.is_dir() and shutil.disk_usage(MEMORY).free >= MEMORY_NEEDED:
        return MEMORY
    return None


def binaries() -> Path:
    """The directory of Debian's PostgreSQL programs (the newest, if several)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs it")
    return found[-1].parent


class PostgresServer:
    """One PostgreSQL server; :meth:`new_database` gives each test a database of its own."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hubbub-postgres-", dir=scratch()))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)
        self._as: list[str] = []
        if os.getuid() == 0:
            user = pwd.getpwnam(SERVICE_USER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = [
                "setpriv",
                f"--reuid={user.pw_uid}",
                f"--regid={user.pw_gid}",
                "--init-groups",
                "--reset-env",
            ]

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Make the cluster (the first time), start the server and return once it takes
        connections; again after :meth:`halt`, on the same data and port."""
        bin_dir = binaries()
        data = self.root / "data"
        if not data.exists():
            subprocess.run(
                [*self._as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                 "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
        # fsync off: the tests kill hubbub, never this machine, so the page cache is as good as
        # the disk here, and the session's hundreds of databases stop in 0.2 s instead of 15 s.
        self.process = subprocess.Popen(
            [*self._as, str(bin_dir / "postgres"), "-D", str(data), "-p", str(self.port),
             "-k", str(self.root), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=(self.root / "server.log").open("ab"),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.admin_url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.root / "server.log").read_text(errors="replace")
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
                time.sleep(0.1)

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        name = f"hubbub_test_{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def halt(self) -> None:
        """Fast shutdown (SIGINT) of the server by its PID; its data stays for :meth:`start`."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        """Halt the server, then remove its directory."""
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_alone() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the test's own, which it may halt and start again."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
