"""Give memory back to the system after a wave of new connections; share what connections
repeat (:func:`share_addresses`).

Each handshake allocates buffers (the request, its headers, aiohttp's parser) that are
freed once the socket is hubbub's; glibc's allocator keeps most of that freed memory in
its heaps rather than returning it, so after thousands of connections the process stays
as large as it was at the wave's peak. Once no connection has opened for
:data:`QUIET_SECONDS`, :class:`Trimmer` calls glibc's ``malloc_trim(0)`` once, which
returns the free pages. Where the C library is not glibc it does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import platform
import sys
import time
from collections.abc import Callable

QUIET_SECONDS = 0.5
"""How long after the last new connection the wave counts as over."""

_SOCKNAMES: dict[tuple[object, ...], tuple[object, ...]] = {}
"""The listening sockets' own addresses, one tuple each for all their connections."""
_MAX_SOCKNAMES = 64


def share_addresses(transport: asyncio.BaseTransport) -> None:
    """Keep one copy of what a connection's addresses repeat, for its whole life.

    asyncio's transport keeps ``sockname`` and ``peername`` in its ``extra`` dict, new
    tuples and strings for every connection: this socket's own address (the same for all
    of a listener's connections, 146 bytes each) and the peer's host (the same for every
    connection through a proxy). Here all connections share one ``sockname`` tuple and
    the peer's host is interned. uvloop's transports, with no such dict, are left alone.
    """
    extra = getattr(transport, "_extra", None)
    if not isinstance(extra, dict):
        return
    sockname = extra.get("sockname")
    if isinstance(sockname, tuple):
        shared = _SOCKNAMES.get(sockname)
        if shared is None and len(_SOCKNAMES) < _MAX_SOCKNAMES:
            shared = _SOCKNAMES[sockname] = sockname
        if shared is not None:
            extra["sockname"] = shared
    peername = extra.get("peername")
    if isinstance(peername, tuple) and peername and isinstance(peername[0], str):
        extra["peername"] = (sys.intern(peername[0]), *peername[1:])


def _malloc_trim() -> Callable[[int], int] | None:
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


class Trimmer:
    """One timer for the whole process, not one per connection."""

    __slots__ = ("_last", "_timer", "_trim")

    def __init__(self) -> None:
        self._trim = _malloc_trim()
        self._timer: asyncio.TimerHandle | None = None
        self._last = 0.0

    def opened(self) -> None:
        """A connection opened: trim once the wave it belongs to is over."""
        if self._trim is None:
            return
        self._last = time.monotonic()
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(QUIET_SECONDS, self._check)

    def _check(self) -> None:
        quiet = time.monotonic() - self._last
        if quiet < QUIET_SECONDS:
            self._timer = asyncio.get_running_loop().call_later(QUIET_SECONDS - quiet, self._check)
            return
        self._timer = None
        assert self._trim is not None, "only scheduled where malloc_trim exists"
        self._trim(0)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
