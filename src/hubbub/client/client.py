"""The async client: requests as methods, events as a stream, a session that survives drops."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Self

from hubbub import protocol
from hubbub.client.errors import ConnectionLost, RequestFailed
from hubbub.client.events import ClientEvent, EventT
from hubbub.client.moderation import ModerationRequests
from hubbub.client.reconnect import ReconnectPolicy
from hubbub.client.session import Credentials, Session

logger = logging.getLogger("hubbub.client")

DEFAULT_TIMEOUT = 10.0
BUSY_TRIES = 5
"""Sign-ins refused ``busy`` are tried this many times in all."""


class Client(ModerationRequests):
    """A connection to a hubbub server, for applications, bots and tests.

    Use it as ``async with Client.connect(url) as client: ...``, or call :meth:`open` and
    :meth:`close` yourself. Every request method gives up after ``request_timeout`` seconds
    with :class:`TimeoutError` and fails with :class:`RequestFailed` when the server refuses.
    When the connection drops before the reply, :meth:`say` and :meth:`message_user` are
    sent again on the resumed connection with the same ``client_id`` (the server stores a
    send once and answers a resend with the original ``seq``); every other request fails
    with :class:`ConnectionLost` and is never sent again on its own (it may have been
    carried out).

    Once signed in, a connection that drops without :meth:`close` or :meth:`sign_out` is
    resumed (unless ``reconnect=False``): the client signs in again with its session token
    and asks for every message after the last one it delivered, so the application sees
    each message exactly once. Requests made once the drop is noticed wait for the resume,
    within their timeout. :class:`Disconnected` and :class:`Reconnected` events report it.
    """

    def __init__(
        self,
        url: str,
        *,
        reconnect: bool | ReconnectPolicy = True,
        heartbeat: float | None = 15.0,
        request_timeout: float = DEFAULT_TIMEOUT,
        fallbacks: Sequence[str] = (),
    ) -> None:
        if isinstance(reconnect, ReconnectPolicy):
            policy: ReconnectPolicy | None = reconnect
        else:
            policy = ReconnectPolicy() if reconnect else None
        self._session = Session(
            url,
            policy=policy,
            heartbeat=heartbeat,
            request_timeout=request_timeout,
            fallbacks=fallbacks,
        )
        self.url = self._session.url

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        reconnect: bool | ReconnectPolicy = True,
        heartbeat: float | None = 15.0,
        request_timeout: float = DEFAULT_TIMEOUT,
        fallbacks: Sequence[str] = (),
    ) -> Self:
        """A client for the server at ``url``, connecting when entered with ``async with``.

        ``url`` is the server's ``http(s)://`` address (``/ws`` is added) or its WebSocket
        address. ``reconnect`` is True (resume with the default :class:`ReconnectPolicy`),
        False, or a policy. ``heartbeat`` is the ping interval in seconds (None: no pings).
        ``fallbacks`` are more addresses of the same chat (its other processes): a resume
        that cannot reach one server tries the next, in turn.
        """
        return cls(
            url,
            reconnect=reconnect,
            heartbeat=heartbeat,
            request_timeout=request_timeout,
            fallbacks=fallbacks,
        )

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def open(self) -> None:
        """Connect to the server; raises :class:`ConnectionLost` if it cannot be reached."""
        await self._session.open()

    async def close(self) -> None:
        """Close the WebSocket normally (code 1000), which ends the user's presence at once.

        Requests in flight fail with :class:`ConnectionLost`. Events already received can
        still be read; then :meth:`events` ends. Closing twice is harmless.
        """
        await self._session.close()

    # ------------------------------------------------------------------ requests

    async def sign_in(
        self,
        name: str,
        password: str | None = None,
        *,
        token: str | None = None,
        since: Mapping[str, int] | None = None,
        device: str | None = None,
    ) -> protocol.SignedIn:
        """Sign in with a password (the first sign-in with a free name claims it) or a token.

        ``since`` maps conversations to the last ``seq`` the application already has: the
        server sends every later message of those conversations as :class:`protocol.Message`
        events before any live event, and messages at or below those marks are never
        delivered again. Where the server replays only part (``resume_gap``), the client
        pages in the rest with ``history`` and holds that conversation's live messages
        back until then. The reply's ``token`` signs in later without the password.
        ``device`` labels this session in :meth:`sessions`. Refused ``busy`` (the server's
        password checks are queued full), it tries again a little after ``retry_after`` (spread
        out, so that clients refused together do not return together), a few times.
        """
        since = dict(since or {})
        self._session.marks.assume_delivered(since)
        for attempt in range(1, BUSY_TRIES + 1):
            request = protocol.SignIn(
                id=self._id(), name=name, password=password, token=token, since=since, device=device
            )
            try:
                signed_in = await self._session.call(request, protocol.SignedIn)
                break
            except RequestFailed as exc:
                if exc.code is not protocol.ErrorCode.BUSY or attempt == BUSY_TRIES:
                    raise
                await asyncio.sleep((exc.retry_after or 1.0) * random.uniform(1.0, 1.5))
        self._session.signed_in(Credentials(signed_in.name, signed_in.token))
        self._session.marks.signed_in(signed_in.heads)
        return signed_in

    async def sign_out(self, *, everywhere: bool = False) -> None:
        """End the session: every connection using its token is closed (4012) and this
        client stops resuming. ``everywhere``: end every session of the account."""
        request = protocol.SignOut(id=self._id(), everywhere=everywhere)
        await self._session.call(request, protocol.Ok)
        self._session.signed_in(None)

    async def sessions(self) -> list[protocol.SessionInfo]:
        """The account's sessions (tokens still usable), most recently used first."""
        reply = await self._session.call(protocol.Sessions(id=self._id()), protocol.SessionList)
        return reply.sessions

    async def revoke_session(self, session: str) -> None:
        """End one of the account's sessions by its ``id``; its connections are closed."""
        request = protocol.RevokeSession(id=self._id(), session=session)
        await self._session.call(request, protocol.Ok)

    async def change_password(self, old: str, new: str) -> None:
        """Change the password; every other session of the account is ended."""
        request = protocol.ChangePassword(id=self._id(), old=old, new=new)
        await self._session.call(request, protocol.Ok)

    async def say(
        self, text: str, conversation: str = protocol.LOBBY, *, client_id: str | None = None
    ) -> protocol.Sent:
        """Post to a conversation (the lobby by default); returns once the message is stored.

        ``client_id`` (default: a fresh uuid4 hex) keys the send: it survives a drop (the
        client resends it after resuming, stored once), and calling :meth:`say` again with
        the same ``client_id`` after a :class:`TimeoutError` or :class:`ConnectionLost` is
        safe too. A resend's reply has ``duplicate=True`` and the first send's ``seq``.
        """
        request = protocol.Say(
            id=self._id(), text=text, conversation=conversation, client_id=_key(client_id)
        )
        return await self._session.call(request, protocol.Sent, resend=True)

    async def message_user(
        self, to: str, text: str, *, client_id: str | None = None
    ) -> protocol.Sent:
        """Send a direct message; held for ``to`` if they are offline. Returns once stored.

        ``client_id`` makes it safe to resend, as for :meth:`say`.
        """
        request = protocol.MessageUser(id=self._id(), to=to, text=text, client_id=_key(client_id))
        return await self._session.call(request, protocol.Sent, resend=True)

    async def users(self) -> list[protocol.UserInfo]:
        """Everyone signed in, with their status."""
        reply = await self._session.call(protocol.Users(id=self._id()), protocol.UserList)
        return reply.users

    async def calc(self, expression: str) -> str:
        """The server's value for a math expression; a fault raises ``calc_error``."""
        request = protocol.Calc(id=self._id(), expression=expression)
        return (await self._session.call(request, protocol.CalcResult)).result

    async def request_chat(self, to: str) -> None:
        """Invite ``to`` to a 1:1 chat; the answer arrives as an event."""
        await self._session.call(protocol.RequestChat(id=self._id(), to=to), protocol.Ok)

    async def answer_chat(self, requester: str, *, accept: bool) -> str | None:
        """Accept or decline ``requester``'s invitation; the chat's conversation if accepted."""
        request = protocol.AnswerChat(id=self._id(), requester=requester, accept=accept)
        return (await self._session.call(request, protocol.ChatAnswered)).conversation

    async def end_chat(self) -> None:
        """Leave the current 1:1 chat; the partner is told."""
        await self._session.call(protocol.EndChat(id=self._id()), protocol.Ok)

    async def history(
        self,
        conversation: str,
        *,
        before: int | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> list[protocol.Stored]:
        """A page of stored entries (scrollback), ascending by ``seq``: each message as it is
        now, and the change records (edits, deletes) among them. Not delivered as events."""
        request = protocol.History(
            id=self._id(), conversation=conversation, before=before, after=after, limit=limit
        )
        return (await self._session.call(request, protocol.HistoryPage)).messages

    async def set_status(self, status: protocol.ChosenStatus) -> None:
        """Show as online or away (busy comes from being in a chat)."""
        await self._session.call(protocol.SetStatus(id=self._id(), status=status), protocol.Ok)

    # ------------------------------------------------------------------ rooms

    async def create_room(
        self, name: str, topic: str = "", private: bool = False
    ) -> protocol.RoomInfo:
        """Create a room and become its owner and only member (``room_added`` follows)."""
        request = protocol.CreateRoom(id=self._id(), name=name, topic=topic, private=private)
        return (await self._session.call(request, protocol.RoomReply)).room

    async def join_room(self, room: str) -> protocol.RoomInfo:
        """Join a public room by id or name; joining a room you are in changes nothing."""
        request = protocol.JoinRoom(id=self._id(), room=room)
        return (await self._session.call(request, protocol.RoomReply)).room

    async def leave_room(self, room: str) -> None:
        """Leave a room (by id or name); your devices get ``room_removed``."""
        await self._session.call(protocol.LeaveRoom(id=self._id(), room=room), protocol.Ok)

    async def set_topic(self, room: str, topic: str) -> None:
        """Set a room's topic (any member; the Lobby's: its moderators and the admins);
        members get ``room_changed``."""
        request = protocol.SetTopic(id=self._id(), room=room, topic=topic)
        await self._session.call(request, protocol.Ok)

    async def invite(self, room: str, user: str) -> None:
        """Make ``user`` a member of ``room`` at once; they get ``room_added``."""
        await self._session.call(protocol.Invite(id=self._id(), room=room, user=user), protocol.Ok)

    async def archive_room(self, room: str) -> None:
        """Archive a room you own: readable by its members, closed to joins and writes."""
        await self._session.call(protocol.ArchiveRoom(id=self._id(), room=room), protocol.Ok)

    async def rooms(self) -> list[protocol.RoomEntry]:
        """The directory: every public room not archived, and every room you are in."""
        reply = await self._session.call(protocol.Rooms(id=self._id()), protocol.RoomList)
        return reply.rooms

    async def members(self, room: str) -> list[protocol.MemberInfo]:
        """A room's members with their status and role."""
        request = protocol.Members(id=self._id(), room=room)
        return (await self._session.call(request, protocol.MemberList)).members

    # ------------------------------------------------------------------ conversations

    async def conversations(self) -> list[protocol.ConversationInfo]:
        """Everything you are in (rooms, DMs, the current chat) with read marker and unread."""
        reply = await self._session.call(
            protocol.Conversations(id=self._id()), protocol.ConversationList
        )
        return reply.conversations

    async def mark_read(self, conversation: str, seq: int) -> None:
        """Move your read marker forward to ``seq``; your devices get a ``read`` event."""
        request = protocol.MarkRead(id=self._id(), conversation=conversation, seq=seq)
        await self._session.call(request, protocol.Ok)

    async def typing(self, conversation: str) -> None:
        """Tell the others in ``conversation`` you are typing (the server rate-limits it)."""
        await self._session.call(
            protocol.Typing(id=self._id(), conversation=conversation), protocol.Ok
        )

    async def edit_message(self, conversation: str, seq: int, text: str) -> protocol.Sent:
        """Change the text of your message at ``seq``; returns the change record's ``seq``."""
        request = protocol.EditMessage(id=self._id(), conversation=conversation, seq=seq, text=text)
        return await self._session.call(request, protocol.Sent)

    async def delete_message(self, conversation: str, seq: int) -> protocol.Sent:
        """Delete your message at ``seq``; returns the change record's ``seq``."""
        request = protocol.DeleteMessage(id=self._id(), conversation=conversation, seq=seq)
        return await self._session.call(request, protocol.Sent)

    async def search(
        self,
        query: str,
        conversation: str | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> protocol.SearchResults:
        """Messages you may read whose text has every word of ``query``, newest first.

        ``conversation`` narrows it to one; the reply's ``next_offset`` pages on (None: last).
        """
        request = protocol.Search(
            id=self._id(), query=query, conversation=conversation, offset=offset, limit=limit
        )
        return await self._session.call(request, protocol.SearchResults)

    async def send_raw(self, data: str | bytes, *, binary: bool = False) -> None:
        """Write one frame exactly as given (a text frame unless ``binary``), for testing.

        The server's replies to such frames are not returned here: they arrive as
        :class:`protocol.Error` events (``id=None`` if the frame could not be read at all)
        or :class:`protocol.Ok` events, through :meth:`events` and :meth:`wait_for`.
        """
        await self._session.send_raw(data, binary=binary)

    # ------------------------------------------------------------------ events

    async def events(self) -> AsyncIterator[ClientEvent]:
        """Every event in arrival order, until the client is closed or stops reconnecting.

        Shares one queue with :meth:`wait_for`: each event is delivered once, to whichever
        asks first. Events are kept until taken.
        """
        while True:
            try:
                event = await self._session.inbox.next()
            except ConnectionLost:
                return
            yield event

    async def wait_for(
        self,
        kind: type[EventT],
        predicate: Callable[[EventT], bool] | None = None,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (reads better in tests)
    ) -> EventT:
        """Take the oldest queued or next arriving event of ``kind`` satisfying ``predicate``.

        Events that do not match stay queued, in order, for :meth:`events` and later
        calls. Raises :class:`TimeoutError` after ``timeout`` seconds (None: wait for ever)
        and :class:`ConnectionLost` if the client ends before a match arrives.
        """
        try:
            async with asyncio.timeout(timeout):
                return await self._session.inbox.take(kind, predicate)
        except TimeoutError as exc:
            raise TimeoutError(f"no matching {kind.__name__} within {timeout} s") from exc

    # ------------------------------------------------------------------ helpers

    def _id(self) -> int:
        return self._session.next_id()


def _key(client_id: str | None) -> str:
    """The caller's ``client_id``, or a fresh one."""
    return uuid.uuid4().hex if client_id is None else client_id
