"""The rooms of ``fanout --rooms K``: who is in which, decided before the run and seeded.

Every client is in ``ROOMS_PER_CLIENT`` of the K rooms (all of them when K is smaller),
drawn at random with a fixed seed, so the same size gives the same rooms on every run.
The senders (the first ``senders`` accounts) are in every room, so that each of them can
post to the rooms in turn. Everyone is in the Lobby too, as every account is, but
nothing is said there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ROOMS_PER_CLIENT = 3
ROOMS_SEED = 1
"""The same members in the same rooms on every run of the same size."""


@dataclass(frozen=True, slots=True)
class PlannedRoom:
    """A room to seed: its id, its name, and its members as indexes into the accounts."""

    id: str
    name: str
    members: tuple[int, ...]


def plan_rooms(run: str, rooms: int, clients: int, senders: int) -> list[PlannedRoom]:
    """``rooms`` rooms for ``clients`` accounts, of which the first ``senders`` send."""
    each = min(ROOMS_PER_CLIENT, rooms)
    draw = random.Random(ROOMS_SEED)
    joined: list[list[int]] = [[] for _ in range(rooms)]
    for client in range(clients):
        chosen = range(rooms) if client < senders else draw.sample(range(rooms), each)
        for room in chosen:
            joined[room].append(client)
    return [
        PlannedRoom(f"room:{run}{k:010x}", f"{run}-r{k:05d}", tuple(members))
        for k, members in enumerate(joined)
    ]
