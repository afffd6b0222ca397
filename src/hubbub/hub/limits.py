"""Every limit the server sets on one account or one address, with its default.

A person chatting never meets one: they are there so that one account or one machine
cannot take the server from everybody else. ``Limits.off()`` (``hubbub serve
--no-limits``) lifts every per-account and per-address limit, for load tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Rate:
    """A token bucket: ``burst`` requests at once, then ``per_second`` on average."""

    burst: int
    per_second: float


@dataclass(frozen=True, slots=True)
class Limits:
    """Each field but ``enabled`` is a ``hubbub serve`` flag (``--messages-limit 10,2``)."""

    enabled: bool = True
    """False: no per-account or per-address limit applies (``--no-limits``)."""
    messages: Rate = field(
        default_factory=lambda: Rate(10, 2.0),
        metadata={"help": "say, message_user, edit_message, delete_message, per account"},
    )
    status: Rate = field(
        default_factory=lambda: Rate(5, 0.5),
        metadata={
            "help": "set_status, request_chat, answer_chat, end_chat, set_topic, join_room,"
            " leave_room, per account"
        },
    )
    calc: Rate = field(
        default_factory=lambda: Rate(10, 1.0), metadata={"help": "calc, per account"}
    )
    requests: Rate = field(
        default_factory=lambda: Rate(60, 20.0),
        metadata={"help": "every other request, per account"},
    )
    flood_strikes: int = field(
        default=30,
        metadata={"help": "rate_limited refusals in a row before a connection is closed"},
    )
    name_failures: Rate = field(
        default_factory=lambda: Rate(5, 0.1),
        metadata={"help": "password sign-ins that fail, per account name"},
    )
    address_failures: Rate = field(
        default_factory=lambda: Rate(20, 0.2),
        metadata={"help": "password sign-ins that fail, per client address"},
    )
    sign_ups: Rate = field(
        default_factory=lambda: Rate(30, 0.01),
        metadata={"help": "new accounts, per client address"},
    )
    flood_cooldown: float = field(
        default=10.0,
        metadata={"help": "seconds an account closed for flooding may not sign in again"},
    )
    hash_queue: int = field(
        default=8,
        metadata={
            "help": "password hashes queued or running at once; more are refused busy (0: no bound)"
        },
    )

    @classmethod
    def off(cls) -> Limits:
        return cls(enabled=False)
