"""A conversation as the client state holds it, and the snapshot views read. Pure; no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from hubbub import protocol
from hubbub.client.shapes import Conversation, ConversationKind
from hubbub.client.timeline import Timeline


def kind_of(conversation: str) -> ConversationKind:
    """The kind an id names: ``dm:…``, ``chat:…``, else a room (``lobby``, ``room:…``)."""
    if conversation.startswith("dm:"):
        return "dm"
    if conversation.startswith("chat:"):
        return "chat"
    return "room"


@dataclass(slots=True)
class Entry:
    """The state's own record of a conversation: what it is, plus its :class:`Timeline`."""

    id: str
    kind: ConversationKind
    name: str
    timeline: Timeline
    topic: str | None = None
    private: bool | None = None
    archived: bool | None = None

    @classmethod
    def new(cls, id_: str, kind: ConversationKind, name: str, me: str, *, head: int = 0) -> Entry:
        """A conversation this client joins at ``head``: nothing before it is unread."""
        return cls(id_, kind, name, Timeline(me, head=head))

    @classmethod
    def made_up(cls, stored: protocol.Stored, me: str, chat: protocol.ChatInfo | None) -> Entry:
        """A conversation first heard of through ``stored``, named as well as it allows:
        the chat partner, the other side of a DM, or the room's id."""
        conversation = stored.conversation
        kind = kind_of(conversation)
        if kind == "chat" and chat is not None and chat.conversation == conversation:
            name = chat.partner
        elif kind == "room":
            name = "Lobby" if conversation == protocol.LOBBY else conversation
        elif stored.sender.casefold() != me.casefold():
            name = stored.sender
        else:
            to = stored.to if isinstance(stored, protocol.Message) else None
            name = to or conversation
        return cls.new(conversation, kind, name, me)

    def load(self, info: protocol.ConversationInfo) -> None:
        self.kind, self.name = info.kind, info.name
        self.topic, self.private, self.archived = info.topic, info.private, info.archived
        self.timeline.rebase(info)

    def room(self, room: protocol.RoomInfo) -> None:
        self.name, self.topic = room.name, room.topic
        self.private, self.archived = room.private, room.archived

    def snapshot(self) -> Conversation:
        unread, mentions = self.timeline.counts()
        return Conversation(
            self.id,
            self.kind,
            self.name,
            self.topic,
            self.private,
            self.archived,
            self.timeline.last_seq,
            self.timeline.read,
            unread,
            mentions,
        )
