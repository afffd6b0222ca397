"""Who is in which room in ``hubbub bench fanout --rooms K``: decided once, the same every run."""

from __future__ import annotations

from collections import Counter

from hubbub.bench.rooms import ROOMS_PER_CLIENT, plan_rooms


def memberships(rooms: int, clients: int, senders: int) -> Counter[int]:
    plan = plan_rooms("abc123", rooms, clients, senders)
    return Counter(member for room in plan for member in room.members)


def test_every_client_is_in_three_rooms_and_every_sender_in_all() -> None:
    counts = memberships(10, 500, 5)

    assert [counts[sender] for sender in range(5)] == [10] * 5
    assert {counts[client] for client in range(5, 500)} == {ROOMS_PER_CLIENT}


def test_with_fewer_rooms_than_three_everyone_is_in_all_of_them() -> None:
    plan = plan_rooms("abc123", 2, 7, 1)

    assert [room.members for room in plan] == [tuple(range(7))] * 2


def test_the_same_size_gives_the_same_rooms_on_every_run() -> None:
    first, second = plan_rooms("abc123", 10, 100, 5), plan_rooms("def456", 10, 100, 5)

    assert [room.members for room in first] == [room.members for room in second]
    assert len({room.id for room in first + second}) == 20


def test_room_ids_and_names_are_valid_and_the_run_tells_them_apart() -> None:
    plan = plan_rooms("abc123", 50, 10, 1)

    assert all(room.id.startswith("room:abc123") and len(room.id) == 21 for room in plan)
    assert all(room.name.startswith("abc123-r") and len(room.name) <= 32 for room in plan)
    assert len({room.name for room in plan}) == 50


def test_rooms_are_about_the_same_size() -> None:
    sizes = [len(room.members) for room in plan_rooms("abc123", 10, 500, 5)]

    assert sum(sizes) == 5 * 10 + 495 * ROOMS_PER_CLIENT
    assert max(sizes) - min(sizes) < 60
