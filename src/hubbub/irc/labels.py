"""IRCv3 ``labeled-response``: the lines a labelled command causes come back with its label.

While a command with a ``label`` tag runs, the connection's outlet keeps what it would
write (:meth:`~hubbub.irc.outlet.IrcOutlet.capture`); then one line gets the label, none
is an ``ACK`` with it, more are a ``labeled-response`` batch that carries it. Everything
written to the connection while the command runs is in it, lines about other people's
doings that arrive meanwhile included.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from hubbub.irc.lines import format_line, tag_text

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection

_batches = itertools.count(1)


def tagged(line: bytes, tag: bytes) -> bytes:
    """``line`` with one more tag (``key=value``, escaped already)."""
    if line.startswith(b"@"):
        return b"@" + tag + b";" + line[1:]
    return b"@" + tag + b" " + line


def labelled(c: IrcConnection, label: str, written: bytes) -> bytes:
    """What a labelled command wrote, as ``labeled-response`` says to send it."""
    lines = [line + b"\r\n" for line in written.split(b"\r\n") if line]
    tag = tag_text("label", label).encode()
    if not lines:
        return format_line("ACK", source=c.listener.name, tags={"label": label})
    if len(lines) == 1:
        return tagged(lines[0], tag)
    batch = f"l{next(_batches)}"
    inner = f"batch={batch}".encode()
    out = [
        tagged(format_line("BATCH", f"+{batch}", "labeled-response", source=c.listener.name), tag)
    ]
    for line in lines:
        in_batch = line.startswith(b"@") and b"batch=" in line.split(b" ", 1)[0]
        out.append(line if in_batch else tagged(line, inner))
    out.append(format_line("BATCH", f"-{batch}", source=c.listener.name))
    return b"".join(out)
