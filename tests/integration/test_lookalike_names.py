"""Look-alike and invisible names, for accounts and rooms, against a real ``hubbub serve``.

A name that shows as someone else's (its confusable skeleton is theirs) is refused with
``name_in_use``; a name with nothing visible in it with ``invalid_name``; each with a
sentence saying why. Real names in any script still work, and close ones stay apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from conftest import ServerProcess
from hubbub.client import Client, RequestFailed
from hubbub.protocol import ErrorCode, Message
from lookalikes import (
    CASE_APART,
    CASED_LOOK_ALIKES,
    INVISIBLE,
    INVISIBLE_SENTENCE,
    LOOK_ALIKE_SENTENCE,
    LOOK_ALIKES,
    ORIGINAL,
    REAL_NAMES,
)

Connect = Callable[[], Awaitable[Client]]


@pytest.fixture
async def connect(hubbub: ServerProcess) -> AsyncIterator[Connect]:
    """``connect()``: a new open client of the server (not signed in); all closed at the end."""
    opened: list[Client] = []

    async def open_one() -> Client:
        client = Client.connect(hubbub.url, reconnect=False)
        await client.open()
        opened.append(client)
        return client

    yield open_one
    for client in reversed(opened):
        await client.close()


async def refused(request: Awaitable[object], code: ErrorCode, sentence: str) -> None:
    with pytest.raises(RequestFailed) as caught:
        await request
    assert caught.value.code == code, caught.value
    assert sentence in caught.value.message, caught.value.message


async def test_a_name_that_looks_like_a_taken_one_is_name_in_use(
    connect: Connect, subtests: pytest.Subtests
) -> None:
    alice = await connect()
    await alice.sign_in(ORIGINAL, "alice's password")
    impostor = await connect()
    for case, name in LOOK_ALIKES.items():
        with subtests.test(case):
            await refused(
                impostor.sign_in(name, "impostor's password"),
                ErrorCode.NAME_IN_USE,
                LOOK_ALIKE_SENTENCE,
            )
            await refused(alice.message_user(name, "are you me?"), ErrorCode.UNKNOWN_USER, name)
    signed = await impostor.sign_in("mallory", "impostor's password")
    assert signed.name == "mallory"


async def test_capitals_that_look_like_a_taken_name_s_small_letters_are_name_in_use(
    connect: Connect, subtests: pytest.Subtests
) -> None:
    newcomer = await connect()
    for case, (taken, name) in CASED_LOOK_ALIKES.items():
        with subtests.test(case):
            holder = await connect()
            await holder.sign_in(taken, f"{taken}'s password")
            await refused(
                newcomer.sign_in(name, "impostor's password"),
                ErrorCode.NAME_IN_USE,
                f"looks too much like {taken}",
            )
            await refused(holder.message_user(name, "are you me?"), ErrorCode.UNKNOWN_USER, name)


async def test_names_whose_keys_look_alike_but_whose_capitals_do_not_are_two_accounts(
    connect: Connect,
) -> None:
    taken, name = CASE_APART
    holder = await connect()
    await holder.sign_in(taken, f"{taken}'s password")
    newcomer = await connect()
    signed = await newcomer.sign_in(name, f"{name}'s password")
    assert signed.name == name
    await holder.message_user(name, f"hello {name}")
    message = await newcomer.wait_for(Message, lambda m: m.sender == taken, timeout=10)
    assert message.text == f"hello {name}"


async def test_a_name_with_nothing_visible_is_invalid_name(
    connect: Connect, subtests: pytest.Subtests
) -> None:
    newcomer = await connect()
    for case, name in INVISIBLE.items():
        with subtests.test(case):
            await refused(
                newcomer.sign_in(name, "a password"), ErrorCode.INVALID_NAME, INVISIBLE_SENTENCE
            )
    signed = await newcomer.sign_in("erin", "a password")
    assert signed.name == "erin"


async def test_real_names_in_any_script_are_each_their_own_account(connect: Connect) -> None:
    people: dict[str, Client] = {}
    for name in REAL_NAMES:
        client = await connect()
        signed = await client.sign_in(name, f"{name}'s password")
        assert signed.name == name
        people[name] = client
    zoe = people["Zoë"]
    for name, client in people.items():
        if name != "Zoë":
            await zoe.message_user(name, f"hello {name}")
            message = await client.wait_for(Message, lambda m: m.sender == "Zoë", timeout=10)
            assert message.text == f"hello {name}"
    again = await connect()
    signed = await again.sign_in("ZOË", "Zoë's password")
    assert signed.name == "Zoë"


async def test_a_room_name_that_looks_like_a_room_s_is_room_name_taken(
    connect: Connect, subtests: pytest.Subtests
) -> None:
    owner = await connect()
    await owner.sign_in("olga", "olga's password")
    await owner.create_room("design")
    await owner.create_room("planning")
    cases = {
        "cyrillic-ie": ("d\u0435sign", "looks too much like the room design"),
        "same-name-in-capitals": ("LOBBY", "there is already a room called Lobby"),
        "cyrillic-o": ("L\u043ebby", "looks too much like the room Lobby"),
        "grapheme-joiner": ("design\u034f", "looks too much like the room design"),
        "hangul-filler-inside": ("des\u3164ign", "looks too much like the room design"),
        "capital-i-for-small-l": ("pIanning", "looks too much like the room planning"),
    }
    for case, (name, sentence) in cases.items():
        with subtests.test(case):
            await refused(owner.create_room(name), ErrorCode.ROOM_NAME_TAKEN, sentence)
    for case, name in INVISIBLE.items():
        with subtests.test(f"invisible-{case}"):
            await refused(owner.create_room(name), ErrorCode.INVALID_NAME, INVISIBLE_SENTENCE)
    rooms = {entry.name for entry in await owner.rooms()}
    assert rooms == {"Lobby", "design", "planning"}
    for name in ("Zoë", "Zoe", "李雷", "Дмитрий"):
        assert (await owner.create_room(name)).name == name
