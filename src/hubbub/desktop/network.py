"""The client library on an asyncio loop of its own thread, talking to Tk only through a queue.

Tk is not thread-safe, and a Tk callback that awaited the network would freeze the
windows. So requests are handed to the loop with ``run_coroutine_threadsafe`` and
return at once; what comes back (each reply for its callback, each server event) is put
on :attr:`Network.deliveries`, which the Tk thread drains on a timer (``after``). Nothing
here touches Tk, and the Tk side never waits on the network except when quitting.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import platform
import queue
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from hubbub import protocol
from hubbub.client import Client, ClientEvent, ConnectionLost

logger = logging.getLogger("hubbub.desktop")

T = TypeVar("T")
OnError = Callable[[Exception], None]


@dataclass(frozen=True, slots=True)
class Answer:
    """A finished request: run ``callback(value)`` on the Tk thread."""

    callback: Callable[[Any], None]
    value: Any

    def deliver(self) -> None:
        self.callback(self.value)


@dataclass(frozen=True, slots=True)
class Incoming:
    """A server event (or a connection change) of sign-in number ``session``."""

    event: ClientEvent
    session: int


Delivery = Answer | Incoming


class Network:
    """One :class:`Client` at a time, on a private event loop in a daemon thread."""

    def __init__(self, on_error: OnError) -> None:
        self.deliveries: queue.SimpleQueue[Delivery] = queue.SimpleQueue()
        self.session = 0
        """The number of the latest successful sign-in; events of older ones are stale."""
        self.client: Client | None = None
        self._on_error = on_error
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="hubbub-network", daemon=True)
        self._pump: asyncio.Task[None] | None = None
        self._tasks: set[concurrent.futures.Future[None]] = set()

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        self._loop.close()

    # ------------------------------------------------------------------ from the Tk thread

    def sign_in(
        self,
        url: str,
        name: str,
        *,
        password: str | None,
        token: str | None,
        on_done: Callable[[protocol.SignedIn], None],
        on_error: OnError,
    ) -> None:
        """Connect to ``url`` and sign in, replacing any client before; then pump events."""
        self._submit(self._sign_in(url, name, password, token, on_done, on_error))

    def request(
        self,
        call: Callable[[Client], Awaitable[T]],
        on_done: Callable[[T], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        """Run ``call(client)``; its result goes to ``on_done``, a failure to ``on_error``
        (default: the handler given to the constructor)."""
        self._submit(self._request(call, on_done, on_error or self._on_error))

    def sign_out(self, on_done: Callable[[None], None]) -> None:
        """End the session on the server (its token is revoked) and close the client."""
        self._submit(self._sign_out(on_done))

    def stop(self, timeout: float = 3.0) -> None:
        """Close the client (a normal close: the server ends the session at once), then
        stop the loop. Blocks the caller up to ``timeout``: only for quitting."""
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)

    def _submit(self, coroutine: Coroutine[Any, Any, None]) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ on the loop

    async def _sign_in(
        self,
        url: str,
        name: str,
        password: str | None,
        token: str | None,
        on_done: Callable[[protocol.SignedIn], None],
        on_error: OnError,
    ) -> None:
        await self._close()
        client = Client.connect(url)
        try:
            await client.open()
            device = None if token else f"hubbub desktop on {platform.node()}"
            reply = await client.sign_in(name, password, token=token, device=device)
        except Exception as exc:
            await client.close()
            self.deliveries.put(Answer(on_error, exc))
            return
        self.client = client
        self.session += 1
        # The reply goes first, so the Tk side knows who it is before any event.
        self.deliveries.put(Answer(on_done, reply))
        self._pump = asyncio.create_task(self._pump_events(client, self.session))

    async def _pump_events(self, client: Client, session: int) -> None:
        async for event in client.events():
            self.deliveries.put(Incoming(event, session))

    async def _request(
        self,
        call: Callable[[Client], Awaitable[T]],
        on_done: Callable[[T], None] | None,
        on_error: OnError,
    ) -> None:
        client = self.client
        try:
            if client is None:
                raise ConnectionLost("not signed in")
            value = await call(client)
        except Exception as exc:
            self.deliveries.put(Answer(on_error, exc))
            return
        if on_done is not None:
            self.deliveries.put(Answer(on_done, value))

    async def _sign_out(self, on_done: Callable[[None], None]) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.sign_out()
        await self._close()
        self.deliveries.put(Answer(on_done, None))

    async def _close(self) -> None:
        client, pump = self.client, self._pump
        self.client = self._pump = None
        self.session += 1  # whatever the old client still sends is stale
        if pump is not None:
            pump.cancel()
        if client is not None:
            await client.close()
