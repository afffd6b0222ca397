// The sidebar: who I am, the conversations with their unread counts, and who is online.

import { avatar, byId, h, icon, reconcile, sentence } from "./dom.js";
import { nameKey, sameName } from "./state.js";

const STATUS_TEXT = { online: "online", busy: "busy", away: "away" };

export function mountSidebar(client, state, ui) {
  const app = byId("app");
  const conversationList = byId("conversation-list");
  const onlineList = byId("online-list");
  const onlineCount = byId("online-count");
  const onlineEmpty = byId("online-empty");
  const toggleBadge = byId("sidebar-toggle-badge");
  const sidebarToggle = byId("sidebar-toggle");
  let expanded = null; // nameKey of the person whose actions are open

  // ---------------------------------------------------------------- narrow screens

  function setNav(open) {
    app.classList.toggle("nav-open", open);
    sidebarToggle.setAttribute("aria-expanded", String(open));
    if (open) byId("sidebar").querySelector("button")?.focus();
  }
  ui.closeNav = () => setNav(false);
  sidebarToggle.addEventListener("click", () => setNav(!app.classList.contains("nav-open")));
  byId("sidebar-close").addEventListener("click", () => setNav(false));
  byId("sidebar-backdrop").addEventListener("click", () => setNav(false));
  app.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && app.classList.contains("nav-open")) setNav(false);
  });

  // ---------------------------------------------------------------- me

  const meAvatar = byId("me-avatar");
  const meName = byId("me-name");
  const meStatus = byId("me-status");
  const meDot = byId("me-dot");
  const away = byId("away-toggle");

  function renderMe() {
    const me = state.me;
    if (!me) return;
    meAvatar.replaceChildren(avatar(me.name));
    meName.textContent = me.name;
    const status = me.status ?? "online";
    meStatus.textContent =
      status === "busy" ? "busy · in a 1:1 chat" : (STATUS_TEXT[status] ?? status);
    meDot.className = `status-dot status-${status}`;
    const isAway = state.chosen === "away";
    away.textContent = isAway ? "Set online" : "Set away";
    away.setAttribute("aria-pressed", String(isAway));
  }

  away.addEventListener("click", async () => {
    away.disabled = true;
    try {
      await client.setAway(state.chosen !== "away");
    } catch (error) {
      ui.toast(`Could not change your status: ${sentence(error.message)}`, "error");
    } finally {
      away.disabled = false;
    }
  });

  byId("signout").addEventListener("click", () => client.signOut());

  // ---------------------------------------------------------------- conversations

  function ordered() {
    const all = [...state.conversations.values()];
    const rank = (c) => {
      if (c.kind === "lobby") return 0;
      if (c.kind === "chat" && !c.ended) return 1;
      if (c.kind === "dm") return 2;
      return 3;
    };
    return all.sort((a, b) => rank(a) - rank(b) || b.lastActivity - a.lastActivity);
  }

  function createConversation(conversation) {
    const button = h("button", {
      type: "button",
      class: "conv",
      "data-testid": "conversation-item",
      onclick: () => {
        client.open(button.dataset.conversation);
        ui.closeNav();
        ui.focusComposer();
      },
    });
    return h("li", {}, button);
  }

  function updateConversation(li, conversation) {
    const button = li.firstChild;
    button.dataset.conversation = conversation.id;
    button.dataset.kind = conversation.kind;
    const current = conversation.id === state.activeId;
    if (current) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
    button.classList.toggle("conv-unread", conversation.unread > 0);
    button.classList.toggle("conv-ended", Boolean(conversation.ended));
    const glyph =
      conversation.kind === "lobby" ? "hash" : conversation.kind === "chat" ? "chat" : null;
    const lead = glyph
      ? h("span", { class: "conv-icon" }, icon(glyph))
      : avatar(conversation.partner ?? "?", "avatar-small");
    const title = h(
      "span",
      { class: "conv-title", "data-testid": "conversation-title-text" },
      conversation.title,
    );
    const children = [lead, title];
    if (conversation.kind === "chat") {
      children.push(h("span", { class: "conv-tag" }, conversation.ended ? "ended" : "live"));
    }
    if (conversation.unread > 0) {
      children.push(
        h(
          "span",
          {
            class: "badge",
            "data-testid": "unread-badge",
            "aria-label": `${conversation.unread} unread`,
          },
          conversation.unread > 99 ? "99+" : String(conversation.unread),
        ),
      );
    }
    button.replaceChildren(...children);
  }

  function renderConversations() {
    const list = ordered();
    reconcile(conversationList, list, (c) => c.id, createConversation, updateConversation);
    toggleBadge.hidden = !list.some((c) => c.unread > 0 && c.id !== state.activeId);
    const unread = list.reduce((sum, c) => sum + c.unread, 0);
    const place = state.active.kind === "lobby" ? "Lobby" : state.active.title;
    document.title = `${unread > 0 ? `(${unread}) ` : ""}${place} · hubbub`;
  }

  // ---------------------------------------------------------------- people

  function people() {
    const me = state.me ? nameKey(state.me.name) : null;
    return [...state.users.entries()]
      .sort(([a, x], [b, y]) => (a === me ? -1 : b === me ? 1 : x.name.localeCompare(y.name)))
      .map(([key, user]) => ({ key, ...user, self: key === me }));
  }

  function createPerson(person) {
    const li = h("li", { class: "person", "data-testid": "user-row" });
    if (person.self) return li;
    const button = h("button", {
      type: "button",
      class: "person-button",
      "data-testid": "user-button",
      "aria-expanded": "false",
      onclick: () => {
        const key = li.dataset.key;
        expanded = expanded === key ? null : key;
        renderPeople();
      },
    });
    const start = h(
      "button",
      {
        type: "button",
        class: "button button-primary button-small",
        "data-testid": "start-chat",
        onclick: () => startChat(li.dataset.name),
      },
      "Start chat",
    );
    const message = h(
      "button",
      {
        type: "button",
        class: "button button-secondary button-small",
        "data-testid": "message-user",
        onclick: () => {
          expanded = null;
          renderPeople();
          client.openDm(li.dataset.name);
          ui.closeNav();
          ui.focusComposer();
        },
      },
      "Message",
    );
    const note = h("p", { class: "person-note", "data-testid": "user-note" });
    li.append(button, h("div", { class: "person-actions", hidden: true }, start, message, note));
    return li;
  }

  function updatePerson(li, person) {
    li.dataset.name = person.name;
    li.dataset.status = person.status;
    const status = h(
      "span",
      { class: `status-badge status-${person.status}`, "data-testid": "user-status" },
      STATUS_TEXT[person.status] ?? person.status,
    );
    const face = h(
      "span",
      { class: "avatar-wrap" },
      avatar(person.name),
      h("span", { class: `status-dot status-${person.status}` }),
    );
    const name = h("span", { class: "person-name", "data-testid": "user-name" }, person.name);
    if (person.self) {
      li.classList.add("person-self");
      li.replaceChildren(
        h(
          "div",
          { class: "person-button" },
          face,
          name,
          h("span", { class: "you" }, "you"),
          status,
        ),
      );
      return;
    }
    const [button, actions] = li.children;
    button.replaceChildren(face, name, status);
    button.setAttribute("aria-label", `${person.name}, ${person.status}`);
    const open = expanded === person.key;
    button.setAttribute("aria-expanded", String(open));
    actions.hidden = !open;
    const [start, , note] = actions.children;
    let why = "";
    if (person.status === "busy") why = `${person.name} is busy in a 1:1 chat.`;
    else if (state.chat) why = "End your current chat first.";
    else if (state.outgoing?.state === "waiting")
      why = `Waiting for ${state.outgoing.to} to answer…`;
    start.disabled = Boolean(why);
    note.textContent = why;
    note.hidden = !why;
  }

  function renderPeople() {
    const list = people();
    if (expanded && !list.some((p) => p.key === expanded)) expanded = null;
    reconcile(onlineList, list, (p) => p.key, createPerson, updatePerson);
    onlineCount.textContent = state.usersKnown ? String(list.length) : "";
    onlineEmpty.hidden = !state.alone;
  }

  async function startChat(name) {
    expanded = null;
    try {
      await client.requestChat(name);
      ui.closeNav();
    } catch (error) {
      ui.toast(`Could not ask for a chat: ${sentence(error.message)}`, "error");
    }
    renderPeople();
  }

  state.on("me", renderMe);
  state.on("signed-in", () => {
    renderMe();
    renderConversations();
    renderPeople();
  });
  state.on("users", renderPeople);
  state.on("chat", renderPeople);
  state.on("outgoing", renderPeople);
  state.on("sidebar", renderConversations);
  state.on("active", renderConversations);
  state.on("chat", () => {
    renderConversations();
    if (state.chat) setNav(false);
  });
  state.on("item", ({ live }) => {
    if (live) renderConversations();
  });
  state.on("signed-out", () => {
    document.title = "hubbub";
    expanded = null;
    conversationList.replaceChildren();
    onlineList.replaceChildren();
  });

  return { isSelf: (name) => sameName(name, state.me?.name) };
}
