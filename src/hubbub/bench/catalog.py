"""The scenarios as the command line knows them: names, sizes, fixed parameters, targets.

Light to import (``hubbub --help`` and ``hubbub status`` load it): the code that drives a
scenario, ``scenarios/<name>.py``, is imported only when the scenario runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from hubbub.bench.report import Metric, Target

if TYPE_CHECKING:
    from hubbub.bench.run import Run

SENDERS = 5
"""fanout: how many of the clients send."""
PAIRS_SEED = 1
"""dm: the same senders and recipients on every run of the same size."""
CHATTERS = 3
"""signin: clients signed in beforehand that chat during the password storm."""
CHAT_INTERVAL = 0.02
"""signin: seconds between two lobby messages of one chatting client."""
WINDOW_SECONDS = 5.0
"""soak: acknowledgement latency is told per window of this many seconds of sending."""
RECONNECTS_PER_SECOND = 2.0
"""soak: how often one of the clients that come and go signs in again."""
SLOW_WINDOW_MS = 100.0
"""soak: a window whose acknowledgement p99 is above this counts as a stall."""


@dataclass(frozen=True, slots=True)
class Load:
    """The size of a run. Each scenario uses some of these, its ``knobs``."""

    clients: int = 0
    messages: int = 0
    rate: float = 0.0
    duration: float = 0.0
    password_clients: int = 0
    in_flight: int = 0
    """fanout: messages sent and not yet answered, all senders together."""
    rooms: int = 0
    """fanout: rooms to post to (0: the lobby); see ``hubbub.bench.rooms``."""
    irc: int = 0
    """fanout: how many of the clients are on hubbub's IRC listener (the last ones)."""


Measure = Callable[["Run", Load], Awaitable[list[Metric]]]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A load to put on the server, named on the command line.

    ``accounts`` says how many accounts to seed for a load. ``constants`` are fixed
    parameters, reported with the knobs. The latency of the run's messages is reported
    as ``latency_name`` p50, p99 (judged against ``p99``) and max (against ``most``);
    ``latency_of`` says which messages were timed. ``on_irc`` scenarios can also run on
    InspIRCd (``--against inspircd``).
    """

    name: str
    summary: str
    defaults: Load
    knobs: tuple[str, ...]
    constants: Mapping[str, float]
    latency_of: str
    accounts: Callable[[Load], int]
    latency_name: str = "latency"
    p99: Target | None = None
    most: Target | None = None
    on_irc: bool = False
    """Whether ``--against inspircd`` can run it too."""
    irc_lobby: bool = False
    """Whether its IRC clients join the lobby's channel (joins cost N²/2 lines)."""

    def measure(self) -> Measure:
        """``measure(run, load)`` of ``scenarios/<name>.py``: drives the load, returns the
        headline metrics."""
        module = importlib.import_module(f"hubbub.bench.scenarios.{self.name}")
        return cast(Measure, module.measure)


SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            name="fanout",
            summary="N clients in the lobby (or each in 3 of K rooms); M messages from 5 "
            "senders, at most 20 in flight",
            defaults=Load(clients=500, messages=2000, in_flight=20),
            knobs=("clients", "messages", "in_flight", "rooms", "irc"),
            constants={"senders": SENDERS},
            latency_of="each delivery but the sender's own",
            accounts=lambda load: load.clients,
            on_irc=True,
            irc_lobby=True,
        ),
        Scenario(
            name="dm",
            summary="N clients; random direct messages at a fixed offered rate for a duration",
            defaults=Load(clients=1000, rate=2000, duration=10),
            knobs=("clients", "rate", "duration"),
            constants={"pairs_seed": PAIRS_SEED},
            latency_of="direct messages at the recipient",
            accounts=lambda load: load.clients,
            p99=Target("<=", 2),
            most=Target("<=", 20),
            on_irc=True,
        ),
        Scenario(
            name="idle",
            summary="N signed-in connections doing nothing: server memory per connection",
            defaults=Load(clients=10_000),
            knobs=("clients",),
            constants={},
            latency_of="one lobby message to every connection",
            accounts=lambda load: load.clients,
            on_irc=True,
        ),
        Scenario(
            name="signin",
            summary="N token sign-ins at once; then P password sign-ups while a few clients chat",
            defaults=Load(clients=1000, password_clients=200),
            knobs=("clients", "password_clients"),
            constants={"chatting_clients": CHATTERS, "chat_interval_s": CHAT_INTERVAL},
            latency_of="lobby messages between chatting clients during the password storm",
            accounts=lambda load: load.clients + CHATTERS,
            latency_name="lobby latency during the storm",
            p99=Target("<", 10),
        ),
        Scenario(
            name="soak",
            summary="N clients in the lobby, a tenth coming and going; a light steady stream "
            "of lobby messages: acknowledgement p50/p99 per 5 s window",
            defaults=Load(clients=150, rate=10, duration=60),
            knobs=("clients", "rate", "duration"),
            constants={
                "window_s": WINDOW_SECONDS,
                "reconnects_per_s": RECONNECTS_PER_SECOND,
                "slow_window_ms": SLOW_WINDOW_MS,
            },
            latency_of="lobby messages at the clients that stay",
            accounts=lambda load: load.clients,
        ),
    )
}
