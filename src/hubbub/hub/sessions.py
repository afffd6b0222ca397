"""A user's sessions: signing out (here or everywhere), listing, revoking, changing the password.

A session is one token. Whatever ends a session ends it on every connection using it: the
hub signs those connections out and closes them (:data:`~hubbub.hub.hub.SIGNED_OUT`) once
the store has forgotten the token. The store never lets a token sign-in through once a
revocation of it is on its way (store/accounts.py), so a sign-in with the token either
fails or has attached by the time the revocation's decision runs, which then ends it
too. ``sign_out`` also ends its connections at once, before the write, as the request
says "now".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hubbub.hub.cluster_sessions import SessionsEnded, end_sessions
from hubbub.hub.decision import Decision
from hubbub.hub.effects import (
    FindAccount,
    HashPassword,
    ListSessions,
    RevokeSessionId,
    RevokeToken,
    RevokeTokens,
    SetPassword,
    Together,
    VerifyPassword,
)
from hubbub.hub.outbox import ConnId
from hubbub.hub.session import busy, check_password
from hubbub.hub.throttle import host_of
from hubbub.protocol import (
    ChangePassword,
    ErrorCode,
    Ok,
    Refusal,
    RevokeSession,
    SessionInfo,
    SessionList,
    Sessions,
    SignOut,
)
from hubbub.store import Account, SessionRecord, session_id

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub

_SESSION_ID = re.compile(r"[0-9a-f]{16}")


def sign_out(hub: Hub, conn: ConnId, request: SignOut, now: float) -> Decision:
    """End this session (every connection using its token) or, ``everywhere``, all of them;
    this connection stays open, signed out."""
    user = hub.signed_in(conn)
    token = hub.session_token(conn)
    revoke: RevokeToken | RevokeTokens = (
        RevokeTokens(user.account_id) if request.everywhere else RevokeToken(token)
    )
    mine = () if request.everywhere else (session_id(token),)
    ending = SessionsEnded(user.account_id, mine, but=request.everywhere)

    def revoked(_: None) -> Decision:
        # Again once stored: a sign-in with the token that the store let through just
        # before the revocation has attached by now (token uses commit in order with it).
        out = end_sessions(hub, ending, now, spare=conn)
        return Decision.answer(conn, Ok(id=request.id), out)

    out = hub.end_sessions(user.account_id, now, ended=ending.ends, spare=conn)
    decision = Decision.after(revoke, revoked, out)
    return decision.logged("sign_out", "everywhere" if request.everywhere else "")


def sessions(hub: Hub, conn: ConnId, request: Sessions, wall: float) -> Decision:
    user = hub.signed_in(conn)
    current = session_id(hub.session_token(conn))
    connected = hub.sessions_in_use(user.account_id)

    def listed(records: list[SessionRecord]) -> Decision:
        infos = [
            SessionInfo(
                id=record.id,
                device=record.device,
                address=record.address,
                created=record.created_at,
                last_seen=record.last_seen,
                current=record.id == current,
                connected=record.id in connected,
            )
            for record in records
        ]
        return Decision.answer(conn, SessionList(id=request.id, sessions=infos))

    return Decision.after(ListSessions(user.account_id, wall - hub.token_idle), listed)


def revoke_session(hub: Hub, conn: ConnId, request: RevokeSession, now: float) -> Decision:
    """End one of the user's sessions by its id; revoking the current one is signing out."""
    user = hub.signed_in(conn)
    wanted = request.session

    def unknown() -> Refusal:
        return Refusal(ErrorCode.UNKNOWN_SESSION, f"you have no session {wanted!r}")

    if not _SESSION_ID.fullmatch(wanted):
        raise unknown()

    def revoked(found: bool) -> Decision:
        if not found:
            raise unknown()
        out = end_sessions(hub, SessionsEnded(user.account_id, (wanted,)), now, spare=conn)
        return Decision.answer(conn, Ok(id=request.id), out).logged("revoke_session", wanted)

    return Decision.after(RevokeSessionId(user.account_id, wanted), revoked)


def change_password(hub: Hub, conn: ConnId, request: ChangePassword, now: float) -> Decision:
    """Check the old password (a wrong one counts as a failed sign-in), store the new one's
    hash, and end every other session of the account; this one goes on."""
    user = hub.signed_in(conn)
    token = hub.session_token(conn)
    new = check_password(request.new)
    old = check_password(request.old)
    attempt = hub.throttle.attempt(user.key, host_of(hub.peer_of(conn)), now)

    def found(account: Account | None) -> Decision:
        if account is None:
            raise Refusal(ErrorCode.UNKNOWN_USER, "your account no longer exists")
        return Decision.after(VerifyPassword(account.password_hash, old), verified)

    def verified(right: bool | None) -> Decision:
        hub.throttle.checked(attempt, right)
        if right is None:
            raise busy()
        if not right:
            raise Refusal(ErrorCode.WRONG_PASSWORD, f"wrong password for {user.name}")
        return Decision.after(HashPassword(new), hashed)

    def hashed(password_hash: str | None) -> Decision:
        if password_hash is None:
            raise busy()
        change = Together(
            [SetPassword(user.account_id, password_hash), RevokeTokens(user.account_id, token)]
        )
        return Decision.after(change, changed)

    def changed(_: object) -> Decision:
        others = SessionsEnded(user.account_id, (session_id(token),), but=True)
        out = end_sessions(hub, others, now)
        return Decision.answer(conn, Ok(id=request.id), out).logged("change_password")

    return Decision.after(FindAccount(user.key), found)
