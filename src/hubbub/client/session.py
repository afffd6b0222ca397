"""The client's hold on the server across connection drops: resumed, never duplicated."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Sequence
from typing import NamedTuple

import aiohttp
import msgspec

from hubbub import protocol
from hubbub.client.connection import Connection, InboundEvent, ReplyT, connect, websocket_url
from hubbub.client.errors import ConnectionLost, RequestFailed
from hubbub.client.events import Disconnected, Reconnected
from hubbub.client.gaps import Gaps
from hubbub.client.inbox import Inbox
from hubbub.client.reconnect import ReconnectPolicy
from hubbub.client.watermarks import Watermarks

logger = logging.getLogger("hubbub.client")

_FINAL_CLOSE_CODES = frozenset({1000, 1008, 4010, 4011, 4012})
"""The server ended the session on purpose (4010 account banned, 4011 password reset,
4012 signed out or revoked), or judged the client abusive: do not resume."""


class Credentials(NamedTuple):
    name: str
    token: str


class Session:
    """One live connection at a time; after an unexpected drop, a new one that resumes.

    Events go to ``inbox`` with duplicate stored entries dropped (see :class:`Watermarks`).
    A drop is resumed only while signed in (:meth:`signed_in`), with a policy, and unless
    the server closed with 1000 (normal), 1008 (policy violation), or 4010, 4011 or 4012
    (the session was ended on purpose). Resuming signs in with the session token and ``since`` = the
    watermarks; events that arrive with the reply are held back so that
    :class:`Reconnected` comes before the messages that were missed.
    Requests made while resuming wait for it. A request lost in a drop fails with
    :class:`ConnectionLost`, unless the caller marked it safe to resend (a send with a
    ``client_id``): that one is sent again, with a new ``id``, on the resumed connection.
    The session *ends* when the application closes it or a drop cannot be resumed; then
    requests raise :class:`ConnectionLost`. With ``fallbacks`` (more addresses of the same
    chat: its other processes), a resume attempt that cannot reach its server is followed
    by one to the next address, in turn.
    """

    def __init__(
        self,
        url: str,
        *,
        policy: ReconnectPolicy | None,
        heartbeat: float | None,
        request_timeout: float,
        fallbacks: Sequence[str] = (),
    ) -> None:
        self.url = websocket_url(url)
        self._addresses = itertools.cycle([self.url, *map(websocket_url, fallbacks)])
        self._dialling = next(self._addresses)
        self.inbox = Inbox()
        self.marks = Watermarks()
        self._policy = policy
        self._heartbeat = heartbeat
        self._request_timeout = request_timeout
        self._ids = itertools.count(1)
        self._http: aiohttp.ClientSession | None = None
        self._conn: Connection | None = None
        self._online = asyncio.Event()
        self._swapped = asyncio.Event()
        self._credentials: Credentials | None = None
        self._recovery: asyncio.Task[None] | None = None
        self._closing = False
        self._ended: str | None = None
        self._gaps = Gaps()
        self._fills: set[asyncio.Task[None]] = set()

    def next_id(self) -> int:
        """A request id never used before on this session."""
        return next(self._ids)

    def signed_in(self, credentials: Credentials | None) -> None:
        """Resume drops with these credentials from now on (None: do not resume)."""
        self._credentials = credentials

    async def open(self) -> None:
        if self._http is not None:
            raise RuntimeError("a Client can be opened once")
        self._http = aiohttp.ClientSession()
        try:
            self._conn = await self._dial(self._accept)
        except BaseException:
            await self._http.close()
            raise
        self._online.set()

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._end("the client is closed")
        if self._recovery is not None:
            self._recovery.cancel()
            await asyncio.wait({self._recovery})
        for fill in list(self._fills):
            fill.cancel()
        if self._fills:
            await asyncio.wait(self._fills)
        if self._conn is not None:
            await self._conn.close()
        if self._http is not None:
            await self._http.close()

    async def call(
        self, request: protocol.Request, reply: type[ReplyT], *, resend: bool = False
    ) -> ReplyT:
        """Send ``request`` and return its reply, within the request timeout (resumes included).

        Without ``resend`` the request is sent once: if its connection drops first, it fails
        with :class:`ConnectionLost`. With ``resend`` (only for requests the server answers
        idempotently, i.e. sends with a ``client_id``) it is sent again on each resumed
        connection until it is answered, the session ends, or the timeout passes.
        """
        try:
            async with asyncio.timeout(self._request_timeout):
                while True:
                    conn = await self._connection()
                    try:
                        return await conn.request(request, reply)
                    except ConnectionLost:
                        if not resend:
                            raise
                    logger.info("resending %s after a drop", type(request).__name__)
                    await self._replacement(conn)
                    request = msgspec.structs.replace(request, id=self.next_id())
        except TimeoutError as exc:
            name = type(request).__name__
            raise TimeoutError(f"no reply to {name} within {self._request_timeout} s") from exc

    async def send_raw(self, data: str | bytes, *, binary: bool) -> None:
        async with asyncio.timeout(self._request_timeout):
            conn = await self._connection()
            await conn.send_raw(data, binary=binary)

    async def _connection(self) -> Connection:
        """The live connection, once any resume in progress is over."""
        if self._conn is None:
            raise ConnectionLost("the client is not open")
        await self._online.wait()
        if self._ended is not None:
            raise ConnectionLost(self._ended)
        return self._conn

    async def _replacement(self, lost: Connection) -> None:
        """Wait until ``lost`` is replaced by a resumed connection or the session ends."""
        while self._conn is lost and self._ended is None:
            swapped = self._swapped
            await swapped.wait()

    def _swap(self) -> None:
        self._swapped.set()
        self._swapped = asyncio.Event()

    async def _dial(self, on_event: Callable[[InboundEvent], None]) -> Connection:
        assert self._http is not None, "opened before dialling"
        try:
            async with asyncio.timeout(self._request_timeout):
                return await connect(
                    self._http,
                    self._dialling,
                    heartbeat=self._heartbeat,
                    on_event=on_event,
                    on_closed=self._on_closed,
                )
        except TimeoutError as exc:
            limit = self._request_timeout
            raise ConnectionLost(f"no WebSocket from {self._dialling} within {limit} s") from exc

    def _accept(self, event: InboundEvent) -> None:
        if self._gaps.holds(event):
            return
        if self.marks.admit(event):
            self.inbox.put(event)
        if isinstance(event, protocol.ResumeGap):
            self._gaps.open(event.conversation)
            fill = asyncio.get_running_loop().create_task(self._fill(event))
            self._fills.add(fill)
            fill.add_done_callback(self._fills.discard)

    async def _fill(self, gap: protocol.ResumeGap) -> None:
        """Page in what the resume left out, then let the entries kept back through."""
        after = gap.after
        try:
            while after < gap.head:
                request = protocol.History(
                    id=self.next_id(),
                    conversation=gap.conversation,
                    after=after,
                    limit=protocol.MAX_HISTORY_PAGE,
                )
                page = (await self.call(request, protocol.HistoryPage)).messages
                if not page:
                    break
                for entry in page:
                    if entry.seq <= gap.head and self.marks.admit(entry):
                        self.inbox.put(entry)
                after = page[-1].seq
        except (ConnectionLost, TimeoutError) as exc:
            logger.info("filling %s stopped: %s", gap.conversation, exc)
            return
        except RequestFailed as exc:
            logger.info("filling %s refused: %s", gap.conversation, exc)
        for event in self._gaps.close(gap.conversation):
            self._accept(event)

    def _on_closed(self, conn: Connection) -> None:
        if conn is not self._conn or self._closing:
            return
        self._online.clear()
        self._gaps.clear()
        code = conn.close_code
        credentials, policy = self._credentials, self._policy
        if credentials is None or policy is None or code in _FINAL_CLOSE_CODES:
            self.inbox.put(Disconnected(code=code, reconnecting=False))
            self._end(f"the connection closed (code {code})")
            return
        self.inbox.put(Disconnected(code=code, reconnecting=True))
        self._recovery = asyncio.create_task(self._resume(credentials, policy))

    async def _resume(self, credentials: Credentials, policy: ReconnectPolicy) -> None:
        loop = asyncio.get_running_loop()
        deadline = None if policy.give_up_after is None else loop.time() + policy.give_up_after
        for attempt, delay in enumerate(policy.delays(), start=1):
            if deadline is not None and loop.time() + delay > deadline:
                break
            await asyncio.sleep(delay)
            try:
                await self._resume_once(credentials, attempt)
            except (ConnectionLost, TimeoutError) as exc:
                logger.info("resume attempt %d failed: %s", attempt, exc)
                self._dialling = next(self._addresses)
                continue
            except RequestFailed as exc:
                if exc.code in (protocol.ErrorCode.INTERNAL_ERROR, protocol.ErrorCode.UNAVAILABLE):
                    logger.info("resume attempt %d failed: %s", attempt, exc)
                    continue
                self._end(f"the server refused to resume the session: {exc}")
                return
            except msgspec.ValidationError as exc:
                self._end(f"the server's answer to the resume breaks the protocol: {exc}")
                return
            return
        self._end("gave up reconnecting")

    async def _resume_once(self, credentials: Credentials, attempt: int) -> None:
        held: list[InboundEvent] = []
        conn = await self._dial(held.append)
        request = protocol.SignIn(
            id=self.next_id(),
            name=credentials.name,
            token=credentials.token,
            since=self.marks.since(),
        )
        try:
            async with asyncio.timeout(self._request_timeout):
                signed_in = await conn.request(request, protocol.SignedIn)
        except BaseException:
            await conn.close()
            raise
        self._credentials = Credentials(signed_in.name, signed_in.token)
        self.marks.signed_in(signed_in.heads)
        self._conn = conn
        self._swap()
        self.inbox.put(Reconnected(attempts=attempt, signed_in=signed_in))
        conn.on_event = self._accept
        for event in held:
            self._accept(event)
        self._online.set()
        if conn.lost:
            self._on_closed(conn)

    def _end(self, reason: str) -> None:
        """No more requests or events; whoever waits for either is told ``reason``."""
        if self._ended is None:
            self._ended = reason
            self.inbox.end(reason)
            self._online.set()
            self._swap()
