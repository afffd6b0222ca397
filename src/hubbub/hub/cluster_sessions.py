"""Sessions ended on several processes: a sign-out, a revocation or a new password ends
a session on every process where a connection uses it.

The process that was asked ends its own connections of the session once the store has
forgotten the token, then shares :class:`SessionsEnded`, which names sessions by their id
(never by token); every other hub ends the same sessions among its own connections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.hub.decision import Decision
from hubbub.hub.ops import NodeId, Op
from hubbub.hub.outbox import ConnId, Outbox
from hubbub.store import session_id

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub


class SessionsEnded(Op, frozen=True):
    """These sessions of the account ended (or, ``but``, every other one)."""

    account_id: int
    ids: tuple[str, ...]
    """Session ids (:func:`~hubbub.store.session_id` of their tokens)."""
    but: bool = False

    def ends(self, token: str) -> bool:
        """Whether the session of ``token`` is one that ended."""
        return (session_id(token) in self.ids) != self.but


def end_sessions(
    hub: Hub, ending: SessionsEnded, now: float, spare: ConnId | None = None
) -> Outbox:
    """End the sessions here (``spare`` stays open, signed out), and on every other process."""
    out = hub.end_sessions(ending.account_id, now, ended=ending.ends, spare=spare)
    if hub.node is not None:
        out.share(ending)
    return out


def sessions_ended(
    hub: Hub, _node: NodeId, op: SessionsEnded, now: float, _wall: float
) -> Decision:
    """Another process ended these sessions: end them on this one's connections too."""
    return Decision(hub.end_sessions(op.account_id, now, ended=op.ends))
