"""Flood control: a token bucket per account and kind of request, shared by its connections.

A request over its bucket is refused ``rate_limited`` with ``retry_after``, the seconds
until it would pass; nothing else happens, so a client that waits loses nothing. A
connection that keeps sending anyway — :attr:`Limits.flood_strikes` refusals in a row —
is closed with :data:`FLOODING`. Time is an argument, so every rule is tested without
sleeping.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from hubbub.hub.limits import Limits, Rate
from hubbub.protocol import (
    AnswerChat,
    Calc,
    ClientRequest,
    DeleteMessage,
    EditMessage,
    EndChat,
    ErrorCode,
    JoinRoom,
    LeaveRoom,
    MessageUser,
    Refusal,
    RequestChat,
    Say,
    SetStatus,
    SetTopic,
)

FLOODING = 4001
"""Close code: the connection kept sending requests after being told ``rate_limited``."""
PRUNE_EVERY = 10.0
"""Seconds between sweeps that forget full buckets (a full bucket is a fresh one)."""


class Kind(enum.Enum):
    MESSAGES = "messages"
    STATUS = "status"
    CALC = "calc"
    REQUESTS = "requests"


def kind_of(request: ClientRequest) -> Kind:
    match request:
        case Say() | MessageUser() | EditMessage() | DeleteMessage():
            return Kind.MESSAGES
        # Each of these reaches a whole room or the other party: cheap to send, loud to get.
        case (
            SetStatus()
            | RequestChat()
            | AnswerChat()
            | EndChat()
            | SetTopic()
            | JoinRoom()
            | LeaveRoom()
        ):
            return Kind.STATUS
        case Calc():
            return Kind.CALC
        case _:
            return Kind.REQUESTS


@dataclass(slots=True)
class Bucket:
    tokens: float
    at: float

    def take(self, rate: Rate, now: float) -> float:
        """Take a token: 0.0 if there was one, else the seconds until there is."""
        wait = self.wait(rate, now)
        if not wait:
            self.tokens -= 1.0
        return wait

    def wait(self, rate: Rate, now: float) -> float:
        """0.0 if there is a token now, else the seconds until there is; takes none."""
        self._refill(rate, now)
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / rate.per_second

    def charge(self, rate: Rate, now: float, tokens: float) -> None:
        """Take ``tokens`` spent on another process (give them back if negative), even
        below zero: then this one waits until the account's whole spending is paid."""
        self._refill(rate, now)
        self.tokens = min(float(rate.burst), self.tokens - tokens)

    def _refill(self, rate: Rate, now: float) -> None:
        self.tokens = min(float(rate.burst), self.tokens + (now - self.at) * rate.per_second)
        self.at = now

    def give_back(self, rate: Rate) -> None:
        """Return a token taken for something that turned out to cost nothing."""
        self.tokens = min(float(rate.burst), self.tokens + 1.0)

    def full(self, rate: Rate, now: float) -> bool:
        return self.tokens + (now - self.at) * rate.per_second >= rate.burst


class FloodControl:
    """The buckets of every account that used some of its allowance lately.

    ``shared`` (several processes): it also notes what each account spent and who was cut
    off, for :meth:`drain` to hand to the other processes, which :meth:`charge` it.
    """

    def __init__(self, limits: Limits, *, shared: bool = False) -> None:
        self.limits = limits
        self.shared = shared
        self._spent: dict[tuple[int, Kind], int] = {}
        """Tokens each account took here since the last :meth:`drain`."""
        self._cut_off: list[str] = []
        """Name keys closed for flooding here since the last :meth:`drain`."""
        self._rates = {
            Kind.MESSAGES: limits.messages,
            Kind.STATUS: limits.status,
            Kind.CALC: limits.calc,
            Kind.REQUESTS: limits.requests,
        }
        self._buckets: dict[tuple[int, Kind], Bucket] = {}
        self._cooling: dict[str, float] = {}
        """Name keys of accounts closed for flooding, each with when it may sign in again."""
        self._pruned = 0.0

    def closed(self, name_key: str, now: float) -> None:
        """The account was closed for flooding: its sign-ins wait ``flood_cooldown``."""
        self.cool(name_key, now)
        if self.shared:
            self._cut_off.append(name_key)

    def cool(self, name_key: str, now: float) -> None:
        """Refuse the account's sign-ins for ``flood_cooldown`` from ``now``."""
        self._cooling[name_key] = now + self.limits.flood_cooldown

    def check_sign_in(self, name_key: str, now: float) -> None:
        """Refuse ``rate_limited`` a sign-in of an account still cooling down after a
        flood, before any lookup or password hash."""
        until = self._cooling.get(name_key)
        if until is not None and now < until:
            wait = math.ceil((until - now) * 100) / 100
            raise Refusal(
                ErrorCode.RATE_LIMITED,
                f"this account was cut off for flooding; sign in again in {wait:g} s",
                retry_after=wait,
            )

    def wait(self, account_id: int, request: ClientRequest, now: float) -> float:
        """Spend the account's allowance on ``request``: 0.0 if it may go, else how long
        to wait before it would."""
        if not self.limits.enabled:
            return 0.0
        kind = kind_of(request)
        rate = self._rates[kind]
        wait = self._bucket(account_id, kind, now).take(rate, now)
        if self.shared and not wait:
            self._spent[(account_id, kind)] = self._spent.get((account_id, kind), 0) + 1
        return wait

    def charge(self, account_id: int, kind: Kind, tokens: int, now: float) -> None:
        """Count ``tokens`` the account spent on ``kind`` on another process."""
        if self.limits.enabled:
            self._bucket(account_id, kind, now).charge(self._rates[kind], now, tokens)

    def drain(self) -> tuple[dict[tuple[int, Kind], int], list[str]]:
        """What was spent and who was cut off here since the last call, to share."""
        spent, cut_off = self._spent, self._cut_off
        self._spent, self._cut_off = {}, []
        return spent, cut_off

    def _bucket(self, account_id: int, kind: Kind, now: float) -> Bucket:
        bucket = self._buckets.get((account_id, kind))
        if bucket is None:
            rate = self._rates[kind]
            bucket = self._buckets[(account_id, kind)] = Bucket(float(rate.burst), now)
        return bucket

    def prune(self, now: float) -> None:
        """Forget buckets that have filled up again, every :data:`PRUNE_EVERY` seconds."""
        if now - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now
        full = [k for k, b in self._buckets.items() if b.full(self._rates[k[1]], now)]
        for key in full:
            del self._buckets[key]
        for name_key in [k for k, until in self._cooling.items() if until <= now]:
            del self._cooling[name_key]


def refusal(retry_after: float) -> Refusal:
    wait = math.ceil(retry_after * 100) / 100
    return Refusal(
        ErrorCode.RATE_LIMITED,
        f"too many requests of this kind; try again in {wait:g} s",
        retry_after=wait,
    )
