"""Limits counted across processes: what each account, name and address spent elsewhere.

A user with connections on two processes gets the allowance it would get on one. Each
hub with a node id notes the tokens taken (and given back) on it: flood control per
account and kind of request, password failures per name and per address, sign-ups per
address, and the accounts cut off for flooding. Every tick (0.25 s), and at once when an
account is cut off (its sign-in on another process must wait out the cooldown too), it
shares them as one :class:`Spent` op; the other hubs :func:`charge` them to their own
buckets, below zero if need be, so the next request there waits until the whole
spending is paid back.

The lag: another process counts a token one tick plus the bus's delay after it was spent,
so a burst spread over several processes at the same instant may pass up to one burst per
process before they hear of each other; after that the sustained rate is the one allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.hub.flood import Kind
from hubbub.hub.ops import Op
from hubbub.hub.outbox import Outbox

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub


class Spent(Op, frozen=True):
    """Tokens taken on one process since its last tick (negative: given back)."""

    requests: tuple[tuple[int, Kind, int], ...] = ()
    """(account id, kind of request, tokens): flood control."""
    cut_off: tuple[str, ...] = ()
    """Name keys of accounts closed for flooding: their sign-ins wait out the cooldown."""
    names: tuple[tuple[str, int], ...] = ()
    """(name key, tokens): password sign-ins that failed."""
    hosts: tuple[tuple[str, int], ...] = ()
    """(address, tokens): password sign-ins that failed."""
    sign_ups: tuple[tuple[str, int], ...] = ()
    """(address, tokens): new accounts."""


def share_spending(hub: Hub) -> Outbox:
    """What this hub's users spent since the last tick, shared with the other processes."""
    out = Outbox()
    if hub.node is None:
        return out
    requests, cut_off = hub.flood.drain()
    throttle = hub.throttle
    spent = Spent(
        tuple((account_id, kind, n) for (account_id, kind), n in requests.items()),
        tuple(cut_off),
        tuple(throttle.names.drain().items()),
        tuple(throttle.hosts.drain().items()),
        tuple(throttle.sign_ups.drain().items()),
    )
    if spent != Spent():
        out.share(spent)
    return out


def charge(hub: Hub, spent: Spent, now: float) -> None:
    """Count what was spent on another process here; it tells nobody anything."""
    if hub.limits.enabled:
        for account_id, kind, n in spent.requests:
            hub.flood.charge(account_id, kind, n, now)
        for name_key in spent.cut_off:
            hub.flood.cool(name_key, now)
        throttle = hub.throttle
        for counted, tokens in (
            (throttle.names, spent.names),
            (throttle.hosts, spent.hosts),
            (throttle.sign_ups, spent.sign_ups),
        ):
            for key, n in tokens:
                counted.charge(key, n, now)
