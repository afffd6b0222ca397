"""Kicks, OPER, user modes, guest nick changes, edits, deletes, typing, labelled
responses and slow readers between IRC and web-protocol users, over real sockets to
``hubbub serve``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import ServerProcess, free_port
from hubbub.client import Client
from hubbub.protocol import LOBBY, Message, TypingEvent
from irc.conftest import IrcServer

Connect = Callable[..., Any]


async def test_kick_on_irc_is_a_hubbub_kick_and_a_kick_on_the_web_is_a_kick_on_irc(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")  # the first account: a server admin
        ann, bob, carl = await irc("ann"), await irc("bob"), await irc("carl")
        ann.send("JOIN #garden")
        await ann.expect_has(" 366 ", "#garden")
        for guest in (bob, carl):
            guest.send("JOIN #garden")
            await guest.expect_has(" 366 ", "#garden")
        ann.send("MODE #garden")
        assert (await ann.expect_has(" 324 ann #garden ")).endswith(":+n")
        carl.send("KICK #garden bob :no")
        await carl.expect_has(" 482 ", "#garden", "only the moderators")
        ann.send("KICK #garden bob :spam")
        await bob.expect_has(":ann!", "KICK #garden bob :kicked: spam")
        await carl.expect_has(":ann!", "KICK #garden bob :kicked: spam")
        ann.send("PRIVMSG #garden :bob is out")
        seen = await carl.expect_has("PRIVMSG #garden :bob is out")
        assert not any("PART #garden" in line for line in carl.seen), carl.seen
        assert seen
        await web.join_room("garden")
        await web.kick("garden", "carl", "enough")
        await carl.expect_has(":wendy!", "KICK #garden carl :kicked: enough")
        await ann.expect_has(":wendy!", "KICK #garden carl :kicked: enough")


async def test_edits_deletes_and_typing_reach_irc_and_irc_typing_reaches_the_web(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")
        ian = await irc("ian", password="pw-ian", caps=("message-tags",))
        await ian.expect_has("JOIN", "#Lobby")
        ian.send("MODE #lobby")
        assert (await ian.expect_has(" 324 ian #Lobby ")).endswith(":+nt")
        sent = await web.say("helo")
        await ian.expect_has("PRIVMSG #Lobby :helo")
        await web.edit_message(LOBBY, sent.seq, "hello")
        edit = await ian.expect_has(":wendy!", "NOTICE #Lobby :edited: hello")
        assert f"+draft/reply={LOBBY}/{sent.seq}" in edit
        await web.delete_message(LOBBY, sent.seq)
        await ian.expect_has(":wendy!", "NOTICE #Lobby :deleted a message")
        await web.typing(LOBBY)
        await ian.expect_has("@+typing=active :wendy!", "TAGMSG #Lobby")
        ian.send("@+typing=active TAGMSG #lobby")
        typing = await web.wait_for(TypingEvent, lambda t: t.name == "ian")
        assert typing.conversation == LOBBY


async def test_oper_needs_an_admins_password_and_shows_in_who_and_whois(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")  # the first account: a server admin
        ian, bob = await irc("ian"), await irc("bob")
        ian.send("OPER wendy wrong")
        await ian.expect_has(" 464 ian ")
        ian.send("OPER bob anything")
        await ian.expect_has(" 464 ian ")
        ian.send("OPER wendy pw-wendy")
        await ian.expect_has(" 381 ian ")
        bob.send("WHOIS ian")
        await bob.expect_has(" 313 bob ian ")
        bob.send("WHO ian")
        await bob.expect_has(" 352 bob * ", " ian H* ")
        ian.send("MODE ian +i")
        await ian.expect_has(":ian!", "MODE ian +i")
        asked = len(bob.seen)
        bob.send("WHO i*")
        await bob.expect_has(" 315 bob i* ")
        assert not [line for line in bob.seen[asked:] if " 352 " in line], bob.seen[asked:]
        bob.send("WHO ian")
        await bob.expect_has(" 352 bob * ", " ian H* ")
        ian.send("MODE ian")
        await ian.expect_has(" 221 ian ", "+io")


async def test_a_guest_changes_its_nick_and_keeps_its_channels(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")
        ann, bob = await irc("ann"), await irc("bob")
        for guest in (ann, bob):
            guest.send("JOIN #garden")
            await guest.expect_has(" 366 ", "#garden")
        await web.join_room("garden")
        ann.send("NICK wendy")
        await ann.expect_has(" 433 ann wendy ")
        async with Client(irc_server.url) as olga:
            await olga.sign_in("olga", "pw-olga")
        ann.send("NICK olga")
        await ann.expect_has(" 433 ann olga ", "sign in with its password")
        await bob.expect_has(":ann!", "JOIN #garden")
        ann.send("NICK anna")
        await ann.expect_has(":ann!", "NICK anna")
        await bob.expect_has(":ann!", "QUIT :Quit: Changing nick")
        await bob.expect_has(":anna!", "JOIN #garden")
        ann.send("PRIVMSG #garden :same person")
        await bob.expect_has(":anna!", "PRIVMSG #garden :same person")
        heard = await web.wait_for(Message, lambda m: m.text == "same person")
        assert heard.sender == "anna"
        again = await irc("ann")
        again.send("WHOIS ann")
        await again.expect_has(" 311 ann ann ")
        owner = await irc("ian", password="pw-ian")
        owner.send("NICK ivan")
        await owner.expect_has(" 432 ian ivan ")


async def test_a_labelled_command_answers_with_its_label(
    irc_server: IrcServer, irc: Connect
) -> None:
    ian = await irc("ian", caps=("batch", "labeled-response"))
    ian.send("@label=one PING here")
    await ian.expect_has("@label=one ", "PONG", "here")
    ian.send("@label=two JOIN #garden")
    start = await ian.expect_has("@label=two ", "BATCH +", "labeled-response")
    batch = start.split("BATCH +", 1)[1].split()[0]
    await ian.expect_has(f"@batch={batch} ", " 366 ", "#garden")
    await ian.expect_has(f"BATCH -{batch}")
    ian.send("@label=three PONG there")
    await ian.expect_has("@label=three ", " ACK")


async def test_an_irc_reader_that_stops_reading_is_cut_by_the_slow_readers_budget(
    tmp_path: Path,
) -> None:
    # Alone it may fall 4 MiB behind, more than it is sent before the budget of all slow
    # readers together (512 KiB) cuts it.
    irc_port = free_port()
    server = ServerProcess(
        tmp_path / "data",
        free_port(),
        options=("--irc-port", str(irc_port), "--slow-readers-budget", str(512 * 1024)),
    )
    server.start()
    try:
        async with Client(server.url) as web:
            await web.sign_in("talker", "pw-talker")
            reader, writer = await asyncio.open_connection("127.0.0.1", irc_port)
            writer.write(b"PASS stalled:pw\r\nNICK stalled\r\nUSER s 0 * :s\r\n")
            await reader.readuntil(b" 366 ")
            text = "x" * 4000

            async def cut() -> None:
                while "stalled" in {u.name for u in await web.users()}:
                    await asyncio.gather(*(web.say(text) for _ in range(5)))

            await asyncio.wait_for(cut(), timeout=60)
            writer.close()
            assert (await web.say("still here")).seq > 0
    finally:
        server.stop()
    assert server.process is not None
    assert server.process.stderr is not None
    assert "over the budget of 524288" in server.process.stderr.read().decode()
