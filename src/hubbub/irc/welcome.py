"""What a client hears once registered: 001-005 (ISUPPORT), LUSERS and the MOTD."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub import __version__
from hubbub.hub import MAX_NAME_CHARS
from hubbub.protocol import MAX_HISTORY_PAGE, MAX_TOPIC_CHARS

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection

ISUPPORT = (
    "AWAYLEN=200",
    "CASEMAPPING=ascii",
    "CHANLIMIT=#:",
    "CHANMODES=,,,nt",
    "CHANNELLEN=33",
    "CHANTYPES=#",
    f"CHATHISTORY={MAX_HISTORY_PAGE}",
    "ELIST=MNU",
    "MSGREFTYPES=msgid,timestamp",
    "NETWORK=hubbub",
    f"NICKLEN={MAX_NAME_CHARS}",
    "PREFIX=(ov)@+",
    "STATUSMSG=",
    f"TOPICLEN={MAX_TOPIC_CHARS}",
    "TARGMAX=JOIN:,PART:,NAMES:,LIST:,PRIVMSG:4,NOTICE:4,WHOIS:1",
    "UTF8ONLY",
    "WHOX",
)
MOTD = (
    "This is hubbub: the same rooms as the web, desktop and terminal clients.",
    "Channels are rooms (#lobby is the Lobby); /msg hubbub help lists the rest.",
)


def welcome(c: IrcConnection) -> None:
    server = c.listener.name
    version = f"hubbub-{__version__}"
    c.numeric("001", f"Welcome to the hubbub IRC network {c.mask}")
    c.numeric("002", f"Your host is {server}, running version {version}")
    c.numeric("003", f"This server was created {c.listener.created}")
    c.numeric("004", server, version, "io", "ont")
    isupport(c)
    lusers(c)
    motd(c)


def isupport(c: IrcConnection) -> None:
    for start in range(0, len(ISUPPORT), 12):
        c.numeric("005", *ISUPPORT[start : start + 12], "are supported by this server")


def lusers(c: IrcConnection) -> None:
    users = len(c.server.hub.all_users())
    c.listener.most_users = most = max(c.listener.most_users, users)
    unknown = c.listener.unregistered()
    channels = sum(1 for _ in c.server.hub.rooms)
    clients = c.listener.clients()
    invisible = sum(1 for client in clients if client.invisible)
    operators = sum(1 for client in clients if client.operator)
    c.numeric("251", f"There are {users - invisible} users and {invisible} invisible on 1 servers")
    c.numeric("252", str(operators), "operator(s) online")
    c.numeric("253", str(unknown), "unknown connection(s)")
    c.numeric("254", str(channels), "channels formed")
    c.numeric("255", f"I have {users} clients and 0 servers")
    c.numeric("265", f"Current local users {users}, max {most}")
    c.numeric("266", f"Current global users {users}, max {most}")


def motd(c: IrcConnection) -> None:
    c.numeric("375", f"- {c.listener.name} Message of the day -")
    for text in MOTD:
        c.numeric("372", f"- {text}")
    c.numeric("376", "End of /MOTD command.")
