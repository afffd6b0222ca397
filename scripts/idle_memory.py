"""Where an idle signed-in connection's bytes go (numbers, not tests).

A server runs in this process under tracemalloc; a client process signs in N seeded
accounts with their tokens and waits, then N more. The snapshot difference between N and
2N connections, over N, is what one more idle connection costs, grouped by the file
that allocated it (docs/performance.md, "Idle connections").

Run: ``PYTHONPATH=src python scripts/idle_memory.py [N]`` (default 1,000; 2N open files
in each process). Everything runs on 127.0.0.1 in a temp dir.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import socket
import sys
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path

from aiohttp import web

from hubbub.bench.accounts import make_accounts, seed
from hubbub.hub.limits import Limits
from hubbub.server.app import create_app
from hubbub.server.config import Config

CLIENT = """
import asyncio, json, sys, aiohttp

async def sign_in(http, url, name, token, sockets):
    ws = await http.ws_connect(url)
    await ws.send_str(json.dumps({"type": "sign_in", "id": 1, "name": name, "token": token}))
    while (reply := json.loads((await ws.receive()).data))["type"] not in ("ok", "error"):
        pass
    if reply["type"] != "ok":
        raise SystemExit(f"sign-in refused: {reply}")
    sockets.append(ws)

async def main():
    accounts, url = json.load(open(sys.argv[1])), sys.argv[2]
    half, sockets = len(accounts) // 2, []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        for group in (accounts[:half], accounts[half:]):
            for start in range(0, len(group), 50):
                await asyncio.gather(
                    *(sign_in(http, url, n, t, sockets) for n, t in group[start:start + 50])
                )
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
        for ws in sockets:
            await ws.close()

asyncio.run(main())
"""

GROUPS = (
    ("aiohttp's WebSocket", ("aiohttp/web_ws", "aiohttp/_websocket")),
    ("aiohttp's HTTP connection and request", ("aiohttp/",)),
    ("asyncio: transport, socket, tasks", ("asyncio/", "_weakrefset", "socket.py", "weakref")),
    ("hubbub's endpoint coroutines", ("hubbub/server/app.py",)),
    ("hubbub: server, hub, outbound", ("hubbub/", "<string>")),
    ("the store (sign-in leftovers)", ("sqlalchemy", "hubbub/store")),
)
SETTLE_SECONDS = 1.5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def group_of(filename: str) -> str:
    for name, parts in GROUPS:
        if any(part in filename for part in parts):
            return name
    return "other"


async def snapshot_when_ready(client: asyncio.subprocess.Process) -> tracemalloc.Snapshot:
    assert client.stdout is not None
    assert client.stdin is not None
    if (await client.stdout.readline()).strip() != b"ready":
        raise SystemExit("the client process stopped before signing everyone in")
    await asyncio.sleep(SETTLE_SECONDS)
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    client.stdin.write(b"\n")
    await client.stdin.drain()
    return snapshot


async def main(count: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    data_dir = Path(tempfile.mkdtemp(prefix="hubbub-idle-"))
    seeded: list = []
    await seed(data_dir, make_accounts("idle", "u", 2 * count, "idle-password"), seeded)
    accounts = data_dir / "accounts.json"
    accounts.write_text(json.dumps([(a.name, a.token) for a in seeded]))
    port = free_port()
    runner = web.AppRunner(create_app(Config(port=port, data_dir=data_dir, limits=Limits.off())))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    client = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CLIENT, str(accounts), f"http://127.0.0.1:{port}/ws",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    tracemalloc.start()
    try:
        first = await snapshot_when_ready(client)
        second = await snapshot_when_ready(client)
    finally:
        tracemalloc.stop()
        await client.wait()
        await runner.cleanup()
    sizes: Counter[str] = Counter()
    blocks: Counter[str] = Counter()
    for stat in second.compare_to(first, "filename"):
        group = group_of(stat.traceback[0].filename)
        sizes[group] += stat.size_diff
        blocks[group] += stat.count_diff
    print(f"one more idle signed-in connection, between {count:,} and {2 * count:,}:")
    for group, size in sizes.most_common():
        print(f"{size / count:8,.0f} B {blocks[group] / count:6.1f} blocks  {group}")
    print(f"{sum(sizes.values()) / count:8,.0f} B in all (traced; RSS adds malloc's slack)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
