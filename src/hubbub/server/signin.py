"""Signing in and out: claim a free name, check a password or a token, resume a session.

Password hashing (argon2id) runs in threads of its own at the lowest CPU priority, so
a storm of sign-ins never stalls the event loop that everyone else's messages go
through: on a busy core the scheduler always prefers the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hubbub.hub import normalise_name
from hubbub.protocol import LOBBY, ErrorCode, Ok, Refusal, SignedIn, SignIn, SignOut, encode
from hubbub.server.outbound import text_frame
from hubbub.server.replay import replay
from hubbub.store import Account, NameTaken

if TYPE_CHECKING:
    from hubbub.hub import ConnId
    from hubbub.server.server import ChatServer

MAX_PASSWORD_CHARS = 1024
# OWASP's recommended argon2id settings: 19 MiB, 2 passes, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _lowest_priority() -> None:
    """Make the calling thread (only it: Linux niceness is per thread) yield to all others."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


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


async def sign_in(server: ChatServer, conn: ConnId, request: SignIn) -> None:
    """Sign in, answer, then replay what the session missed before any live event."""
    hub = server.hub
    if (current := hub.user_of(conn)) is not None:
        raise Refusal(
            ErrorCode.ALREADY_SIGNED_IN, f"this connection is signed in as {current.name}"
        )
    display, key = normalise_name(request.name)
    if request.token is not None:
        account = await server.store.account_for_token(request.token)
        if account is None or account.name_key != key:
            raise Refusal(
                ErrorCode.INVALID_TOKEN,
                f"this session token is not valid for {display}; sign in with the password",
            )
        token = request.token
    elif request.password is not None:
        account = await _authenticate(server, display, key, request.password)
        token = await server.store.issue_token(account.id)
    else:
        raise Refusal(ErrorCode.INVALID_FIELD, "sign_in needs a password or a token")
    if not hub.connected(conn):
        return
    outbound = server.outbound(conn)
    outbound.hold()
    try:
        server.send(
            hub.sign_in(conn, account.id, account.name, account.name_key, token, account.role)
        )
        user = hub.signed_in(conn)
        signed_in = SignedIn(
            id=request.id,
            name=user.name,
            token=token,
            status=user.status,
            heads={LOBBY: hub.lobby_head},
        )
        outbound.push_now(text_frame(encode(signed_in)))
        sent = await replay(server, conn, account.id, request.since)
    finally:
        if hub.connected(conn):
            outbound.release()
    server.log(conn, "sign_in", f"replayed={sent}" if sent else "")


async def _authenticate(server: ChatServer, display: str, key: str, password: str) -> Account:
    if not 1 <= len(password) <= MAX_PASSWORD_CHARS:
        raise Refusal(
            ErrorCode.INVALID_FIELD, f"a password is 1 to {MAX_PASSWORD_CHARS} characters"
        )
    loop = asyncio.get_running_loop()
    account = await server.store.find_account(key)
    if account is None:
        hashed = await loop.run_in_executor(_hashing, _hasher.hash, password)
        try:
            return await server.store.create_account(display, key, hashed)
        except NameTaken:
            account = await server.store.find_account(key)
            assert account is not None
    if await loop.run_in_executor(_hashing, _verify, account.password_hash, password):
        return account
    if server.hub.online(key) is not None:
        raise Refusal(
            ErrorCode.NAME_IN_USE,
            f"{account.name} is signed in elsewhere; choose another name",
        )
    raise Refusal(ErrorCode.WRONG_PASSWORD, f"wrong password for {account.name}")


async def sign_out(server: ChatServer, conn: ConnId, request: SignOut) -> Ok:
    """End the session for good: presence and chat end now, and the token stops working."""
    token = server.hub.session_token(conn)
    server.log(conn, "sign_out")
    server.send(server.hub.sign_out(conn))
    await server.store.revoke_token(token)
    return Ok(id=request.id)
