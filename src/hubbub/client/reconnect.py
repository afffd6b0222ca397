"""How long and how often the client tries to resume a session after its connection drops."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Exponential backoff with jitter, bounded by attempts and by time.

    The wait before attempt *n* is a random 50-100 % of ``first_delay * 2**(n-1)``, capped
    at ``max_delay``. The client gives up after ``max_attempts`` attempts or once the next
    attempt would start more than ``give_up_after`` seconds after the drop (``None``: no bound).
    """

    first_delay: float = 0.1
    max_delay: float = 5.0
    max_attempts: int | None = None
    give_up_after: float | None = 120.0

    def __post_init__(self) -> None:
        if not 0 < self.first_delay <= self.max_delay:
            raise ValueError("reconnect delays need 0 < first_delay <= max_delay")

    def delays(self) -> Iterator[float]:
        """The wait before each attempt, in order; finite when ``max_attempts`` is set."""
        attempts = itertools.count() if self.max_attempts is None else range(self.max_attempts)
        ceiling = self.first_delay
        for _ in attempts:
            yield random.uniform(ceiling / 2, ceiling)
            ceiling = min(ceiling * 2, self.max_delay)
