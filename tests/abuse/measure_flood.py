"""Measure a single-account lobby flood against 100 ordinary readers, limits on.

Not a test (it judges nothing by itself): it prints the figures the closing note of
issue 9 asks for. Run from the source tree:

    PYTHONPATH=src python tests/abuse/measure_flood.py [--seconds 20] [--readers 100]

It starts ``hubbub serve`` with its default limits in a temp dir, signs in the readers
(each from its own loopback address, 127.0.0.2 and up, as separate machines would be) and
10 ordinary talkers who post a message every 0.6 s (within the default 2 a second), then
floods the lobby from one account for the given time, reconnecting whenever the server
closes it. It prints how many readers the server cut off, the server's RSS growth (peak
during the flood minus before), the database's growth, and the talkers' ack latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

TALKERS = 10
TALK_EVERY = 0.6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User and system time the server has used, every thread."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def db_bytes(data_dir: Path) -> int:
    """The database file's size once its write-ahead log is copied into it (a checkpoint):
    what was stored, not how far the log has grown between checkpoints."""
    database = data_dir / "hubbub.db"
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database.stat().st_size


def address(n: int) -> str:
    """The n-th client's own loopback address: 127.0.0.2 and up."""
    n += 2
    return f"127.0.{n // 250}.{n % 250 + 1}" if n >= 250 else f"127.0.0.{n}"


class SignInRefused(Exception):
    """The server answered the sign-in with an error (the frame is the argument)."""


async def signed_in(url: str, name: str, source: str) -> tuple[aiohttp.ClientSession, Any]:
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0)))
    ws = await session.ws_connect(url, heartbeat=None)
    await ws.send_json({"type": "sign_in", "id": 0, "name": name, "password": f"pw-{name}"})
    while (answer := await ws.receive_json()).get("id") != 0:
        pass
    if answer["type"] != "ok":
        await session.close()
        raise SignInRefused(answer)
    return session, ws


class Reader:
    def __init__(self) -> None:
        self.messages = 0
        self.flood = 0
        self.cut: int | None = None

    async def read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for frame in ws:
            if frame.type is aiohttp.WSMsgType.TEXT and '"type":"message"' in frame.data:
                self.messages += 1
                self.flood += '"from":"flooder"' in frame.data
        self.cut = ws.close_code


async def talk(ws: aiohttp.ClientWebSocketResponse, until: float, latencies: list[float]) -> None:
    waiting: dict[int, float] = {}

    async def answers() -> None:
        async for frame in ws:
            if frame.type is aiohttp.WSMsgType.TEXT:
                data = json.loads(frame.data)
                sent = waiting.pop(data.get("id"), None) if "id" in data else None
                if sent is not None and data["type"] == "ok":
                    latencies.append(time.perf_counter() - sent)

    reading = asyncio.create_task(answers())
    n = 1
    while time.monotonic() < until:
        waiting[n] = time.perf_counter()
        await ws.send_json({"type": "say", "id": n, "text": f"hello {n}"})
        n += 1
        await asyncio.sleep(TALK_EVERY)
    await asyncio.sleep(1)
    reading.cancel()


async def flood(url: str, until: float, counts: dict[str, int]) -> None:
    """One account, as fast as it can, coming back each time it is closed."""
    while time.monotonic() < until:
        try:
            session, ws = await signed_in(url, "flooder", "127.0.0.1")
        except SignInRefused:
            counts["sign-ins refused"] += 1  # cooling down after a 4001: try again at once
            continue
        counts["connections"] += 1

        async def drain(ws: aiohttp.ClientWebSocketResponse = ws) -> None:
            async for frame in ws:
                if frame.type is aiohttp.WSMsgType.TEXT and '"rate_limited"' in frame.data:
                    counts["rate_limited"] += 1

        draining = asyncio.create_task(drain())
        n = 1
        try:
            while time.monotonic() < until and not ws.closed:
                await ws.send_str(f'{{"type":"say","id":{n},"text":"spam {n}"}}')
                counts["sent"] += 1
                n += 1
                if n % 100 == 0:
                    await asyncio.sleep(0)
        except (aiohttp.ClientError, ConnectionError):
            pass
        await asyncio.wait([draining], timeout=5)
        counts["closes"] += ws.close_code is not None
        await session.close()


async def measure(seconds: float, readers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, port = Path(tmp) / "data", free_port()
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hubbub", "serve", "--port", str(port),
            "--data-dir", str(data_dir), "--log-level", "WARNING",
            stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await _measure(server.pid, port, data_dir, seconds, readers)
        finally:
            server.terminate()
            await server.wait()


async def _measure(pid: int, port: int, data_dir: Path, seconds: float, count: int) -> None:
    url = f"ws://127.0.0.1:{port}/ws"
    async with asyncio.timeout(60):
        while True:
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                await asyncio.sleep(0.1)
    readers = [Reader() for _ in range(count)]
    connections = [await signed_in(url, f"reader{n}", address(n)) for n in range(count)]
    talkers = [await signed_in(url, f"talker{n}", address(count + n)) for n in range(TALKERS)]
    reading = [
        asyncio.create_task(r.read(ws)) for r, (_, ws) in zip(readers, connections, strict=True)
    ]
    await asyncio.sleep(2)
    rss_before, db_before, cpu_before = rss_kib(pid), db_bytes(data_dir), cpu_seconds(pid)
    peak = rss_before
    counts = dict.fromkeys(("connections", "sent", "rate_limited", "closes", "sign-ins refused"), 0)
    latencies: list[float] = []
    until = time.monotonic() + seconds
    work = [
        asyncio.create_task(flood(url, until, counts)),
        *(asyncio.create_task(talk(ws, until, latencies)) for _, ws in talkers),
    ]
    while time.monotonic() < until:
        await asyncio.sleep(0.5)
        peak = max(peak, rss_kib(pid))
    await asyncio.gather(*work)
    cpu = cpu_seconds(pid) - cpu_before
    await asyncio.sleep(1)
    peak = max(peak, rss_kib(pid))
    db_after = db_bytes(data_dir)
    cut = sum(r.cut is not None for r in readers)
    for session, ws in connections + talkers:
        await ws.close()
        await session.close()
    for task in reading:
        task.cancel()
    latencies.sort()
    p99 = latencies[max(0, round(len(latencies) * 0.99) - 1)] if latencies else float("nan")
    print(
        f"flood: {seconds:g} s, one account, {counts['connections']} connection(s), "
        f"{counts['sent']:,} messages sent, {counts['rate_limited']:,} answers rate_limited "
        f"read before a close, closed by the server {counts['closes']} time(s), "
        f"{counts['sign-ins refused']:,} sign-ins refused while cooling down"
    )
    print(
        f"readers cut: {cut} of {count} (each received "
        f"{min(r.messages for r in readers)}-{max(r.messages for r in readers)} messages, "
        f"{min(r.flood for r in readers)}-{max(r.flood for r in readers)} of them the flooder's)"
    )
    print(
        f"server RSS growth: {(peak - rss_before) / 1024:.1f} MB "
        f"({rss_before / 1024:.1f} MB before, {peak / 1024:.1f} MB peak)"
    )
    print(f"database growth: {(db_after - db_before) / 1024:.1f} KiB")
    print(f"server CPU during the flood: {cpu:.1f} s ({cpu / seconds:.0%} of a core)")
    print(
        f"talkers' ack latency: p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms over {len(latencies)} messages"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--readers", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(measure(args.seconds, args.readers))


if __name__ == "__main__":
    main()
