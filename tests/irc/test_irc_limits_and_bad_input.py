"""Limits and bad input on IRC: the hub's limits apply as on the web, and junk gets numerics."""

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


async def test_malformed_lines_get_numerics_and_never_break_the_connection(
    irc_server: IrcServer,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", irc_server.irc_port)
    client = Irc(reader, writer)
    for junk in ("", "   ", ":", "@", "@a=b", ":src", "\x00\xff", "JOIN #x", "FROB"):
        client.send(junk)
    await client.expect_has(" 451 ")
    client.send("NICK ok")
    client.send("USER ok 0 * :Ok")
    await client.expect_has(" 376 ")
    for junk in ("PRIVMSG", "PRIVMSG #nowhere", "JOIN", "TOPIC", "MODE", "WHOIS", "FROB x"):
        client.send(junk)
    client.send("@" + "x" * 5000 + " PING big")
    await client.expect_has(" 417 ")
    client.send("PING still-here")
    await client.expect_has("PONG", "still-here")
    await client.close()
