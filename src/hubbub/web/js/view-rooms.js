// Rooms: the directory to join one, and the dialogs to create a room, invite someone
// and edit a room's topic. Every dialog gives focus back to what opened it.

import { byId, h, sentence } from "./dom.js";

/** A modal dialog that returns focus to its opener (or the message box) when it closes. */
export function modal(dialog, ui) {
  let opener = null;
  let next = null; // where focus goes instead, once, e.g. a room just created
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
  dialog.addEventListener("close", () => {
    const target = next ?? opener;
    next = null;
    if (target === "composer") ui.focusComposer(true);
    else if (target?.isConnected && target.getClientRects().length) target.focus();
    else ui.focusComposer(true);
  });
  return {
    open() {
      opener = document.activeElement;
      if (!dialog.open) dialog.showModal();
    },
    close(then = null) {
      next = then;
      dialog.close();
    },
  };
}

export function errorShower(element, field = null) {
  return (text) => {
    element.textContent = text;
    element.hidden = !text;
    if (field) field.setAttribute("aria-invalid", text ? "true" : "false");
  };
}

export function mountRooms(client, state, ui) {
  // ---------------------------------------------------------------- create

  const createDialog = byId("create-room-dialog");
  const create = modal(createDialog, ui);
  const roomName = byId("room-name");
  const roomTopic = byId("room-topic");
  const roomPrivate = byId("room-private");
  const createError = errorShower(byId("create-room-error"), roomName);

  function openCreate() {
    if (ui.navOpen()) ui.closeNav();
    roomName.value = "";
    roomTopic.value = "";
    roomPrivate.checked = false;
    createError("");
    create.open();
    roomName.focus();
  }

  byId("create-room").addEventListener("click", openCreate);
  byId("create-room-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = roomName.value;
    if (!name.trim()) {
      createError("Give the room a name.");
      roomName.focus();
      return;
    }
    createError("");
    try {
      await client.createRoom(name, roomTopic.value, roomPrivate.checked);
      create.close("composer");
    } catch (error) {
      createError(`Could not create the room: ${sentence(error.message)}`);
      roomName.focus();
    }
  });

  // ---------------------------------------------------------------- directory

  const directoryDialog = byId("directory-dialog");
  const directory = modal(directoryDialog, ui);
  const directoryList = byId("directory-list");
  const directoryStatus = byId("directory-status");
  const directoryError = errorShower(byId("directory-error"));

  function roomEntry(room) {
    const action = room.joined
      ? h(
          "button",
          {
            type: "button",
            class: "button button-secondary button-small",
            "data-testid": "directory-open",
            "aria-label": `Open # ${room.name}`,
            onclick: () => {
              client.open(room.id);
              directory.close("composer");
            },
          },
          "Open",
        )
      : h(
          "button",
          {
            type: "button",
            class: "button button-primary button-small",
            "data-testid": "directory-join",
            "aria-label": `Join # ${room.name}`,
            onclick: async (event) => {
              const button = event.currentTarget;
              button.disabled = true;
              try {
                await client.joinRoom(room.id);
                directory.close("composer");
              } catch (error) {
                button.disabled = false;
                directoryError(`Could not join: ${sentence(error.message)}`);
              }
            },
          },
          "Join",
        );
    const members = `${room.members} ${room.members === 1 ? "member" : "members"}`;
    return h(
      "li",
      { class: "directory-room", "data-testid": "directory-room", "data-name": room.name },
      h(
        "div",
        { class: "directory-text" },
        h("span", { class: "directory-name" }, `# ${room.name}`, room.private ? " (private)" : ""),
        h("span", { class: "directory-meta" }, room.topic ? `${room.topic} · ${members}` : members),
      ),
      action,
    );
  }

  async function openDirectory() {
    if (ui.navOpen()) ui.closeNav();
    directoryError("");
    directoryList.replaceChildren();
    directoryStatus.textContent = "Loading rooms…";
    directory.open();
    try {
      const rooms = await client.listRooms();
      directoryList.replaceChildren(...rooms.map(roomEntry));
      directoryStatus.textContent =
        rooms.length === 0
          ? "There are no rooms yet."
          : `${rooms.length} ${rooms.length === 1 ? "room" : "rooms"}.`;
      (
        directoryList.querySelector("[data-testid=directory-join]") ??
        directoryList.querySelector("button")
      )?.focus();
    } catch (error) {
      directoryStatus.textContent = "";
      directoryError(`Could not list the rooms: ${sentence(error.message)}`);
    }
  }

  byId("browse-rooms").addEventListener("click", openDirectory);
  directoryDialog.querySelector("[data-testid=directory-create]").addEventListener("click", () => {
    directory.close();
    openCreate();
  });

  // ---------------------------------------------------------------- invite

  const inviteDialog = byId("invite-dialog");
  const invite = modal(inviteDialog, ui);
  const inviteName = byId("invite-name");
  const inviteError = errorShower(byId("invite-error"), inviteName);
  let inviteRoom = null;

  byId("invite-open").addEventListener("click", () => {
    inviteRoom = state.active;
    byId("invite-title").textContent = `Invite someone to # ${inviteRoom.title}`;
    inviteName.value = "";
    inviteError("");
    const known = [...state.users.values()].filter((u) => !state.isMe(u.name));
    byId("invite-names").replaceChildren(...known.map((u) => h("option", { value: u.name })));
    invite.open();
    inviteName.focus();
  });
  byId("invite-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = inviteName.value.trim();
    if (!name) {
      inviteError("Type the name of the person to invite.");
      return;
    }
    try {
      await client.invite(inviteRoom.id, name);
      invite.close();
      ui.toast(`${name} is now a member of # ${inviteRoom.title}.`, "info");
    } catch (error) {
      inviteError(`Could not invite: ${sentence(error.message)}`);
      inviteName.focus();
    }
  });

  // ---------------------------------------------------------------- topic

  const topicDialog = byId("topic-dialog");
  const topic = modal(topicDialog, ui);
  const topicInput = byId("topic-input");
  const topicError = errorShower(byId("topic-error"), topicInput);
  let topicRoom = null;

  byId("edit-topic").addEventListener("click", () => {
    topicRoom = state.active;
    byId("topic-title").textContent = `Topic of # ${topicRoom.title}`;
    topicInput.value = topicRoom.topic ?? "";
    topicError("");
    topic.open();
    topicInput.focus();
    topicInput.select();
  });
  byId("topic-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await client.setTopic(topicRoom.id, topicInput.value.trim());
      topic.close();
    } catch (error) {
      topicError(`Could not set the topic: ${sentence(error.message)}`);
      topicInput.focus();
    }
  });

  state.on("signed-out", () => {
    for (const dialog of [createDialog, directoryDialog, inviteDialog, topicDialog]) {
      if (dialog.open) dialog.close();
    }
  });
}
