"""Every limit on sockets, with its default: what keeps connections from using up the server.

These protect the transport's own resources (file descriptors, half-read requests, bytes
queued in the kernel's and the event loop's buffers), which the hub never sees. Each
field is a ``hubbub serve`` flag and variable (``--sign-in-deadline`` /
``HUBBUB_SIGN_IN_DEADLINE``, see ``hubbub/limit_options.py``). ``--no-limits`` lifts the
per-address ones; the others guard the process itself and always apply.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass, field, replace

FD_RESERVE = 64
"""Open files kept back from connections: the database, its journal, the listening socket, logs."""


@dataclass(frozen=True, slots=True)
class ConnLimits:
    sign_in_deadline: float = field(
        default=10.0,
        metadata={"help": "seconds after the WebSocket upgrade by which a connection must sign in"},
    )
    connections_per_address: int = field(
        default=20, metadata={"help": "open WebSockets per client address (0: no cap)"}
    )
    max_connections: int = field(
        default=0,
        metadata={"help": f"open TCP connections in all (0: the open-file limit - {FD_RESERVE})"},
    )
    handshake_timeout: float = field(
        default=5.0,
        metadata={"help": "seconds a new TCP connection has to send its request's headers"},
    )
    handshakes_per_address: int = field(
        default=10,
        metadata={"help": "connections per client address still sending headers (0: no cap)"},
    )
    slow_readers_budget: int = field(
        default=64 * 1024 * 1024,
        metadata={"help": "bytes queued for all slow readers together before the worst are cut"},
    )

    def per_address_off(self) -> ConnLimits:
        """These limits without the per-address caps (``--no-limits``)."""
        return replace(self, connections_per_address=0, handshakes_per_address=0)

    def connection_cap(self) -> int:
        """``max_connections``, or what the open-file limit leaves when it is 0."""
        return self.max_connections or open_file_room()


def open_file_room() -> int:
    """How many connections the process's open-file limit (RLIMIT_NOFILE) has room for."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1 << 20
    return max(soft - FD_RESERVE, 1)
