"""Rooms in the desktop client: join from the directory, create, topic, leave; search that
opens the conversation at the message; the dark theme and a keyboard shortcut."""

from __future__ import annotations

from conftest import ServerProcess
from desktop.conftest import Desktops, Library, Screen
from desktop.drive import conversations, main, pane, sign_in
from desktop.screens import shoot
from hubbub.desktop.directory import DirectoryDialog
from hubbub.desktop.search_view import SearchDialog
from hubbub.desktop.theme import DARK

FILLER = 60
EARLIER = 55


def test_rooms_and_search(
    screen: Screen, server: ServerProcess, desktops: Desktops, library: Library
) -> None:
    lib = library.connect(server.url, "lib")
    design = library.run(lib.create_room("design", topic="pixels"))
    library.run(lib.say("the release notes are ready", conversation=design.id))
    for n in range(FILLER):
        library.run(lib.say(f"filler {n}", conversation=design.id))

    for n in range(EARLIER):
        library.run(lib.say(f"lobby {n}"))

    erin = desktops.open("erin", server.url)
    sign_in(desktops, erin, "erin")
    view = main(erin)

    # The Lobby shows its latest page; scrolling to the top brings the earlier ones.
    desktops.until(lambda: f"lib: lobby {EARLIER - 1}" in pane(erin), "the latest page")
    assert "lib: lobby 0\n" not in pane(erin)
    view.pane.text.yview_moveto(0)
    view.pane.text.event_generate("<Button-4>")
    desktops.until(lambda: "lib: lobby 0\n" in pane(erin), "the earlier messages")

    # Join from the directory (opened with its shortcut).
    view.focus_force()
    erin.root.event_generate("<Control-j>")
    desktops.until(lambda: isinstance(erin.panels.open.get("directory"), DirectoryDialog),
                   "the directory")
    directory = erin.panels.open["directory"]
    assert isinstance(directory, DirectoryDialog)
    desktops.until(lambda: len(directory.rooms.get_children()) == 2, "two rooms listed")
    directory.pick("design")
    directory.join_button.invoke()
    desktops.until(lambda: view.pane.title.cget("text") == "# design", "design shown")
    assert view.pane.subtitle.cget("text") == "pixels"
    assert not directory.winfo_exists()
    desktops.until(lambda: f"lib: filler {FILLER - 1}" in pane(erin), "the latest page")
    assert "release notes" not in pane(erin)

    # Create a room; a taken name is explained in the dialog.
    dialog = erin.panels.new_room()
    dialog.name.set("Design")
    dialog.create_button.invoke()
    desktops.until(lambda: dialog.error.cget("text") != "", "the refusal")
    assert "design" in dialog.error.cget("text").lower()
    dialog.name.set("Café")
    dialog.topic.set("coffee")
    dialog.create_button.invoke()
    desktops.until(lambda: view.pane.title.cget("text") == "# Café", "the new room shown")
    assert "Café" in conversations(erin)

    # Set its topic; then leave it and land in the Lobby.
    topic = erin.panels.topic()
    assert topic is not None
    topic.value.set("beans")
    topic.ok_button.invoke()
    desktops.until(lambda: view.pane.subtitle.cget("text") == "beans", "the new topic")
    assert "erin set the topic: beans" in pane(erin)
    erin.actions.leave_room()
    desktops.until(lambda: "Café" not in conversations(erin), "the room gone")
    desktops.until(lambda: view.pane.title.cget("text") == "# Lobby", "back in the Lobby")

    # Search finds the old message; opening it shows it in its room, marked.
    view.search_entry.insert(0, "release notes")
    view.search_button.invoke()
    desktops.until(lambda: isinstance(erin.panels.open.get("search"), SearchDialog), "search")
    search = erin.panels.open["search"]
    assert isinstance(search, SearchDialog)
    desktops.until(lambda: len(search.results.get_children()) == 1, "one hit")
    (hit,) = search.results.get_children()
    assert search.results.item(hit, "text") == "design"
    search.open_button.invoke()
    desktops.until(lambda: "lib: the release notes are ready" in pane(erin), "the hit shown")
    assert view.pane.title.cget("text") == "# design"
    desktops.until(lambda: view.pane.text.tag_ranges("spotlight"), "the hit marked")
    first_shown = view.pane.text.index("@0,0")
    assert int(first_shown.split(".")[0]) <= 3, "scrolled to the hit"

    # The dark theme, from its button.
    search.cancel()
    view.theme_button.invoke()
    assert erin.look.theme == "dark"
    assert view.pane.text.cget("background") == DARK.surface
    assert erin.settings_file.load().theme == "dark"
    shoot(screen.framebuffer, "desktop-dark", erin.root)
