"""Sessions over real sockets: signing out ends every connection using the token, a user
lists and revokes their sessions, tokens left idle expire, and changing the password ends
every other session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from conftest import ServerProcess, query
from hubbub.client import Client, ConnectionLost, Disconnected, RequestFailed
from hubbub.hub.hub import SIGNED_OUT
from hubbub.protocol import ErrorCode
from integration.conftest import database_of

pytestmark = pytest.mark.twice

Open = Callable[..., Awaitable[Client]]


@pytest.fixture
async def open_client(hubbub: ServerProcess) -> AsyncIterator[Open]:
    """``open_client(name, password=..., token=..., device=...)``: a signed-in client."""
    opened: list[Client] = []

    async def open_one(name: str, **sign_in: str) -> Client:
        client = Client.connect(hubbub.url)
        await client.open()
        opened.append(client)
        if "token" not in sign_in:
            sign_in.setdefault("password", f"pw-{name}")
        await client.sign_in(name, **sign_in)
        return client

    yield open_one
    for client in opened:
        await client.close()


def token_of(client: Client) -> str:
    """The session token the client signed in with (it resumes with it)."""
    credentials = client._session._credentials
    assert credentials is not None
    return credentials.token


async def refused(client: Client, name: str, token: str) -> ErrorCode:
    with pytest.raises(RequestFailed) as refusal:
        await client.sign_in(name, token=token)
    return refusal.value.code


async def closed_for_sign_out(client: Client) -> None:
    """The server closed the client's connection with 4010, and it does not resume."""
    gone = await client.wait_for(Disconnected)
    assert (gone.code, gone.reconnecting) == (SIGNED_OUT, False)
    with pytest.raises(ConnectionLost):
        await client.say("still here?")


async def test_sign_out_ends_every_connection_using_that_token(
    open_client: Open, hubbub: ServerProcess
) -> None:
    laptop = await open_client("ann")
    token = token_of(laptop)
    second_tab = await open_client("ann", token=token)
    phone = await open_client("ann")

    await laptop.sign_out()

    await closed_for_sign_out(second_tab)
    await phone.say("the phone's own session goes on")
    async with Client.connect(hubbub.url, reconnect=False) as thief:
        assert await refused(thief, "ann", token) is ErrorCode.INVALID_TOKEN
    assert (await laptop.sign_in("ann", "pw-ann")).name == "ann"


async def test_sign_out_everywhere_ends_every_session(
    open_client: Open, hubbub: ServerProcess
) -> None:
    laptop = await open_client("ann")
    phone = await open_client("ann")
    phone_token = token_of(phone)
    bob = await open_client("bob")

    await laptop.sign_out(everywhere=True)

    await closed_for_sign_out(phone)
    await bob.say("bob is not ann")
    async with Client.connect(hubbub.url, reconnect=False) as thief:
        assert await refused(thief, "ann", phone_token) is ErrorCode.INVALID_TOKEN
    with pytest.raises(RequestFailed) as refusal:
        await laptop.say("signed out here too")
    assert refusal.value.code is ErrorCode.NOT_SIGNED_IN


async def test_a_user_lists_their_sessions_and_revokes_one(open_client: Open) -> None:
    laptop = await open_client("ann", device="Firefox on a laptop")
    phone = await open_client("ann", device="hubbub for phones")
    await open_client("bob", device="bob's own")

    sessions = {s.device: s for s in await laptop.sessions()}
    assert set(sessions) == {"Firefox on a laptop", "hubbub for phones"}
    mine, other = sessions["Firefox on a laptop"], sessions["hubbub for phones"]
    assert (mine.current, other.current) == (True, False)
    assert (mine.connected, other.connected) == (True, True)
    assert mine.address == other.address == "127.0.0.1"
    assert 0 < mine.created <= mine.last_seen
    assert len(mine.id) == 16
    assert token_of(laptop) not in repr(sessions)

    await laptop.revoke_session(other.id)

    await closed_for_sign_out(phone)
    assert [s.device for s in await laptop.sessions()] == ["Firefox on a laptop"]
    with pytest.raises(RequestFailed) as refusal:
        await laptop.revoke_session(other.id)
    assert refusal.value.code is ErrorCode.UNKNOWN_SESSION


async def test_another_users_session_cannot_be_revoked(open_client: Open) -> None:
    ann = await open_client("ann")
    bob = await open_client("bob")
    [bobs] = await bob.sessions()

    with pytest.raises(RequestFailed) as refusal:
        await ann.revoke_session(bobs.id)
    assert refusal.value.code is ErrorCode.UNKNOWN_SESSION
    await bob.say("still signed in")


async def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(
    open_client: Open, hubbub: ServerProcess
) -> None:
    laptop = await open_client("ann")
    laptop_token = token_of(laptop)
    phone = await open_client("ann")
    phone_token = token_of(phone)

    with pytest.raises(RequestFailed) as refusal:
        await laptop.change_password("not my password", "new secret")
    assert refusal.value.code is ErrorCode.WRONG_PASSWORD
    await laptop.change_password("pw-ann", "new secret")

    await closed_for_sign_out(phone)
    await laptop.say("this session goes on")
    async with Client.connect(hubbub.url, reconnect=False) as other:
        assert await refused(other, "ann", phone_token) is ErrorCode.INVALID_TOKEN
        with pytest.raises(RequestFailed) as old:
            await other.sign_in("ann", "pw-ann")
        # Ann is online, so a wrong password reads as someone else wanting the name.
        assert old.value.code is ErrorCode.NAME_IN_USE
        assert (await other.sign_in("ann", "new secret")).name == "ann"
    async with Client.connect(hubbub.url, reconnect=False) as again:
        assert (await again.sign_in("ann", token=laptop_token)).name == "ann"


async def test_a_token_left_unused_too_long_expires(
    open_client: Open, hubbub: ServerProcess
) -> None:
    async with Client.connect(hubbub.url, reconnect=False) as first:
        token = (await first.sign_in("ann", "pw-ann")).token
    # Thirty-one days pass for this token: its last use moves back, as the clock would.
    query(database_of(hubbub), "UPDATE tokens SET last_seen = last_seen - 31 * 86400")

    async with Client.connect(hubbub.url, reconnect=False) as later:
        assert await refused(later, "ann", token) is ErrorCode.INVALID_TOKEN
        assert (await later.sign_in("ann", "pw-ann")).name == "ann"
        assert len(await later.sessions()) == 1
