"""Password hashing (argon2id) away from the event loop, at the lowest CPU priority.

Hashes run in threads of their own, so a storm of sign-ins never stalls the event loop
that everyone else's messages go through: on a busy core the scheduler always prefers
the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

T = TypeVar("T")
CLEAN_RESERVE = 2
"""Places in the hashing queue beyond ``--hash-queue`` that only clean requests may take."""

# OWASP's recommended argon2id settings: 19 MiB, 2 passes, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _lowest_priority() -> None:
    """Make the calling thread (only it: on Linux both are per thread) yield to all others.

    SCHED_IDLE runs it only when nothing else wants the core, and the event loop preempts
    it the moment it wakes; where that policy is missing, niceness 19 comes close.
    """
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _usable_cores() -> int:
    """The cores this process may run on (Linux), or all of them where that is unknown."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


_hashing = ThreadPoolExecutor(
    max_workers=max(1, _usable_cores() - 1),
    thread_name_prefix="hubbub-password",
    initializer=_lowest_priority,
)
"""One core is left to the event loop; hashes queue for the others."""


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Argon2Passwords:
    """The hub's :class:`~hubbub.hub.Passwords`: argon2id in the hashing threads.

    At most ``queue`` hashes wait or run at once (None: no bound); past that a hash is
    not queued at all and the answer is None, so a storm of guesses cannot make an
    honest sign-in wait behind it for more than ``queue`` hashes' time. :data:`CLEAN_RESERVE`
    more places are kept for ``clean`` requests (the hub's word: from a name and an address
    without recent failures), so guesses from many addresses, which soon are not clean,
    cannot fill every place either.
    """

    def __init__(self, queue: int | None = None) -> None:
        self.queue = queue
        self.pending = 0

    async def hash(self, password: str, clean: bool = False) -> str | None:
        return await self._run(clean, _hasher.hash, password)

    async def verify(self, password_hash: str, password: str, clean: bool = False) -> bool | None:
        return await self._run(clean, _verify, password_hash, password)

    async def _run(self, clean: bool, work: Callable[..., T], *args: str) -> T | None:
        room = None if self.queue is None else self.queue + (CLEAN_RESERVE if clean else 0)
        if room is not None and self.pending >= room:
            return None
        self.pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(_hashing, work, *args)
        finally:
            self.pending -= 1


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``, here and now (blocking: for ``hubbub admin``)."""
    return _hasher.hash(password)
