"""The domain: users, presence, 1:1 chats and delivery. Pure Python: no I/O, no asyncio."""

from hubbub.hub.chats import TRANSITIONS, Chat, Phase, Trigger
from hubbub.hub.hub import ALONE, Hub
from hubbub.hub.inputs import MAX_NAME_CHARS, check_text, normalise_name
from hubbub.hub.outbox import ConnId, Delivery, Outbox
from hubbub.hub.presence import Link, OnlineUser

__all__ = [
    "ALONE",
    "MAX_NAME_CHARS",
    "TRANSITIONS",
    "Chat",
    "ConnId",
    "Delivery",
    "Hub",
    "Link",
    "OnlineUser",
    "Outbox",
    "Phase",
    "Trigger",
    "check_text",
    "normalise_name",
]
