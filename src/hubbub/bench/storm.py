"""The password storm's newcomers, in a process of their own.

Two hundred library clients signing up at once keep a load generator's loop busy: each
hears every newcomer after it come online. In the process that also times the lobby's
messages, that work sat between a message's arrival and its time stamp and made up about
half of the p99 the benchmark reported. Here they run in a child process on the
generator's CPUs, and the parent's loop only chats and times.

The child speaks on its standard streams. Arguments: the server's URL, the run id, how
many newcomers, their password. For each sign-up it prints one line, ``ok`` or
``problem: <why>``; then it keeps every client connected until its standard input
closes, and closes them.
"""

from __future__ import annotations

import asyncio
import sys

from hubbub.bench.accounts import Credentials, make_accounts
from hubbub.bench.crowd import OPENING_AT_ONCE
from hubbub.client import Client, ConnectionLost, RequestFailed

REQUEST_SECONDS = 300.0
"""How long a password sign-up may wait: the server hashes the whole storm in turn."""

SIGNED_UP = "ok"
PROBLEM = "problem: "


async def storm(url: str, newcomers: list[Credentials]) -> None:
    """Sign every newcomer up at once, reporting each on stdout; close them at stdin's end."""
    joined: list[Client] = []
    opening = asyncio.Semaphore(OPENING_AT_ONCE)
    await asyncio.gather(*(_sign_up(url, account, opening, joined) for account in newcomers))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    await asyncio.gather(*(client.close() for client in joined))


async def _sign_up(
    url: str, account: Credentials, opening: asyncio.Semaphore, joined: list[Client]
) -> None:
    client = Client.connect(url, reconnect=False, request_timeout=REQUEST_SECONDS)
    try:
        async with opening:
            await client.open()
        await client.sign_in(account.name, account.password)
    except (ConnectionLost, RequestFailed, TimeoutError) as exc:
        _report(f"{PROBLEM}{account.name} could not sign up: {exc}")
        await client.close()
        return
    joined.append(client)
    _report(SIGNED_UP)


def _report(line: str) -> None:
    sys.stdout.write(line.replace("\n", " ") + "\n")
    sys.stdout.flush()


def main() -> None:
    import uvloop

    url, run_id, count, password = sys.argv[1:]
    newcomers = make_accounts(run_id, "p", int(count), password)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(storm(url, newcomers))


if __name__ == "__main__":
    main()
