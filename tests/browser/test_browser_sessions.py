"""Sessions in the browser: reloads, sign-out, a server restart (and sends made during it),
and scrollback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, WebSocket, expect

from browser.people import People
from browser.wire import Refused, Wire
from conftest import ServerProcess, free_port, say, sign_up
from hubbub.hub.hub import SIGNED_OUT
from hubbub.hub.session import MAX_REPLAYED
from hubbub.store import default_url, open_store

pytestmark = pytest.mark.asyncio(loop_scope="session")

SESSION = "localStorage.getItem('hubbub.session')"


async def test_a_person_slower_than_the_sign_in_deadline_still_signs_in(
    browser: Browser, tmp_path: Path
) -> None:
    """The page opens its socket at load; the server closes an unsigned one after the
    deadline. Someone who takes longer to type must not meet "reconnecting…" or an error."""
    server = ServerProcess(tmp_path / "data", free_port(), options=("--sign-in-deadline", "1"))
    server.start()
    crowd = People(browser, server)
    try:
        alice = await crowd.open("alice", sign_in=False)
        sockets: list[WebSocket] = []

        def opened(socket: WebSocket) -> None:
            sockets.append(socket)

        alice.page.on("websocket", opened)
        await asyncio.sleep(3)  # typing slowly: the deadline passes meanwhile
        await expect(alice.by("connection-banner")).to_be_hidden()
        # At most the page's first socket (it may open after the page is loaded).
        assert len(sockets) <= 1, "a signed-out page must not redial a socket the server closed"
        await alice.sign_in()
        await alice.signed_in()
        await alice.say("made it")
        await expect(alice.message("made it")).to_be_visible()
    finally:
        await crowd.close()
        server.stop()


async def test_a_reload_keeps_the_session_and_sign_out_forgets_it(
    people: People, hubbub: ServerProcess
) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")
    await bob.say("before the reload")
    await alice.open_person("bob")
    await alice.user_row("bob").get_by_test_id("message-user").click()
    await alice.say("a private word")

    await alice.page.reload()
    # No password asked: the page signs in with its session token and carries on.
    await alice.signed_in()
    await expect(alice.by("signin-form")).to_be_hidden()
    await expect(alice.by("conversation-title")).to_have_text("bob")
    await expect(alice.texts).to_have_text(["a private word"])
    await alice.open_conversation("Lobby")
    await expect(alice.texts).to_have_text(["before the reload"])
    await bob.say("after the reload")
    await expect(alice.texts).to_have_text(["before the reload", "after the reload"])

    # Signing out ends the session everywhere and forgets the token here.
    token = await alice.page.evaluate(f"JSON.parse({SESSION}).token")
    await alice.by("signout").click()
    await expect(alice.by("signin-form")).to_be_visible()
    await expect(bob.user_row("alice")).to_have_count(0)
    assert await alice.page.evaluate(SESSION) is None
    await alice.page.reload()
    await expect(alice.by("signin-form")).to_be_visible()
    with pytest.raises(Refused) as refused:
        async with Wire(hubbub.url, "alice", token=token):
            pass
    assert refused.value.code == "invalid_token"


async def test_a_server_restart_shows_reconnecting_and_loses_and_repeats_nothing(
    people: People, hubbub: ServerProcess
) -> None:
    alice = await people.open("alice")
    async with Wire(hubbub.url, "bob") as bob:
        for n in range(1, 4):
            await bob.say(f"before {n}")
        await expect(alice.texts).to_have_text([f"before {n}" for n in range(1, 4)])

    await asyncio.to_thread(hubbub.kill)
    banner = alice.by("connection-banner")
    await expect(banner).to_have_text("reconnecting…")
    await expect(banner).to_be_visible()
    # What she sends meanwhile waits, shown as sending, and goes once she is back.
    await alice.type("written while away")
    pending = alice.by("pending-message")
    await expect(pending).to_contain_text("written while away")
    await expect(pending).to_contain_text("sending…")

    # The server comes back while alice's machine is still offline; bob talks meanwhile.
    await alice.context.set_offline(True)
    await asyncio.to_thread(hubbub.start)
    async with Wire(hubbub.url, "bob") as bob:
        for n in range(1, 6):
            await bob.say(f"missed {n}")
        await expect(banner).to_be_visible()
        await alice.context.set_offline(False)
        await expect(banner).to_be_hidden()
        resent = await bob.wait_for("message", text="written while away")
        await expect(pending).to_have_count(0)
        await bob.say("live again")

        expected = [f"before {n}" for n in range(1, 4)]
        expected += [f"missed {n}" for n in range(1, 6)]
        expected += ["written while away", "live again"]
        await expect(alice.texts).to_have_text(expected)
        seqs = await alice.by("message").evaluate_all("all => all.map(m => Number(m.dataset.seq))")
        assert seqs == list(range(1, 11))
        assert resent["client_id"], "a send carries a client_id, so a resend is stored once"

        # The session token survived the restart: the page is signed in as before.
        await expect(alice.by("me-name")).to_have_text("alice")
        await expect(alice.user_row("bob").get_by_test_id("user-status")).to_have_text("online")
        await alice.say("back again")
        heard = await bob.wait_for("message", text="back again")
        assert (heard["from"], heard["seq"]) == ("alice", 11)


async def test_scrolling_up_loads_older_messages_and_keeps_the_place(
    people: People, hubbub: ServerProcess
) -> None:
    async with Wire(hubbub.url, "bob") as bob:
        for n in range(1, 121):
            await bob.say(f"message {n:03}")

    alice = await people.open("alice")
    # The latest page first, scrolled to the bottom.
    await expect(alice.texts).to_have_count(50)
    await expect(alice.texts.first).to_have_text("message 071")
    await expect(alice.message("message 120")).to_be_in_viewport()

    scroller = alice.by("message-scroller")
    await scroller.evaluate("pane => pane.scrollTo(0, 0)")
    await expect(alice.texts).to_have_count(100)
    await expect(alice.texts.first).to_have_text("message 021")
    # Still looking at where we were, not thrown to the new top.
    await expect(alice.message("message 071")).to_be_in_viewport()
    await expect(alice.message("message 021")).not_to_be_in_viewport()

    await scroller.evaluate("pane => pane.scrollTo(0, 0)")
    await expect(alice.texts).to_have_count(120)
    await expect(alice.by("history-status")).to_have_text(
        "This is the start of the Lobby. Say hello!"
    )
    texts = await alice.texts.all_inner_texts()
    assert texts == [f"message {n:03}" for n in range(1, 121)]


async def test_the_sessions_panel_ends_a_session_changes_the_password_and_signs_out_everywhere(
    people: People, hubbub: ServerProcess
) -> None:
    async with Wire(hubbub.url, "alice") as phone:
        alice = await people.open("alice")
        await alice.by("sessions-open").click()
        rows = alice.by("session-row")
        await expect(rows).to_have_count(2)
        await expect(rows.filter(has_text="(this one)")).to_have_count(1)
        await expect(alice.by("sessions-status")).to_have_text("You are signed in 2 times.")
        await alice.screenshot("sessions")

        await alice.by("session-revoke").click()
        await expect(rows).to_have_count(1)
        assert phone.ws is not None
        async with asyncio.timeout(10):
            while (frame := await phone.ws.receive()).type is aiohttp.WSMsgType.TEXT:
                pass
        assert (frame.type, frame.data) == (aiohttp.WSMsgType.CLOSE, SIGNED_OUT)

    await alice.by("password-old").fill("not my password")
    await alice.by("password-new").fill("a new secret")
    await alice.by("password-submit").click()
    await expect(alice.by("password-error")).to_contain_text("wrong password")
    await alice.by("password-old").fill("pw-alice")
    await alice.by("password-new").fill("a new secret")
    await alice.by("password-submit").click()
    await expect(alice.by("toast").last).to_contain_text("Your password is changed")

    await alice.by("sessions-everywhere").click()
    await expect(alice.by("signin-form")).to_be_visible()
    await alice.sign_in("alice", "a new secret")
    await alice.signed_in()


async def test_a_resume_past_the_replay_limit_fills_the_gap_from_history(
    people: People, hubbub: ServerProcess
) -> None:
    alice = await people.open("alice")
    async with Wire(hubbub.url, "bob") as bob:
        await bob.say("before the outage")
    await expect(alice.texts).to_have_text(["before the outage"])

    # While the server is down, far more is said than a resume replays.
    await asyncio.to_thread(hubbub.kill)
    await expect(alice.by("connection-banner")).to_be_visible()
    missed = MAX_REPLAYED + 200
    store = await open_store(default_url(hubbub.data_dir))
    try:
        writer = await sign_up(store, "writer")
        await asyncio.gather(*(store.append(say(writer, f"missed {n}")) for n in range(missed)))
    finally:
        await store.close()
    await asyncio.to_thread(hubbub.start)

    await expect(alice.by("connection-banner")).to_be_hidden()
    await expect(alice.texts).to_have_count(1 + missed, timeout=30_000)
    seqs = await alice.by("message").evaluate_all("all => all.map(m => Number(m.dataset.seq))")
    assert seqs == list(range(1, 2 + missed))
