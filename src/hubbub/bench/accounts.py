"""The simulated users' accounts: seeded straight into a fresh database, or claimed over the wire.

Claiming 10,000 names through the protocol would cost 10,000 argon2id hashes (some 25 ms
each): minutes of set-up. So when the benchmark starts its own server it fills the empty
database first, through the store: one hash shared by every account (they all have the
same password), a session token each, and a place in the Lobby (as a first sign-in would
give); clients then sign in with their token. Against a running server (``--url``) the
first sign-in with the password claims each name instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from argon2 import PasswordHasher

from hubbub.bench.rooms import PlannedRoom
from hubbub.hub import normalise_name
from hubbub.protocol import LOBBY
from hubbub.store import RoomRecord, open_store

SEED_BATCH = 500
"""Accounts created per round trip to the store's writer (one transaction each)."""

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
"""argon2id with the server's parameters (OWASP: 19 MiB, 2 passes, 1 lane)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """How a simulated user signs in: with ``token`` when there is one, else ``password``."""

    name: str
    password: str
    token: str | None = None


def make_accounts(run: str, kind: str, count: int, password: str) -> list[Credentials]:
    """``count`` fresh names of the run, e.g. ``3fa2c1-u00042`` (``kind`` tells groups apart)."""
    return [Credentials(f"{run}-{kind}{i:05d}", password) for i in range(count)]


async def seed(
    where: Path | str,
    accounts: Sequence[Credentials],
    into: list[Credentials],
    rooms: Sequence[PlannedRoom] = (),
) -> None:
    """Create the accounts in the database (a data dir's SQLite file, or a URL), each with a
    token and in the Lobby, and then the rooms with their members, before the server runs.

    Every account is appended to ``into`` with its token once it is committed (a caller can
    watch its length for progress). All of them must share one password.
    """
    if len({account.password for account in accounts}) > 1:
        raise ValueError("seeded accounts share one password hash, so one password")
    store = await open_store(where)
    try:
        hashed = await asyncio.to_thread(_hasher.hash, accounts[0].password) if accounts else ""
        members: list[tuple[int, str]] = []
        for start in range(0, len(accounts), SEED_BATCH):
            chunk = accounts[start : start + SEED_BATCH]
            created = await asyncio.gather(
                *(store.create_account(*normalise_name(a.name), hashed) for a in chunk)
            )
            await asyncio.gather(*(store.add_member(LOBBY, a.id) for a in created))
            tokens = await asyncio.gather(*(store.issue_token(a.id) for a in created))
            await asyncio.gather(*(store.add_member(LOBBY, a.id) for a in created))
            into.extend(replace(a, token=t) for a, t in zip(chunk, tokens, strict=True))
            members += ((a.id, a.name) for a in created)
        for room in rooms:
            record = RoomRecord(
                room.id,
                *normalise_name(room.name),
                topic="",
                private=False,
                owner_id=members[room.members[0]][0] if room.members else None,
                created_at=time.time(),
                members=tuple(members[i] for i in room.members),
            )
            await store.create_room(record)
    finally:
        await store.close()
