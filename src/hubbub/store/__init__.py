"""Persistence: accounts, rooms, messages, read markers and search, acknowledged once durable."""

from hubbub.store.accounts import session_id
from hubbub.store.conversations import dm_conversation, dm_members, kind_of
from hubbub.store.database import default_url
from hubbub.store.moderation import AccountChange, Act, AuditRecord, ModerationState
from hubbub.store.records import (
    Account,
    ConversationSummary,
    Draft,
    Found,
    NameTaken,
    RoomArchived,
    RoomRecord,
    SessionRecord,
    SignedUp,
    StoredMessage,
    StoreError,
    StoreUnavailable,
)
from hubbub.store.store import Store, open_store

__all__ = [
    "Account",
    "AccountChange",
    "Act",
    "AuditRecord",
    "ConversationSummary",
    "Draft",
    "Found",
    "ModerationState",
    "NameTaken",
    "RoomArchived",
    "RoomRecord",
    "SessionRecord",
    "SignedUp",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "StoredMessage",
    "default_url",
    "dm_conversation",
    "dm_members",
    "kind_of",
    "open_store",
    "session_id",
]
