"""The hub's limits apply on IRC as on the web: a flooder is told to wait, then cut off."""

from __future__ import annotations

import asyncio

from irc.conftest import Irc, IrcServer


async def test_an_irc_flooder_is_told_to_wait_then_disconnected(
    limited_irc_server: IrcServer,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", limited_irc_server.irc_port)
    flooder = Irc(reader, writer)
    flooder.send("NICK flooder")
    flooder.send("USER flooder 0 * :Flooder")
    await flooder.expect_has(" 376 ")
    flooder.send("JOIN #spam")
    await flooder.expect_has(" 366 ")
    for n in range(300):
        flooder.send(f"PRIVMSG #spam :spam {n}")
    await flooder.expect_has("NOTICE flooder", "too many requests", "try again in")
    await flooder.expect_has("ERROR :Closing link")
    async with asyncio.timeout(10):
        await reader.read()
    assert reader.at_eof()
    await flooder.close()
