"""Ending sessions on the pure hub: every connection using the token is signed out and
closed at once, the requester stays open signed out, parked sessions are forgotten."""

from __future__ import annotations

from hubbub.hub import Decision, Hub, handle
from hubbub.hub.effects import RevokeToken, RevokeTokens
from hubbub.hub.hub import SIGNED_OUT
from hubbub.protocol import SignOut


def ann_on_four_connections() -> Hub:
    """ann on 1 and 2 with token "laptop", on 3 with "phone"; bob on 4."""
    hub = Hub()
    for conn, account, name, token in (
        (1, 1, "ann", "laptop"),
        (2, 1, "ann", "laptop"),
        (3, 1, "ann", "phone"),
        (4, 2, "bob", "bobs"),
    ):
        hub.connect(conn, f"127.0.0.1:{conn}", 0.0)
        hub.attach(conn, account, name, name, token, 0.0)
    return hub


def closed(decision: Decision) -> list[tuple[int, int]]:
    return [(conn, code) for conn, code, _ in decision.out.closes]


def test_sign_out_closes_the_other_connections_with_the_same_token() -> None:
    hub = ann_on_four_connections()
    decision = handle(hub, 1, SignOut(id=1), 1.0, 1.0)

    assert decision.effect == RevokeToken("laptop")
    assert closed(decision) == [(2, SIGNED_OUT)]
    assert hub.user_of(1) is None
    assert hub.user_of(2) is None
    assert hub.user_of(3) is not None
    assert hub.connected(1)


def test_sign_out_everywhere_closes_every_other_connection_of_the_account() -> None:
    hub = ann_on_four_connections()
    decision = handle(hub, 1, SignOut(id=1, everywhere=True), 1.0, 1.0)

    assert decision.effect == RevokeTokens(1)
    assert sorted(closed(decision)) == [(2, SIGNED_OUT), (3, SIGNED_OUT)]
    assert hub.online("ann") is None
    assert hub.user_of(4) is not None


def test_a_sign_in_that_attached_while_the_revocation_was_stored_is_ended_too() -> None:
    hub = ann_on_four_connections()
    decision = handle(hub, 3, SignOut(id=1), 1.0, 1.0)
    hub.connect(5, "127.0.0.1:5", 1.0)
    hub.attach(5, 1, "ann", "ann", "phone", 1.0)

    assert decision.then is not None
    after = decision.then(None)
    assert [(conn, code) for conn, code, _ in after.out.closes] == [(5, SIGNED_OUT)]
    assert hub.user_of(5) is None


def test_a_parked_session_of_the_token_is_forgotten() -> None:
    hub = ann_on_four_connections()
    hub.disconnect(3, clean=False, now=1.0)
    assert hub.tokens_of(1) == {"laptop", "phone"}

    handle(hub, 1, SignOut(id=1, everywhere=True), 2.0, 2.0)
    assert hub.tokens_of(1) == set()
    assert hub.online("ann") is None
