"""IRC's OPER: whether a name and password are those of a server admin.

The IRC listener asks this of the hub for ``OPER name password``. A right answer is
``ok`` (the connection then shows as an IRC operator: it proved it holds an admin's
password); a wrong password, or an account that is not an admin's, is ``not_allowed``.
Attempts count against the sign-in throttle of the name and the address, like sign-ins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.hub.decision import Decision
from hubbub.hub.effects import FindAccount, VerifyPassword
from hubbub.hub.inputs import normalise_name
from hubbub.hub.outbox import ConnId
from hubbub.hub.session import busy, check_password
from hubbub.hub.throttle import host_of
from hubbub.protocol import ErrorCode, Ok, Refusal, RequestId
from hubbub.store import Account

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub


def check_operator(
    hub: Hub, conn: ConnId, request_id: RequestId, name: str, password: str, now: float
) -> Decision:
    """Answer ``ok`` if ``name`` is a server admin whose password is ``password``."""
    _, key = normalise_name(name)
    password = check_password(password)
    host = host_of(hub.peer_of(conn))
    clean = hub.throttle.clean(key, host, now)
    attempt = hub.throttle.attempt(key, host, now)
    refused = Refusal(ErrorCode.NOT_ALLOWED, "not a server admin's name and password")

    def found(account: Account | None) -> Decision:
        if account is None or not hub.is_admin(account.id):
            hub.throttle.checked(attempt, False)
            raise refused
        return Decision.after(VerifyPassword(account.password_hash, password, clean), verified)

    def verified(right: bool | None) -> Decision:
        hub.throttle.checked(attempt, right)
        if right is None:
            raise busy()
        if not right:
            raise refused
        return Decision.answer(conn, Ok(id=request_id))

    return Decision.after(FindAccount(key), found)
