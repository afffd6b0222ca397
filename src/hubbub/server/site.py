"""Serve the application on a listening socket, every connection through a :class:`Doorway`.

aiohttp's ``run_app`` hands each accepted socket straight to its own protocol; the only
place to put something in front of it is the call that starts serving the socket, so
this module does what ``run_app`` does (run until SIGINT/SIGTERM, then shut down
gracefully) with a site that wraps aiohttp's protocol factory.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable

from aiohttp import web

from hubbub.server.admission import Admission, Doorway
from hubbub.server.app import ADMISSION


class GuardedSite(web.SockSite):
    """A :class:`web.SockSite` whose connections are admitted by the app's :class:`Admission`."""

    __slots__ = ("_admission",)

    def __init__(
        self,
        runner: web.AppRunner,
        sock: socket.socket,
        admission: Admission,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        super().__init__(runner, sock, ssl_context=ssl_context, backlog=1024)
        self._admission = admission

    async def start(self) -> None:
        await web.BaseSite.start(self)
        handler_factory = self._runner.server
        assert handler_factory is not None, "the runner is set up"
        admission = self._admission
        self._server = await asyncio.get_running_loop().create_server(
            lambda: Doorway(admission, handler_factory),
            sock=self._sock,
            ssl=self._ssl_context,
            backlog=self._backlog,
            ssl_handshake_timeout=admission.limits.handshake_timeout if self._ssl_context else None,
        )


def run(
    app: web.Application,
    sock: socket.socket,
    ssl_context: ssl.SSLContext | None,
    loop: asyncio.AbstractEventLoop,
    announce: Callable[[], None],
) -> None:
    """Serve until SIGINT or SIGTERM, then shut down (``on_shutdown``, cleanup) and return."""
    asyncio.set_event_loop(loop)
    main = loop.create_task(_serve(app, sock, ssl_context, announce))
    try:
        loop.run_until_complete(main)
    except (web.GracefulExit, KeyboardInterrupt):
        pass
    finally:
        main.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(main)
        leftovers = asyncio.all_tasks(loop)
        for task in leftovers:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)


async def _serve(
    app: web.Application,
    sock: socket.socket,
    ssl_context: ssl.SSLContext | None,
    announce: Callable[[], None],
) -> None:
    # Each connection carries one request (app.py closes it after the answer) and the
    # Doorway times its headers: aiohttp's idle keep-alive timer, set on every connection,
    # and its SO_KEEPALIVE (a system call each) would guard nothing.
    runner = web.AppRunner(
        app, handle_signals=True, access_log=None, keepalive_timeout=0, tcp_keepalive=False
    )
    await runner.setup()
    try:
        await GuardedSite(runner, sock, app[ADMISSION], ssl_context).start()
        announce()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
