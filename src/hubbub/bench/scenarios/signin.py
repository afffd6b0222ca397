"""signin: a storm of token sign-ins, then a storm of password sign-ups while others chat.

Token storm: N new connections open and sign in with their session tokens, a hundred at a
time; the rate is N over the time from the first connection attempt to the last ``ok``
(connect, upgrade, token look-up, and telling everyone already in). They then close with
close frames, so no parked session expires during the next phase.

Password storm: P new connections claim new names with passwords, so the server really
hashes each one (argon2id, some 25 ms of CPU), while a few clients signed in beforehand
chat in the lobby on a fixed schedule. Hashing runs off the event loop; the latency of
their messages shows whether the storm stalls it anyway. P defaults to 200, a few
seconds of hashing on one CPU. The newcomers sign up from a child process
(:mod:`hubbub.bench.storm`), so that hearing each other come online does not delay the
chatting clients' time stamps; both use the client library, the token storm raw
connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from array import array
from dataclasses import replace

from hubbub import protocol
from hubbub.bench.accounts import Credentials
from hubbub.bench.catalog import CHAT_INTERVAL, Load
from hubbub.bench.crowd import Crowd
from hubbub.bench.ledger import Ledger
from hubbub.bench.report import Metric, Phase, Target, metric, server_cpu_per
from hubbub.bench.run import STALL_SECONDS, Run
from hubbub.bench.storm import PROBLEM, SIGNED_UP
from hubbub.client import Client, ConnectionLost, RequestFailed


async def measure(run: Run, load: Load) -> list[Metric]:
    regulars, chatters = run.accounts[: load.clients], run.accounts[load.clients :]
    if any(account.token is None for account in regulars):
        regulars = await _claim(run, regulars)
    tokens, signed_in = await _token_storm(run, regulars)
    probes = await _open_probes(run, chatters)
    passwords, signed_up = await _password_storm(run, load.password_clients, probes)
    return [
        metric("token sign-ins per second", signed_in / tokens.wall_s, "/s", Target(">=", 2e3)),
        metric("server CPU per token sign-in", server_cpu_per(tokens, signed_in, 1e6), "µs"),
        metric("password sign-ins per second", signed_up / passwords.wall_s, "/s"),
        metric("server CPU per password sign-in", server_cpu_per(passwords, signed_up, 1e3), "ms"),
    ]


async def _token_storm(run: Run, accounts: list[Credentials]) -> tuple[Phase, int]:
    """Sign everyone in with a token; then they leave with close frames, so that no
    parked session expires (and is announced) during the next phase."""
    storm = Crowd(run.dialect, Ledger(run.run_id))
    clock = run.meter.start("token sign-ins")
    async with run.board.track("token sign-ins", len(accounts), lambda: storm.signed_in):
        await storm.join(accounts)
    phase = clock.stop()
    run.problems += storm.problems()
    await storm.leave()
    return phase, storm.signed_in


async def _open_probes(run: Run, accounts: list[Credentials]) -> list[Probe]:
    probes = []
    for account in accounts:
        try:
            probes.append(await Probe.open(run, account))
        except (ConnectionLost, RequestFailed, TimeoutError) as exc:
            run.problems.append(f"{account.name} could not sign in to chat: {exc}")
    return probes


async def _password_storm(run: Run, count: int, probes: list[Probe]) -> tuple[Phase, int]:
    """``count`` new users sign up at once, from a child process (:mod:`hubbub.bench.storm`),
    while the probes chat; then everyone leaves."""
    newcomers = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "hubbub.bench.storm"),
        *(run.url, run.run_id, str(count), run.password),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert newcomers.stdin is not None
    assert newcomers.stdout is not None
    joined = 0
    stop = asyncio.Event()
    chatting = [asyncio.create_task(probe.chatter(stop)) for probe in probes]
    clock = run.meter.start("password sign-ins")
    async with run.board.track("password sign-ins", count, lambda: joined):
        for _ in range(count):
            report = (await newcomers.stdout.readline()).decode().rstrip("\n")
            if report == SIGNED_UP:
                joined += 1
            elif report.startswith(PROBLEM):
                run.problems.append(report.removeprefix(PROBLEM))
            else:
                run.problems.append(f"the password storm's process ended: {report!r}")
                break
    phase = clock.stop()
    stop.set()
    await asyncio.gather(*chatting)
    run.ledger.sending_done()
    await run.ledger.confirmed(stall=STALL_SECONDS)
    newcomers.stdin.close()
    await asyncio.gather(*(probe.close() for probe in probes), newcomers.wait())
    return phase, joined


async def _claim(run: Run, accounts: list[Credentials]) -> list[Credentials]:
    """Claim each name with its password (one hash each, slow) and keep its session token."""
    crowd = Crowd(run.dialect, Ledger(run.run_id))
    async with run.board.track("claiming names", len(accounts), lambda: crowd.signed_in):
        await crowd.join(accounts)
    run.problems += crowd.problems()
    await crowd.leave()
    return [replace(member.account, token=member.token) for member in crowd.members]


class Probe:
    """A signed-in library client that chats in the lobby on a schedule and times what it hears."""

    def __init__(self, run: Run, client: Client, name: str, head: int) -> None:
        self.said = 0
        self._run = run
        self._client = client
        self._heard: list[protocol.Message] = []
        self._arrivals = array("q")
        self._inbox = run.ledger.inbox(name, self._heard, self._arrivals)
        self._inbox.joined(protocol.LOBBY, head)
        self._listening = asyncio.create_task(self._listen())

    @classmethod
    async def open(cls, run: Run, account: Credentials) -> Probe:
        client = Client.connect(run.url, reconnect=False)
        password = None if account.token is not None else account.password
        try:
            await client.open()
            signed_in = await client.sign_in(account.name, password, token=account.token)
        except BaseException:
            await client.close()
            raise
        return cls(run, client, account.name, signed_in.heads.get(protocol.LOBBY, 0))

    async def chatter(self, stop: asyncio.Event) -> None:
        """Say a stamped message every ``CHAT_INTERVAL`` until ``stop``, without waiting for
        answers (a stalled server must not slow the schedule); then wait for the answers."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        saying: list[asyncio.Task[None]] = []
        while not stop.is_set():
            saying.append(asyncio.create_task(self._say(self.said)))
            self.said += 1
            next_time = start + self.said * CHAT_INTERVAL
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), next_time - loop.time())
        if saying:
            await asyncio.wait(saying)

    async def close(self) -> None:
        await self._client.close()
        await self._listening

    async def _say(self, n: int) -> None:
        try:
            sent = await self._client.say(self._run.ledger.stamp(self._inbox.name, n))
        except (ConnectionLost, RequestFailed, TimeoutError) as exc:
            self._run.problems.append(f"{self._inbox.name} could not chat: {exc}")
            return
        self._run.ledger.expect_in_room(protocol.LOBBY, sent.seq)

    async def _listen(self) -> None:
        async for event in self._client.events():
            if isinstance(event, protocol.Message):
                self._heard.append(event)
                self._arrivals.append(time.perf_counter_ns())
