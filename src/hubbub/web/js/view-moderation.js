// Moderation in the page: the member menu (kick, mute, ban, roles, block), Delete on
// others' messages for a room's moderators, the room's lines about what moderators did,
// and the strip that tells me what a moderator did to me (docs/protocol.md, "Roles and
// moderation").

import { byId, h, sentence } from "./dom.js";
import { nameKey, sameName } from "./state.js";

const MUTES = [
  ["Mute 10 min", 600],
  ["Mute 1 h", 3600],
];

function clock(ts) {
  return new Date(ts * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function because(note) {
  return note ? ` (${note})` : "";
}

/** My role in a room: "owner", "moderator" or "member" (what `members` last said). */
function myRole(state, roomId) {
  const conversation = state.conversation(roomId);
  if (!state.me || conversation?.kind !== "room") return null;
  if (conversation.owner && sameName(conversation.owner, state.me.name)) return "owner";
  return state.members.get(roomId)?.get(nameKey(state.me.name))?.role ?? "member";
}

/** Whether I may kick, mute, ban and delete others' messages in this room. */
export function canModerate(state, roomId) {
  const role = myRole(state, roomId);
  return role !== null && (state.me.role === "admin" || role !== "member");
}

function canAppoint(state, roomId) {
  const role = myRole(state, roomId);
  return role !== null && (state.me.role === "admin" || role === "owner");
}

/** The room's line about a moderator's action. */
function roomLine(frame) {
  const by = `by ${frame.by}`;
  switch (frame.action) {
    case "kicked":
      return `${frame.name} was kicked ${by}${because(frame.note)}`;
    case "banned":
      return `${frame.name} was banned ${by}${because(frame.note)}`;
    case "unbanned":
      return `${frame.name} was unbanned ${by}`;
    case "muted":
      return `${frame.name} was muted until ${clock(frame.until)} ${by}${because(frame.note)}`;
    case "unmuted":
      return `${frame.name} was unmuted ${by}`;
    case "moderator":
      return `${frame.name} is now a moderator (${by})`;
    default:
      return `${frame.name} is no longer a moderator (${by})`;
  }
}

/** Events about moderation: `muted`, `moderated`, a kick or ban in `room_removed`. */
export function moderationEvent(client, frame, roomName = null) {
  const state = client.state;
  const room = state.conversation(frame.room);
  const title = roomName ?? room?.title ?? frame.room;
  switch (frame.type) {
    case "muted": {
      const text = frame.until
        ? `You are muted in # ${title} until ${clock(frame.until)} by ${frame.by}${because(frame.note)}.`
        : `You can write in # ${title} again: ${frame.by} unmuted you.`;
      state.emit("moderation-news", { text });
      break;
    }
    case "room_removed": {
      const how = frame.reason === "banned" ? "banned from" : "kicked from";
      const text = `You were ${how} # ${title} by ${frame.by}${because(frame.note)}.`;
      state.emit("moderation-news", { text });
      break;
    }
    case "moderated": {
      if (!room) break;
      if (frame.action === "moderator" || frame.action === "member") {
        const known = state.members.get(frame.room)?.get(nameKey(frame.name));
        state.setMember(frame.room, frame.name, known?.status ?? "offline", frame.action);
        state.emit("members", { room: frame.room });
        state.emit("moderation-roles");
      }
      state.addLocal(frame.room, "moderation", { text: roomLine(frame) });
      break;
    }
    default:
      break;
  }
}

export function mountModeration(client, state, ui) {
  const strip = byId("moderation-notice");
  const stripText = byId("moderation-notice-text");
  const list = byId("message-list");
  let openMenu = null;
  let blocked = new Set(); // name keys of the people I block

  state.on("signed-in", () => {
    client
      .request("blocked")
      .then((ok) => {
        blocked = new Set(ok.blocked.map(nameKey));
      })
      .catch(() => {});
  });

  state.on("moderation-news", ({ text }) => {
    stripText.textContent = text;
    strip.hidden = false;
  });
  byId("moderation-notice-dismiss").addEventListener("click", () => {
    strip.hidden = true;
  });

  // Delete on others' messages is in every message's actions, shown only to moderators.
  function showModeration() {
    list.classList.toggle("can-moderate", canModerate(state, state.current));
  }
  for (const event of ["active", "members", "moderation-roles", "signed-in", "sidebar"]) {
    state.on(event, showModeration);
  }
  state.on("active", () => {
    const room = state.active;
    if (room?.kind === "room" && !state.membersComplete.has(room.id)) {
      client.loadMembers(room.id).catch(() => {});
    }
  });
  state.on("signed-out", () => {
    strip.hidden = true;
    closeMenu();
  });

  /** Send a moderation request; whether the server did it (a toast says either way). */
  async function act(label, request, fields, done) {
    closeMenu();
    try {
      await client.request(request, fields);
      ui.toast(done, "info");
      return true;
    } catch (error) {
      ui.toast(`${label} failed: ${sentence(error.message)}`, "error");
      return false;
    }
  }

  function closeMenu() {
    openMenu?.remove();
    openMenu = null;
  }

  function item(label, testid, run) {
    return h(
      "button",
      { type: "button", class: "menu-item", role: "menuitem", "data-testid": testid, onclick: run },
      label,
    );
  }

  function menuFor(roomId, member) {
    const user = member.name;
    const room = { room: roomId, user };
    const items = [];
    if (canModerate(state, roomId) && member.role !== "owner") {
      items.push(item("Kick", "member-kick", () => act("Kick", "kick", room, `${user} was kicked.`)));
      for (const [label, seconds] of MUTES) {
        items.push(
          item(label, `member-mute-${seconds}`, () =>
            act("Mute", "mute", { ...room, seconds }, `${user} is muted.`),
          ),
        );
      }
      items.push(item("Ban", "member-ban", () => act("Ban", "ban", room, `${user} was banned.`)));
    }
    if (canAppoint(state, roomId) && member.role !== "owner") {
      const moderator = member.role === "moderator";
      items.push(
        item(
          moderator ? "Remove moderator" : "Make moderator",
          "member-role-toggle",
          () =>
            act(
              "Changing the role",
              "set_role",
              { ...room, role: moderator ? "member" : "moderator" },
              moderator ? `${user} is no longer a moderator.` : `${user} is now a moderator.`,
            ),
        ),
      );
    }
    const key = nameKey(user);
    items.push(
      blocked.has(key)
        ? item("Unblock user", "member-unblock", async () => {
            if (await act("Unblock", "unblock", { user }, `You unblocked ${user}.`)) {
              blocked.delete(key);
            }
          })
        : item("Block user", "member-block", async () => {
            const done = `You blocked ${user}: no messages or chat requests between you.`;
            if (await act("Block", "block", { user }, done)) blocked.add(key);
          }),
    );
    return h(
      "div",
      { class: "menu", role: "menu", "data-testid": "member-menu", "aria-label": `Actions for ${user}` },
      ...items,
    );
  }

  /** The "…" button of a member row (none for me). */
  ui.memberMenu = (roomId, member) => {
    if (!state.me || sameName(member.name, state.me.name)) return null;
    return h(
      "button",
      {
        type: "button",
        class: "icon-button icon-button-small member-menu-button",
        "data-testid": "member-menu-button",
        "aria-haspopup": "menu",
        "aria-label": `Actions for ${member.name}`,
        title: "Actions",
        onclick: (event) => {
          event.stopPropagation();
          const row = event.currentTarget.closest("li");
          const reopen = openMenu?.parentElement !== row;
          closeMenu();
          if (!reopen) return;
          openMenu = menuFor(roomId, state.members.get(roomId)?.get(nameKey(member.name)) ?? member);
          row.append(openMenu);
          openMenu.querySelector("button")?.focus();
        },
      },
      "…",
    );
  };

  document.addEventListener("click", (event) => {
    if (openMenu && !openMenu.contains(event.target)) closeMenu();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && openMenu) closeMenu();
  });
}
