"""Persistence: accounts, session tokens and message history, acknowledged only once durable."""

from hubbub.store.conversations import dm_conversation
from hubbub.store.records import Account, Draft, NameTaken, StoredMessage, StoreError
from hubbub.store.sqlstore import Store, open_store

__all__ = [
    "Account",
    "Draft",
    "NameTaken",
    "Store",
    "StoreError",
    "StoredMessage",
    "dm_conversation",
    "open_store",
]
