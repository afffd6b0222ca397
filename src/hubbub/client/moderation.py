"""The client's moderation and administration requests: roles, kicks, mutes, bans, blocks, audit."""

from __future__ import annotations

from hubbub import protocol
from hubbub.client.session import Session


class ModerationRequests:
    """Requests for room moderators, server admins, and anyone blocking someone.

    A refusal raises :class:`RequestFailed` with its code (``not_allowed`` for someone
    without the role, ``not_a_member``, ``unknown_user``…), as for every request.
    """

    _session: Session

    def _next(self) -> int:
        return self._session.next_id()

    async def _ok(self, request: protocol.Request) -> None:
        await self._session.call(request, protocol.Ok)

    async def set_role(self, room: str, user: str, role: protocol.RoomRole) -> None:
        """Make a member of ``room`` a moderator or a plain member (owner or admin only)."""
        await self._ok(protocol.SetRole(id=self._next(), room=room, user=user, role=role))

    async def kick(self, room: str, user: str, reason: str = "") -> None:
        """Take ``user`` out of ``room``; they may join again."""
        await self._ok(protocol.Kick(id=self._next(), room=room, user=user, reason=reason))

    async def mute(self, room: str, user: str, seconds: int, reason: str = "") -> None:
        """Stop ``user`` writing in ``room`` for ``seconds``."""
        request = protocol.Mute(
            id=self._next(), room=room, user=user, seconds=seconds, reason=reason
        )
        await self._ok(request)

    async def unmute(self, room: str, user: str) -> None:
        await self._ok(protocol.Unmute(id=self._next(), room=room, user=user))

    async def ban(self, room: str, user: str, reason: str = "") -> None:
        """Take ``user`` out of ``room`` until :meth:`unban`."""
        await self._ok(protocol.Ban(id=self._next(), room=room, user=user, reason=reason))

    async def unban(self, room: str, user: str) -> None:
        await self._ok(protocol.Unban(id=self._next(), room=room, user=user))

    async def ban_account(self, user: str, reason: str = "") -> None:
        """Ban ``user`` from the server: sessions end, sign-in is refused (admins only)."""
        await self._ok(protocol.BanAccount(id=self._next(), user=user, reason=reason))

    async def unban_account(self, user: str) -> None:
        await self._ok(protocol.UnbanAccount(id=self._next(), user=user))

    async def block(self, user: str) -> None:
        """No more direct messages or chat requests between you and ``user``."""
        await self._ok(protocol.Block(id=self._next(), user=user))

    async def unblock(self, user: str) -> None:
        await self._ok(protocol.Unblock(id=self._next(), user=user))

    async def blocked(self) -> list[str]:
        """The names of the users you block."""
        reply = await self._session.call(protocol.Blocked(id=self._next()), protocol.BlockedList)
        return reply.blocked

    async def audit(self, *, before: int | None = None, limit: int = 50) -> protocol.AuditPage:
        """A page of the audit log, newest first (admins only); ``next_before`` pages on."""
        request = protocol.Audit(id=self._next(), before=before, limit=limit)
        return await self._session.call(request, protocol.AuditPage)
