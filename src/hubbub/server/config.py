"""Server settings: embedded defaults, overridden by flags or ``HUBBUB_*`` variables."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from hubbub.hub.limits import Limits
from hubbub.hub.presence import LEAVE_LINGER
from hubbub.server.conn_limits import ConnLimits
from hubbub.server.proxies import TrustedProxies


@dataclass(frozen=True, slots=True)
class IrcConfig:
    """``--irc-port``, ``--irc-server-name``, ``--irc-guests``."""

    port: int
    server_name: str
    guests: bool = True
    """Whether a connection without credentials may register as a guest."""
    host: str = "127.0.0.1"
    sock: socket.socket | None = None
    """A socket already listening on ``port`` (``hubbub serve`` binds it before it starts)."""
    tls_sock: socket.socket | None = None
    """``--irc-tls-port``: a socket already listening for IRC over TLS, with ``tls``."""
    tls: ssl.SSLContext | None = None


@dataclass(frozen=True, slots=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8765
    data_dir: Path = Path(".hubbub")
    database: str | None = None
    """The database's URL; None: the SQLite file ``hubbub.db`` in ``data_dir``."""
    redis: str | None = None
    """A Redis URL: share live changes with the other processes of the chat over its
    pub/sub (server/bus.py); None: this process is the whole chat."""
    grace: float = 20.0
    """Seconds a dropped connection keeps its user's presence and chat, waiting for a resume."""
    leave_linger: float = LEAVE_LINGER
    """Seconds a user must stay offline before the others are told (a reload tells nothing)."""
    request_ttl: float = 60.0
    """Seconds a chat request waits for an answer."""
    heartbeat: float = 15.0
    """Seconds between WebSocket pings; a peer that misses a pong is dropped."""
    send_buffer: int = 4 * 1024 * 1024
    """Bytes queued for one connection before it is closed as too slow."""
    max_in_flight: int = 32
    """Requests one connection may have unanswered before the server stops reading it."""
    allowed_origins: tuple[str, ...] = ()
    """Web origins besides the server's own whose pages may open a WebSocket."""
    token_idle_days: float = 30.0
    """Days a session token may go unused before it expires."""
    irc: IrcConfig | None = None
    """The IRC listener's settings; None: no IRC listener (src/hubbub/irc/, docs/irc.md)."""
    limits: Limits = field(default_factory=Limits)
    """Every per-account and per-address limit (hub/limits.py); ``Limits.off()`` for load tests."""
    connections: ConnLimits = field(default_factory=ConnLimits)
    """The limits on sockets (server/conn_limits.py)."""
    trusted_proxies: TrustedProxies = field(default_factory=TrustedProxies)
    """Peers whose ``X-Forwarded-For`` names the real client (server/proxies.py)."""
    metrics_public: bool = False
    """``GET /metrics`` answers everyone, not only requests from this machine."""
