"""Measure what the account attacks of issue 9 cost the server (numbers, not tests).

1. Server CPU while one account gets 500 wrong passwords, after the throttle engages:
   sent at the issue's 50 a second, and flat out; plus a bystander's password sign-in
   time meanwhile.
2. A bystander's sign-ins while 200 addresses (127.0.0.2 and on) guess passwords, each
   at its own account name, with the default throttles.
3. Server CPU for 20 clients resuming a 100,000-message Lobby from 0 (each reads its
   replay up to the ``resume_gap`` and closes).

Run: ``PYTHONPATH=src python scripts/measure_accounts.py`` (Linux: CPU from /proc).
Everything runs on 127.0.0.1 against a ``hubbub serve`` started here, in a temp dir.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

from hubbub.protocol import LOBBY
from hubbub.store import Draft, default_url, open_store

MESSAGES = 100_000
RESUMERS = 20
GUESSES = 500
ATTACKERS = 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve(data_dir: Path, *flags: str) -> Iterator[tuple[str, int]]:
    """``hubbub serve`` on a free port: (url, pid)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hubbub",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--log-level",
            "WARNING",
            *flags,
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        yield url, process.pid
    finally:
        process.kill()
        process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def ask(ws: aiohttp.ClientWebSocketResponse, request: dict[str, Any]) -> dict[str, Any]:
    await ws.send_json(request)
    while True:
        answer: dict[str, Any] = await ws.receive_json(timeout=60)
        if answer.get("id") == request["id"]:
            return answer


async def sign_in(url: str, name: str, password: str, **more: Any) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws") as ws:
        return await ask(
            ws, {"type": "sign_in", "id": 1, "name": name, "password": password, **more}
        )


async def guess(url: str, count: int, every: float) -> list[str]:
    """``count`` wrong passwords for "victim" on one socket, one each ``every`` seconds."""
    codes = []
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws") as ws:
        start = time.monotonic()
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n * every - time.monotonic()))
            request = {"type": "sign_in", "id": n, "name": "victim", "password": f"guess{n}"}
            codes.append((await ask(ws, request)).get("code", "ok"))
    return codes


async def wrong_passwords(root: Path) -> None:
    with serve(root / "guesses") as (url, pid):
        await sign_in(url, "victim", "pw-victim")
        await sign_in(url, "bystander", "pw-bystander")
        engaged = await guess(url, 5, 0.0)
        print(f"first 5 guesses: {engaged}")
        for label, every in (("at 50/s", 1 / 50), ("flat out", 0.0)):
            before, began = cpu_seconds(pid), time.monotonic()
            attack = asyncio.ensure_future(guess(url, GUESSES, every))
            await asyncio.sleep(0.2)
            asked = time.monotonic()
            bystander = await sign_in(url, "bystander", "pw-bystander")
            took = time.monotonic() - asked
            codes = await attack
            cpu, wall = cpu_seconds(pid) - before, time.monotonic() - began
            print(
                f"{GUESSES} wrong passwords {label}: {wall:.2f} s, server CPU {cpu:.3f} s "
                f"= {100 * cpu / wall:.1f} % of a core, {1e6 * cpu / GUESSES:.0f} CPU-µs each; "
                f"answers {sorted(set(codes))}; bystander's sign-in "
                f"{bystander['type']} in {1000 * took:.0f} ms"
            )


async def hammer(url: str, address: str, name: str, until: float) -> Counter[str]:
    """Wrong passwords for ``name`` from ``address`` on one socket, one after the other."""
    codes: Counter[str] = Counter()
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.ws_connect(f"{url}/ws") as ws,
    ):
        n = 0
        while time.monotonic() < until:
            n += 1
            request = {"type": "sign_in", "id": n, "name": name, "password": f"guess{n}"}
            codes[(await ask(ws, request)).get("code", "ok")] += 1
    return codes


async def botnet(root: Path) -> None:
    """Guesses from 200 addresses (127.0.0.2 and on), each at its own account name, with the
    default throttles: a bystander from a clean address signs in meanwhile."""
    with serve(root / "botnet", "--sign-ups-limit", "1000,1") as (url, pid):
        for n in range(ATTACKERS):
            await sign_in(url, f"victim{n}", "pw")
        await sign_in(url, "bystander", "pw-bystander")
        until = time.monotonic() + 20
        before = cpu_seconds(pid)
        attack = asyncio.gather(
            *(hammer(url, f"127.0.0.{n + 2}", f"victim{n}", until) for n in range(ATTACKERS))
        )
        await asyncio.sleep(2)
        tries = []
        while time.monotonic() < until - 1:
            asked = time.monotonic()
            answer = await sign_in(url, "bystander", "pw-bystander")
            tries.append((answer.get("code", "ok"), 1000 * (time.monotonic() - asked)))
            await asyncio.sleep(0.3)
        codes = sum(await attack, Counter())
        cpu = cpu_seconds(pid) - before
        ok = sorted(ms for code, ms in tries if code == "ok")
        print(
            f"{ATTACKERS} addresses guessing for 20 s: {sum(codes.values())} guesses "
            f"{dict(codes)}, server CPU {cpu:.1f} s; the bystander's sign-ins: {len(ok)} ok of "
            f"{len(tries)} (median {ok[len(ok) // 2] if ok else 0:.0f} ms, max "
            f"{max(ok, default=0):.0f} ms), {sum(c == 'busy' for c, _ in tries)} busy"
        )


async def seed(data_dir: Path) -> None:
    store = await open_store(default_url(data_dir))
    try:
        writer = await store.create_account("writer", "writer", "placeholder")
        await store.add_member(LOBBY, writer.id)
        for start in range(0, MESSAGES, 1000):
            await asyncio.gather(
                *(
                    store.append(Draft(LOBBY, writer.id, "writer", f"message {n}"))
                    for n in range(start + 1, start + 1001)
                )
            )
    finally:
        await store.close()


async def resume(url: str, name: str, token: str) -> int:
    """Resume from 0 and read up to the gap; the entries replayed."""
    replayed = 0
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws") as ws:
        request = {"type": "sign_in", "id": 1, "name": name, "token": token, "since": {LOBBY: 0}}
        await ws.send_json(request)
        while True:
            frame: dict[str, Any] = await ws.receive_json(timeout=60)
            if frame["type"] == "message":
                replayed += 1
            elif frame["type"] == "resume_gap":
                return replayed


async def big_resume(root: Path) -> None:
    data_dir = root / "lobby"
    began = time.monotonic()
    await seed(data_dir)
    print(f"seeded {MESSAGES} Lobby messages in {time.monotonic() - began:.1f} s")
    with serve(data_dir, "--no-limits") as (url, pid):
        tokens = [(await sign_in(url, f"reader{n}", "pw"))["token"] for n in range(RESUMERS)]
        before, began = cpu_seconds(pid), time.monotonic()
        replayed = await asyncio.gather(
            *(resume(url, f"reader{n}", token) for n, token in enumerate(tokens))
        )
        cpu, wall = cpu_seconds(pid) - before, time.monotonic() - began
        print(
            f"{RESUMERS} resumes of a {MESSAGES}-message Lobby from 0: server CPU {cpu:.3f} s "
            f"in all ({wall:.2f} s wall), each replayed {sorted(set(replayed))} then a gap"
        )


async def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        await wrong_passwords(Path(root))
        await botnet(Path(root))
        await big_resume(Path(root))


if __name__ == "__main__":
    asyncio.run(main())
