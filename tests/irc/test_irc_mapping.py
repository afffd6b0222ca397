"""IRC users and web-protocol users in the same rooms, over real sockets to ``hubbub serve``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubbub.client import Client
from hubbub.protocol import LOBBY, ChatEnded, ChatRequested, Message
from irc.conftest import IrcServer

Connect = Callable[..., Any]


async def test_a_message_said_on_irc_reaches_the_web_and_history_and_back(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")
        ian = await irc("ian", password="pw-ian")
        await ian.expect_has("JOIN", "#Lobby")
        ian.send("PRIVMSG #lobby :hello from irc")
        heard = await web.wait_for(Message, lambda m: m.text == "hello from irc")
        assert heard.sender == "ian"
        assert heard.conversation == LOBBY
        await web.say("hello from the web")
        await ian.expect_has("PRIVMSG #Lobby :hello from the web", ":wendy!")
        texts = [m.text for m in await web.history(LOBBY) if isinstance(m, Message)]
        assert texts[-2:] == ["hello from irc", "hello from the web"]


async def test_direct_messages_go_both_ways_between_irc_and_the_web(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")
        ian = await irc("ian")
        await web.message_user("ian", "psst, ian")
        await ian.expect_has(":wendy!", "PRIVMSG ian :psst, ian")
        ian.send("PRIVMSG wendy :hi wendy")
        heard = await web.wait_for(Message, lambda m: m.text == "hi wendy")
        assert heard.sender == "ian"
        assert heard.to == "wendy"


async def test_a_guest_cannot_take_an_accounts_nick_and_an_account_can(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")
        await web.close()
    ian = await irc("ian")
    ian.send("JOIN #x")
    await ian.expect_has("JOIN", "#x")
    taken = await irc("wendy", welcome=False)
    await taken.expect_has(" 433 ", "wendy", "sign in with its password")
    owner = await irc("wendy", password="pw-wendy")
    owner.send("WHOIS wendy")
    await owner.expect_has(" 330 ", "wendy")


async def test_channels_topic_names_list_and_part(irc_server: IrcServer, irc: Connect) -> None:
    ann = await irc("ann", caps=("multi-prefix", "userhost-in-names"))
    bob = await irc("bob")
    ann.send("JOIN #garden")
    await ann.expect_has(" 353 ", "#garden", "@ann!ann@")
    bob.send("JOIN #garden")
    await ann.expect_has(":bob!", "JOIN #garden")
    ann.send("TOPIC #garden :roses")
    await bob.expect_has(":ann!", "TOPIC #garden :roses")
    bob.send("LIST")
    await bob.expect_has(" 322 bob #garden 2 :roses")
    bob.send("PART #garden :bye")
    await ann.expect_has(":bob!", "PART #garden :bye")


async def test_the_service_nick_calculates_and_answers_only_you(
    irc_server: IrcServer, irc: Connect
) -> None:
    ian = await irc("ian")
    ian.send("PRIVMSG hubbub :calc 2*(3+4)")
    await ian.expect_has(":hubbub!", "NOTICE ian", "= 14")
    ian.send("PRIVMSG hubbub :help")
    await ian.expect_has("NOTICE ian", "calc EXPRESSION")


async def test_a_one_to_one_chat_between_irc_and_the_web(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")
        ian = await irc("ian", password="pw-ian")
        ian.send("PRIVMSG hubbub :chat wendy")
        await web.wait_for(ChatRequested, lambda e: e.requester == "ian")
        conversation = await web.answer_chat("ian", accept=True)
        await ian.expect_has("NOTICE ian", "1:1 chat with wendy")
        ian.send("PRIVMSG wendy :just us")
        heard = await web.wait_for(Message, lambda m: m.text == "just us")
        assert heard.conversation == conversation
        await web.say("indeed", conversation=conversation)
        await ian.expect_has(":wendy!", "PRIVMSG ian :indeed")
        await web.end_chat()
        await ian.expect_has("NOTICE ian", "chat ended")
        await web.wait_for(ChatEnded)


async def test_web_asks_irc_for_a_chat_and_hears_the_answer(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")
        ian = await irc("ian", password="pw-ian")
        await web.request_chat("ian")
        await ian.expect_has("NOTICE ian", "wendy asks you", "/msg hubbub accept wendy")
        ian.send("PRIVMSG hubbub :accept wendy")
        await ian.expect_has("NOTICE ian", "1:1 chat with wendy")


async def test_chathistory_catches_a_reconnecting_client_up(
    irc_server: IrcServer, irc: Connect
) -> None:
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")
        for n in range(5):
            await web.say(f"line {n}")
    caps = ("batch", "server-time", "message-tags", "draft/chathistory")
    ian = await irc("ian", password="pw-ian", caps=caps)
    ian.send("CHATHISTORY LATEST #lobby * 3")
    await ian.expect_has("BATCH +", "chathistory")
    first = await ian.expect_has("PRIVMSG #Lobby")
    assert first.endswith(":line 2")
    assert "msgid=lobby/" in first
    assert "time=" in first
    await ian.expect_has("PRIVMSG #Lobby :line 3")
    await ian.expect_has("PRIVMSG #Lobby :line 4")
    await ian.expect_has("BATCH -")
    msgid = first.split("msgid=")[1].split(";")[0].split(" ")[0]
    ian.send(f"CHATHISTORY BEFORE #lobby msgid={msgid} 10")
    await ian.expect_has("PRIVMSG #Lobby :line 0")
    await ian.expect_has("PRIVMSG #Lobby :line 1")
