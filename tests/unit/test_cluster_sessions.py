"""Sessions ended on one process end on the others (hub/cluster_sessions.py)."""

from __future__ import annotations

from cluster_town import WALL, Cluster

from hubbub.hub.decision import Decision
from hubbub.hub.handle import handle
from hubbub.hub.hub import SIGNED_OUT
from hubbub.protocol import SignOut


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
