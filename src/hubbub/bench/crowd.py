"""Many raw connections to one server, opened and signed in a bounded number at a time."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from hubbub.bench.accounts import Credentials
from hubbub.bench.dialect import ChatWire, Dialect
from hubbub.bench.ledger import Inbox, Ledger
from hubbub.bench.wire import Refused
from hubbub.server.server import ChatServer

OPENING_AT_ONCE = 100
"""Connections being opened and signed in together: under the server's listen backlog
(aiohttp's default is 128), so no connection attempt is dropped and retried a second later."""
LEAVE_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Member:
    """One signed-in connection of the crowd."""

    account: Credentials
    wire: ChatWire
    inbox: Inbox
    token: str


class Crowd:
    """Signed-in raw connections whose messages go to ``ledger``.

    Whatever goes wrong is collected, not raised: :meth:`problems` lists connections that
    could not sign in, connections the server closed, and frames it should not have sent.
    """

    def __init__(self, dialect: Dialect, ledger: Ledger) -> None:
        self.members: list[Member] = []
        self._dialect = dialect
        self._ledger = ledger
        self._failures: Counter[str] = Counter()
        self._leaving = False

    @property
    def signed_in(self) -> int:
        return len(self.members)

    async def join(self, accounts: Sequence[Credentials]) -> None:
        """Connect and sign in every account, ``OPENING_AT_ONCE`` at a time, in any order."""
        slots = asyncio.Semaphore(OPENING_AT_ONCE)

        async def one(account: Credentials) -> None:
            async with slots:
                try:
                    self.members.append(await self._sign_in(account))
                except (OSError, Refused, TimeoutError) as exc:
                    self._failures[f"{type(exc).__name__}: {exc}"] += 1

        await asyncio.gather(*(one(account) for account in accounts))

    async def reconnect(self, index: int) -> None:
        """Cut member ``index``'s connection without a close frame and sign its account in
        again on a new one, with the token it has; if that fails, it leaves the crowd."""
        member = self.members[index]
        member.wire.drop()
        try:
            self.members[index] = await self._sign_in(replace(member.account, token=member.token))
        except (OSError, Refused, TimeoutError) as exc:
            self.members.remove(member)
            self._failures[f"signing in again: {type(exc).__name__}: {exc}"] += 1

    async def _sign_in(self, account: Credentials) -> Member:
        joined = await self._dialect.sign_in(account)
        wire = joined.wire
        inbox = self._ledger.inbox(account.name, wire.messages, wire.arrivals)
        for conversation, head in joined.heads.items():
            inbox.joined(conversation, head)
        return Member(account, wire, inbox, joined.token)

    async def barrier(self) -> None:
        """Return once the frames the server had queued for the crowd (the presence changes
        of every sign-in) have arrived, so that the next phase does not pay for them.

        Presence is told at the server's next ticks; after two of them, each connection
        syncs: it is answered after what was queued for it before (a server writes one
        ordered stream per connection).
        """
        await asyncio.sleep(2 * ChatServer.TICK_SECONDS)
        await asyncio.gather(*(m.wire.sync() for m in self.members), return_exceptions=True)

    def problems(self) -> list[str]:
        """What went wrong so far; connections closed by :meth:`leave` or :meth:`drop` are fine."""
        found = [
            f"{count} connection(s) could not sign in: {reason}"
            for reason, count in self._failures.items()
        ]
        if not self._leaving:
            closed = Counter(m.wire.close_code for m in self.members if m.wire.lost.done())
            found += [
                f"the server closed {count} signed-in connection(s) (close code {code})"
                for code, count in closed.items()
            ]
        found += [f"{m.account.name}: {p}" for m in self.members for p in m.wire.problems]
        return found

    async def leave(self) -> None:
        """Close every connection with a close frame: each session ends at once."""
        self._leaving = True
        closing = [asyncio.create_task(m.wire.close()) for m in self.members]
        if closing:
            _, late = await asyncio.wait(closing, timeout=LEAVE_SECONDS)
            for task in late:
                task.cancel()
        self.drop()

    def drop(self) -> None:
        """Cut every connection without a close frame.

        The server parks each session for its grace period instead of telling every
        remaining listener that one more user left: N departures would cost it N²/2 frames.
        """
        self._leaving = True
        for member in self.members:
            member.wire.drop()
