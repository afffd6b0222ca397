"""The domain: users, presence, rooms, 1:1 chats and delivery. Pure Python: no I/O, no asyncio."""

from hubbub.hub.admin import follow
from hubbub.hub.chats import TRANSITIONS, Chat, Phase, Trigger
from hubbub.hub.decision import Decision
from hubbub.hub.effects import Effect, Passwords, Services
from hubbub.hub.handle import handle
from hubbub.hub.hub import ALONE, Hub
from hubbub.hub.inputs import MAX_NAME_CHARS, check_text, normalise_name
from hubbub.hub.outbox import ConnId, Delivery, Outbox
from hubbub.hub.presence import LEAVE_LINGER, Link, OnlineUser
from hubbub.hub.session import hold_again

__all__ = [
    "ALONE",
    "LEAVE_LINGER",
    "MAX_NAME_CHARS",
    "TRANSITIONS",
    "Chat",
    "ConnId",
    "Decision",
    "Delivery",
    "Effect",
    "Hub",
    "Link",
    "OnlineUser",
    "Outbox",
    "Passwords",
    "Phase",
    "Services",
    "Trigger",
    "check_text",
    "follow",
    "handle",
    "hold_again",
    "normalise_name",
]
