"""The events an application receives: the server's, plus the client's own about its link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, TypeVar

from hubbub import protocol


@dataclass(frozen=True, slots=True)
class ConnectionChange:
    """Something happened to the client's connection; never sent by the server."""


@dataclass(frozen=True, slots=True)
class Disconnected(ConnectionChange):
    """The connection dropped without the application closing the client.

    ``code`` is the WebSocket close code (1006 when the link broke without one).
    When ``reconnecting`` is true the client is trying to resume, and either
    :class:`Reconnected` follows or the event stream ends; when false, the stream ends next.
    """

    code: int | None
    reconnecting: bool


@dataclass(frozen=True, slots=True)
class Reconnected(ConnectionChange):
    """The session is resumed on a new connection after ``attempts`` tries.

    Every message missed while disconnected follows this event, each exactly once.
    """

    attempts: int
    signed_in: protocol.SignedIn


ClientEvent: TypeAlias = (
    protocol.ServerEvent | protocol.Ok | protocol.Error | Disconnected | Reconnected
)
"""Anything :meth:`Client.events` yields.

``protocol.Ok`` and ``protocol.Error`` appear only for replies that no request method is
waiting for: answers to :meth:`Client.send_raw` frames (an ``error`` to a frame the server
could not read has ``id=None``) and late answers to requests that already timed out.
"""

EventT = TypeVar("EventT", bound=protocol.Event | protocol.Ok | protocol.Error | ConnectionChange)
"""An event class to wait for: a concrete one, or a base such as ``protocol.Event``."""
