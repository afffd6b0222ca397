// The sidebar: who I am, the rooms and direct messages with their unread and mention
// badges, and who is online. On narrow screens it is a menu that slides in.

import { avatar, byId, h, icon, reconcile, sentence } from "./dom.js";
import { nameKey, sameName } from "./state.js";

const STATUS_TEXT = { online: "online", busy: "busy", away: "away", offline: "offline" };
const NARROW = "(max-width: 760px)";

export function mountSidebar(client, state, ui) {
  const app = byId("app");
  const roomList = byId("room-list");
  const dmList = byId("dm-list");
  const dmEmpty = byId("dm-empty");
  const onlineList = byId("online-list");
  const onlineCount = byId("online-count");
  const onlineEmpty = byId("online-empty");
  const toggleBadge = byId("sidebar-toggle-badge");
  const sidebarToggle = byId("sidebar-toggle");
  const sidebar = byId("sidebar");
  let expanded = null; // nameKey of the person whose actions are open

  // ---------------------------------------------------------------- narrow screens

  ui.isNarrow = () => matchMedia(NARROW).matches;
  ui.navOpen = () => app.classList.contains("nav-open");

  /** Open or close the menu; closing puts focus on `focus` (default: the menu button). */
  function setNav(open, focus = null) {
    const wasOpen = ui.navOpen();
    app.classList.toggle("nav-open", open);
    sidebarToggle.setAttribute("aria-expanded", String(open));
    if (open) {
      sidebar.querySelector("[aria-current=page]")?.focus() ??
        sidebar.querySelector("button")?.focus();
    } else if (wasOpen && ui.isNarrow()) {
      const target = typeof focus === "function" ? focus() : focus;
      (target && !target.disabled && target.offsetParent ? target : sidebarToggle).focus();
    }
  }
  ui.closeNav = (focus = null) => setNav(false, focus);
  sidebarToggle.addEventListener("click", () => setNav(!ui.navOpen()));
  byId("sidebar-close").addEventListener("click", () => setNav(false));
  byId("sidebar-backdrop").addEventListener("click", () => setNav(false));
  app.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && ui.navOpen()) setNav(false);
  });
  matchMedia(NARROW).addEventListener("change", () => {
    if (!ui.isNarrow()) app.classList.remove("nav-open");
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
    try {
      await client.setAway(state.chosen !== "away");
    } catch (error) {
      ui.toast(`Could not change your status: ${sentence(error.message)}`, "error");
    }
  });

  byId("signout").addEventListener("click", () => client.signOut());

  // ---------------------------------------------------------------- conversations

  function rooms() {
    return [...state.conversations.values()]
      .filter((c) => c.kind === "room")
      .sort((a, b) => (a.isLobby ? -1 : b.isLobby ? 1 : a.title.localeCompare(b.title)));
  }

  function direct() {
    const rank = (c) => (c.kind === "chat" && !c.ended ? 0 : c.kind === "dm" ? 1 : 2);
    return [...state.conversations.values()]
      .filter((c) => c.kind !== "room")
      .sort((a, b) => rank(a) - rank(b) || b.lastActivity - a.lastActivity);
  }

  function createConversation() {
    const button = h("button", {
      type: "button",
      class: "conv",
      "data-testid": "conversation-item",
      onclick: () => {
        client.open(button.dataset.conversation);
        const focusTarget = () => ui.composerTarget();
        if (ui.navOpen()) ui.closeNav(focusTarget);
      },
    });
    return h("li", {}, button);
  }

  function updateConversation(li, conversation) {
    const button = li.firstChild;
    button.dataset.conversation = conversation.id;
    button.dataset.kind = conversation.kind;
    const current = conversation.id === state.current;
    if (current) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
    const unread = conversation.id === state.current ? 0 : conversation.unread;
    const mentions = conversation.id === state.current ? 0 : conversation.mentions;
    button.classList.toggle("conv-unread", unread > 0);
    button.classList.toggle("conv-ended", Boolean(conversation.ended));
    let lead;
    if (conversation.kind === "room") {
      lead = h("span", { class: "conv-icon" }, icon(conversation.private ? "lock" : "hash"));
    } else if (conversation.kind === "chat") {
      lead = h("span", { class: "conv-icon" }, icon("chat"));
    } else lead = avatar(conversation.name ?? "?", "avatar-small");
    const children = [
      lead,
      h(
        "span",
        { class: "conv-title", "data-testid": "conversation-title-text" },
        conversation.title,
      ),
    ];
    if (conversation.kind === "room" && conversation.private) {
      children.push(h("span", { class: "visually-hidden" }, ", private room"));
    }
    if (conversation.kind === "chat") {
      children.push(h("span", { class: "conv-tag" }, conversation.ended ? "ended" : "live"));
    }
    if (mentions > 0) {
      children.push(
        h(
          "span",
          { class: "badge badge-mention", "data-testid": "mention-badge", "aria-hidden": "true" },
          `@${mentions}`,
        ),
        h("span", { class: "visually-hidden" }, `, ${mentions} mentioning you`),
      );
    }
    if (unread > 0) {
      children.push(
        h(
          "span",
          { class: "badge", "data-testid": "unread-badge", "aria-hidden": "true" },
          unread > 99 ? "99+" : String(unread),
        ),
        h("span", { class: "visually-hidden" }, `, ${unread} unread`),
      );
    }
    button.replaceChildren(...children);
  }

  function renderConversations() {
    reconcile(roomList, rooms(), (c) => c.id, createConversation, updateConversation);
    const others = direct();
    reconcile(dmList, others, (c) => c.id, createConversation, updateConversation);
    dmEmpty.hidden = others.length > 0;
    const waiting = [...state.conversations.values()].filter(
      (c) => c.id !== state.current && c.unread > 0,
    );
    toggleBadge.hidden = waiting.length === 0;
    const unread = waiting.reduce((sum, c) => sum + c.unread, 0);
    const place = state.active.kind === "room" ? `# ${state.active.title}` : state.active.title;
    document.title = `${unread > 0 ? `(${unread}) ` : ""}${place} · hubbub`;
    sidebarToggle.setAttribute(
      "aria-label",
      unread > 0 ? `Open the menu (${unread} unread)` : "Open the menu",
    );
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
        onclick: () => startChat(li.dataset.name, li),
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
          if (ui.navOpen()) ui.closeNav(() => ui.composerTarget());
          else ui.focusComposer();
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
    else if (state.outgoing?.state === "waiting") {
      why = `Waiting for ${state.outgoing.to} to answer…`;
    }
    if (start === document.activeElement && why) button.focus();
    start.disabled = Boolean(why);
    note.textContent = why;
    note.hidden = !why;
  }

  function renderPeople() {
    const list = people();
    if (expanded && !list.some((p) => p.key === expanded)) expanded = null;
    const hadFocus = onlineList.contains(document.activeElement);
    reconcile(onlineList, list, (p) => p.key, createPerson, updatePerson);
    if (hadFocus && !onlineList.contains(document.activeElement)) {
      // The person whose row held focus went offline: keep focus in the list.
      (onlineList.querySelector("button") ?? byId("online-heading")).focus?.();
    }
    onlineCount.textContent = state.usersKnown ? String(list.length) : "";
    onlineEmpty.hidden = !state.alone;
  }

  async function startChat(name, row) {
    expanded = null;
    try {
      await client.chats.requestChat(name);
    } catch (error) {
      ui.toast(`Could not ask for a chat: ${sentence(error.message)}`, "error");
    }
    renderPeople();
    // The buttons under the name are gone: focus stays on the person, or on the message box.
    if (ui.navOpen()) ui.closeNav(() => ui.composerTarget());
    else if (row.isConnected) row.querySelector("[data-testid=user-button]")?.focus();
    else ui.focusComposer(true);
  }

  state.on("me", renderMe);
  state.on("signed-in", () => {
    renderMe();
    renderConversations();
    renderPeople();
  });
  state.on("users", renderPeople);
  state.on("outgoing", renderPeople);
  state.on("sidebar", renderConversations);
  state.on("active", renderConversations);
  state.on("chat", () => {
    renderPeople();
    renderConversations();
    if (state.chat && ui.navOpen()) setNav(false, () => ui.composerTarget());
  });
  state.on("signed-out", () => {
    document.title = "hubbub";
    expanded = null;
    app.classList.remove("nav-open");
    roomList.replaceChildren();
    dmList.replaceChildren();
    onlineList.replaceChildren();
  });

  return { isSelf: (name) => sameName(name, state.me?.name) };
}
