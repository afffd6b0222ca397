"""The server under test: ``hubbub serve`` as a child process on its own CPU, read through /proc.

The child inherits this process's environment (so ``PYTHONPATH`` can point it at another
checkout for a before/after comparison) and its open-file limit, raised beforehand.
CPU time comes from ``/proc/PID/stat`` (user + system, every thread), memory from
``/proc/PID/status``: both are what the kernel charged the server, whatever else the
machine was doing, unlike wall time. It runs with ``--no-limits``: a benchmark is one
machine sending as fast as it can, exactly what the limits are there to stop.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import socket
import sys
from pathlib import Path
from typing import Protocol, Self

import aiohttp

STARTUP_SECONDS = 30.0
SHUTDOWN_SECONDS = 20.0
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
SPARE_FILES = 64
"""Open files a process needs besides its connections (listening socket, database, epoll...)."""


class ServerFailed(RuntimeError):
    """The server did not start, or died while the benchmark ran."""


def raise_open_file_limit(needed: int) -> int:
    """Lift this process's open-file limit (children inherit it) to its hard limit, or to
    ``needed`` above that where the process may raise the hard limit too (root); return it.

    A default hard limit (often 20,000) cannot hold 20,000 connections and their spares.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(hard, min(needed, _system_file_ceiling()))
    for limit in (wanted, hard):
        if limit <= soft:
            return soft
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
        except (ValueError, OSError):
            continue
        return limit
    return soft


def _system_file_ceiling() -> int:
    """The most open files the kernel lets any process have (``fs.nr_open``)."""
    try:
        return int(Path("/proc/sys/fs/nr_open").read_text())
    except (OSError, ValueError):
        return 0


class Measured(Protocol):
    """A server under test as a run sees it: where it listens, what the kernel charged it."""

    @property
    def url(self) -> str: ...

    def cpu_seconds(self) -> float: ...

    def rss_kib(self) -> int: ...

    def peak_rss_kib(self) -> int: ...

    def check_alive(self) -> None: ...


class ProcessFiles:
    """A process's ``/proc`` figures, read through files opened once.

    Opened at the start, they can still be read when the benchmark's connections have
    taken every file this process may open.
    """

    def __init__(self, pid: int) -> None:
        self._stat = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
        self._status = os.open(f"/proc/{pid}/status", os.O_RDONLY)

    def close(self) -> None:
        os.close(self._stat)
        os.close(self._status)

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used, all its threads together."""
        stat = os.pread(self._stat, 4096, 0).decode()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND

    def memory_kib(self, field: str) -> int:
        """A ``/proc/PID/status`` memory figure in KiB: ``VmRSS`` now, ``VmHWM`` its peak."""
        for line in os.pread(self._status, 1 << 16, 0).decode().splitlines():
            name, _, value = line.partition(":")
            if name == field:
                return int(value.split()[0])
        raise ServerFailed(f"the server's /proc status has no {field}")


class ChildProcess:
    """A server under test run as a child of the benchmark, measured through ``/proc`` and
    stopped by its PID: ``stop_signal``, then SIGKILL if it has not exited in time."""

    stop_signal = signal.SIGTERM

    def __init__(self, process: asyncio.subprocess.Process, url: str, log: Path) -> None:
        self.pid = process.pid
        self.url = url
        self._process = process
        self._log = log
        self._proc = ProcessFiles(process.pid)

    def cpu_seconds(self) -> float:
        return self._proc.cpu_seconds()

    def rss_kib(self) -> int:
        return self._proc.memory_kib("VmRSS")

    def peak_rss_kib(self) -> int:
        return self._proc.memory_kib("VmHWM")

    def check_alive(self) -> None:
        if self._process.returncode is not None:
            raise ServerFailed(f"the server exited with {self._process.returncode}{self._tail()}")

    async def stop(self) -> None:
        if self._process.returncode is None:
            self._process.send_signal(self.stop_signal)
            try:
                await asyncio.wait_for(self._process.wait(), SHUTDOWN_SECONDS)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()
        self._proc.close()

    def _tail(self) -> str:
        lines = self._log.read_text(errors="replace").strip().splitlines()[-20:]
        return ":\n" + "\n".join(lines) if lines else ""


async def spawn_pinned(argv: list[str], log: Path, cpu: int | None) -> asyncio.subprocess.Process:
    """Start ``argv`` with its output in ``log``; with ``cpu``, pinned to it: this thread is
    pinned there while it spawns, so every thread the child ever makes inherits the affinity."""
    own_cpus = os.sched_getaffinity(0)
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    try:
        with log.open("wb") as output:
            return await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output
            )
    finally:
        os.sched_setaffinity(0, own_cpus)


class ServerProcess(ChildProcess):
    """A running ``hubbub serve``, stopped with Ctrl-C (SIGINT) as an operator would."""

    stop_signal = signal.SIGINT

    @classmethod
    async def start(
        cls,
        data_dir: Path,
        log: Path,
        cpu: int | None,
        database: str | None = None,
        redis: str | None = None,
        irc_port: int | None = None,
    ) -> Self:
        """Start the server on a free port of 127.0.0.1, pinned to ``cpu``, and wait until
        ``/healthz`` answers. ``database``: its ``--database`` URL; None keeps it in a
        SQLite file in ``data_dir``. ``redis``: its ``--redis`` URL, shared with the other
        processes of the same chat. ``irc_port``: its IRC listener's port too."""
        port = free_port()
        argv = [sys.executable, "-m", "hubbub", "serve", "--port", str(port)]
        argv += ["--data-dir", str(data_dir), "--log-level", "WARNING", "--no-limits"]
        argv += ["--database", database] if database else []
        argv += ["--redis", redis] if redis else []
        argv += ["--irc-port", str(irc_port)] if irc_port is not None else []
        server = cls(await spawn_pinned(argv, log, cpu), f"http://127.0.0.1:{port}", log)
        try:
            await server._wait_until_up()
        except BaseException:
            await server.stop()
            raise
        return server

    async def _wait_until_up(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_SECONDS
        async with aiohttp.ClientSession() as http:
            while loop.time() < deadline:
                self.check_alive()
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise ServerFailed(f"the server did not answer /healthz in {STARTUP_SECONDS:g} s")


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
