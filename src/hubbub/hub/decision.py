"""A decision: the hub's whole answer to one request, as data the server carries out.

It says what to send now, and, if the hub needs work done first (a read, a write, a
password hash), which :class:`~hubbub.hub.effects.Effect` to run and what to decide
with its result. The server runs the chain to its end: no rule lives outside the hub.
Delivery of a stored message is decided in ``then``, after the commit, from the hub's
state at that moment: someone who left the room while the commit ran gets nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec

from hubbub.hub.effects import Effect
from hubbub.hub.outbox import ConnId, Outbox

T = TypeVar("T")


@dataclass(slots=True)
class Decision:
    out: Outbox = field(default_factory=Outbox)
    """What to send now, before the effect runs."""
    effect: Effect[Any] | None = None
    then: Callable[[Any], Decision] | None = None
    """Decides again with the effect's result; it may raise a Refusal."""
    catch_up: bool = False
    """Hold live frames for the requesting connection until the chain ends (a sign-in
    replaying what the session missed: only urgent frames go out meanwhile)."""
    log: tuple[str, str] | None = None
    """An event for the server log: (what happened, detail)."""

    @classmethod
    def answer(
        cls,
        conn: ConnId,
        reply: msgspec.Struct,
        out: Outbox | None = None,
        log: tuple[str, str] | None = None,
    ) -> Decision:
        """Send ``out``, then answer the requester; nothing to wait for."""
        out = out if out is not None else Outbox()
        out.send([conn], reply, urgent=True)
        return cls(out, log=log)

    @classmethod
    def after(
        cls, effect: Effect[T], then: Callable[[T], Decision], out: Outbox | None = None
    ) -> Decision:
        """Send ``out``, run ``effect``, then decide with its result."""
        return cls(out if out is not None else Outbox(), effect, then)

    def logged(self, event: str, detail: str = "") -> Decision:
        self.log = (event, detail)
        return self
