"""Sign-in throttling: password guesses per name and per address, and sign-ups per address.

Each password attempt takes a token from the name's bucket and the address's bucket
*before* its hash is computed, and gives both back if the password was right (or was
never checked): so only failures count, and a storm of concurrent guesses is capped by
the buckets too, not only the guesses already known to be wrong. Once either bucket is
empty, attempts are refused ``too_many_attempts`` with ``retry_after`` and cost the
server no hash at all. A new account takes a token from its address's sign-up bucket.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hubbub.addresses import address_key
from hubbub.hub.flood import PRUNE_EVERY, Bucket
from hubbub.hub.limits import Limits, Rate
from hubbub.protocol import ErrorCode, Refusal


def host_of(peer: str) -> str:
    """What the throttles count ``"host:port"`` as: its address, an IPv6 one by its /64
    network (:func:`hubbub.addresses.address_key`), as the connection caps do."""
    host, sep, _port = peer.rpartition(":")
    return address_key((host if sep else peer).strip("[]"))


@dataclass(frozen=True, slots=True)
class Attempt:
    """The tokens one password attempt took, to give back if it did not fail."""

    name_key: str
    host: str


class SignInThrottle:
    """The buckets of every name and address that failed or signed up lately."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._names: dict[str, Bucket] = {}
        self._hosts: dict[str, Bucket] = {}
        self._sign_ups: dict[str, Bucket] = {}
        self._pruned = 0.0

    def attempt(self, name_key: str, host: str, now: float) -> Attempt:
        """Take a token for a password attempt, or refuse it ``too_many_attempts``."""
        if not self.limits.enabled:
            return Attempt(name_key, host)
        name = _bucket(self._names, name_key, self.limits.name_failures, now)
        address = _bucket(self._hosts, host, self.limits.address_failures, now)
        wait = max(
            name.wait(self.limits.name_failures, now),
            address.wait(self.limits.address_failures, now),
        )
        if wait:
            raise _too_many(wait, "sign-in attempts")
        name.take(self.limits.name_failures, now)
        address.take(self.limits.address_failures, now)
        return Attempt(name_key, host)

    def clean(self, name_key: str, host: str, now: float) -> bool:
        """Few attempts lately for this name and from this address: both buckets are at
        least half full. Such a sign-in may use the places the hashing queue keeps."""
        name, address = self._names.get(name_key), self._hosts.get(host)
        return _half_full(name, self.limits.name_failures, now) and _half_full(
            address, self.limits.address_failures, now
        )

    def checked(self, attempt: Attempt, right: bool | None) -> None:
        """The password was ``right``, wrong, or not checked (None: the hashing queue was
        full). Only a wrong one costs the name; one not checked still costs its address,
        so that a flood of requests refused ``busy`` soon stops being clean."""
        if right is False:
            return
        self.did_not_fail(attempt, address=bool(right))

    def did_not_fail(self, attempt: Attempt, *, address: bool = True) -> None:
        """The attempt costs nothing (the name's token, and the address's unless told not)."""
        if not self.limits.enabled:
            return
        if (name := self._names.get(attempt.name_key)) is not None:
            name.give_back(self.limits.name_failures)
        if address and (host := self._hosts.get(attempt.host)) is not None:
            host.give_back(self.limits.address_failures)

    def sign_up(self, host: str, now: float) -> None:
        """Take a token for a new account from ``host``, or refuse it ``too_many_attempts``."""
        if not self.limits.enabled:
            return
        wait = _bucket(self._sign_ups, host, self.limits.sign_ups, now).take(
            self.limits.sign_ups, now
        )
        if wait:
            raise _too_many(wait, "new accounts from your address")

    def prune(self, now: float) -> None:
        """Forget buckets that have filled up again, every :data:`PRUNE_EVERY` seconds."""
        if now - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now
        for buckets, rate in (
            (self._names, self.limits.name_failures),
            (self._hosts, self.limits.address_failures),
            (self._sign_ups, self.limits.sign_ups),
        ):
            for key in [k for k, b in buckets.items() if b.full(rate, now)]:
                del buckets[key]


def _half_full(bucket: Bucket | None, rate: Rate, now: float) -> bool:
    return bucket is None or bucket.tokens + (now - bucket.at) * rate.per_second >= rate.burst / 2


def _bucket(buckets: dict[str, Bucket], key: str, rate: Rate, now: float) -> Bucket:
    bucket = buckets.get(key)
    if bucket is None:
        bucket = buckets[key] = Bucket(float(rate.burst), now)
    return bucket


def _too_many(retry_after: float, what: str) -> Refusal:
    wait = math.ceil(retry_after)
    return Refusal(
        ErrorCode.TOO_MANY_ATTEMPTS,
        f"too many {what}; try again in {wait} s",
        retry_after=float(wait),
    )
