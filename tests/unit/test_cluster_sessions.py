"""Sessions across processes: those ended on one end on the others (hub/cluster_sessions.py),
and every process lists which are in use anywhere."""

from __future__ import annotations

from cluster_town import WALL, Cluster, frames

from hubbub.hub.cluster import encode_envelope
from hubbub.hub.decision import Decision
from hubbub.hub.effects import ListSessions
from hubbub.hub.handle import handle
from hubbub.hub.hub import SIGNED_OUT
from hubbub.protocol import Sessions, SignOut
from hubbub.store import SessionRecord, session_id


def signed_in_on_both(town: Cluster, token_b: str) -> None:
    """alice (account 1) on "a" with token t1 (connection 1), and on "b" with ``token_b``
    (connection 11)."""
    town.sign_in("a", 1)
    town["b"].connect(11, "127.0.0.1:5011", 0.0)
    town.carry("b", town["b"].attach(11, 1, "alice", "alice", token_b, 0.0))


def stored(decision: Decision) -> Decision:
    """The decision once its store write has committed."""
    assert decision.then is not None
    return decision.then(None)


def test_signing_out_closes_the_same_session_on_the_other_process() -> None:
    town = Cluster("a", "b")
    signed_in_on_both(town, "t1")

    heard = town.carry("a", stored(handle(town["a"], 1, SignOut(id=1), 1.0, WALL)).out, 1.0)

    assert heard["b"].closes == [(11, SIGNED_OUT, "this session ended")]


def test_signing_out_leaves_another_session_open_on_the_other_process() -> None:
    town = Cluster("a", "b")
    signed_in_on_both(town, "t-phone")

    heard = town.carry("a", stored(handle(town["a"], 1, SignOut(id=1), 1.0, WALL)).out, 1.0)

    assert heard["b"].closes == []


def test_signing_out_everywhere_closes_every_session_on_the_other_process() -> None:
    town = Cluster("a", "b")
    signed_in_on_both(town, "t-phone")

    request = SignOut(id=1, everywhere=True)
    heard = town.carry("a", stored(handle(town["a"], 1, request, 1.0, WALL)).out, 1.0)

    assert heard["b"].closes == [(11, SIGNED_OUT, "this session ended")]


PHONE = "phone-token-3f9a"


def connected_sessions(town: Cluster, node: str, conn: int, *tokens: str) -> dict[str, bool]:
    """What ``conn`` on ``node`` is told of the sessions of these tokens: in use or not."""
    decision = handle(town[node], conn, Sessions(id=7), 2.0, WALL)
    assert isinstance(decision.effect, ListSessions)
    assert decision.then is not None
    records = [SessionRecord(session_id(token), None, None, 1.0, 1.0) for token in tokens]
    reply = next(f for f in frames(decision.then(records).out, conn) if f["type"] == "ok")
    ids = {session_id(token): token for token in tokens}
    return {ids[s["id"]]: s["connected"] for s in reply["sessions"]}


def test_a_session_in_use_only_on_the_other_process_is_listed_as_connected() -> None:
    town = Cluster("a", "b")
    signed_in_on_both(town, PHONE)

    assert connected_sessions(town, "a", 1, "t1", PHONE, "t-old") == {
        "t1": True,
        PHONE: True,
        "t-old": False,
    }
    town.carry("b", town["b"].disconnect(11, clean=False, now=1.0), 1.0)
    assert connected_sessions(town, "a", 1, PHONE) == {PHONE: True}, "in its grace period"
    town.tick(1.0 + town["b"].grace)
    assert connected_sessions(town, "a", 1, PHONE) == {PHONE: False}


def test_a_new_session_on_the_other_process_is_listed_while_another_one_stays() -> None:
    town = Cluster("a", "b")
    signed_in_on_both(town, "t-laptop")
    town["b"].connect(12, "127.0.0.1:5012", 0.0)
    town.carry("b", town["b"].attach(12, 1, "alice", "alice", PHONE, 0.0))
    assert connected_sessions(town, "a", 1, "t-laptop", PHONE) == {"t-laptop": True, PHONE: True}

    town.carry("b", town["b"].disconnect(12, clean=True, now=1.0), 1.0)
    assert connected_sessions(town, "a", 1, "t-laptop", PHONE) == {"t-laptop": True, PHONE: False}


def test_the_bus_carries_session_ids_never_tokens() -> None:
    town = Cluster("a", "b")
    town["b"].connect(11, "127.0.0.1:5011", 0.0)
    shared = town["b"].attach(11, 1, "alice", "alice", PHONE, 0.0).ops

    sent = encode_envelope("b", shared)
    assert session_id(PHONE).encode() in sent
    assert PHONE.encode() not in sent
