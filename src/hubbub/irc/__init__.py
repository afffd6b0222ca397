"""The IRC listener: IRC commands become the hub's requests, its events become IRC lines.

It is a translation layer on the same :class:`~hubbub.server.ChatServer`, hub and store
as the WebSocket endpoint: every rule (who may join, write, see) is the hub's. docs/irc.md
describes the mapping for people.
"""

from hubbub.irc.listener import IrcListener

__all__ = ["IrcListener"]
