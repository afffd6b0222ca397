"""What a chat client shows, as one pure model that the Tk, Textual and bot clients share.

No I/O and no asyncio: the application feeds it what the server says, and reads it back.

Feeding (``now`` is any clock, e.g. ``time.monotonic()``, used the same way throughout)::

    state.signed_in(reply, now)                # the sign_in reply; resets on another user
    state.load_conversations(await client.conversations())
    state.load_members(room, await client.members(room))
    state.add_history(conversation, await client.history(conversation))
    state.apply(event, now)                    # every event from client.events()
    state.chat_request_sent(to, now)           # after client.request_chat(to)
    state.chat_answered(requester)             # after client.answer_chat(...)
    seq = state.select(conversation)           # the view shows it; send mark_read(seq) if set

Reading:

- ``me``: :class:`Me` (name, status), None before signing in; ``connected``.
- ``conversations``: :class:`Conversation` (id, kind ``room``/``dm``/``chat``, name, topic,
  private, archived, last_seq, read, unread, mentions), the server's order first;
  ``conversation(id)``; ``current``, the id the view shows.
- ``messages(id)``: :class:`ShownMessage` by ``seq``, each once, edits applied, a deleted
  one a tombstone reading :data:`DELETED_TEXT`.
- ``members(room)``: :class:`Member` (name, status, role); ``online``: everyone online in
  any room but me, name -> status.
- ``typing_names(id, now)``: who is typing there now (for :data:`protocol.TYPING_LASTS` s).
- ``chat``: the current 1:1 chat (``conversation``, ``partner``) or None;
  ``requests_to_me`` / ``requests_from_me``: pending :class:`ChatRequest`.
- ``lines`` / ``lines_for(id)``: notices for people (:class:`Line`): "bob joined", "bob
  left" (presence going to or from offline in a room), "bob ended the chat", the server's
  notices, room and request changes, moderation ("You were kicked from design by olga",
  "bob was muted until 14:05 by olga"). ``conversation`` None means "wherever".

Unread counts follow the server: messages from others after the read marker, deleted
ones and change records excluded. My own message, a ``read`` event and :meth:`select`
move the marker. An ended chat stays listed, ``archived`` (readable, not writable).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from hubbub import protocol
from hubbub.client import moderation_lines
from hubbub.client.chats import CHAT_REQUEST_LASTS, ChatRequest, Chats
from hubbub.client.conversation import Entry
from hubbub.client.events import ClientEvent, Disconnected, Reconnected
from hubbub.client.roster import Member, Roster
from hubbub.client.shapes import (
    DELETED_TEXT,
    Conversation,
    ConversationKind,
    Line,
    Me,
    ShownMessage,
)
from hubbub.client.typists import Typists

__all__ = [
    "DELETED_TEXT",
    "ChatRequest",
    "ClientState",
    "Conversation",
    "ConversationKind",
    "Line",
    "Me",
    "Member",
    "ShownMessage",
]

MAX_LINES = 1000
"""Notices kept; older ones are dropped."""


class ClientState:
    """The model behind a chat view; see the module docstring for its shape."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.me: Me | None = None
        self.connected = False
        self.current: str | None = None
        self._entries: dict[str, Entry] = {}
        self._roster = Roster()
        self._chats = Chats()
        self._typing = Typists()
        self._lines: deque[Line] = deque(maxlen=MAX_LINES)

    # ------------------------------------------------------------------ feeding

    def signed_in(self, reply: protocol.SignedIn, now: float) -> None:
        """Take a sign-in (or resume) reply: me, the current chat, pending requests, heads.

        Signing in as someone else starts from an empty model.
        """
        if self.me is not None and self.me.name.casefold() != reply.name.casefold():
            self._clear()
        self.me = Me(reply.name, reply.status)
        self.connected = True
        gone = self._chats.current
        if (
            gone is not None
            and gone != reply.chat
            and (old := self._entries.get(gone.conversation))
        ):
            old.archived = True  # it ended while this client was away
        self._chats.signed_in(reply, now)
        if reply.chat is not None:
            self._chat_entry(reply.chat.conversation, reply.chat.partner)
        for conversation, head in reply.heads.items():
            entry = self._entries.get(conversation)
            if entry is not None:
                entry.timeline.last_seq = max(entry.timeline.last_seq, head)

    def load_conversations(self, conversations: Iterable[protocol.ConversationInfo]) -> None:
        """Take a ``conversations`` reply as the truth: its figures, its order, its rooms.

        Rooms it does not list are gone; direct messages and chats known here stay.
        """
        loaded: dict[str, Entry] = {}
        for info in conversations:
            entry = self._entries.get(info.id) or Entry.new(info.id, info.kind, info.name, self._me)
            entry.load(info)
            loaded[info.id] = entry
        for id_, entry in self._entries.items():
            if id_ not in loaded and entry.kind != "room":
                loaded[id_] = entry
        for id_ in self._entries.keys() - loaded.keys():
            self._forget(id_)
        self._entries = loaded

    def load_members(self, room: str, members: Iterable[protocol.MemberInfo]) -> None:
        """Take a ``members`` reply as the room's members."""
        self._roster.load(room, members)

    def add_history(self, conversation: str, entries: Iterable[protocol.Stored]) -> None:
        """Add a ``history`` page; entries already held are not repeated."""
        for entry in entries:
            self._entry_of(entry).timeline.add(entry)

    def chat_request_sent(
        self, to: str, now: float, expires_in: float = CHAT_REQUEST_LASTS
    ) -> None:
        """The application asked ``to`` for a chat (and the server said ok)."""
        self._chats.sent(self._me, to, now, expires_in)

    def chat_answered(self, requester: str) -> None:
        """The application accepted or declined ``requester``'s request."""
        self._chats.answered(requester)

    def select(self, conversation: str | None) -> int | None:
        """Show ``conversation``: it is read up to its last ``seq`` (see :meth:`read_current`)."""
        self.current = conversation
        return self.read_current()

    def read_current(self) -> int | None:
        """Mark the shown conversation read; the ``seq`` for ``mark_read``, or None if no news."""
        entry = self._entries.get(self.current) if self.current is not None else None
        if entry is None or not entry.timeline.move_read(entry.timeline.last_seq):
            return None
        return entry.timeline.read

    def apply(self, event: ClientEvent, now: float) -> None:
        """Apply one event from :meth:`Client.events`; replies and unknown events are ignored."""
        match event:
            case protocol.Message() | protocol.MessageEdited() | protocol.MessageDeleted():
                self._stored(event)
            case protocol.Presence():
                self._presence(event, now)
            case protocol.MemberJoined():
                self._roster.joined(event)
                self._line(f"{event.name} joined the room", event.room, now)
            case protocol.MemberLeft():
                self._roster.left(event)
                self._line(f"{event.name} left the room", event.room, now)
            case protocol.RoomAdded():
                self._room_added(event, now)
            case protocol.RoomChanged():
                self._room_changed(event, now)
            case protocol.RoomRemoved():
                self._room_removed(event, now)
            case protocol.Muted():
                entry = self._entries.get(event.room)
                name = event.room if entry is None else entry.name
                self._line(moderation_lines.muted(event, name), event.room, now)
            case protocol.Moderated():
                self._roster.role_changed(event)
                self._line(moderation_lines.moderated(event), event.room, now)
            case protocol.TypingEvent():
                if not self._is_me(event.name):
                    self._typing.started(event.conversation, event.name, now)
            case protocol.ReadMarker():
                if (entry := self._entries.get(event.conversation)) is not None:
                    entry.timeline.move_read(event.seq)
            case protocol.ChatRequested():
                self._line(self._chats.requested(self._me, event, now), None, now)
            case protocol.ChatCancelled():
                self._line(self._chats.cancelled(event), None, now)
            case protocol.ChatDeclined():
                self._line(self._chats.declined(event), None, now)
            case protocol.ChatStarted():
                self._chat_entry(event.conversation, event.partner)
                self._line(self._chats.started(event), event.conversation, now)
            case protocol.ChatEnded():
                if (entry := self._entries.get(event.conversation)) is not None:
                    entry.archived = True
                self._line(self._chats.ended(self._me, event), event.conversation, now)
            case protocol.Notice():
                self._line(event.text, None, now)
            case Reconnected():
                self.signed_in(event.signed_in, now)
            case Disconnected():
                self.connected = False

    # ------------------------------------------------------------------ reading

    @property
    def conversations(self) -> list[Conversation]:
        return [entry.snapshot() for entry in self._entries.values()]

    def conversation(self, conversation: str) -> Conversation | None:
        entry = self._entries.get(conversation)
        return None if entry is None else entry.snapshot()

    def messages(self, conversation: str) -> list[ShownMessage]:
        entry = self._entries.get(conversation)
        return [] if entry is None else entry.timeline.messages

    def members(self, room: str) -> list[Member]:
        """A room's members, owners first, then by name."""
        return self._roster.members(room)

    @property
    def online(self) -> dict[str, protocol.SeenStatus]:
        """Everyone but me who is online in a room I am in, by name, with their status."""
        me = self._me.casefold()
        return {n: s for n, s in self._roster.online().items() if n.casefold() != me}

    def typing_names(self, conversation: str, now: float) -> list[str]:
        """Who is typing in ``conversation`` at ``now``, first typist first."""
        return self._typing.names(conversation, now)

    @property
    def chat(self) -> protocol.ChatInfo | None:
        return self._chats.current

    @property
    def requests_to_me(self) -> list[ChatRequest]:
        return list(self._chats.to_me.values())

    @property
    def requests_from_me(self) -> list[ChatRequest]:
        return list(self._chats.from_me.values())

    @property
    def lines(self) -> list[Line]:
        """Every notice kept, oldest first."""
        return list(self._lines)

    def lines_for(self, conversation: str) -> list[Line]:
        """The notices about ``conversation`` and those for wherever, oldest first."""
        return [line for line in self._lines if line.conversation in (None, conversation)]

    # ------------------------------------------------------------------ events

    @property
    def _me(self) -> str:
        return "" if self.me is None else self.me.name

    def _is_me(self, name: str) -> bool:
        return name.casefold() == self._me.casefold()

    def _stored(self, event: protocol.Stored) -> None:
        entry = self._entry_of(event)
        if not entry.timeline.add(event) or not isinstance(event, protocol.Message):
            return
        self._typing.stopped(event.conversation, event.sender)
        if self._is_me(event.sender):
            entry.timeline.move_read(event.seq)

    def _presence(self, event: protocol.Presence, now: float) -> None:
        for user in event.users:
            if self.me is not None and self._is_me(user.name) and user.status != "offline":
                self.me = Me(self.me.name, user.status)
        for change in self._roster.presence(event):
            if self._is_me(change.name):
                continue
            verb = "joined" if change.joined else "left"
            self._line(f"{change.name} {verb}", change.room, now)

    def _room_added(self, event: protocol.RoomAdded, now: float) -> None:
        room = event.room
        entry = self._entries.get(room.id)
        if entry is None:
            entry = Entry.new(room.id, "room", room.name, self._me, head=event.head)
            self._entries[room.id] = entry
        entry.room(room)
        by_me = self._is_me(event.by)
        text = f"You are in {room.name}" if by_me else f"{event.by} added you to {room.name}"
        self._line(text, room.id, now)

    def _room_changed(self, event: protocol.RoomChanged, now: float) -> None:
        room = event.room
        entry = self._entries.get(room.id)
        if entry is None:
            return
        if room.topic != entry.topic:
            self._line(f"{event.by} set the topic: {room.topic}", room.id, now)
        if room.archived and not entry.archived:
            self._line(f"{event.by} archived the room", room.id, now)
        entry.room(room)

    def _room_removed(self, event: protocol.RoomRemoved, now: float) -> None:
        entry = self._entries.pop(event.room, None)
        self._forget(event.room)
        name = event.room if entry is None else entry.name
        self._line(moderation_lines.removed(event, name), None, now)

    def _forget(self, conversation: str) -> None:
        self._roster.drop(conversation)
        self._typing.drop(conversation)
        if self.current == conversation:
            self.current = None

    # ------------------------------------------------------------------ helpers

    def _entry_of(self, stored: protocol.Stored) -> Entry:
        """The stored entry's conversation, made up from the entry if it is new here."""
        entry = self._entries.get(stored.conversation)
        if entry is None:
            entry = Entry.made_up(stored, self._me, self._chats.current)
            self._entries[stored.conversation] = entry
        return entry

    def _chat_entry(self, conversation: str, partner: str) -> None:
        entry = self._entries.get(conversation)
        if entry is None:
            self._entries[conversation] = Entry.new(conversation, "chat", partner, self._me)
        else:
            entry.name = partner

    def _line(self, text: str, conversation: str | None, now: float) -> None:
        entry = None if conversation is None else self._entries.get(conversation)
        after = 0 if entry is None else entry.timeline.last_seq
        self._lines.append(Line(text, conversation, now, after))
