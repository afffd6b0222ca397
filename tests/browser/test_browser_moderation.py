"""Moderation in the browser: Delete on others' messages, the member menu, and the line
that tells the affected user what a moderator did to them."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import pytest
from playwright.async_api import expect

from browser.people import People, Person

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def join_from_directory(person: Person, room: str) -> None:
    await person.by("browse-rooms").click()
    entry = person.by("directory-room").filter(has_text=f"# {room}")
    await entry.get_by_role("button", name=f"Join # {room}").click()
    await expect(person.by("conversation-title")).to_have_text(f"# {room}")


async def member_action(moderator: Person, name: str, action: str) -> None:
    """Open ``name``'s menu in the members panel and pick ``action`` (a test id)."""
    row = moderator.by("member-row").filter(has_text=name)
    await row.get_by_test_id("member-menu-button").click()
    await moderator.by("member-menu").get_by_test_id(action).click()
    await expect(moderator.by("member-menu")).to_have_count(0)


async def test_an_owner_deletes_mutes_kicks_and_bans_and_the_member_is_told(
    people: People,
) -> None:
    olga = await people.open("olga")
    bob = await people.open("bob")
    await olga.create_room("den")
    await olga.say("house rules: be kind")
    await join_from_directory(bob, "den")
    await bob.say("buy cheap pills")

    # Bob, a plain member, has no Delete on Olga's message; Olga, the owner, has one on his.
    await expect(
        bob.message("house rules: be kind").get_by_test_id("moderate-delete")
    ).to_be_hidden()
    await olga.message("buy cheap pills").get_by_test_id("moderate-delete").click()
    await expect(olga.by("delete-quote")).to_have_text("buy cheap pills")
    await olga.by("delete-confirm").click()
    for person in (olga, bob):
        await expect(person.texts).to_have_text(["house rules: be kind"])
        await expect(person.by("message-deleted")).to_have_text("message deleted")

    # Mute for 10 minutes from the member menu: Bob is told until when, the room sees a line.
    await olga.by("members-toggle").click()
    await expect(olga.by("members-summary")).to_have_text("2 members · 2 online")
    await member_action(olga, "bob", "member-mute-600")
    notice = bob.by("moderation-notice-text")
    await expect(notice).to_have_text(
        re.compile(r"^You are muted in # den until \d\d:\d\d by olga\.$")
    )
    await expect(olga.by("system-line").last).to_have_text(
        re.compile(r"^bob was muted until \d\d:\d\d by olga$")
    )
    await bob.type("let me speak")
    await expect(bob.by("composer-error")).to_have_text(
        re.compile(r"^Not sent: you are muted in den for \d+ min\.$")
    )
    await expect(bob.by("composer-input")).to_have_value("let me speak")
    await bob.by("composer-input").fill("")
    await bob.by("moderation-notice-dismiss").click()
    await expect(bob.by("moderation-notice")).to_be_hidden()

    # Kick: the room leaves Bob's sidebar and he is told by whom; he may come back.
    await member_action(olga, "bob", "member-kick")
    await expect(notice).to_have_text("You were kicked from # den by olga.")
    await expect(bob.conversation("den")).to_have_count(0)
    await expect(olga.by("system-line").last).to_have_text("bob was kicked by olga")
    await join_from_directory(bob, "den")

    # Ban: out again, and the directory's Join is refused.
    await expect(olga.by("members-summary")).to_have_text("2 members · 2 online")
    await member_action(olga, "bob", "member-ban")
    await expect(notice).to_have_text("You were banned from # den by olga.")
    await expect(bob.conversation("den")).to_have_count(0)
    await expect(olga.by("system-line").last).to_have_text("bob was banned by olga")


async def test_a_new_moderator_gets_delete_and_the_member_menu_and_anyone_can_block(
    people: People,
) -> None:
    olga = await people.open("olga")
    bob = await people.open("bob")
    carol = await people.open("carol")
    await olga.create_room("den")
    await join_from_directory(bob, "den")
    await join_from_directory(carol, "den")
    await carol.say("first!")
    await expect(bob.message("first!").get_by_test_id("moderate-delete")).to_be_hidden()

    await olga.by("members-toggle").click()
    await expect(olga.by("members-summary")).to_have_text("3 members · 3 online")
    await member_action(olga, "bob", "member-role-toggle")
    await expect(olga.by("system-line").last).to_have_text("bob is now a moderator (by olga)")
    role = olga.by("member-row").filter(has_text="bob").get_by_test_id("member-role")
    await expect(role).to_have_text("moderator")

    # Bob now moderates: Delete shows on Carol's message, and his menu can kick her.
    await expect(bob.message("first!").get_by_test_id("moderate-delete")).to_be_attached()
    await bob.message("first!").get_by_test_id("moderate-delete").click()
    await bob.by("delete-confirm").click()
    await expect(carol.by("message-deleted")).to_have_text("message deleted")
    await bob.by("members-toggle").click()
    await expect(bob.by("members-summary")).to_have_text("3 members · 3 online")
    await member_action(bob, "carol", "member-kick")
    await expect(carol.by("moderation-notice-text")).to_have_text(
        "You were kicked from # den by bob."
    )

    # Carol blocks Bob from her own member list of the Lobby.
    await carol.open_room("Lobby")
    await carol.by("members-toggle").click()
    await expect(carol.by("members-summary")).to_have_text("3 members · 3 online")
    await member_action(carol, "bob", "member-block")
    await expect(carol.by("toast").last).to_contain_text("You blocked bob")
    await member_action(carol, "bob", "member-unblock")
    await expect(carol.by("toast").last).to_contain_text("You unblocked bob")


async def test_a_ban_from_the_command_line_sends_the_page_back_to_sign_in_saying_why(
    people: People,
) -> None:
    await people.open("root")
    bob = await people.open("bob")
    data_dir = str(people.server.data_dir)
    command = [sys.executable, "-m", "hubbub", "admin", "--data-dir", data_dir, "ban", "bob"]
    done = await asyncio.to_thread(subprocess.run, command, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    await expect(bob.by("signin")).to_be_visible()
    await expect(bob.by("signin-error")).to_have_text("This account is banned from the server.")
    # Signing in again is refused, once the page has its connection back (it retries).
    error = bob.by("signin-error")
    for _ in range(40):
        await bob.sign_in()
        await expect(error).to_have_text(re.compile("^Could not sign in: .*(banned|reached)"))
        if "is banned" in (await error.text_content() or ""):
            break
        await asyncio.sleep(0.25)
    await expect(error).to_have_text("Could not sign in: bob is banned from this server.")
