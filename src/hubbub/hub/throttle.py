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


class Counted:
    """Token buckets of one rate, by key (a name, an address), that forget full ones.

    ``shared`` (several processes): it also notes the tokens each key took and gave back
    here, for :meth:`drain` to hand to the other processes, which :meth:`charge` them.
    """

    def __init__(self, rate: Rate, *, shared: bool) -> None:
        self.rate = rate
        self.shared = shared
        self._buckets: dict[str, Bucket] = {}
        self._spent: dict[str, int] = {}

    def get(self, key: str) -> Bucket | None:
        return self._buckets.get(key)

    def bucket(self, key: str, now: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(float(self.rate.burst), now)
        return bucket

    def take(self, key: str, now: float) -> float:
        """Take a token: 0.0 if there was one, else the seconds until there is."""
        wait = self.bucket(key, now).take(self.rate, now)
        if not wait:
            self._note(key, 1)
        return wait

    def give_back(self, key: str) -> None:
        if (bucket := self._buckets.get(key)) is not None:
            bucket.give_back(self.rate)
            self._note(key, -1)

    def charge(self, key: str, tokens: int, now: float) -> None:
        """Count ``tokens`` taken (given back if negative) on another process."""
        self.bucket(key, now).charge(self.rate, now, tokens)

    def drain(self) -> dict[str, int]:
        """The tokens each key took here since the last call, net of those given back."""
        spent, self._spent = self._spent, {}
        return {key: tokens for key, tokens in spent.items() if tokens}

    def prune(self, now: float) -> None:
        for key in [k for k, b in self._buckets.items() if b.full(self.rate, now)]:
            del self._buckets[key]

    def _note(self, key: str, tokens: int) -> None:
        if self.shared:
            self._spent[key] = self._spent.get(key, 0) + tokens


class SignInThrottle:
    """The buckets of every name and address that failed or signed up lately."""

    def __init__(self, limits: Limits, *, shared: bool = False) -> None:
        self.limits = limits
        self.names = Counted(limits.name_failures, shared=shared)
        self.hosts = Counted(limits.address_failures, shared=shared)
        self.sign_ups = Counted(limits.sign_ups, shared=shared)
        self._pruned = 0.0

    def attempt(self, name_key: str, host: str, now: float) -> Attempt:
        """Take a token for a password attempt, or refuse it ``too_many_attempts``."""
        if not self.limits.enabled:
            return Attempt(name_key, host)
        wait = max(
            self.names.bucket(name_key, now).wait(self.limits.name_failures, now),
            self.hosts.bucket(host, now).wait(self.limits.address_failures, now),
        )
        if wait:
            raise _too_many(wait, "sign-in attempts")
        self.names.take(name_key, now)
        self.hosts.take(host, now)
        return Attempt(name_key, host)

    def clean(self, name_key: str, host: str, now: float) -> bool:
        """Few attempts lately for this name and from this address: both buckets are at
        least half full. Such a sign-in may use the places the hashing queue keeps."""
        return _half_full(self.names.get(name_key), self.limits.name_failures, now) and (
            _half_full(self.hosts.get(host), self.limits.address_failures, now)
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
        self.names.give_back(attempt.name_key)
        if address:
            self.hosts.give_back(attempt.host)

    def sign_up(self, host: str, now: float) -> None:
        """Take a token for a new account from ``host``, or refuse it ``too_many_attempts``."""
        if not self.limits.enabled:
            return
        wait = self.sign_ups.take(host, now)
        if wait:
            raise _too_many(wait, "new accounts from your address")

    def prune(self, now: float) -> None:
        """Forget buckets that have filled up again, every :data:`PRUNE_EVERY` seconds."""
        if now - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now
        for counted in (self.names, self.hosts, self.sign_ups):
            counted.prune(now)


def _half_full(bucket: Bucket | None, rate: Rate, now: float) -> bool:
    return bucket is None or bucket.tokens + (now - bucket.at) * rate.per_second >= rate.burst / 2


def _too_many(retry_after: float, what: str) -> Refusal:
    wait = math.ceil(retry_after)
    return Refusal(
        ErrorCode.TOO_MANY_ATTEMPTS,
        f"too many {what}; try again in {wait} s",
        retry_after=float(wait),
    )
